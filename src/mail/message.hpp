// An email to be sent, before it becomes MIME text.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sm::mail {

struct Mailbox {
  std::string address;       // "jane@example.org", already validated
  std::string display_name;  // may be empty; encoded with RFC 2047 when not ASCII
};

struct Message {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> reply_to;
  std::string subject;
  std::string text_body;   // UTF-8; becomes a quoted-printable text/plain part
  std::string html_body;   // UTF-8; when not empty the message is multipart/alternative
  std::string message_id;  // "<...@domain>"; generated when empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. List-Id
};

}  // namespace sm::mail
