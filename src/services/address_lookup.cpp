#include "services/address_lookup.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <cstring>

#include "services/dns_query.hpp"

namespace sm::services {
namespace {

Error unavailable(std::string detail) {
  return make_error(Errc::unavailable,
                    "The name of the page's site could not be looked up just now. Try again "
                    "in a minute.",
                    std::move(detail));
}

}  // namespace

std::string IpAddress::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<IpAddress> parse_ip_literal(std::string_view text) {
  const std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

Result<std::vector<IpAddress>> lookup_addresses(std::string_view server, const std::string& name) {
  // Two tries of a second per type keep the whole look-up inside the fetch's time limit.
  auto records = dns_query(server, name, {ns_t_a, ns_t_aaaa}, DnsTries{1, 2});
  if (!records.ok()) return unavailable(records.error().detail);
  std::vector<IpAddress> out;
  for (const auto& r : *records) {
    const bool v4 = r.type == ns_t_a && r.data.size() == 4;
    const bool v6 = r.type == ns_t_aaaa && r.data.size() == 16;
    if (!v4 && !v6) continue;  // a CNAME on the way, or a record of the wrong size
    IpAddress ip;
    ip.v6 = v6;
    std::memcpy(ip.bytes.data(), r.data.data(), r.data.size());
    out.push_back(ip);
  }
  return out;
}

}  // namespace sm::services
