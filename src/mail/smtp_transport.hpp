// A Transport that submits messages to an SMTP relay through libcurl.
//
// URL forms: smtp://host[:port] (STARTTLS when the relay offers it, or always with
// SmtpOptions::require_tls), smtps://host[:port] (TLS from the first byte), either with
// user:password@ for AUTH (percent-encoded). A path names the EHLO domain:
// smtp://relay:587/mail.example.org. Certificates are verified.
//
// Messages go over a pool of SMTP sessions that stay open between messages and between
// batches (mail/smtp_session_pool.hpp): libcurl's multi interface, driven by one thread of the
// transport's own, runs up to SmtpOptions::max_connections transfers at once, started no faster
// than SmtpOptions::messages_per_second. send_batch() hands a whole batch to the pool at once;
// send() is a batch of one. Callers on several threads share the same sessions.
//
// Nothing is logged here: errors carry the SMTP reply code and libcurl's text in their detail,
// which never holds addresses or credentials, for the caller to log with its own ids.
//
// Thread-safe. REQUIRES: no send() or send_batch() is in flight when the transport is
// destroyed.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/transport.hpp"

namespace sm::mail {

class SmtpSessionPool;

// A relay URL taken apart: credentials are kept out of `url` so they reach libcurl only
// through its credential options.
struct SmtpEndpoint {
  std::string url;  // scheme, host, port and path; no user or password
  std::string user;
  std::string password;
  bool implicit_tls = false;  // smtps://
};

// Errc::invalid_input with a sentence about the mail.smtp_url setting when `url` is unusable.
// The sentence never repeats the URL, which may hold a password.
Result<SmtpEndpoint> parse_smtp_url(std::string_view url);

class SmtpTransport final : public Transport {
 public:
  static Result<std::unique_ptr<SmtpTransport>> create(std::string_view url,
                                                       SmtpOptions options = {});
  ~SmtpTransport() override;
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  // REQUIRES: the envelope's addresses are plain ASCII addr-specs (no spaces, brackets or
  // control characters; they are checked, since they become SMTP commands).
  Status send(const Envelope& envelope, std::string_view mime) override;

  // One Status per message, in order; a message whose envelope fails the check above gets
  // Errc::invalid_input and is not sent, and the others go ahead.
  std::vector<Status> send_batch(std::span<const Outgoing> batch) override;

 private:
  explicit SmtpTransport(std::unique_ptr<SmtpSessionPool> pool);

  std::unique_ptr<SmtpSessionPool> pool_;
};

}  // namespace sm::mail
