#include "services/import_worker.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "services/csv_import.hpp"

namespace sm::services {
namespace {

struct Job {
  std::int64_t account_id = 0;
  std::int64_t import_id = 0;
  std::filesystem::path file;
};

constexpr std::string_view kStoppedSentence =
    "The service stopped before this import could start. Import the file again.";

}  // namespace

struct ImportWorker::State {
  App& app;
  std::mutex mu;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::atomic<bool> stopping{false};
  std::thread thread;

  explicit State(App& a) : app(a) {}

  void run_one(const Job& job) {
    std::ifstream in(job.file, std::ios::binary);
    auto report =
        run_import(app, job.account_id, job.import_id, in, {}, [this] { return stopping.load(); });
    if (!report.ok() && report.error().code != Errc::invalid_input) {
      log::warn("import failed import_id={} detail={}", job.import_id, report.error().detail);
    }
    std::error_code ec;
    std::filesystem::remove(job.file, ec);
  }

  void loop() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu);
        wake.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) return;
        job = std::move(queue.front());
        queue.pop_front();
      }
      run_one(job);
    }
  }
};

ImportWorker::ImportWorker(App& app) : state_(std::make_unique<State>(app)) {
  state_->thread = std::thread([s = state_.get()] { s->loop(); });
}

ImportWorker::~ImportWorker() { stop(); }

Status ImportWorker::enqueue(std::int64_t account_id, std::int64_t import_id,
                             std::string_view csv) {
  Error unavailable = make_error(Errc::unavailable,
                                 "The upload could not be stored for importing; try again in a "
                                 "minute, or ask the operator to check the data directory.");
  if (state_->stopping) return unavailable;
  std::filesystem::path dir = std::filesystem::path(state_->app.config.data_dir) / "imports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // A random name: two uploads never collide and the name says nothing about the account.
  std::filesystem::path file = dir / (crypto::hex_encode(crypto::random_bytes(16)) + ".csv");
  {
    std::ofstream out(file, std::ios::binary);
    out.write(csv.data(), static_cast<std::streamsize>(csv.size()));
    if (!out.good()) {
      unavailable.detail = "import upload: cannot write under " + dir.string();
      return unavailable;
    }
  }
  std::lock_guard lock(state_->mu);
  state_->queue.push_back({account_id, import_id, file});
  state_->wake.notify_one();
  return {};
}

void ImportWorker::stop() {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping && !state_->thread.joinable()) return;
    state_->stopping = true;
    state_->wake.notify_all();
  }
  if (state_->thread.joinable()) state_->thread.join();
  std::deque<Job> left;
  {
    std::lock_guard lock(state_->mu);
    left.swap(state_->queue);
  }
  for (const auto& job : left) {
    std::error_code ec;
    std::filesystem::remove(job.file, ec);
    (void)mark_import_failed(state_->app, job.account_id, job.import_id,
                             std::string(kStoppedSentence));
  }
}

}  // namespace sm::services
