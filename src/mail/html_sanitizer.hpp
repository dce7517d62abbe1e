// The allowlist HTML sanitiser for campaign bodies written by account holders. The input is
// parsed as a browser would (gumbo, HTML5) and only allowed elements, attributes, URLs and CSS
// are written back out, so nothing the parser understood differently from a mail client or
// browser can slip through as text.
//
// Kept: the structural and text elements a newsletter uses (p, h1-h6, lists, tables, links,
// images, div/span, the legacy center and font), with per-element attributes. Links may be
// http, https, mailto, relative or #anchors; images http, https, relative or data:image/
// (png|gif|jpeg|webp). Inline `style` keeps only a list of layout and typography properties
// with plain values; a <style> element is kept with @import, non-https url() and scriptable
// CSS removed, because mail clients that ignore <link> still read <style>.
// Dropped with their content: script, iframe, object, embed, svg, math and the like. Dropped
// but their text kept: any other element not on the list (form, section, ...).
//
// Merge tags ({{name}}) are text to the sanitiser and pass through unchanged, also in links.
//
// Thread-safe: no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sm::mail {

struct SanitizedHtml {
  std::string html;  // an HTML fragment (no <html>/<head>/<body>), attribute values quoted
  // What was taken out, once each, in the order met, as words for a warning to the author:
  // "<script> element", "onerror attribute on <img>", "javascript: link on <a>".
  std::vector<std::string> removed;
};

SanitizedHtml sanitize_html(std::string_view html);

// True when `url` may be the href of a link: http, https, mailto, relative or an anchor.
// Leading and trailing spaces and embedded tabs and newlines are ignored, as browsers do.
bool is_safe_link_url(std::string_view url);

// True when `url` may be the src of an image: http, https, relative, or a data: URL of a
// PNG, GIF, JPEG or WebP image.
bool is_safe_image_url(std::string_view url);

}  // namespace sm::mail
