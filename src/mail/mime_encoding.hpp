// The encodings MIME needs for text: quoted-printable bodies (RFC 2045), encoded-words for
// non-ASCII header text (RFC 2047), quoting of display names (RFC 5322) and header folding.
// These are the building blocks of render() in mime.hpp, exposed so they can be tested alone.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sm::mail {

// Line lengths, without the CRLF: the MIME limit for encoded bodies, the recommended limit for
// header lines, and the hard limit for any line (RFC 2045 6.7, RFC 5322 2.1.1).
constexpr std::size_t kQuotedPrintableLineLimit = 76;
constexpr std::size_t kHeaderLineTarget = 78;
constexpr std::size_t kHeaderLineLimit = 998;

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// True when every byte is printable ASCII or a space.
bool is_printable_ascii(std::string_view text);

// Quoted-printable of `text`. Line ends of any kind (CRLF, LF, CR) become CRLF hard breaks;
// longer lines get soft breaks so that no output line exceeds 76 characters; whitespace at the
// end of a line is encoded so transports cannot strip it.
std::string encode_quoted_printable(std::string_view text);

// RFC 2047 encoded-words for UTF-8 `text`: one or more "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?="
// words (whichever is shorter), each at most 75 characters, separated by single spaces, never
// splitting a character between words. The Q form uses only characters allowed in a phrase, so
// the result may stand for a display name as well as for unstructured text.
// `first_word_limit` (at most 75) shortens the first word so it can share a line with the
// header name. REQUIRES: is_valid_utf8(text).
std::string encode_words(std::string_view text, std::size_t first_word_limit = 75);

// A display name ready for a From, To or Reply-To header: as it is when it is a plain run of
// atoms, as a quoted-string when it holds specials, as encoded-words when it is not ASCII.
// REQUIRES: is_valid_utf8(name) and no control characters.
std::string encode_display_name(std::string_view name);

// "Name: value" followed by CRLF, folded before whitespace so that lines stay within 78
// characters where the value allows it. With `structured`, whitespace inside quoted-strings is
// not used for folding. Unstructured values never fold before their first word, since readers
// would take the fold's whitespace as part of the text.
std::string fold_header(std::string_view name, std::string_view value, bool structured);

// The length of the longest line of `text`, line ends not counted.
std::size_t longest_line(std::string_view text);

}  // namespace sm::mail
