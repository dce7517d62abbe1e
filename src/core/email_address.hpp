// Email addresses: the one place that decides what an acceptable address is (RFC 5321 mailbox
// with a dot-atom or quoted local part and a domain name, international domains included).
//
// PERSONAL DATA. An EmailAddress names a person. It deliberately has no operator<< and no fmt
// formatter, so it cannot be passed to the logger; taking a string out of it (display(),
// ascii(), normalized()) is for storage, comparison, pages shown to that person and SMTP,
// never for a log line. Log the subscriber id instead.
//
// Thread-safe: parse_email_address() has no shared state; an EmailAddress is immutable.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sm {

class EmailAddress {
 public:
  // As the person typed it (surrounding spaces trimmed), with the domain in Unicode, for pages.
  const std::string& display() const { return display_; }

  // The local part as typed and the domain as A-labels ("xn--..."), for SMTP commands and
  // headers.
  const std::string& ascii() const { return ascii_; }

  // ascii() lowercased, with a needlessly quoted local part unquoted. Two addresses are the
  // same mailbox for us when their normalized forms are equal; store and index this one.
  const std::string& normalized() const { return normalized_; }

  // The lowercased A-label domain, e.g. for grouping deliveries by receiving domain.
  const std::string& domain() const { return domain_; }

  friend bool operator==(const EmailAddress& a, const EmailAddress& b) {
    return a.normalized_ == b.normalized_;
  }

 private:
  friend Result<EmailAddress> parse_email_address(std::string_view input);
  EmailAddress() = default;

  std::string display_;
  std::string ascii_;
  std::string normalized_;
  std::string domain_;
};

// Longest address accepted, in octets of ascii(): RFC 5321's 256-octet path minus "<" and ">".
constexpr std::size_t kMaxEmailAddressOctets = 254;
// Longest local part accepted, in octets (RFC 5321 section 4.5.3.1.1).
constexpr std::size_t kMaxLocalPartOctets = 64;

// Checks and normalises an address typed by a person or read from an import.
//
// Surrounding spaces and tabs are trimmed; nothing else is changed or guessed. A refusal is
// Errc::invalid_input with field "email" and a message saying what is wrong and how to fix it.
// Addresses with an IP literal domain ("[192.0.2.1]") are refused: we never send to them.
Result<EmailAddress> parse_email_address(std::string_view input);

}  // namespace sm
