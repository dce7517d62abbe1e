#include "services/event_writer.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.hpp"
#include "store/multi_row_insert.hpp"

namespace sm::services {
namespace {

constexpr int kWriteAttempts = 3;
constexpr std::chrono::milliseconds kFirstRetryDelay{100};

std::string_view kind_name(TrackingKind k) { return k == TrackingKind::open ? "open" : "click"; }

// Values for tracking.insert_named_events and tracking.add_anonymous_events: the same eight
// columns, except that an anonymous row carries the hour instead of the time and the kind
// after the link.
std::vector<store::Value> named_row(const TrackingEvent& e) {
  const TrackingTarget& t = e.target;
  return {t.account_id,
          t.campaign_id,
          t.delivery_id,
          std::string(kind_name(t.kind)),
          t.link_index,
          e.at,
          std::int64_t{e.machine_agent ? 1 : 0},
          e.at - kScannerWindow};
}

std::vector<store::Value> anonymous_row(const TrackingEvent& e) {
  const TrackingTarget& t = e.target;
  return {t.account_id,
          t.campaign_id,
          t.delivery_id,
          t.link_index,
          std::string(kind_name(t.kind)),
          (e.at / kHour) * kHour,
          std::int64_t{e.machine_agent ? 1 : 0},
          e.at - kScannerWindow};
}

Status write_batch(App& app, const std::vector<TrackingEvent>& events) {
  std::vector<std::vector<store::Value>> named, anonymous;
  for (const auto& e : events) {
    if (e.anonymous) {
      anonymous.push_back(anonymous_row(e));
    } else {
      named.push_back(named_row(e));
    }
  }
  auto done = app.db->transact<bool>([&](store::Connection& c) -> Result<bool> {
    if (!named.empty()) SM_TRY(store::run_named_rows(c, "tracking.insert_named_events", named));
    if (!anonymous.empty()) {
      SM_TRY(store::run_named_rows(c, "tracking.add_anonymous_events", anonymous));
    }
    return true;
  });
  if (!done.ok()) return done.take_error();
  return {};
}

}  // namespace

struct EventWriter::State {
  State(App& a, Options o) : app(a), options(o) {}

  App& app;
  const Options options;

  mutable std::mutex mu;
  std::condition_variable wake;     // the writer: events queued, a flush asked for, or stop
  std::condition_variable written;  // flush(): a batch is done
  std::vector<TrackingEvent> queue;
  std::int64_t recorded_seq = 0;  // events accepted so far
  std::int64_t done_seq = 0;      // events written or given up on so far
  int flushes_waiting = 0;
  bool stopping = false;
  Counters counters;
  std::thread thread;

  void run();
  bool batch_due() const {
    return queue.size() >= options.max_batch || stopping || flushes_waiting > 0;
  }
  void write_with_retries(const std::vector<TrackingEvent>& batch);
};

void EventWriter::State::run() {
  std::unique_lock lock(mu);
  while (true) {
    wake.wait(lock, [this] { return !queue.empty() || stopping; });
    if (queue.empty() && stopping) break;
    // Give a batch the chance to fill: one commit for many events.
    wake.wait_for(lock, std::chrono::milliseconds(options.max_delay),
                  [this] { return batch_due(); });

    std::vector<TrackingEvent> batch;
    batch.swap(queue);
    std::int64_t taken_seq = recorded_seq;
    lock.unlock();
    for (std::size_t from = 0; from < batch.size(); from += options.max_batch) {
      std::size_t to = std::min(batch.size(), from + options.max_batch);
      write_with_retries({batch.begin() + static_cast<std::ptrdiff_t>(from),
                          batch.begin() + static_cast<std::ptrdiff_t>(to)});
    }
    lock.lock();
    done_seq = taken_seq;
    written.notify_all();
  }
}

void EventWriter::State::write_with_retries(const std::vector<TrackingEvent>& batch) {
  auto delay = kFirstRetryDelay;
  for (int attempt = 1; attempt <= kWriteAttempts; ++attempt) {
    Status s = write_batch(app, batch);
    if (s.ok()) {
      std::lock_guard lock(mu);
      counters.written += static_cast<std::int64_t>(batch.size());
      ++counters.batches;
      return;
    }
    if (log::allow("event-writer-failed", 1)) {
      log::error("tracking events not written attempt={} events={} detail={}", attempt,
                 batch.size(), s.error().detail);
    }
    if (attempt < kWriteAttempts) std::this_thread::sleep_for(delay);
    delay *= 4;
  }
  std::lock_guard lock(mu);
  counters.dropped += static_cast<std::int64_t>(batch.size());
}

EventWriter::EventWriter(App& app) : EventWriter(app, Options{}) {}

EventWriter::EventWriter(App& app, Options options)
    : state_(std::make_unique<State>(app, options)) {
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

EventWriter::~EventWriter() { stop(); }

bool EventWriter::record(const TrackingEvent& event) {
  std::unique_lock lock(state_->mu);
  if (state_->stopping || state_->queue.size() >= state_->options.max_queue) {
    ++state_->counters.dropped;
    lock.unlock();
    if (log::allow("event-writer-full", 1)) {
      log::warn("tracking event dropped: the writer's queue is full or stopped");
    }
    return false;
  }
  bool first = state_->queue.empty();
  state_->queue.push_back(event);
  ++state_->recorded_seq;
  ++state_->counters.recorded;
  bool full = state_->queue.size() >= state_->options.max_batch;
  lock.unlock();
  if (first || full) state_->wake.notify_one();
  return true;
}

void EventWriter::flush() {
  std::unique_lock lock(state_->mu);
  std::int64_t target = state_->recorded_seq;
  if (state_->done_seq >= target || !state_->thread.joinable()) return;
  ++state_->flushes_waiting;
  state_->wake.notify_one();
  state_->written.wait(lock, [&] { return state_->done_seq >= target; });
  --state_->flushes_waiting;
}

void EventWriter::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_one();
  if (state_->thread.joinable()) state_->thread.join();
}

EventWriter::Counters EventWriter::counters() const {
  std::lock_guard lock(state_->mu);
  return state_->counters;
}

}  // namespace sm::services
