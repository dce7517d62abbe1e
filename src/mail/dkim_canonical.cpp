#include "mail/dkim_canonical.hpp"

#include <array>
#include <cctype>

namespace sm::mail::dkim {
namespace {

struct SignedField {
  std::string_view name;
  bool oversigned;
};

// The order is the one the issue asks for; it does not matter to verifiers, but a fixed order
// keeps signatures comparable between runs.
constexpr std::array<SignedField, 10> kSignedFields = {{
    {"from", true},
    {"to", false},
    {"subject", false},
    {"date", false},
    {"message-id", false},
    {"mime-version", false},
    {"content-type", false},
    {"list-unsubscribe", true},
    {"list-unsubscribe-post", true},
    {"list-id", false},
}};

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

Error message_error(std::string_view problem) {
  return make_error(Errc::invalid_input,
                    std::string("The message cannot be DKIM-signed: ") + std::string(problem));
}

// A bare CR or LF would be turned into CRLF by some relay on the way, after signing, and
// break the signature; render() never writes one, so finding one means a caller bug.
bool has_bare_line_break(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return true;
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
  }
  return false;
}

// Appends `text` with runs of WSP made one space and, when `trim_end`, no WSP at the end.
void append_compressed(std::string& out, std::string_view text, bool trim_end) {
  bool in_wsp = false;
  for (char c : text) {
    if (is_wsp(c)) {
      in_wsp = true;
      continue;
    }
    if (in_wsp) out += ' ';
    in_wsp = false;
    out += c;
  }
  if (in_wsp && !trim_end) out += ' ';
}

Result<HeaderField> parse_field(std::string_view raw) {
  const std::size_t colon = raw.find(':');
  const std::size_t line_end = raw.find("\r\n");
  if (colon == std::string_view::npos || colon > line_end) {
    return message_error("a header line has no colon. Check the header block of the message.");
  }
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  return HeaderField{name, raw};
}

}  // namespace

Result<SplitMessage> split_message(std::string_view message) {
  if (has_bare_line_break(message)) {
    return message_error("it holds a line ending in a bare CR or LF; lines must end in CRLF.");
  }
  SplitMessage out;
  std::size_t at = 0;
  while (at < message.size() && message.compare(at, 2, "\r\n") != 0) {
    if (is_wsp(message[at]) && out.fields.empty()) {
      return message_error("its first line is a continuation line.");
    }
    // A field runs until a line that does not start with WSP.
    std::size_t end = message.find("\r\n", at);
    while (end != std::string_view::npos && end + 2 < message.size() && is_wsp(message[end + 2]))
      end = message.find("\r\n", end + 2);
    end = end == std::string_view::npos ? message.size() : end + 2;
    auto field = parse_field(message.substr(at, end - at));
    if (!field) return field.take_error();
    out.fields.push_back(*field);
    at = end;
  }
  if (at < message.size()) out.body = message.substr(at + 2);
  return out;
}

std::string relaxed_header(const HeaderField& field) {
  std::string out;
  out.reserve(field.raw.size());
  for (char c : field.name) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out += ':';

  std::string_view value = field.raw.substr(field.raw.find(':') + 1);
  std::string unfolded;
  unfolded.reserve(value.size());
  for (char c : value) {
    if (c != '\r' && c != '\n') unfolded += c;
  }
  std::string_view rest = unfolded;
  while (!rest.empty() && is_wsp(rest.front())) rest.remove_prefix(1);
  append_compressed(out, rest, true);
  out += "\r\n";
  return out;
}

std::string relaxed_body(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  std::size_t empty_lines = 0;  // held back until a later line shows they are not at the end
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find("\r\n", at);
    const std::size_t next = end == std::string_view::npos ? body.size() : end + 2;
    if (end == std::string_view::npos) end = body.size();

    const std::string_view line = body.substr(at, end - at);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      ++empty_lines;
    } else {
      for (; empty_lines > 0; --empty_lines) out += "\r\n";
      append_compressed(out, line, true);
      out += "\r\n";
    }
    at = next;
  }
  return out;
}

std::vector<std::string> signed_header_names(const std::vector<HeaderField>& fields) {
  std::vector<std::string> names;
  for (const SignedField& wanted : kSignedFields) {
    std::size_t count = wanted.oversigned ? 1 : 0;
    for (const HeaderField& field : fields) {
      if (iequals(field.name, wanted.name)) ++count;
    }
    names.insert(names.end(), count, std::string(wanted.name));
  }
  return names;
}

std::string canonical_headers(const std::vector<HeaderField>& fields,
                              const std::vector<std::string>& names) {
  std::vector<bool> taken(fields.size(), false);
  std::string out;
  for (const std::string& name : names) {
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (taken[i] || !iequals(fields[i].name, name)) continue;
      taken[i] = true;
      out += relaxed_header(fields[i]);
      break;
    }
  }
  return out;
}

}  // namespace sm::mail::dkim
