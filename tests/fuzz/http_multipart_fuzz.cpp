// parse_multipart on arbitrary bytes: no crash, refusals explain themselves, and every part it
// accepts has a name, lies inside the body and respects the part limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  sm::http::MultipartLimits limits{.max_parts = 8, .max_header_bytes = 512};
  auto parts = sm::http::parse_multipart(body, "BOUNDARY", limits);
  if (!parts.ok()) {
    if (parts.error().message.empty()) std::abort();
  } else {
    if (parts.value().size() > limits.max_parts) std::abort();
    for (const auto& p : parts.value()) {
      if (p.name.empty()) std::abort();
      if (p.data.data() < body.data() || p.data.data() + p.data.size() > body.data() + size) {
        std::abort();
      }
    }
  }
  // The Content-Type parser sees the same bytes.
  auto boundary = sm::http::multipart_boundary(body);
  if (boundary.ok() && (boundary.value().empty() || boundary.value().size() > 70)) std::abort();
  return 0;
}
