// Runs uploaded CSV imports in the background, one at a time, so that the upload request
// answers at once and the import page can show progress. An upload is saved as a file under
// <data_dir>/imports/ first (the body is not kept in memory while it imports) and removed when
// its import ends.
//
// Thread-safe: enqueue() may be called from any thread. stop() (also run by the destructor)
// asks a running import to stop at its next batch, marks queued ones failed, and joins.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "services/app.hpp"

namespace sm::services {

class ImportWorker {
 public:
  explicit ImportWorker(App& app);
  ~ImportWorker();
  ImportWorker(const ImportWorker&) = delete;
  ImportWorker& operator=(const ImportWorker&) = delete;

  // Saves `csv` under <data_dir>/imports/ and queues it for the import `import_id` (made by
  // start_import). unavailable when the file cannot be written or the worker has stopped.
  Status enqueue(std::int64_t account_id, std::int64_t import_id, std::string_view csv);

  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sm::services
