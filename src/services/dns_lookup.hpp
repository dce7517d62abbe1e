// DNS TXT look-ups for checking sending domains, through the C library's resolver. The server
// asked is the `dns.server` setting when set (tests point it at dnsmasq on loopback), else the
// system's resolvers.
//
// Thread-safe: each call has its own resolver state (res_ninit), so calls may run at once.
// Blocks for at most a few seconds when the server does not answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::services {

// The TXT records at `name`, each with its character-strings joined as DKIM and SPF read
// them. An empty vector when the name or its TXT records do not exist; Errc::unavailable
// when the server cannot be asked or fails. `server` is "IPv4:PORT" or empty.
Result<std::vector<std::string>> lookup_txt(std::string_view server, const std::string& name);

}  // namespace sm::services
