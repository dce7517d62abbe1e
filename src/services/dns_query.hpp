// One DNS look-up through the C library's resolver, shared by the sending-domain checks
// (services/dns_lookup.hpp) and the fetcher's address look-up (services/address_lookup.hpp).
// The server asked is `server` ("IPv4:PORT", the `dns.server` setting; tests point it at
// dnsmasq on loopback) when not empty, else the system's resolvers.
//
// Thread-safe: each call has its own resolver state (res_ninit), so calls may run at once.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::services {

// One record of an answer section: its type (ns_t_txt, ns_t_a, ...) and its RDATA bytes.
struct DnsAnswerRecord {
  std::uint16_t type = 0;
  std::string data;
};

struct DnsTries {
  int seconds = 2;  // per try
  int tries = 2;
};

// Asks for each of `types` at `name` in turn and returns the answer records of all of them,
// whatever their owner name (a CNAME chain leads to them). A name that does not exist, or
// has no record of a type, adds nothing. Errc::unavailable, with the reason in `detail`,
// when the server cannot be asked, fails, or sends a malformed answer.
Result<std::vector<DnsAnswerRecord>> dns_query(std::string_view server, const std::string& name,
                                               std::initializer_list<int> types, DnsTries tries);

}  // namespace sm::services
