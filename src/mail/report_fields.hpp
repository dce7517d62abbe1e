// The "Name: value" field blocks that machine-readable mail reports are written in: the
// message/delivery-status part of a DSN (RFC 3464: one block for the message, then one per
// recipient, separated by blank lines), the message/feedback-report part of an ARF report
// (RFC 5965: one block) and text/rfc822-headers (RFC 6522: the returned message's header).
//
// The text is read as it comes: CRLF or LF line ends, folded lines unfolded, field names
// compared without regard to case. A line that is neither a field nor a continuation is
// skipped, since reports from the wild are often slightly malformed and the fields that can be
// read are still worth having.
//
// Thread-safe: every function here is pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sm::mail {

struct ReportField {
  std::string name;   // as written
  std::string value;  // unfolded, surrounding white space removed
};

class FieldBlock {
 public:
  void add(ReportField field) { fields_.push_back(std::move(field)); }
  bool empty() const { return fields_.empty(); }
  const std::vector<ReportField>& fields() const { return fields_; }

  // The value of the first field called `name` (any case), or "" when there is none.
  std::string get(std::string_view name) const;
  // Every value of the fields called `name`, in order.
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::vector<ReportField> fields_;
};

// At most this many blocks and fields per block are kept; a report with more is not one a
// mail system wrote, and what is past the limit is ignored.
constexpr std::size_t kMaxFieldBlocks = 256;
constexpr std::size_t kMaxFieldsPerBlock = 256;

// The blocks of `text`, empty blocks left out.
std::vector<FieldBlock> parse_field_blocks(std::string_view text);

// `text` read as one block: everything up to the first blank line (a header section).
FieldBlock parse_header_block(std::string_view text);

// "rfc822; Ann@Example.org" → "Ann@Example.org": the address of a DSN or ARF address field
// with its address type and any angle brackets, comments or spaces taken off. "" when what is
// left does not look like an address (no @).
std::string report_address(std::string_view value);

// The enhanced status code (RFC 3463) at the start of `value`, such as "5.1.1", or nullopt
// when `value` does not start with one (class 2, 4 or 5; up to three digits each after it).
std::optional<std::string> enhanced_status(std::string_view value);

// The status a Diagnostic-Code states: its first enhanced status code, else "5.0.0" or "4.0.0"
// from a leading SMTP reply code; nullopt when it states neither.
std::optional<std::string> status_from_diagnostic(std::string_view diagnostic);

}  // namespace sm::mail
