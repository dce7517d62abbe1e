// Turns a Message into the RFC 5322 / MIME text that is handed to a Transport.
//
// The output has CRLF line ends throughout; header lines are folded to 78 characters where the
// content allows and never exceed 998; bodies are quoted-printable UTF-8 in lines of at most
// 76. A message with an HTML body becomes multipart/alternative (text/plain, then text/html).
//
// Thread-safe: render() keeps no state; its randomness (Message-ID, boundary) is libsodium's.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "mail/message.hpp"

namespace sm::mail {

// The MIME text of `message`, dated `date` (shown in UTC). A Message-ID is generated for the
// From address's domain when message.message_id is empty.
//
// Fails with Errc::invalid_input, and a sentence naming the header, when a header value holds a
// line break or another control character, when text is not UTF-8, when an address is not a
// plain ASCII addr-spec, when an extra header's name is malformed or is one render() writes
// itself, or when there is no From address or no recipient.
Result<std::string> render(const Message& message, Millis date);

// "Thu, 03 Dec 2026 14:05:09 +0000": the RFC 5322 date-time of `when`, in UTC.
std::string format_rfc5322_date(Millis when);

// The domain part of an address ("example.org" for "jane@example.org"); empty without '@'.
std::string_view address_domain(std::string_view address);

}  // namespace sm::mail
