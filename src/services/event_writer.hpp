// The single writer of tracking events. The open pixel and the click redirect hand their
// event to record(), which only appends it to a queue in memory and returns; one thread takes
// whatever has queued up and writes it in one transaction (group commit: one commit, one
// fsync, for up to max_batch events), so the endpoints answer without waiting for the
// database and the database sees a few large writes instead of one per request.
//
// Rows are written with multi-row INSERT statements (store/multi_row_insert.hpp) on both
// engines; the statements keep only events whose delivery, campaign and account match and
// whose kind of tracking is still turned on, so a token of a campaign whose tracking was
// turned off later records nothing.
//
// What a crash can lose: the events recorded but not yet committed. A batch is taken when
// max_batch events have queued or max_delay has passed since the first of them, so normally
// that is at most max_delay (200 ms) of events plus the batch being written; when the
// database falls behind, up to max_queue events wait in memory, and past that new events
// are dropped (counted, and logged at most once a minute). A write that fails is retried
// three times, then its events are dropped and counted. stop() and the destructor write
// everything still queued.
//
// Thread-safe: record(), flush() and counters() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "services/app.hpp"
#include "services/tracking_event.hpp"

namespace sm::services {

class EventWriter {
 public:
  struct Options {
    std::size_t max_batch = 2000;
    Millis max_delay = 200;
    std::size_t max_queue = 200000;
  };

  struct Counters {
    std::int64_t recorded = 0;  // accepted by record()
    std::int64_t written = 0;   // in batches that committed (rows may be fewer: see above)
    std::int64_t dropped = 0;   // refused because the queue was full, or lost to failed writes
    std::int64_t batches = 0;   // transactions committed
  };

  // Starts the writer thread. REQUIRES: `app` outlives the writer.
  explicit EventWriter(App& app);
  EventWriter(App& app, Options options);
  ~EventWriter();  // stop()
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  // Queues the event; never waits for the database. False when the queue is full and the
  // event was dropped.
  bool record(const TrackingEvent& event);

  // Waits until every event recorded before the call has been written (or given up on).
  void flush();

  // Writes what is queued and stops the thread; record() refuses events afterwards.
  void stop();

  Counters counters() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sm::services
