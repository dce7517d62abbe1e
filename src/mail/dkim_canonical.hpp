// The parts of DKIM signing that only look at text (RFC 6376): splitting a message into header
// fields and body, relaxed canonicalisation of both, and choosing which fields a signature
// covers. Kept apart from the cryptography so that each rule can be tested on the RFC's
// examples.
//
// Thread-safe: every function here is pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::mail::dkim {

// One header field as it appears in the message: `name` without the colon and `raw` the whole
// field, folded lines and final CRLF included. Both point into the message text.
struct HeaderField {
  std::string_view name;
  std::string_view raw;
};

struct SplitMessage {
  std::vector<HeaderField> fields;
  std::string_view body;  // everything after the blank line; empty when there is none
};

// The header fields and body of a CRLF message. Fails with Errc::invalid_input, saying what
// is wrong, when a line ends in a bare CR or LF, when the message starts with a continuation
// line, or when a header line has no colon.
Result<SplitMessage> split_message(std::string_view message);

// RFC 6376 3.4.2: "name:value\r\n" with the name in lowercase, the value unfolded, runs of
// spaces and tabs made one space, and no space around the colon or at the end.
std::string relaxed_header(const HeaderField& field);

// RFC 6376 3.4.4: runs of spaces and tabs made one space, none at line ends, no empty lines
// at the end, and a final CRLF unless the result is empty (an empty body stays empty).
std::string relaxed_body(std::string_view body);

// The field names a signature lists in h=, lowercase, in signing order: each of From, To,
// Subject, Date, Message-ID, MIME-Version, Content-Type, List-Unsubscribe,
// List-Unsubscribe-Post and List-Id once per occurrence, and From, List-Unsubscribe and
// List-Unsubscribe-Post once more, so a verifier refuses the message when such a field is
// added later (RFC 6376 8.15). The extra name is listed even when the field is absent.
std::vector<std::string> signed_header_names(const std::vector<HeaderField>& fields);

// The canonical header data for `names`, in order: each name takes the lowest occurrence of
// that field not taken yet (RFC 6376 5.4.2); a name with none left adds nothing.
std::string canonical_headers(const std::vector<HeaderField>& fields,
                              const std::vector<std::string>& names);

}  // namespace sm::mail::dkim
