// Writing text into HTML or SVG: the five characters markup treats specially become
// character references, so the text can stand in element content or a quoted attribute.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sm {

// `text` with & < > " ' written as &amp; &lt; &gt; &quot; &#39;.
std::string html_escape(std::string_view text);

}  // namespace sm
