#include "services/dns_lookup.hpp"

#include <arpa/nameser.h>

#include "services/dns_query.hpp"

namespace sm::services {

Result<std::vector<std::string>> lookup_txt(std::string_view server, const std::string& name) {
  auto records = dns_query(server, name, {ns_t_txt}, DnsTries{2, 2});
  if (!records.ok()) return records.take_error();
  // Each record's character-strings joined, as DKIM and SPF read them.
  std::vector<std::string> out;
  for (const auto& r : *records) {
    if (r.type != ns_t_txt) continue;
    std::string joined;
    for (std::size_t at = 0; at < r.data.size();) {
      const std::size_t l = static_cast<unsigned char>(r.data[at++]);
      if (at + l > r.data.size()) {
        return make_error(Errc::unavailable,
                          "The DNS server did not answer. Try again in a minute.",
                          "malformed TXT record");
      }
      joined.append(r.data, at, l);
      at += l;
    }
    out.push_back(std::move(joined));
  }
  return out;
}

}  // namespace sm::services
