// Finding the links of a campaign's HTML that can be tracked, and writing the HTML back with
// those links pointing elsewhere, without touching anything else in it.
//
// A link is trackable when it is an <a href> whose destination is http or https, unless the
// element has a data-no-track attribute (any value) or the destination holds a merge tag
// ({{...}}: it differs per recipient, so it cannot be stored once for the campaign). mailto:,
// tel:, relative links and in-page anchors are never trackable. The HTML is parsed as a
// browser would (gumbo, HTML5), and the parser's source offsets say where each href value is,
// so replace_links() changes those bytes and copies the rest as it was: merge tags, comments
// and formatting survive.
//
// The parse is the expensive part; a campaign does it once. To give every delivery its own
// links cheaply, replace the links once with placeholders and fill the placeholders per
// delivery (services/tracking.hpp does exactly that).
//
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sm::mail {

struct TrackableLink {
  // The destination as a browser would request it: character references decoded, the spaces
  // and control characters around it removed, tabs and line breaks inside it removed (as
  // browsers do), and spaces and non-ASCII bytes after the host percent-encoded. It holds no
  // control character, so it is safe in a Location header.
  std::string url;
  // Where the attribute's value is in the source, quotes included: [begin, end).
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The trackable links of `html`, in source order (the order a reader meets them).
std::vector<TrackableLink> find_trackable_links(std::string_view html);

// `html` with the href value of each of `links` replaced by the URL of the same position in
// `urls`, written as a double-quoted attribute value with &, " and < escaped. `links` may be
// any subset, in order, of what find_trackable_links(html) returned.
// REQUIRES: urls.size() == links.size().
std::string replace_links(std::string_view html, const std::vector<TrackableLink>& links,
                          const std::vector<std::string>& urls);

// `text` escaped for a double-quoted HTML attribute value (&, ", < and >).
std::string escape_attribute(std::string_view text);

}  // namespace sm::mail
