#include "services/html_merge.hpp"

#include <cstdint>
#include <vector>

#include "mail/html_sanitizer.hpp"

namespace sm::services {
namespace {

// Control characters never survive sanitising, and merged values are stripped of them, so
// these bytes can only be the markers written here.
constexpr char kLinkMark = '\x01';
constexpr char kEndMark = '\x02';
constexpr char kImageMark = '\x03';
constexpr std::string_view kMarks("\x01\x02\x03", 3);

constexpr std::size_t kExcerptBytes = 60;

Error refuse(std::string message) { return field_error("body", std::move(message)); }

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A few characters of `s` for an error sentence, cut at a character boundary.
std::string excerpt(std::string_view s) {
  if (s.size() <= kExcerptBytes) return std::string(s);
  std::size_t n = kExcerptBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

bool is_lone_section_tag(std::string_view inner) {
  if (!inner.starts_with("{{") || !inner.ends_with("}}") || inner.size() < 5) return false;
  if (inner.find("{{", 2) != std::string_view::npos) return false;
  std::string_view body = trim(inner.substr(2, inner.size() - 4));
  return !body.empty() && (body.front() == '#' || body.front() == '^' || body.front() == '/');
}

// "<p>{{#x}}</p>" becomes "{{#x}}": Markdown puts a tag written on a line of its own in a
// paragraph, which would otherwise open a section in one paragraph and close it in another.
std::string unwrap_section_paragraphs(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    std::size_t p = html.find("<p>", i);
    std::size_t close = p == std::string_view::npos ? p : html.find("</p>", p);
    if (close == std::string_view::npos) break;
    std::string_view inner = trim(html.substr(p + 3, close - p - 3));
    if (is_lone_section_tag(inner)) {
      out.append(html.substr(i, p - i));
      out.append(inner);
      i = close + 4;
    } else {
      out.append(html.substr(i, p + 3 - i));
      i = p + 3;
    }
  }
  if (i < html.size()) out.append(html.substr(i));
  return out;
}

bool is_void(std::string_view name) { return name == "br" || name == "hr" || name == "img"; }

// Reads the sanitiser's serialisation (elements, double-quoted attributes, escaped text,
// <style> text) and writes it back with URL markers, checking where each merge tag sits.
// Contexts: a positive number is the element whose text holds a tag (0: the top level), a
// negative one an attribute value.
class Preparer {
 public:
  explicit Preparer(std::string_view html) : in_(html) { out_.reserve(html.size() + 64); }

  Result<std::string> run() {
    while (pos_ < in_.size()) {
      SM_TRY(text_run());
      if (pos_ < in_.size()) SM_TRY(markup());
    }
    if (!sections_.empty()) {
      return refuse(sections_.back().written + " is not closed; add {{/" + sections_.back().name +
                    "}} after the part it should show or hide.");
    }
    return std::move(out_);
  }

 private:
  struct Element {
    std::string name;
    long id = 0;
  };
  struct Section {
    std::string name;
    std::string written;
    long context = 0;
  };

  long text_context() const { return elements_.empty() ? 0 : elements_.back().id; }

  Status text_run() {
    std::size_t lt = std::min(in_.find('<', pos_), in_.size());
    std::string_view run = in_.substr(pos_, lt - pos_);
    SM_TRY(tags_in(run, text_context()));
    out_.append(run);
    pos_ = lt;
    return {};
  }

  Status tags_in(std::string_view run, long context) {
    for (std::size_t open = run.find("{{"); open != std::string_view::npos;) {
      std::size_t close = run.find("}}", open + 2);
      if (close == std::string_view::npos) {
        return refuse("The merge tag starting \"" + excerpt(run.substr(open)) +
                      "\" is not closed within the same text or link; a tag cannot contain "
                      "HTML.");
      }
      SM_TRY(tag(run.substr(open + 2, close - open - 2), context));
      open = run.find("{{", close + 2);
    }
    return {};
  }

  Status tag(std::string_view inner, long context) {
    std::string_view body = trim(inner);
    const char kind = body.empty() ? '\0' : body.front();
    const std::string written = "{{" + std::string(body) + "}}";
    if (kind == '{' || kind == '&') {
      return refuse(written + " would insert a value without escaping it; use two braces.");
    }
    if (kind == '>' || kind == '=') {
      return refuse(written + ": partials and other delimiters cannot be used in campaigns.");
    }
    if (kind == '#' || kind == '^') {
      sections_.push_back({std::string(trim(body.substr(1))), written, context});
      return {};
    }
    if (kind != '/') return {};  // a value or a comment: fine in text and attribute values
    std::string name(trim(body.substr(1)));
    if (sections_.empty() || sections_.back().name != name) {
      return refuse(written + " closes a section that was not opened before it.");
    }
    if (sections_.back().context != context) {
      return refuse(sections_.back().written + " and " + written +
                    " must be in the same paragraph, table cell, link or attribute, or each on "
                    "a line of its own, so that leaving the section out removes whole parts "
                    "of the message.");
    }
    sections_.pop_back();
    return {};
  }

  Status markup() {
    if (in_.substr(pos_, 2) == "</") return end_tag();
    std::size_t name_end = std::min(in_.find_first_of(" />", pos_ + 1), in_.size());
    std::string name(in_.substr(pos_ + 1, name_end - pos_ - 1));
    if (name == "style") return style_element();
    out_ += '<';
    out_ += name;
    pos_ = name_end;
    SM_TRY(attributes(name));
    if (!is_void(name)) elements_.push_back({name, ++last_element_});
    return {};
  }

  Status end_tag() {
    std::size_t gt = std::min(in_.find('>', pos_), in_.size() - 1);
    std::string_view name = in_.substr(pos_ + 2, gt - pos_ - 2);
    if (!elements_.empty() && elements_.back().name == name) elements_.pop_back();
    out_.append(in_.substr(pos_, gt + 1 - pos_));
    pos_ = gt + 1;
    return {};
  }

  Status style_element() {
    std::size_t end = in_.find("</style>", pos_);
    end = end == std::string_view::npos ? in_.size() : end + 8;
    std::string_view whole = in_.substr(pos_, end - pos_);
    if (whole.find("{{") != std::string_view::npos) {
      return refuse(
          "Merge tags cannot be used inside <style>: a value there could restyle or hide any "
          "part of the message. Put the tag in the text instead.");
    }
    out_.append(whole);
    pos_ = end;
    return {};
  }

  // Up to and including the '>' of a start tag.
  Status attributes(const std::string& element) {
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c == '>') {
        out_ += c;
        ++pos_;
        return {};
      }
      if (c == ' ' || c == '/') {
        out_ += c;
        ++pos_;
        continue;
      }
      SM_TRY(attribute(element));
    }
    return {};
  }

  Status attribute(const std::string& element) {
    std::size_t name_end = std::min(in_.find_first_of("= >", pos_), in_.size());
    if (name_end == pos_) {  // a stray '=': not the sanitiser's output, copied as it is
      out_ += in_[pos_++];
      return {};
    }
    std::string name(in_.substr(pos_, name_end - pos_));
    out_ += name;
    pos_ = name_end;
    if (in_.substr(pos_, 2) != "=\"") return {};
    std::size_t value_end = std::min(in_.find('"', pos_ + 2), in_.size());
    std::string_view value = in_.substr(pos_ + 2, value_end - pos_ - 2);
    SM_TRY(tags_in(value, --last_attribute_));
    const bool link = element == "a" && name == "href";
    const bool image = element == "img" && name == "src";
    out_ += "=\"";
    if (link || image) out_ += link ? kLinkMark : kImageMark;
    out_.append(value);
    if (link || image) out_ += kEndMark;
    out_ += '"';
    pos_ = std::min(value_end + 1, in_.size());
    return {};
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string out_;
  std::vector<Element> elements_;
  std::vector<Section> sections_;
  long last_element_ = 0;
  long last_attribute_ = 0;
};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The length of a numeric reference "&#...;" at the start of `s` and its code point, or 0.
std::size_t numeric_reference(std::string_view s, std::uint32_t& cp) {
  bool hex = s.size() > 3 && (s[2] == 'x' || s[2] == 'X');
  std::size_t i = hex ? 3 : 2;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; i < s.size() && digits < 8; ++i, ++digits) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : -1;
    if (hex && d < 0 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (hex && d < 0 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) break;
    value = value * (hex ? 16 : 10) + static_cast<std::uint64_t>(d);
  }
  if (digits == 0 || i >= s.size() || s[i] != ';') return 0;
  cp = value > 0x10FFFF ? 0xFFFD : static_cast<std::uint32_t>(value);
  return i + 1;
}

}  // namespace

Result<std::string> prepare_merge_html(std::string_view sanitized_html) {
  return Preparer(unwrap_section_paragraphs(sanitized_html)).run();
}

Result<MergedHtml> finish_merged_html(std::string_view rendered) {
  MergedHtml m;
  m.html.reserve(rendered.size());
  std::size_t i = 0;
  while (true) {
    std::size_t mark = rendered.find_first_of(kMarks, i);
    if (mark == std::string_view::npos) break;
    std::size_t end = rendered.find_first_of(kMarks, mark + 1);
    if (rendered[mark] == kEndMark || end == std::string_view::npos || rendered[end] != kEndMark) {
      return make_error(Errc::internal, "The message could not be put together.",
                        "unpaired URL marker in merged HTML");
    }
    m.html.append(rendered.substr(i, mark - i));
    std::string_view value = rendered.substr(mark + 1, end - mark - 1);
    const bool link = rendered[mark] == kLinkMark;
    const std::string url = html_unescape(value);
    if (link ? mail::is_safe_link_url(url) : mail::is_safe_image_url(url)) {
      m.html.append(value);
    } else {
      m.html.append(link ? "#" : "");
      ++m.neutralised;
    }
    i = end + 1;
  }
  m.html.append(rendered.substr(i));
  return m;
}

std::string html_unescape(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    std::string_view rest = text.substr(i);
    std::size_t used = 0;
    for (const auto& [name, c] : kNamed) {
      if (rest.starts_with(name)) {
        out += c;
        used = name.size();
        break;
      }
    }
    std::uint32_t cp = 0;
    if (used == 0 && rest.starts_with("&#") && (used = numeric_reference(rest, cp)) > 0) {
      append_utf8(out, cp);
    }
    if (used == 0) {
      out += '&';
      used = 1;
    }
    i += used;
  }
  return out;
}

}  // namespace sm::services
