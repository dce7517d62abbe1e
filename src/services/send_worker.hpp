// The sending engine: a worker that sends every campaign that is sending, in rounds.
//
// Each round it (1) judges the other registered workers and turns what dead ones held in
// flight into 'unknown' (services/send_workers.hpp), (2) starts scheduled campaigns whose
// time has come, and (3) for each campaign that is sending, claims one batch of due
// deliveries (services/delivery_claims.hpp), renders each from the campaign compiled once
// (kept while the campaign sends), hands the batch to the relay with Transport::send_batch,
// and records each answer: sent; 4xx queued again with a growing wait, a bounded number of
// times; 5xx failed; the relay refusing our credentials pauses the campaign with a sentence.
// A campaign with nothing left queued or in flight becomes 'sent'.
//
// Pause and cancel are seen at the next claim, since only 'sending' campaigns are claimed
// from; a batch in flight is finished and recorded. A campaign's rate_per_minute is shared
// between the live workers; the relay's own rate is the transport's (mail.smtp_rate).
//
// Several workers may run at once, in one process or many, on SQLite or PostgreSQL; they
// coordinate only through the database. Logs carry counts and ids, never addresses.
//
// Thread safety: run_round() and run() are for one thread at a time; stop() may be called
// from any thread (a signal watcher, say).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "services/app.hpp"
#include "services/delivery_claims.hpp"

namespace sm::services {

struct SendWorkerSettings {
  std::size_t batch_size = 100;
  RetryPolicy retry;
  Millis worker_timeout = 60 * kSecond;  // without a heartbeat for this long: dead
  std::chrono::milliseconds heartbeat_every{5000};
  std::chrono::milliseconds idle_wait{1000};  // between rounds that found nothing to send

  // The sending.* settings.
  static SendWorkerSettings from(const Config& config);
};

// What one round did.
struct RoundReport {
  std::int64_t campaigns = 0;  // campaigns that were sending when the round began
  std::int64_t started = 0;    // scheduled campaigns started
  std::int64_t finished = 0;   // campaigns that became 'sent'
  std::int64_t claimed = 0;    // deliveries claimed
  std::int64_t sent = 0;
  std::int64_t retried = 0;  // 4xx: queued again
  std::int64_t failed = 0;
  std::int64_t removed = 0;           // recipients who left before their message went
  std::int64_t unknown = 0;           // in flight at dead workers, now unknown
  std::chrono::milliseconds wait{0};  // when a rate held a campaign back: until it may go on
};

class SendWorker {
 public:
  SendWorker(App& app, SendWorkerSettings settings);
  // Stops (joining the thread of start()) and deregisters: anything still in flight under
  // this worker, a batch whose results could not be stored, becomes unknown.
  ~SendWorker();
  SendWorker(const SendWorker&) = delete;
  SendWorker& operator=(const SendWorker&) = delete;

  // The random id this worker claims under (deliveries.claimed_by).
  const std::string& id() const;

  // Registers the worker and starts its heartbeat; run() and start() call it. Idempotent.
  Status open();

  // One round (see above). REQUIRES: open() succeeded.
  Result<RoundReport> run_round();

  // Rounds until stop(), or with `until_idle` until no campaign is sending (scheduled ones
  // not yet due, paused and finished ones do not count); waits between idle rounds.
  // Registers first (retrying while the database cannot be reached).
  Status run(bool until_idle);

  // run(false) on a thread of its own.
  void start();

  // Asks run() to end after the batch in flight; joins the thread of start(). Safe to call
  // more than once and from any thread.
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sm::services
