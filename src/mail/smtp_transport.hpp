// A Transport that submits messages to an SMTP relay through libcurl.
//
// URL forms: smtp://host[:port] (STARTTLS when the relay offers it, or always with
// SmtpOptions::require_tls), smtps://host[:port] (TLS from the first byte), either with
// user:password@ for AUTH (percent-encoded). A path names the EHLO domain:
// smtp://relay:587/mail.example.org. Certificates are verified.
//
// Sessions are kept open between messages: each libcurl easy handle holds one connection and
// is reused by the next send, up to SmtpOptions::max_connections handles at once. A send that
// finds every handle busy waits for one (at most one transfer timeout).
//
// Nothing is logged here: errors carry the SMTP reply code and libcurl's text in their detail,
// which never holds addresses or credentials, for the caller to log with its own ids.
//
// Thread-safe. REQUIRES: no send() is in flight when the transport is destroyed.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/transport.hpp"

namespace sm::mail {

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

 private:
  struct HandleDeleter {
    void operator()(void* handle) const;
  };
  using Handle = std::unique_ptr<void, HandleDeleter>;

  SmtpTransport(SmtpEndpoint endpoint, SmtpOptions options);
  Handle new_handle() const;
  Handle acquire();
  void release(Handle handle);
  Status transfer(void* handle, const Envelope& envelope, std::string_view mime) const;

  const SmtpEndpoint endpoint_;
  const SmtpOptions options_;

  std::mutex mu_;
  std::condition_variable handle_freed_;
  std::vector<Handle> idle_;  // guarded by mu_; most recently used last, so it is reused first
  std::size_t handles_ = 0;   // guarded by mu_; idle plus in use
};

}  // namespace sm::mail
