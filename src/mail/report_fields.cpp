#include "mail/report_fields.hpp"

#include <cctype>

#include "core/text.hpp"

namespace sm::mail {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The next line of `text` from `pos`, without its line end; `pos` moves past the line end.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  std::size_t end = text.find('\n', pos);
  std::size_t stop = end == std::string_view::npos ? text.size() : end;
  std::string_view line = text.substr(pos, stop - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// A field name is printable ASCII without spaces or colons (RFC 5322 ftext).
bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c > '~' || c == ':') return false;
  }
  return true;
}

// Digits from `at`, at most `max`; returns how many.
std::size_t digits_at(std::string_view s, std::size_t at, std::size_t max) {
  std::size_t n = 0;
  while (at + n < s.size() && n < max && is_digit(s[at + n])) ++n;
  return n;
}

// The length of an enhanced status code at `at`, or 0 when none starts there.
std::size_t status_length(std::string_view s, std::size_t at) {
  if (at >= s.size() || (s[at] != '2' && s[at] != '4' && s[at] != '5')) return 0;
  std::size_t pos = at + 1;
  for (int part = 0; part < 2; ++part) {
    if (pos >= s.size() || s[pos] != '.') return 0;
    std::size_t n = digits_at(s, pos + 1, 3);
    if (n == 0) return 0;
    pos += 1 + n;
  }
  // "5.1.1" must not be the start of "5.1.1234" or "5.1.1.7".
  if (pos < s.size() && (is_digit(s[pos]) || s[pos] == '.')) return 0;
  return pos - at;
}

}  // namespace

std::string FieldBlock::get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (same_name(f.name, name)) return f.value;
  }
  return "";
}

std::vector<std::string> FieldBlock::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields_) {
    if (same_name(f.name, name)) out.push_back(f.value);
  }
  return out;
}

std::vector<FieldBlock> parse_field_blocks(std::string_view text) {
  std::vector<FieldBlock> blocks(1);
  std::size_t pos = 0;
  // A field's value is only known whole once the next line is not a continuation.
  ReportField pending;
  bool have_pending = false;
  auto flush = [&] {
    if (!have_pending) return;
    pending.value = std::string(trim_whitespace(pending.value));
    if (blocks.back().fields().size() < kMaxFieldsPerBlock) blocks.back().add(std::move(pending));
    pending = ReportField{};
    have_pending = false;
  };

  while (pos < text.size()) {
    std::string_view line = next_line(text, pos);
    if (trim_whitespace(line).empty()) {
      flush();
      if (!blocks.back().empty()) {
        if (blocks.size() == kMaxFieldBlocks) break;
        blocks.emplace_back();
      }
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (have_pending) pending.value += " " + std::string(trim_whitespace(line));
      continue;
    }
    flush();
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim_whitespace(line.substr(0, colon));
    if (!valid_name(name)) continue;
    pending.name = std::string(name);
    pending.value = std::string(line.substr(colon + 1));
    have_pending = true;
  }
  flush();
  if (blocks.back().empty()) blocks.pop_back();
  return blocks;
}

FieldBlock parse_header_block(std::string_view text) {
  // The header section ends at the first empty line; what follows is a body.
  std::size_t end = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    std::string_view line = next_line(text, pos);
    if (line.empty()) {
      end = start;
      break;
    }
    end = pos;
  }
  auto blocks = parse_field_blocks(text.substr(0, end));
  return blocks.empty() ? FieldBlock() : std::move(blocks.front());
}

std::string report_address(std::string_view value) {
  // "rfc822; <a@b>" or "rfc822;a@b": the address type goes.
  if (auto semi = value.find(';'); semi != std::string_view::npos) value = value.substr(semi + 1);
  // A comment such as "(Ann)" is dropped; angle brackets keep only what is inside them.
  std::string cleaned;
  int depth = 0;
  for (char c : value) {
    if (c == '(') ++depth;
    if (depth == 0 && c != ' ' && c != '\t' && c != '"') cleaned += c;
    if (c == ')' && depth > 0) --depth;
  }
  if (auto open = cleaned.find('<'); open != std::string::npos) {
    auto close = cleaned.find('>', open);
    cleaned =
        cleaned.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
  }
  if (cleaned.find('@') == std::string::npos || cleaned.size() > 512) return "";
  return cleaned;
}

std::optional<std::string> enhanced_status(std::string_view value) {
  value = trim_whitespace(value);
  std::size_t n = status_length(value, 0);
  if (n == 0) return std::nullopt;
  return std::string(value.substr(0, n));
}

std::optional<std::string> status_from_diagnostic(std::string_view diagnostic) {
  // "smtp; 550-5.1.1 The email account ..." or "X-Postfix; host said: 550 ..."
  for (std::size_t at = 0; at < diagnostic.size(); ++at) {
    bool starts = at == 0 || (!is_digit(diagnostic[at - 1]) && diagnostic[at - 1] != '.');
    if (!starts) continue;
    if (std::size_t n = status_length(diagnostic, at)) return std::string(diagnostic.substr(at, n));
  }
  std::string_view rest = diagnostic;
  if (auto semi = rest.find(';'); semi != std::string_view::npos) rest = rest.substr(semi + 1);
  rest = trim_whitespace(rest);
  bool reply_code = rest.size() >= 3 && (rest[0] == '4' || rest[0] == '5') && is_digit(rest[1]) &&
                    is_digit(rest[2]) && (rest.size() == 3 || !is_digit(rest[3]));
  if (reply_code) return std::string(1, rest[0]) + ".0.0";
  return std::nullopt;
}

}  // namespace sm::mail
