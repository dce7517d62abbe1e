#include "mail/mime_encoding.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sm::mail {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

// "=?UTF-8?Q?" and "?=" leave 63 of an encoded-word's 75 characters for the encoded text.
constexpr std::size_t kEncodedWordLimit = 75;
constexpr std::size_t kEncodedWordPayload = kEncodedWordLimit - 12;

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void append_hex_escape(std::string& out, unsigned char c) {
  out += '=';
  out += kHexDigits[c >> 4];
  out += kHexDigits[c & 0x0F];
}

// The bytes of the UTF-8 sequence that starts with `lead`; 1 for anything unexpected.
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// The characters RFC 2047 5(3) lets a Q-encoded word carry as themselves inside a phrase;
// that set is also safe in unstructured text, so one encoder serves both.
bool is_q_literal(unsigned char c) { return is_ascii_alnum(c) || std::strchr("!*+-/", c); }

std::size_t q_encoded_length(std::string_view bytes) {
  std::size_t n = 0;
  for (unsigned char c : bytes) n += (c == ' ' || is_q_literal(c)) ? 1 : 3;
  return n;
}

std::string q_encode(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == ' ') {
      out += '_';
    } else if (is_q_literal(c)) {
      out += static_cast<char>(c);
    } else {
      append_hex_escape(out, c);
    }
  }
  return out;
}

std::size_t base64_length(std::size_t bytes) { return 4 * ((bytes + 2) / 3); }

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Appends one quoted-printable line (its text without the line end), with soft breaks.
void encode_qp_line(std::string_view line, std::string& out) {
  std::size_t column = 0;
  std::string piece;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    piece.clear();
    // Whitespace is literal unless it ends the line, where a relay could strip it.
    if ((c >= 33 && c <= 126 && c != '=') || (is_wsp(static_cast<char>(c)) && !last)) {
      piece += static_cast<char>(c);
    } else {
      append_hex_escape(piece, c);
    }
    // A piece that does not end the line must leave room for the '=' of a soft break.
    const std::size_t room = last ? kQuotedPrintableLineLimit : kQuotedPrintableLineLimit - 1;
    if (column + piece.size() > room) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  }
}

bool is_atext(unsigned char c) {
  return is_ascii_alnum(c) || std::strchr("!#$%&'*+-/=?^_`{|}~", c);
}

// True when `name` can stand unquoted as a phrase: atoms separated by single spaces.
bool is_plain_phrase(std::string_view name) {
  if (name.empty() || name.front() == ' ' || name.back() == ' ') return false;
  if (name.find("  ") != std::string_view::npos) return false;
  for (unsigned char c : name) {
    if (c != ' ' && !is_atext(c)) return false;
  }
  return true;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

bool all_wsp(std::string_view s) {
  for (char c : s) {
    if (!is_wsp(c)) return false;
  }
  return true;
}

// Splits a header line into pieces that each start at a run of whitespace (the places a fold
// may go), keeping quoted-strings whole in structured headers. A trailing run of whitespace
// stays with the piece before it, since a line may not consist of whitespace alone.
std::vector<std::string_view> fold_pieces(std::string_view line, bool structured) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (structured && quoted && c == '\\') {
      ++i;
      continue;
    }
    if (structured && c == '"') quoted = !quoted;
    if (is_wsp(c) && !quoted && i > start && !is_wsp(line[i - 1])) {
      pieces.push_back(line.substr(start, i - start));
      start = i;
    }
  }
  std::string_view rest = line.substr(start);
  if (all_wsp(rest) && !pieces.empty()) {
    const std::size_t from = static_cast<std::size_t>(pieces.back().data() - line.data());
    pieces.back() = line.substr(from);
  } else {
    pieces.push_back(rest);
  }
  return pieces;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if (lead < 0xC0 || lead > 0xF7) return false;
    const std::size_t len = utf8_sequence_length(lead);
    if (i + len > text.size()) return false;
    std::uint32_t cp = lead & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < kSmallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool is_printable_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string encode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      encode_qp_line(text.substr(start), out);
      break;
    }
    encode_qp_line(text.substr(start, end - start), out);
    out += "\r\n";
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
  return out;
}

std::string encode_words(std::string_view text, std::size_t first_word_limit) {
  const bool use_q = q_encoded_length(text) <= base64_length(text.size());
  // Room for the encoded text of the word being built. A word always takes at least one
  // character, even when a very small first_word_limit cannot hold it.
  std::size_t payload = std::clamp<std::size_t>(first_word_limit, 16, kEncodedWordLimit) - 12;
  std::string out;
  std::string chunk;
  auto flush = [&] {
    if (!out.empty()) out += ' ';
    out += use_q ? "=?UTF-8?Q?" : "=?UTF-8?B?";
    out += use_q ? q_encode(chunk) : base64_encode(chunk);
    out += "?=";
    chunk.clear();
    payload = kEncodedWordPayload;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t len = utf8_sequence_length(static_cast<unsigned char>(text[i]));
    const std::string_view ch = text.substr(i, len);
    const std::size_t grown = use_q ? q_encoded_length(chunk) + q_encoded_length(ch)
                                    : base64_length(chunk.size() + ch.size());
    if (grown > payload && !chunk.empty()) flush();
    chunk += ch;
    i += len;
  }
  if (!chunk.empty()) flush();
  return out;
}

std::string encode_display_name(std::string_view name) {
  // "=?" in a name would be read back as an encoded-word, so such names are encoded too.
  if (!is_printable_ascii(name) || name.find("=?") != std::string_view::npos) {
    return encode_words(name);
  }
  return is_plain_phrase(name) ? std::string(name) : quote(name);
}

std::string fold_header(std::string_view name, std::string_view value, bool structured) {
  std::string line(name);
  line += ':';
  if (!value.empty()) {
    line += ' ';
    line += value;
  }
  std::string out;
  std::size_t column = 0;
  const auto pieces = fold_pieces(line, structured);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const std::string_view piece = pieces[i];
    const bool may_fold = structured || i > 1;
    if (may_fold && column > 0 && column + piece.size() > kHeaderLineTarget) {
      out += "\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  }
  out += "\r\n";
  return out;
}

std::size_t longest_line(std::string_view text) {
  std::size_t longest = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::size_t len = end - start;
    if (len > 0 && text[end - 1] == '\r') --len;
    longest = std::max(longest, len);
    start = end + 1;
  }
  return longest;
}

}  // namespace sm::mail
