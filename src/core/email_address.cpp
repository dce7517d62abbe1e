#include "core/email_address.hpp"

#include <idn2.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace sm {
namespace {

// Anything longer is refused before any parsing, so that libidn2 never sees huge input.
constexpr std::size_t kMaxInputOctets = 1024;
constexpr std::size_t kMaxLabelOctets = 63;

Error refuse(std::string message) { return field_error("email", std::move(message)); }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// RFC 5322 atext: the characters a dot-atom may hold besides dots.
bool is_atext(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return is_alpha(c) || is_digit(c) || kSpecials.find(c) != std::string_view::npos;
}

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_labels(std::string_view domain) {
  std::vector<std::string_view> labels;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot - start));
    if (dot == std::string_view::npos) return labels;
    start = dot + 1;
  }
}

// ---- splitting at the @ ------------------------------------------------------------------

struct Parts {
  std::string_view local;  // with its double quotes when quoted
  std::string_view domain;
  bool quoted = false;
};

const char kNoAt[] = "This email address has no @. It should look like name@example.com.";
const char kManyAt[] =
    "This email address has more than one @. Remove the extra one, so that it looks like "
    "name@example.com.";

Result<Parts> split_quoted(std::string_view s) {
  std::size_t i = 1;
  while (i < s.size() && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
  if (i >= s.size()) {
    return refuse("The part before the @ starts with a double quote but has no closing one.");
  }
  std::string_view rest = s.substr(i + 1);
  if (rest.empty() || rest.front() != '@') {
    if (rest.find('@') == std::string_view::npos) return refuse(kNoAt);
    return refuse(
        "After the closing double quote the @ must follow straight away. Remove what is "
        "between them.");
  }
  if (rest.find('@', 1) != std::string_view::npos) return refuse(kManyAt);
  return Parts{s.substr(0, i + 1), rest.substr(1), true};
}

Result<Parts> split_at(std::string_view s) {
  if (s.front() == '"') return split_quoted(s);
  std::size_t at = s.find('@');
  if (at == std::string_view::npos) return refuse(kNoAt);
  if (s.find('@', at + 1) != std::string_view::npos) return refuse(kManyAt);
  return Parts{s.substr(0, at), s.substr(at + 1), false};
}

// ---- the local part ----------------------------------------------------------------------

const char kAccents[] =
    "Letters with accents or from other alphabets cannot be used before the @. Check the "
    "address with its owner.";
const char kSpaces[] = "An email address cannot contain spaces. Remove them.";

Status check_dot_atom(std::string_view local) {
  if (local.empty()) {
    return refuse("The part before the @ is missing. It should look like name@example.com.");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return refuse(
        "The part before the @ cannot start or end with a dot or have two dots in a row. "
        "Remove the extra dot.");
  }
  for (char c : local) {
    if (c == '.' || is_atext(c)) continue;
    if (c == ' ') return refuse(kSpaces);
    if (!is_ascii(c)) return refuse(kAccents);
    return refuse(std::string("The part before the @ cannot contain '") + c +
                  "'. Only letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ are "
                  "allowed there unless that part is in double quotes.");
  }
  return {};
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '.' || is_atext(c); });
}

// The content of a quoted local part with its backslash escapes removed.
Result<std::string> unquote(std::string_view quoted) {
  std::string_view inner = quoted.substr(1, quoted.size() - 2);
  std::string content;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    char c = inner[i] == '\\' ? inner[++i] : inner[i];
    if (!is_ascii(c)) return refuse(kAccents);
    content.push_back(c);
  }
  if (content.empty()) {
    return refuse(
        "The part before the @ is an empty pair of double quotes. Put the name between them.");
  }
  return content;
}

// The shortest way to write a quoted local part: bare when it is a valid dot-atom, otherwise
// quoted with only the two characters that must be escaped escaped.
std::string canonical_local(const std::string& content) {
  if (is_dot_atom(content)) return content;
  std::string out = "\"";
  for (char c : content) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// The local part in the form normalized() uses, or why it is refused.
Result<std::string> check_local(const Parts& parts) {
  if (parts.local.size() > kMaxLocalPartOctets) {
    return refuse(
        "The part before the @ is too long: it can have at most 64 characters. Check the "
        "address.");
  }
  if (!parts.quoted) {
    SM_TRY(check_dot_atom(parts.local));
    return std::string(parts.local);
  }
  auto content = unquote(parts.local);
  if (!content) return content.take_error();
  return canonical_local(*content);
}

// ---- the domain --------------------------------------------------------------------------

const char kBadIdn[] =
    "The domain after the @ is not a valid international domain name. Check its spelling.";

Status check_label(std::string_view label) {
  if (label.empty()) {
    return refuse(
        "The domain after the @ has a dot at its start or end, or two dots in a row. Remove "
        "the extra dot.");
  }
  if (label.size() > kMaxLabelOctets) {
    return refuse("Each part of the domain between dots can have at most 63 characters.");
  }
  for (char c : label) {
    if (!is_alpha(c) && !is_digit(c) && c != '-') {
      return refuse(
          "The domain after the @ can only contain letters, digits, hyphens and dots. Check "
          "its spelling.");
    }
  }
  if (label.front() == '-' || label.back() == '-') {
    return refuse("A part of the domain cannot start or end with a hyphen. Check its spelling.");
  }
  return {};
}

// RFC 1123 host name rules, on the A-label form.
Status check_ascii_domain(std::string_view domain) {
  auto labels = split_labels(domain);
  for (auto label : labels) SM_TRY(check_label(label));
  if (labels.size() < 2) {
    return refuse("The domain after the @ needs a dot and an ending, like example.com.");
  }
  std::string_view tld = labels.back();
  if (std::all_of(tld.begin(), tld.end(), is_digit)) {
    return refuse("The domain after the @ must end in a name like .com or .org, not a number.");
  }
  return {};
}

struct IdnString {
  void operator()(char* p) const { idn2_free(p); }
};

std::optional<std::string> idn_to_ascii(const std::string& domain) {
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnString> owned(out);
  if (rc != IDN2_OK || out == nullptr) return std::nullopt;
  return std::string(out);
}

std::optional<std::string> idn_to_unicode(const std::string& domain) {
  char* out = nullptr;
  int rc = idn2_to_unicode_8z8z(domain.c_str(), &out, 0);
  std::unique_ptr<char, IdnString> owned(out);
  if (rc != IDN2_OK || out == nullptr) return std::nullopt;
  return std::string(out);
}

bool has_a_label(std::string_view lowered) {
  for (auto label : split_labels(lowered)) {
    if (label.substr(0, 4) == "xn--") return true;
  }
  return false;
}

// The Unicode form of an A-label domain. Only an A-label that converts back to itself is
// accepted, so that the Unicode form shown to people always names the same domain.
Result<std::string> a_labels_to_unicode(const std::string& lowered) {
  auto unicode = idn_to_unicode(lowered);
  if (!unicode) return refuse(kBadIdn);
  auto back = idn_to_ascii(*unicode);
  if (!back || *back != lowered) return refuse(kBadIdn);
  return *unicode;
}

struct Domain {
  std::string ascii;    // for SMTP
  std::string display;  // for people
};

Result<Domain> check_domain(std::string_view typed) {
  if (typed.empty()) {
    return refuse("The domain after the @ is missing. Add it, like name@example.com.");
  }
  if (typed.front() == '[') {
    return refuse(
        "Addresses with an IP address in square brackets instead of a domain name are not "
        "accepted. Use an address with a domain name, like name@example.com.");
  }
  if (typed.find(' ') != std::string_view::npos) return refuse(kSpaces);

  Domain d{std::string(typed), std::string(typed)};
  if (!std::all_of(typed.begin(), typed.end(), is_ascii)) {
    auto converted = idn_to_ascii(d.ascii);
    if (!converted) return refuse(kBadIdn);
    d.ascii = std::move(*converted);
  }
  SM_TRY(check_ascii_domain(d.ascii));

  std::string lowered = lower_ascii(d.ascii);
  if (has_a_label(lowered)) {
    auto unicode = a_labels_to_unicode(lowered);
    if (!unicode) return unicode.take_error();
    // A domain typed in Unicode is shown as typed; one typed as A-labels is shown decoded.
    if (std::all_of(typed.begin(), typed.end(), is_ascii)) d.display = std::move(*unicode);
  }
  return d;
}

// ---- the whole address -------------------------------------------------------------------

Status check_characters(std::string_view s) {
  if (s.empty()) return refuse("Enter an email address, like name@example.com.");
  if (std::any_of(s.begin(), s.end(), is_control)) {
    return refuse("An email address cannot contain line breaks or control characters.");
  }
  if (s.size() > kMaxInputOctets) {
    return refuse("This email address is too long: it can have at most 254 characters.");
  }
  return {};
}

}  // namespace

Result<EmailAddress> parse_email_address(std::string_view input) {
  std::string_view s = trim(input);
  SM_TRY(check_characters(s));

  auto parts = split_at(s);
  if (!parts) return parts.take_error();
  auto local = check_local(*parts);
  if (!local) return local.take_error();
  auto domain = check_domain(parts->domain);
  if (!domain) return domain.take_error();

  EmailAddress address;
  address.ascii_ = std::string(parts->local) + "@" + domain->ascii;
  if (address.ascii_.size() > kMaxEmailAddressOctets) {
    return refuse(domain->ascii == parts->domain
                      ? "This email address is too long: it can have at most 254 characters."
                      : "This email address is too long: it can have at most 254 characters "
                        "once its international domain name is converted for sending.");
  }
  address.display_ = std::string(parts->local) + "@" + domain->display;
  address.domain_ = lower_ascii(domain->ascii);
  address.normalized_ = lower_ascii(*local) + "@" + address.domain_;
  return address;
}

}  // namespace sm
