// find_trackable_links, replace_links and add_utm_parameters on arbitrary bytes: no crash;
// links come in source order without overlaps, inside the input, with a destination safe for
// a Location header; replacing them with placeholders and scanning again finds exactly the
// placeholders in the same order (the rewrite changed nothing else a parser sees); and the
// analytics parameters keep each destination's fragment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mail/link_rewriter.hpp"
#include "mail/utm_parameters.hpp"

namespace {

bool web_url(std::string_view url) {
  std::string head;
  for (char c : url.substr(0, 8)) head += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return head.starts_with("http://") || head.starts_with("https://");
}

void check_links(std::string_view html, const std::vector<sm::mail::TrackableLink>& links) {
  std::size_t end = 0;
  for (const auto& l : links) {
    if (l.begin < end || l.end <= l.begin || l.end > html.size()) std::abort();
    end = l.end;
    if (!web_url(l.url)) std::abort();
    for (char c : l.url) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == ' ') std::abort();
    }
  }
}

void check_utm(const std::string& url) {
  std::string out = sm::mail::add_utm_parameters(url, {"newsletter", "email", "f z"});
  std::size_t hash = url.find('#');
  if (hash != std::string::npos && !out.ends_with(url.substr(hash))) std::abort();
  if (out.find("utm_medium=") == std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  auto links = sm::mail::find_trackable_links(html);
  check_links(html, links);

  std::vector<std::string> placeholders;
  for (std::size_t i = 0; i < links.size(); ++i) {
    placeholders.push_back("https://t.example/l/p" + std::to_string(i) + "?a=1&b=\"2\"");
  }
  std::string rewritten = sm::mail::replace_links(html, links, placeholders);
  auto again = sm::mail::find_trackable_links(rewritten);
  if (again.size() != links.size()) std::abort();
  for (std::size_t i = 0; i < again.size(); ++i) {
    if (again[i].url != placeholders[i]) std::abort();
  }
  for (const auto& l : links) check_utm(l.url);
  return 0;
}
