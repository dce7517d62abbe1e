// The plain-text part of a campaign, generated from its HTML body (the author may then edit
// it). Paragraphs and headings are separated by a blank line; <br> breaks the line; lists are
// "- " or "1. " with nested lists indented; links are "text (url)", the URL left out when the
// text already is the URL or the link is an #anchor; h1 is underlined with "=", the other
// headings with "-"; each table row is one line with its cells joined by " | "; quotes start
// with "> "; entities are decoded. Lines are wrapped at `width` columns (counted in code
// points), a word longer than that (a long URL) stays whole on a line of its own, and no line
// ends in a space. Merge tags are text and come out unchanged.
//
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sm::mail {

std::string html_to_text(std::string_view html, std::size_t width = 76);

}  // namespace sm::mail
