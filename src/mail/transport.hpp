// Where rendered messages go: an SMTP relay, or the outbox directory when none is configured.
//
// Thread safety: every Transport may be shared between threads; send() may be called
// concurrently.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::mail {

// The SMTP envelope, which may differ from the headers (a VERP return path, for one).
struct Envelope {
  std::string mail_from;                // reverse-path; empty for the null sender "<>"
  std::vector<std::string> recipients;  // forward-paths, at least one
};

// One message of a batch; both views must outlive the send_batch() call.
struct Outgoing {
  const Envelope* envelope = nullptr;
  std::string_view mime;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Hands `mime` (CRLF line ends, as render() makes it) over for delivery to the envelope's
  // recipients. Errors: Errc::unavailable when trying again later may succeed (relay down or
  // answering 4xx), Errc::invalid_input when the relay rejected the message for good (5xx),
  // Errc::unauthorized when the relay refused the configured credentials.
  virtual Status send(const Envelope& envelope, std::string_view mime) = 0;

  // Hands over several messages at once and returns one Status per message, in order, with
  // the meanings above. The default sends them one by one; SmtpTransport runs them over its
  // pool of open sessions at once.
  virtual std::vector<Status> send_batch(std::span<const Outgoing> batch);
};

// Tuning for SmtpTransport; the defaults suit a relay on the same network.
struct SmtpOptions {
  bool require_tls = false;  // smtp:// only: fail instead of sending in clear without STARTTLS
  long connect_timeout_ms = 10'000;
  long transfer_timeout_ms = 60'000;
  std::size_t max_connections = 4;  // concurrent sessions to the relay (mail.smtp_connections)
  double messages_per_second = 0;   // messages started per second; 0: no limit (mail.smtp_rate)
};

// The transport the configuration asks for: SmtpTransport for `smtp_url`, or OutboxTransport
// writing into `outbox_dir` when the URL is empty. An unusable URL is Errc::invalid_input with a
// sentence that says what is wrong and never repeats the URL (it may hold a password).
Result<std::unique_ptr<Transport>> make_transport(std::string smtp_url_or_empty,
                                                  std::string outbox_dir,
                                                  SmtpOptions smtp_options = {});

}  // namespace sm::mail
