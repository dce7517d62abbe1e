// prepare_merge_html and finish_merged_html on arbitrary bytes: the input up to the first 0xFF
// byte is a campaign body (sanitised first, as campaigns are), the rest a subscriber's field
// value. No crash; a template that is accepted always renders to HTML whose markers pair up;
// and parsed back, that HTML has no script, no event handler and no link or image a browser
// would run, whatever the value or the sections left out.
#include <gumbo.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/template.hpp"
#include "mail/html_sanitizer.hpp"
#include "services/html_merge.hpp"

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
      e.tag == GUMBO_TAG_EMBED) {
    std::abort();
  }
  for (unsigned i = 0; i < e.attributes.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
    std::string name = lower(a->name);
    if (name.starts_with("on")) std::abort();
    if (e.tag == GUMBO_TAG_A && name == "href" && !sm::mail::is_safe_link_url(a->value)) {
      std::abort();
    }
    if (e.tag == GUMBO_TAG_IMG && name == "src" && !sm::mail::is_safe_image_url(a->value)) {
      std::abort();
    }
  }
  for (unsigned i = 0; i < e.children.length; ++i) {
    check_tree(static_cast<const GumboNode*>(e.children.data[i]));
  }
}

// Values reach the merge with control characters made spaces (campaign_message.cpp).
std::string plain(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

void render_and_check(const std::string& prepared, const sm::TemplateValue& data) {
  auto parsed = sm::ParsedTemplate::parse(prepared);
  if (!parsed.ok()) return;
  auto merged = sm::services::finish_merged_html(parsed->render(data));
  if (!merged.ok()) std::abort();
  GumboOutput* out =
      gumbo_parse_with_options(&kGumboDefaultOptions, merged->html.data(), merged->html.size());
  check_tree(out->root);
  gumbo_destroy_output(&kGumboDefaultOptions, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\xFF');
  std::string_view body = input.substr(0, split);
  std::string value = split == std::string_view::npos ? "" : plain(input.substr(split + 1));

  // The lexer must also survive what is not the sanitiser's output.
  (void)sm::services::prepare_merge_html(body);

  auto prepared = sm::services::prepare_merge_html(sm::mail::sanitize_html(body).html);
  if (!prepared.ok()) return 0;
  sm::TemplateValue full;
  sm::TemplateValue empty;
  for (const char* name : {"a", "b", "v", "x", "site", "vip"}) {
    full.set(name, value);
    empty.set(name, false);
  }
  sm::TemplateValue sub = full;
  full.set("subscriber", sub);
  render_and_check(*prepared, full);
  render_and_check(*prepared, empty);
  return 0;
}
