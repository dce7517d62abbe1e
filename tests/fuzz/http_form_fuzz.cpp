// parse_form and parse_query on arbitrary bytes: no crash, and whatever they accept is valid
// UTF-8, within the field limit, and survives encode_form -> parse_form unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/form.hpp"
#include "http/percent_encoding.hpp"

namespace {

void check(const sm::Result<sm::http::FormFields>& parsed, sm::http::FormLimits limits) {
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) std::abort();  // every refusal must explain itself
    return;
  }
  const sm::http::FormFields& fields = parsed.value();
  if (fields.size() > limits.max_fields) std::abort();
  for (const auto& [name, value] : fields.all()) {
    if (!sm::http::valid_utf8(name) || !sm::http::valid_utf8(value)) std::abort();
  }
  sm::Result<sm::http::FormFields> again = sm::http::parse_form(encode_form(fields), limits);
  if (!again.ok() || again.value().all() != fields.all()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sm::http::FormLimits small{.max_fields = 8};
  check(sm::http::parse_form(text, small), small);
  check(sm::http::parse_query(text, {}), {});
  return 0;
}
