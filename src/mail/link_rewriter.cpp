#include "mail/link_rewriter.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cassert>
#include <optional>

namespace sm::mail {
namespace {

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Spaces and control characters around the value go, and tabs and line breaks inside it,
// as a browser does before it reads the URL.
std::string browser_view(std::string_view value) {
  while (!value.empty() && static_cast<unsigned char>(value.front()) <= ' ') value.remove_prefix(1);
  while (!value.empty() && static_cast<unsigned char>(value.back()) <= ' ') value.remove_suffix(1);
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

// Spaces and bytes outside ASCII after the host become %XX, as a browser would send them; the
// host is left alone (a browser turns an international name into its ASCII form itself).
std::string percent_encode_after_host(const std::string& url) {
  std::size_t host = url.find("://") + 3;
  std::size_t path = url.find_first_of("/?#", host);
  if (path == std::string::npos) return url;
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = url.substr(0, path);
  for (std::size_t i = path; i < url.size(); ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (c == ' ' || c >= 0x80) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += url[i];
    }
  }
  return out;
}

// The destination of a trackable href value, or nullopt when the link is not trackable.
std::optional<std::string> trackable_destination(std::string_view value) {
  std::string url = browser_view(value);
  bool web =
      starts_with_ignoring_case(url, "http://") || starts_with_ignoring_case(url, "https://");
  if (!web || url.find("{{") != std::string::npos) return std::nullopt;
  if (std::any_of(url.begin(), url.end(), [](char c) { return is_control(c); })) {
    return std::nullopt;
  }
  // A space in the host is no address a browser can open; leave such a link alone.
  std::size_t host = url.find("://") + 3;
  std::string_view authority =
      std::string_view(url).substr(host, url.find_first_of("/?#", host) - host);
  if (authority.find(' ') != std::string_view::npos) return std::nullopt;
  return percent_encode_after_host(url);
}

// The span of an attribute's value in the source, when the parser points into it.
std::optional<std::pair<std::size_t, std::size_t>> value_span(std::string_view html,
                                                              const GumboAttribute& attr) {
  const char* data = attr.original_value.data;
  std::size_t length = attr.original_value.length;
  if (data == nullptr || length == 0 || data < html.data() ||
      data + length > html.data() + html.size()) {
    return std::nullopt;
  }
  auto begin = static_cast<std::size_t>(data - html.data());
  return std::make_pair(begin, begin + length);
}

void add_if_trackable(std::string_view html, const GumboElement& a,
                      std::vector<TrackableLink>& out) {
  if (gumbo_get_attribute(&a.attributes, "data-no-track") != nullptr) return;
  const GumboAttribute* href = gumbo_get_attribute(&a.attributes, "href");
  if (href == nullptr) return;
  auto url = trackable_destination(href->value);
  auto span = value_span(html, *href);
  if (url && span) out.push_back({std::move(*url), span->first, span->second});
}

bool is_link(const GumboElement& e) {
  return e.tag == GUMBO_TAG_A && e.tag_namespace == GUMBO_NAMESPACE_HTML;
}

// Every trackable link in tree order, walked with a stack of our own: a deeply nested input
// must not exhaust the thread's stack.
std::vector<TrackableLink> walk(std::string_view html, const GumboNode* root) {
  std::vector<TrackableLink> found;
  std::vector<const GumboNode*> pending{root};
  while (!pending.empty()) {
    const GumboNode* node = pending.back();
    pending.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
    const GumboElement& e = node->v.element;
    if (is_link(e)) add_if_trackable(html, e, found);
    for (unsigned i = e.children.length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(e.children.data[i - 1]));
    }
  }
  return found;
}

// The parser may clone an element while it repairs bad nesting; a clone points at the same
// source bytes, so sort by position and keep each span once.
void source_order_once(std::vector<TrackableLink>& links) {
  std::stable_sort(links.begin(), links.end(),
                   [](const auto& a, const auto& b) { return a.begin < b.begin; });
  std::vector<TrackableLink> kept;
  for (auto& link : links) {
    if (kept.empty() || link.begin >= kept.back().end) kept.push_back(std::move(link));
  }
  links = std::move(kept);
}

}  // namespace

std::vector<TrackableLink> find_trackable_links(std::string_view html) {
  GumboOutput* parsed = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  std::vector<TrackableLink> links = walk(html, parsed->root);
  gumbo_destroy_output(&kGumboDefaultOptions, parsed);
  source_order_once(links);
  return links;
}

std::string escape_attribute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string replace_links(std::string_view html, const std::vector<TrackableLink>& links,
                          const std::vector<std::string>& urls) {
  assert(urls.size() == links.size());
  std::string out;
  out.reserve(html.size() + links.size() * 64);
  std::size_t copied = 0;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const TrackableLink& link = links[i];
    if (link.begin < copied || link.end > html.size()) continue;  // not from this html
    out.append(html.substr(copied, link.begin - copied));
    out += '"';
    out += escape_attribute(urls[i]);
    out += '"';
    copied = link.end;
  }
  out.append(html.substr(copied));
  return out;
}

}  // namespace sm::mail
