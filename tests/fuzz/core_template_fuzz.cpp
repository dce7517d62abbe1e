// render_template on arbitrary templates: no crash or hang, every refusal explains itself,
// and with the default escaping no "<" from the data reaches the output unescaped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  sm::TemplateValue values;
  values.set("name", "<b>Ada</b>");
  values.set("flag", true);
  values.set("list", sm::TemplateValue::List{"a", "b"});
  values.set("subscriber", sm::TemplateValue().set("first_name", "<i>"));

  auto html = sm::render_template(source, values);
  if (!html.ok()) {
    if (html.error().message.empty()) std::abort();
    return 0;
  }
  // The values hold "<" and the template none: escaping must keep it out of the output.
  // Triple braces, "&" tags and delimiter changes ("=") may legitimately let it through.
  bool may_be_raw =
      source.find_first_of("<{&=") != std::string_view::npos &&
      (source.find('<') != std::string_view::npos || source.find("{{{") != std::string_view::npos ||
       source.find('&') != std::string_view::npos || source.find('=') != std::string_view::npos);
  if (!may_be_raw && html->find('<') != std::string::npos) std::abort();

  auto plain = sm::render_template(source, values, sm::Escape::none);
  if (!plain.ok()) std::abort();  // validity cannot depend on the escaping
  return 0;
}
