// Markdown campaign bodies to HTML, with cmark (CommonMark).
//
// cmark runs in its default safe mode: raw HTML in the Markdown is left out (shown as an
// "raw HTML omitted" comment) and javascript:, vbscript:, file: and non-image data: link
// targets become empty. An author who needs HTML writes the body in HTML, where the sanitiser
// says what it removed; a Markdown author never gets HTML they did not see in the source. The
// result still goes through sanitize_html before it is stored or sent.
//
// Thread-safe: cmark keeps no shared state.
#pragma once

#include <string>
#include <string_view>

namespace sm::mail {

// HTML for `markdown`. Invalid UTF-8 is replaced by U+FFFD. Merge tags used as link or image
// targets ("[Unsubscribe]({{unsubscribe_url}})") come out as written, not percent-encoded.
std::string markdown_to_html(std::string_view markdown);

}  // namespace sm::mail
