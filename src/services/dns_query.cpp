#include "services/dns_query.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <array>
#include <charconv>

namespace sm::services {
namespace {

constexpr std::size_t kHeaderBytes = 12;

Error unavailable(std::string detail) {
  return make_error(Errc::unavailable, "The DNS server did not answer. Try again in a minute.",
                    std::move(detail));
}

// Points `st` at "IPv4:PORT" only, instead of the servers in /etc/resolv.conf.
bool use_server(res_state st, std::string_view server) {
  auto colon = server.rfind(':');
  if (colon == std::string_view::npos) return false;
  unsigned port = 0;
  auto p = server.substr(colon + 1);
  if (std::from_chars(p.data(), p.data() + p.size(), port).ec != std::errc() || port == 0 ||
      port > 65535) {
    return false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, std::string(server.substr(0, colon)).c_str(), &addr.sin_addr) != 1) {
    return false;
  }
  st->nsaddr_list[0] = addr;
  st->nscount = 1;
  return true;
}

std::uint16_t read16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// The records of a DNS answer's answer section; false when the answer is malformed.
bool parse_answer(const unsigned char* msg, int len, std::vector<DnsAnswerRecord>* out) {
  if (len < static_cast<int>(kHeaderBytes)) return false;
  const unsigned char* end = msg + len;
  const unsigned char* p = msg + kHeaderBytes;
  std::array<char, 1025> name{};
  for (int q = read16(msg + 4); q > 0; --q) {
    int n = dn_expand(msg, end, p, name.data(), static_cast<int>(name.size()));
    if (n < 0 || p + n + 4 > end) return false;
    p += n + 4;
  }
  for (int a = read16(msg + 6); a > 0; --a) {
    int n = dn_expand(msg, end, p, name.data(), static_cast<int>(name.size()));
    if (n < 0 || p + n + 10 > end) return false;
    p += n;
    const std::uint16_t type = read16(p);
    const std::uint16_t rdlength = read16(p + 8);
    p += 10;
    if (p + rdlength > end) return false;
    out->push_back({type, std::string(reinterpret_cast<const char*>(p), rdlength)});
    p += rdlength;
  }
  return true;
}

// One query of one type; appends what it finds.
Status query(res_state st, const std::string& name, int type, std::vector<DnsAnswerRecord>* out) {
  std::array<unsigned char, 8192> answer{};
  int len =
      res_nquery(st, name.c_str(), ns_c_in, type, answer.data(), static_cast<int>(answer.size()));
  if (len < 0) {
    // No such name, or no record of this type: an answer, not a failure.
    const int herr = st->res_h_errno;
    if (herr == HOST_NOT_FOUND || herr == NO_DATA) return {};
    return unavailable("res_nquery failed, h_errno=" + std::to_string(herr));
  }
  if (!parse_answer(answer.data(), len, out)) return unavailable("malformed DNS answer");
  return {};
}

}  // namespace

Result<std::vector<DnsAnswerRecord>> dns_query(std::string_view server, const std::string& name,
                                               std::initializer_list<int> types, DnsTries tries) {
  struct __res_state st {};
  if (res_ninit(&st) != 0) return unavailable("res_ninit failed");
  if (!server.empty() && !use_server(&st, server)) {
    res_nclose(&st);
    return unavailable("dns.server is not IPv4:PORT");
  }
  st.retrans = tries.seconds;
  st.retry = tries.tries;
  std::vector<DnsAnswerRecord> out;
  Status status;
  for (int type : types) {
    status = query(&st, name, type, &out);
    if (!status.ok()) break;
  }
  res_nclose(&st);
  if (!status.ok()) return Error(status.error());
  return out;
}

}  // namespace sm::services
