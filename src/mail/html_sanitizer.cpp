#include "mail/html_sanitizer.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace sm::mail {
namespace {

using namespace std::string_view_literals;

// Deeper nesting than this is not a newsletter; cutting it off keeps our recursion bounded.
constexpr int kMaxDepth = 200;

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// URLs

// Browsers strip leading and trailing spaces and control characters and remove tabs and
// newlines anywhere before they read the scheme ("java\tscript:" is javascript:), so the check
// has to see the URL the same way.
std::string browser_view_of_url(std::string_view url) {
  std::string out;
  for (char c : trim(url)) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

bool has_control_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// The scheme in lower case; empty for relative URLs, anchors and "//host/...". Anything before
// a colon counts as a scheme, so "foo:bar" is refused rather than guessed at.
std::string url_scheme(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos) return {};
  auto path_start = url.find_first_of("/?#");
  if (path_start != std::string_view::npos && path_start < colon) return {};
  return lower_ascii(url.substr(0, colon));
}

bool is_image_data_url(std::string_view url) {
  std::string lower = lower_ascii(url.substr(0, 32));
  // SVG is left out on purpose: an SVG image can carry script.
  for (std::string_view type : {"png"sv, "gif"sv, "jpeg"sv, "webp"sv}) {
    std::string prefix = "data:image/" + std::string(type);
    if (lower.starts_with(prefix) && lower.size() > prefix.size() &&
        (lower[prefix.size()] == ';' || lower[prefix.size()] == ',')) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_safe_link_url(std::string_view url) {
  std::string seen = browser_view_of_url(url);
  if (has_control_character(seen)) return false;
  std::string scheme = url_scheme(seen);
  return scheme.empty() || scheme == "http" || scheme == "https" || scheme == "mailto";
}

bool is_safe_image_url(std::string_view url) {
  std::string seen = browser_view_of_url(url);
  if (has_control_character(seen)) return false;
  std::string scheme = url_scheme(seen);
  if (scheme == "data") return is_image_data_url(seen);
  return scheme.empty() || scheme == "http" || scheme == "https";
}

namespace {

// ---------------------------------------------------------------------------------------------
// CSS

bool allowed_style_property(std::string_view name) {
  // Typography, colour, box and table layout. Not position or z-index (a campaign shown in a
  // web page must not cover the page), not background (it takes url()), nothing scriptable.
  static const std::set<std::string_view> kAllowed = {
      "background-color", "border",          "border-bottom",   "border-collapse", "border-color",
      "border-left",      "border-radius",   "border-right",    "border-spacing",  "border-style",
      "border-top",       "border-width",    "color",           "display",         "font",
      "font-family",      "font-size",       "font-style",      "font-weight",     "height",
      "letter-spacing",   "line-height",     "list-style-type", "margin",          "margin-bottom",
      "margin-left",      "margin-right",    "margin-top",      "max-width",       "min-width",
      "padding",          "padding-bottom",  "padding-left",    "padding-right",   "padding-top",
      "text-align",       "text-decoration", "text-indent",     "text-transform",  "vertical-align",
      "white-space",      "width",           "word-break"};
  return kAllowed.contains(name);
}

// A value made of keywords, numbers, colours, quoted font names and colour functions only:
// nothing that can open a URL, an escape, a comment or another declaration.
bool plain_style_value(std::string_view value) {
  std::string lower = lower_ascii(value);
  for (char c : lower) {
    if (!is_alnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80 &&
        " #%.,-'\"!()"sv.find(c) == std::string_view::npos) {
      return false;
    }
  }
  for (std::size_t open = lower.find('('); open != std::string::npos;
       open = lower.find('(', open + 1)) {
    std::size_t start = open;
    while (start > 0 && (is_alnum(static_cast<unsigned char>(lower[start - 1])))) --start;
    std::string_view name = std::string_view(lower).substr(start, open - start);
    if (name != "rgb" && name != "rgba" && name != "hsl" && name != "hsla") return false;
  }
  return true;
}

// Words that make a whole stylesheet refused: script in CSS (old IE), and functions that
// load a URL from a plain string, which the url() filter below would not see.
bool scriptable_css(std::string_view lower) {
  for (std::string_view word :
       {"expression"sv, "javascript:"sv, "vbscript:"sv, "behavior"sv, "binding"sv, "image-set("sv,
        "image("sv, "cross-fade("sv, "src("sv}) {
    if (lower.find(word) != std::string_view::npos) return true;
  }
  return false;
}

std::string without_css_comments(std::string_view css) {
  std::string out;
  for (std::size_t i = 0; i < css.size();) {
    if (css.substr(i, 2) == "/*") {
      std::size_t end = css.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 2;
      out += ' ';
    } else {
      out += css[i++];
    }
  }
  return out;
}

// Removes the statement at-rules that fetch or redefine ("@import", "@charset",
// "@namespace") up to their semicolon. Block rules such as @media are kept.
std::string without_statement_at_rules(const std::string& css, bool& changed) {
  std::string out;
  for (std::size_t i = 0; i < css.size();) {
    std::string ahead = lower_ascii(std::string_view(css).substr(i, 10));
    if (ahead.starts_with("@import") || ahead.starts_with("@charset") ||
        ahead.starts_with("@namespace")) {
      std::size_t end = css.find(';', i);
      i = end == std::string::npos ? css.size() : end + 1;
      changed = true;
    } else {
      out += css[i++];
    }
  }
  return out;
}

// Keeps url(https://...) and turns every other url() into `none`.
std::string with_https_urls_only(const std::string& css, bool& changed) {
  std::string out;
  std::string lower = lower_ascii(css);
  std::size_t i = 0;
  for (std::size_t at = lower.find("url("); at != std::string::npos; at = lower.find("url(", i)) {
    std::size_t close = css.find(')', at);
    if (close == std::string::npos) close = css.size() - 1;
    std::string_view inside = trim(std::string_view(css).substr(at + 4, close - at - 4));
    if (!inside.empty() && (inside.front() == '"' || inside.front() == '\'')) {
      inside.remove_prefix(1);
    }
    bool https = lower_ascii(inside.substr(0, 8)) == "https://";
    out.append(css, i, at - i);
    if (https) {
      out.append(css, at, close + 1 - at);
    } else {
      out += "none";
      changed = true;
    }
    i = close + 1;
  }
  out.append(css, std::min(i, css.size()));
  return out;
}

// The text of a <style> element made safe, or empty when it had to be dropped whole.
// Backslashes go because CSS escapes could spell "@import" or "url(" past the checks, and "<"
// goes so that the text can never close the element it is written in.
std::string filter_stylesheet(std::string_view css, bool& changed) {
  std::string text = without_css_comments(css);
  std::erase_if(text, [&](char c) {
    bool drop = c == '\\' || c == '<' ||
                (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r');
    changed |= drop;
    return drop;
  });
  if (scriptable_css(lower_ascii(text))) {
    changed = true;
    return {};
  }
  return with_https_urls_only(without_statement_at_rules(text, changed), changed);
}

// ---------------------------------------------------------------------------------------------
// Elements and attributes

enum class Fate { keep, unwrap, drop };

using AttributeSet = std::set<std::string_view>;

const std::map<std::string_view, AttributeSet>& element_rules() {
  static const std::map<std::string_view, AttributeSet> kRules = {
      {"a", {"href", "data-no-track"}},
      {"b", {}},
      {"blockquote", {}},
      {"br", {}},
      {"caption", {"align"}},
      {"center", {}},
      {"code", {}},
      {"div", {"align"}},
      {"em", {}},
      {"font", {"color", "face", "size"}},
      {"h1", {"align"}},
      {"h2", {"align"}},
      {"h3", {"align"}},
      {"h4", {"align"}},
      {"h5", {"align"}},
      {"h6", {"align"}},
      {"hr", {"align", "width"}},
      {"i", {}},
      {"img", {"src", "alt", "width", "height", "border", "align"}},
      {"li", {"value"}},
      {"ol", {"start", "type"}},
      {"p", {"align"}},
      {"pre", {}},
      {"s", {}},
      {"small", {}},
      {"span", {}},
      {"strong", {}},
      {"sub", {}},
      {"sup", {}},
      {"table", {"width", "border", "cellpadding", "cellspacing", "align", "bgcolor", "role"}},
      {"tbody", {"align", "valign"}},
      {"td", {"colspan", "rowspan", "width", "height", "align", "valign", "bgcolor"}},
      {"tfoot", {"align", "valign"}},
      {"th", {"colspan", "rowspan", "width", "height", "align", "valign", "bgcolor"}},
      {"thead", {"align", "valign"}},
      {"tr", {"align", "valign", "bgcolor"}},
      {"u", {}},
      {"ul", {"type"}},
  };
  return kRules;
}

// Elements dropped with everything inside them: active content, embedded documents, form
// controls and document metadata.
bool dropped_with_content(std::string_view name) {
  static const std::set<std::string_view> kDropped = {
      "applet",   "audio",    "base",  "button",    "canvas", "embed",   "frame",    "frameset",
      "iframe",   "input",    "link",  "math",      "meta",   "noembed", "noframes", "noscript",
      "object",   "option",   "param", "plaintext", "script", "select",  "source",   "svg",
      "template", "textarea", "title", "track",     "video",  "xmp"};
  return kDropped.contains(name);
}

bool is_void(std::string_view name) { return name == "br" || name == "hr" || name == "img"; }

// Attributes every kept element may carry. `style` is filtered property by property.
bool global_attribute(std::string_view name) {
  return name == "class" || name == "style" || name == "title" || name == "dir" || name == "lang";
}

// The element's tag name in lower case, reduced to letters, digits and '-' so that it is safe
// to show in a warning.
std::string tag_name(const GumboElement& element) {
  std::string name;
  if (element.tag != GUMBO_TAG_UNKNOWN) {
    name = gumbo_normalized_tagname(element.tag);
  } else {
    GumboStringPiece piece = element.original_tag;
    gumbo_tag_from_original_text(&piece);
    name = lower_ascii(std::string_view(piece.data, piece.length));
  }
  std::erase_if(name, [](char c) { return !is_alnum(static_cast<unsigned char>(c)) && c != '-'; });
  return name.substr(0, 40);
}

// Control characters other than tab and line ends are dropped: parsers disagree on them
// (gumbo keeps &#5; as U+0005 but turns a raw U+0005 into U+FFFD), and text never needs them.
void escape_into(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) continue;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        [[fallthrough]];
      default:
        out += c;
    }
  }
}

class Sanitizer {
 public:
  SanitizedHtml run(const GumboNode* root) {
    node(root, 0);
    return {std::move(out_), std::move(removed_)};
  }

 private:
  void note(std::string what) {
    if (seen_.insert(what).second) removed_.push_back(std::move(what));
  }

  void node(const GumboNode* n, int depth) {
    switch (n->type) {
      case GUMBO_NODE_DOCUMENT:
        children(n->v.document.children, depth);
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        element(n->v.element, depth);
        break;
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_WHITESPACE:
      case GUMBO_NODE_CDATA:
        escape_into(out_, n->v.text.text, false);
        break;
      case GUMBO_NODE_COMMENT:
        note("HTML comment");
        break;
    }
  }

  void children(const GumboVector& kids, int depth) {
    for (unsigned i = 0; i < kids.length; ++i) {
      node(static_cast<const GumboNode*>(kids.data[i]), depth + 1);
    }
  }

  Fate fate(const GumboElement& e, const std::string& name) const {
    // SVG and MathML are foreign content with their own parsing rules and script hooks.
    if (e.tag_namespace != GUMBO_NAMESPACE_HTML || dropped_with_content(name)) return Fate::drop;
    // The name of an unknown tag was cleaned up for the warning and could now read "table".
    if (e.tag == GUMBO_TAG_UNKNOWN) return Fate::unwrap;
    return element_rules().contains(name) ? Fate::keep : Fate::unwrap;
  }

  void element(const GumboElement& e, int depth) {
    std::string name = tag_name(e);
    if (depth > kMaxDepth) {
      note("content nested more than " + std::to_string(kMaxDepth) + " levels deep");
      return;
    }
    if (name == "style") return style_element(e);
    Fate f = fate(e, name);
    bool document_frame = name == "html" || name == "head" || name == "body";
    if (f != Fate::keep && !document_frame) note("<" + name + "> element");
    if (f == Fate::drop) return;
    if (f == Fate::unwrap) return children(e.children, depth);

    out_ += '<' + name;
    attributes(e, name);
    out_ += '>';
    if (is_void(name)) return;
    keep_leading_newline_of_pre(e, name);
    children(e.children, depth);
    out_ += "</" + name + '>';
  }

  // The HTML parser eats one newline straight after <pre>; a text that started with a blank
  // line needs a second one written to survive the next parse.
  void keep_leading_newline_of_pre(const GumboElement& e, const std::string& name) {
    if (name != "pre" || e.children.length == 0) return;
    const auto* first = static_cast<const GumboNode*>(e.children.data[0]);
    bool text = first->type == GUMBO_NODE_TEXT || first->type == GUMBO_NODE_WHITESPACE;
    if (text && first->v.text.text[0] == '\n') out_ += '\n';
  }

  void style_element(const GumboElement& e) {
    std::string css;
    for (unsigned i = 0; i < e.children.length; ++i) {
      const auto* kid = static_cast<const GumboNode*>(e.children.data[i]);
      if (kid->type == GUMBO_NODE_TEXT || kid->type == GUMBO_NODE_WHITESPACE) {
        css += kid->v.text.text;
      }
    }
    bool changed = false;
    std::string safe = filter_stylesheet(css, changed);
    if (changed) note("unsafe CSS in <style> (imports, non-https url() or scripting)");
    if (!trim(safe).empty()) out_ += "<style>" + safe + "</style>";
  }

  void attributes(const GumboElement& e, const std::string& tag) {
    const AttributeSet& allowed = element_rules().at(tag);
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      std::string name = a->name;
      std::string_view value = a->value;
      if (!allowed.contains(name) && !global_attribute(name)) {
        std::erase_if(name, [](char c) { return !is_alnum(c) && c != '-' && c != '_'; });
        note(name.substr(0, 40) + " attribute on <" + tag + ">");
        continue;
      }
      std::string kept = checked_value(tag, name, value);
      if (name == "style" && kept.empty()) continue;
      out_ += ' ' + name + "=\"";
      escape_into(out_, kept, true);
      out_ += '"';
    }
  }

  // The value to write for an allowed attribute; a refused URL becomes empty.
  std::string checked_value(const std::string& tag, const std::string& name,
                            std::string_view value) {
    if (name == "style") return filtered_style(tag, value);
    bool link = tag == "a" && name == "href";
    bool image = tag == "img" && name == "src";
    if ((link && !is_safe_link_url(value)) || (image && !is_safe_image_url(value))) {
      std::string scheme = url_scheme(browser_view_of_url(value));
      std::erase_if(scheme, [](char c) { return !is_alnum(static_cast<unsigned char>(c)); });
      note((scheme.empty() ? std::string("unsafe") : scheme.substr(0, 20) + ":") +
           (link ? " link on <a>" : " image on <img>"));
      return {};
    }
    return std::string(value);
  }

  std::string filtered_style(const std::string& tag, std::string_view style) {
    std::string out;
    while (!style.empty()) {
      std::size_t end = std::min(style.find(';'), style.size());
      std::string_view decl = style.substr(0, end);
      style.remove_prefix(std::min(end + 1, style.size()));
      std::size_t colon = decl.find(':');
      if (trim(decl).empty()) continue;
      std::string property = lower_ascii(trim(decl.substr(0, std::min(colon, decl.size()))));
      std::string_view value = colon == std::string_view::npos ? "" : trim(decl.substr(colon + 1));
      if (colon == std::string_view::npos || !allowed_style_property(property) ||
          !plain_style_value(value)) {
        std::erase_if(property, [](char c) { return !is_alnum(c) && c != '-'; });
        note("style " + property.substr(0, 40) + " on <" + tag + ">");
        continue;
      }
      if (!out.empty()) out += "; ";
      out += property + ": " + std::string(value);
    }
    return out;
  }

  std::string out_;
  std::vector<std::string> removed_;
  std::set<std::string> seen_;
};

}  // namespace

SanitizedHtml sanitize_html(std::string_view html) {
  GumboOutput* parsed = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  // The document, not its <html> root: comments before <html> are children of the document.
  SanitizedHtml result = Sanitizer().run(parsed->document);
  gumbo_destroy_output(&kGumboDefaultOptions, parsed);
  return result;
}

}  // namespace sm::mail
