#include "mail/markdown.hpp"

#include <cmark.h>

#include <cstdlib>
#include <memory>
#include <regex>

namespace sm::mail {
namespace {

// cmark percent-encodes "{" and "}" in link targets, which would turn {{unsubscribe_url}}
// into text the template renderer never sees. Only whole tags of merge-tag characters are put
// back, so no other percent-encoding changes meaning.
std::string restore_merge_tags_in_urls(const std::string& html) {
  static const std::regex kEncodedTag("%7B%7B([A-Za-z0-9_.#^/]{1,80})%7D%7D");
  return std::regex_replace(html, kEncodedTag, "{{$1}}");
}

}  // namespace

std::string markdown_to_html(std::string_view markdown) {
  // CMARK_OPT_UNSAFE is deliberately absent: see the header for why raw HTML is omitted.
  int options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(markdown.data(), markdown.size(), options), &std::free);
  if (!html) return {};
  return restore_merge_tags_in_urls(html.get());
}

}  // namespace sm::mail
