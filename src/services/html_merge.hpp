// A campaign's sanitised HTML made ready for merge tags to be filled in per recipient, without
// letting a filled-in value, or a section that leaves markup out, change what the HTML does.
//
// The sanitiser (mail/html_sanitizer.hpp) checked the HTML with the tags still unfilled; a
// subscriber's field value then lands in it at sending time. Values are HTML-escaped, so they
// cannot add markup, but a value can become a whole URL (href="{{subscriber.site}}" with
// "javascript:..."), and a section can leave out a closing tag, leaving an element open over
// what follows (the footer). So:
//
// prepare_merge_html() reads the sanitiser's output (double-quoted attribute values, escaped
// text) and refuses, with a sentence for the author, a merge tag that is not wholly inside one
// text run or one attribute value, any tag inside <style>, and a section ({{#x}}...{{/x}} or
// {{^x}}...{{/x}}) that does not open and close in the same attribute value or, in text,
// within the same element, so that leaving a section out removes whole elements. A paragraph
// that holds nothing but a section tag (a tag on a line of its own in Markdown) becomes the
// bare tag. Then every link (<a href>) and image (<img src>) value is wrapped in markers.
//
// finish_merged_html() takes the template rendered for one recipient, checks each marked URL
// as it now reads (mail::is_safe_link_url / is_safe_image_url, after undoing the HTML escaping
// as a browser would), replaces an unsafe one with "#" (links) or "" (images), and removes
// the markers. Values must not contain the marker bytes (C0 controls); the caller strips
// control characters from every value it merges.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sm::services {

// Errc::invalid_input on the field "body" with a sentence naming the tag at fault.
Result<std::string> prepare_merge_html(std::string_view sanitized_html);

struct MergedHtml {
  std::string html;
  int neutralised = 0;  // URLs that were unsafe once filled in
};

// Errc::internal when the markers do not pair up (a value carried a control character).
Result<MergedHtml> finish_merged_html(std::string_view rendered);

// One level of HTML character references undone, as a browser reads an attribute value:
// &amp; &lt; &gt; &quot; &apos; and numeric references (&#106; &#x6A;).
std::string html_unescape(std::string_view text);

}  // namespace sm::services
