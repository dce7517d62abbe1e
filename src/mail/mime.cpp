#include "mail/mime.hpp"

#include <fmt/format.h>
#include <array>
#include <cctype>
#include <ctime>
#include <string_view>
#include <vector>

#include "mail/mime_encoding.hpp"
#include "mail/random_hex.hpp"

namespace sm::mail {
namespace {

// Headers render() writes itself; an extra header may not repeat or override them.
constexpr std::array<std::string_view, 9> kOwnHeaders = {
    "Date",         "From",         "To",
    "Reply-To",     "Subject",      "Message-ID",
    "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};

// RFC 5322 allows longer names, but a name must leave room for ": " within 78 columns.
constexpr std::size_t kHeaderNameLimit = 76;
// RFC 5321 4.5.3.1.3: a path is at most 256 octets including the angle brackets.
constexpr std::size_t kAddressLimit = 254;
// Long enough for any generated or relayed id, short enough to keep its line readable.
constexpr std::size_t kMessageIdLimit = 250;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

Error header_error(std::string_view header, std::string_view problem) {
  return make_error(Errc::invalid_input, fmt::format("The {} header {}.", header, problem));
}

bool has_control_character(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// Every header value passes here: a CR or LF would let the value start a header of its own.
Status check_header_text(std::string_view header, std::string_view value) {
  if (has_control_character(value)) {
    return header_error(header, "contains a line break or another control character");
  }
  if (!is_valid_utf8(value)) return header_error(header, "is not valid UTF-8 text");
  return {};
}

// Only unquoted ASCII addr-specs are accepted: SMTPUTF8 and quoted local parts are not
// supported by the relays we send through, and IDN domains arrive here already in A-labels.
Status check_address(std::string_view header, std::string_view address) {
  SM_TRY(check_header_text(header, address));
  const std::size_t at = address.find('@');
  const bool plain = !address.empty() && address.size() <= kAddressLimit &&
                     is_printable_ascii(address) &&
                     address.find_first_of("<>()[],;:\\\" ") == std::string_view::npos && at != 0 &&
                     at != std::string_view::npos && at + 1 < address.size() &&
                     address.find('@', at + 1) == std::string_view::npos;
  if (!plain) return header_error(header, "has an address that is not a plain ASCII address");
  return {};
}

std::string format_mailbox(const Mailbox& box) {
  if (box.display_name.empty()) return box.address;
  return encode_display_name(box.display_name) + " <" + box.address + ">";
}

Result<std::string> mailbox_list_header(std::string_view header,
                                        const std::vector<Mailbox>& boxes) {
  std::string value;
  for (const Mailbox& box : boxes) {
    SM_TRY(check_address(header, box.address));
    SM_TRY(check_header_text(header, box.display_name));
    if (!value.empty()) value += ", ";
    value += format_mailbox(box);
  }
  return fold_header(header, value, true);
}

// Plain ASCII stays readable; anything else, or a word too long to fit in 998 columns, is
// carried in encoded-words, which can be folded.
std::string unstructured_header(std::string_view name, std::string_view value) {
  if (is_printable_ascii(value) && value.find("=?") == std::string_view::npos) {
    std::string folded = fold_header(name, value, false);
    if (longest_line(folded) <= kHeaderLineLimit) return folded;
  }
  // The first word shares its line with "Name: ".
  const std::size_t room =
      kHeaderLineTarget > name.size() + 2 ? kHeaderLineTarget - name.size() - 2 : 0;
  return fold_header(name, encode_words(value, room), false);
}

Result<std::string> message_id_for(const Message& message) {
  const std::string& id = message.message_id;
  if (id.empty())
    return "<" + random_hex(16) + "@" + std::string(address_domain(message.from.address)) + ">";
  SM_TRY(check_header_text("Message-ID", id));
  const bool well_formed = id.size() >= 5 && id.front() == '<' && id.back() == '>' &&
                           id.find('@') != std::string::npos && is_printable_ascii(id) &&
                           id.find(' ') == std::string::npos && id.size() <= kMessageIdLimit;
  if (!well_formed) return header_error("Message-ID", "must look like <unique@domain>");
  return id;
}

Result<std::string> standard_headers(const Message& message, Millis date) {
  if (message.from.address.empty()) {
    return make_error(Errc::invalid_input, "A message needs a From address.");
  }
  if (message.to.empty()) {
    return make_error(Errc::invalid_input, "A message needs at least one To recipient.");
  }
  SM_TRY(check_header_text("Subject", message.subject));
  auto from = mailbox_list_header("From", {message.from});
  if (!from) return from.take_error();
  auto to = mailbox_list_header("To", message.to);
  if (!to) return to.take_error();
  auto reply_to = mailbox_list_header("Reply-To", message.reply_to);
  if (!reply_to) return reply_to.take_error();
  auto id = message_id_for(message);
  if (!id) return id.take_error();

  std::string out = "Date: " + format_rfc5322_date(date) + "\r\n";
  out += *from;
  out += *to;
  if (!message.reply_to.empty()) out += *reply_to;
  out += unstructured_header("Subject", message.subject);
  out += "Message-ID: " + *id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  return out;
}

Status check_extra_header_name(std::string_view name) {
  if (name.empty() || name.size() > kHeaderNameLimit) {
    return make_error(Errc::invalid_input,
                      "An extra header name must be between 1 and 76 characters long.");
  }
  for (unsigned char c : name) {
    if (c < 33 || c > 126 || c == ':') {
      return make_error(Errc::invalid_input,
                        "An extra header name may only hold printable ASCII characters other "
                        "than spaces and colons.");
    }
  }
  for (std::string_view own : kOwnHeaders) {
    if (iequals(name, own)) {
      return header_error(own, "is written by the mailer and cannot be set as an extra header");
    }
  }
  return {};
}

Result<std::string> extra_headers(const Message& message) {
  std::string out;
  for (const auto& [name, value] : message.headers) {
    SM_TRY(check_extra_header_name(name));
    SM_TRY(check_header_text(name, value));
    out += unstructured_header(name, value);
  }
  return out;
}

Status check_body(std::string_view which, std::string_view body) {
  if (is_valid_utf8(body)) return {};
  return make_error(Errc::invalid_input,
                    fmt::format("The {} body is not valid UTF-8 text.", which));
}

std::string text_part_headers(std::string_view subtype) {
  return fmt::format(
      "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
      subtype);
}

// "=_" cannot occur in quoted-printable output ('=' is always followed by a hex digit or a line
// end there), so a boundary starting with it can never match a line of either body.
std::string new_boundary(std::string_view text_qp, std::string_view html_qp) {
  std::string boundary;
  do {
    boundary = "=_sm_" + random_hex(12);
  } while (text_qp.find(boundary) != std::string_view::npos ||
           html_qp.find(boundary) != std::string_view::npos);
  return boundary;
}

// The Content-Type line, the extra headers, the blank line and the body(ies).
std::string render_body(const Message& message, std::string_view extra) {
  const std::string text_qp = encode_quoted_printable(message.text_body);
  if (message.html_body.empty()) {
    std::string out = text_part_headers("plain");
    out += extra;
    out += "\r\n";
    out += text_qp;
    if (!text_qp.empty() && !text_qp.ends_with("\r\n")) out += "\r\n";
    return out;
  }

  const std::string html_qp = encode_quoted_printable(message.html_body);
  const std::string boundary = new_boundary(text_qp, html_qp);
  std::string out = fold_header(
      "Content-Type", fmt::format("multipart/alternative; boundary=\"{}\"", boundary), true);
  out += extra;
  out += "\r\n";
  // The CRLF before each delimiter belongs to the delimiter (RFC 2046 5.1.1), not to the part.
  for (auto [subtype, body] :
       {std::pair<std::string_view, std::string_view>{"plain", text_qp}, {"html", html_qp}}) {
    out += "--" + boundary + "\r\n";
    out += text_part_headers(subtype);
    out += "\r\n";
    out += body;
    out += "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace

std::string format_rfc5322_date(Millis when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // Floor division, so instants before 1970 still land on the right second.
  const Millis seconds = when / 1000 - (when % 1000 < 0 ? 1 : 0);
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[tm.tm_wday],
                     tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::string_view address_domain(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

Result<std::string> render(const Message& message, Millis date) {
  auto headers = standard_headers(message, date);
  if (!headers) return headers.take_error();
  auto extra = extra_headers(message);
  if (!extra) return extra.take_error();
  SM_TRY(check_body("text", message.text_body));
  SM_TRY(check_body("HTML", message.html_body));
  return *headers + render_body(message, *extra);
}

}  // namespace sm::mail
