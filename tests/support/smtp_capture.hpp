// A real SMTP server for tests: runs tests/support/smtp_capture.py (aiosmtpd, Debian's
// /usr/bin/python3) on a free loopback port and reads back what it received.
//
// The script is found through SMARTMESSAGES_SOURCE_DIR, which CTest sets, or else in the
// source tree the support library was compiled from. Construction waits
// (at most 15 s) for the server to say it is listening and throws std::runtime_error when it
// does not; the destructor stops it and removes what it captured.
//
// Not thread-safe; use from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"

namespace sm::testing {

struct CapturedMessage {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string raw;         // the DATA as received, CRLF line ends
  int connection = 0;      // which SMTP session (1, 2, ...) carried it
  std::string auth_login;  // the user that authenticated, or empty
};

class SmtpCapture {
 public:
  struct Options {
    int fail_with = 0;  // when set, every DATA is answered with this reply code
    std::string auth;   // "user:password" to offer and require-match AUTH without TLS
    // RCPT TO for these addresses is answered with the code (4xx or 5xx); others get 250.
    std::map<std::string, int> rcpt_replies = {};
    // The same for the first RCPT TO of each address only; later ones are accepted.
    std::map<std::string, int> rcpt_replies_once = {};
  };

  SmtpCapture();
  explicit SmtpCapture(Options options);
  ~SmtpCapture();
  SmtpCapture(const SmtpCapture&) = delete;
  SmtpCapture& operator=(const SmtpCapture&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:<port>"

  // Everything captured so far, in the order received.
  std::vector<CapturedMessage> messages() const;

  // SMTP sessions opened so far, whether or not they carried a message.
  int connections() const;

  // True once at least `count` messages have arrived; false after `timeout`.
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  std::size_t count() const;
  void wait_until_ready();
  void stop();

  ScratchDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

}  // namespace sm::testing
