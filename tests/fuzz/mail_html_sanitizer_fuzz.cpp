// sanitize_html and html_to_text on arbitrary bytes: no crash, nothing active survives (parsed
// back: no script element, event handler or unsafe URL), and sanitising the output again finds
// nothing to remove, so the output means to a browser what the sanitiser meant.
#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mail/html_sanitizer.hpp"
#include "mail/html_to_text.hpp"

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_tree(const GumboNode* n) {
  if (n->type != GUMBO_NODE_ELEMENT) return;
  const GumboElement& e = n->v.element;
  if (e.tag == GUMBO_TAG_SCRIPT || e.tag == GUMBO_TAG_IFRAME || e.tag == GUMBO_TAG_OBJECT ||
      e.tag == GUMBO_TAG_EMBED || e.tag_namespace != GUMBO_NAMESPACE_HTML) {
    std::abort();
  }
  for (unsigned i = 0; i < e.attributes.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
    std::string name = lower(a->name);
    if (name.starts_with("on")) std::abort();
    if (name == "href" && !sm::mail::is_safe_link_url(a->value)) std::abort();
    if (name == "src" && !sm::mail::is_safe_image_url(a->value)) std::abort();
  }
  for (unsigned i = 0; i < e.children.length; ++i) {
    check_tree(static_cast<const GumboNode*>(e.children.data[i]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  sm::mail::SanitizedHtml once = sm::mail::sanitize_html(input);
  GumboOutput* parsed =
      gumbo_parse_with_options(&kGumboDefaultOptions, once.html.data(), once.html.size());
  check_tree(parsed->root);
  gumbo_destroy_output(&kGumboDefaultOptions, parsed);
  // A browser may nest the output differently (a table's stray content moves before it), but
  // it holds nothing the sanitiser would take out.
  if (!sm::mail::sanitize_html(once.html).removed.empty()) std::abort();

  std::string text = sm::mail::html_to_text(input);
  if (text.find(" \n") != std::string::npos) std::abort();  // no trailing spaces
  return 0;
}
