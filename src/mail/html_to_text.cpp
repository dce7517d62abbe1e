#include "mail/html_to_text.hpp"

#include <gumbo.h>

#include <algorithm>
#include <set>
#include <vector>

namespace sm::mail {
namespace {

using namespace std::string_view_literals;

// Deeper nesting is cut off, which keeps the recursion below bounded.
constexpr int kMaxDepth = 200;
// However deep the indentation, a line keeps at least this many columns for text.
constexpr std::size_t kMinTextWidth = 20;

std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return trim_right(s);
}

// Greedy word wrap of one line of single-spaced text.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  while (!text.empty()) {
    std::size_t end = std::min(text.find(' '), text.size());
    std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (word.empty()) continue;
    if (!line.empty() && columns(line) + 1 + columns(word) > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (true) {
    std::size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

bool skipped(std::string_view tag) {
  static const std::set<std::string_view> kSkipped = {"head",   "iframe",   "math",     "noscript",
                                                      "object", "script",   "select",   "style",
                                                      "svg",    "template", "textarea", "title"};
  return kSkipped.contains(tag);
}

// Blocks after which the next block starts after a blank line; other blocks (div, li, tr)
// only start a new line.
bool spaced_block(std::string_view tag) {
  static const std::set<std::string_view> kSpaced = {
      "p",  "h1", "h2",    "h3",     "h4",      "h5",      "h6",      "blockquote", "pre",   "hr",
      "ul", "ol", "table", "figure", "address", "section", "article", "header",     "footer"};
  return kSpaced.contains(tag);
}

bool line_block(std::string_view tag) {
  static const std::set<std::string_view> kLine = {"div",  "li",       "tr",      "center", "dl",
                                                   "dt",   "dd",       "main",    "nav",    "aside",
                                                   "form", "fieldset", "caption", "body"};
  return kLine.contains(tag);
}

std::string attribute(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a == nullptr ? std::string() : std::string(a->value);
}

class TextWriter {
 public:
  explicit TextWriter(std::size_t width) : width_(width) {}

  std::string run(const GumboNode* root) {
    node(root, 0);
    flush();
    while (out_.ends_with("\n\n")) out_.pop_back();
    return out_;
  }

 private:
  struct List {
    bool ordered = false;
    int next = 1;
  };

  void node(const GumboNode* n, int depth) {
    if (depth > kMaxDepth) return;
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
        text(n->v.text.text);
        break;
      case GUMBO_NODE_COMMENT:
        break;
    }
  }

  void children(const GumboVector& kids, int depth) {
    for (unsigned i = 0; i < kids.length; ++i) {
      node(static_cast<const GumboNode*>(kids.data[i]), depth + 1);
    }
  }

  // Whitespace collapses to one space, as a browser shows it; a no-break space is a space too,
  // since mail authors use runs of &nbsp; for layout, not to glue words.
  void text(std::string_view t) {
    if (pre_ > 0) {
      inline_ += t;
      return;
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      bool nbsp = t.substr(i, 2) == "\xC2\xA0"sv;
      if (nbsp || t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f') {
        if (!inline_.empty() && inline_.back() != ' ' && inline_.back() != '\n') inline_ += ' ';
        if (nbsp) ++i;
      } else {
        inline_ += t[i];
      }
    }
  }

  void element(const GumboElement& e, int depth) {
    std::string tag = e.tag == GUMBO_TAG_UNKNOWN ? "" : gumbo_normalized_tagname(e.tag);
    if (skipped(tag)) return;
    if (tag == "br") {
      inline_ += '\n';
    } else if (tag == "hr") {
      block(1);
      inline_ = std::string(std::min<std::size_t>(width_, 24), '-');
      block(1);
    } else if (tag == "img") {
      text(" " + attribute(e, "alt") + " ");
    } else if (tag == "a") {
      link(e, depth);
    } else if (tag == "ul" || tag == "ol") {
      list(e, tag == "ol", depth);
    } else if (tag == "li") {
      list_item(e, depth);
    } else if (tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6') {
      heading(e, tag[1] == '1' ? '=' : '-', depth);
    } else {
      other(e, tag, depth);
    }
  }

  void other(const GumboElement& e, const std::string& tag, int depth) {
    int gap = spaced_block(tag) ? 1 : line_block(tag) ? 0 : -1;
    if (tag == "blockquote") prefixes_.push_back("> ");
    if (tag == "pre") ++pre_;
    if (tag == "td" || tag == "th") cell_separator();
    if (gap >= 0) block(gap);
    children(e.children, depth);
    if (gap >= 0) block(gap);
    if (tag == "pre") --pre_;
    if (tag == "blockquote") prefixes_.pop_back();
  }

  void cell_separator() {
    std::string_view current = inline_;
    std::size_t line_start = current.rfind('\n');
    if (line_start != std::string_view::npos) current.remove_prefix(line_start + 1);
    if (!trim(current).empty()) inline_ += " | ";
  }

  void link(const GumboElement& e, int depth) {
    std::size_t start = inline_.size();
    children(e.children, depth);
    std::string href(trim(attribute(e, "href")));
    std::string label(trim(std::string_view(inline_).substr(std::min(start, inline_.size()))));
    if (href.empty() || href.starts_with('#')) return;
    std::string bare = href.starts_with("mailto:") ? href.substr(7) : href;
    if (label == href || label == bare) return;
    if (!inline_.empty() && inline_.back() != ' ' && inline_.back() != '\n') inline_ += ' ';
    inline_ += "(" + href + ")";
  }

  void list(const GumboElement& e, bool ordered, int depth) {
    int gap = lists_.empty() ? 1 : 0;
    block(gap);
    List l{ordered, 1};
    if (ordered) {
      std::string start = attribute(e, "start");
      if (!start.empty() &&
          std::all_of(start.begin(), start.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
          start.size() < 9) {
        l.next = std::stoi(start);
      }
    }
    lists_.push_back(l);
    children(e.children, depth);
    block(0);
    lists_.pop_back();
    block(gap);
  }

  void list_item(const GumboElement& e, int depth) {
    block(0);
    std::string bullet = "- ";
    if (!lists_.empty() && lists_.back().ordered) {
      bullet = std::to_string(lists_.back().next++) + ". ";
    }
    prefixes_.push_back(std::string(bullet.size(), ' '));
    bullet_ = bullet;
    bullet_level_ = prefixes_.size() - 1;
    children(e.children, depth);
    block(0);
    bullet_.clear();
    prefixes_.pop_back();
  }

  void heading(const GumboElement& e, char underline, int depth) {
    block(1);
    children(e.children, depth);
    std::size_t before = out_.size();
    flush();
    std::size_t longest = 0;
    for (const std::string& line : split_lines(std::string_view(out_).substr(before))) {
      longest = std::max(longest, columns(trim(line)));
    }
    if (longest > 0) emit(std::string(std::min(longest, width_), underline), false);
    block(1);
  }

  // Ends the current block; the next starts after `gap` blank lines (at least, if an
  // enclosing block asked for more).
  void block(int gap) {
    flush();
    gap_ = std::max(gap_, gap);
  }

  std::string prefix(bool first_line) const {
    std::string p;
    for (std::size_t i = 0; i < prefixes_.size(); ++i) {
      bool bullet_here = first_line && !bullet_.empty() && i == bullet_level_;
      p += bullet_here ? bullet_ : prefixes_[i];
    }
    return p;
  }

  void flush() {
    std::string text = std::move(inline_);
    inline_.clear();
    if (trim(text).empty() ||
        std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n'; })) {
      return;
    }
    std::size_t available =
        std::max(kMinTextWidth, width_ - std::min(width_, columns(prefix(false))));
    std::vector<std::string> lines;
    for (const std::string& hard : split_lines(text)) {
      if (pre_ > 0) {
        lines.push_back(hard);
        continue;
      }
      auto wrapped = wrap(hard, available);
      lines.insert(lines.end(), wrapped.begin(), wrapped.end());
    }
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    while (!lines.empty() && trim(lines.front()).empty()) lines.erase(lines.begin());
    for (const std::string& line : lines) emit(line, true);
  }

  // Writes one line of output under the current prefixes, after any blank lines owed.
  void emit(const std::string& line, bool may_take_bullet) {
    if (!out_.empty()) {
      for (int i = 0; i < gap_; ++i) out_ += std::string(trim_right(prefix(false))) + '\n';
    }
    gap_ = 0;
    bool first = may_take_bullet && !bullet_.empty();
    out_ += std::string(trim_right(prefix(first) + line)) + '\n';
    if (first) bullet_.clear();
  }

  std::size_t width_;
  std::string out_;
  std::string inline_;  // text of the block being read; '\n' marks a <br>
  int gap_ = 0;
  int pre_ = 0;
  std::vector<std::string> prefixes_;
  std::vector<List> lists_;
  std::string bullet_;  // "- " or "3. ", written instead of the item's indent on its first line
  std::size_t bullet_level_ = 0;
};

}  // namespace

std::string html_to_text(std::string_view html, std::size_t width) {
  GumboOutput* parsed = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  std::string text = TextWriter(width).run(parsed->root);
  gumbo_destroy_output(&kGumboDefaultOptions, parsed);
  return text;
}

}  // namespace sm::mail
