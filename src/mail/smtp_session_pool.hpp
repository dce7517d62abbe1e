// The SMTP sessions behind SmtpTransport: one libcurl multi handle, driven by one thread of
// its own, running up to SmtpOptions::max_connections transfers at once.
//
// Sessions stay open between messages and between batches: a finished transfer leaves its
// connection in the multi handle's connection cache, and the next message to start takes it
// (libcurl sends the next MAIL FROM on the same session). A transfer that fails closes its
// session; the next message opens a new one. Message starts are paced by a RateGate when the
// relay has a rate.
//
// When a message cannot reach the relay at all (refused, unresolvable, or no greeting within
// the connect timeout), the messages still waiting to start fail at once with the same
// outcome instead of each waiting for its own connect timeout: the relay is down for them too,
// and their callers retry later.
//
// Thread-safe: run() may be called from many threads at once; all share the sessions.
// REQUIRES: no run() is in flight when the pool is destroyed.
#pragma once

#include <curl/curl.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "mail/rate_gate.hpp"
#include "mail/transport.hpp"

namespace sm::mail {

struct SmtpEndpoint;
struct SmtpCompletion;  // how run() learns that its jobs are done; in the .cpp

// One message for the pool, and where its outcome goes. The caller fills the first part and
// keeps the job alive until run() returns.
struct SmtpJob {
  std::string mail_from;             // "<reverse-path>", "<>" for the null sender
  curl_slist* recipients = nullptr;  // "<forward-path>" lines; not owned
  std::string_view unread;           // the MIME text not yet handed to libcurl
  curl_off_t size = 0;

  CURLcode outcome = CURLE_OK;
  long reply = 0;                      // the relay's last SMTP reply code; 0 when none came
  char error_text[CURL_ERROR_SIZE]{};  // libcurl's words for a failure; no addresses

  SmtpCompletion* completion = nullptr;  // set by run()
};

class SmtpSessionPool {
 public:
  // Errc::internal when libcurl or the thread cannot be set up.
  static Result<std::unique_ptr<SmtpSessionPool>> start(const SmtpEndpoint& endpoint,
                                                        const SmtpOptions& options);
  ~SmtpSessionPool();
  SmtpSessionPool(const SmtpSessionPool&) = delete;
  SmtpSessionPool& operator=(const SmtpSessionPool&) = delete;

  // Sends every job and returns when each has its outcome.
  void run(std::span<SmtpJob> jobs);

 private:
  SmtpSessionPool(const SmtpEndpoint& endpoint, const SmtpOptions& options, CURLM* multi);

  // The sending thread and its steps; everything below is touched by that thread only,
  // except where it says mu_.
  void loop();
  bool take_submitted();
  void start_ready();
  void start(SmtpJob* job, CURL* easy);
  CURL* idle_handle();
  CURL* new_handle() const;
  bool finish_done();
  void finish(CURL* easy, CURLcode outcome);
  void fail_waiting(const SmtpJob& like);
  void fail_everything();
  int poll_timeout_ms() const;

  const std::string url_;
  const std::string user_;
  const std::string password_;
  const bool tls_required_;
  const SmtpOptions options_;
  CURLM* const multi_;

  std::mutex mu_;
  std::vector<SmtpJob*> submitted_;  // guarded by mu_: handed in by run(), not yet seen
  bool stopping_ = false;            // guarded by mu_

  std::deque<SmtpJob*> waiting_;  // seen, not started
  std::vector<CURL*> idle_;       // easy handles not in a transfer; most recent last
  std::vector<CURL*> in_flight_;  // easy handles in the multi handle, in a transfer
  RateGate gate_;

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace sm::mail
