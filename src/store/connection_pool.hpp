// The pool both backends share: at most pool_size connections, opened on demand, handed out
// one at a time and cleaned before the next borrower gets them.
//
// Thread safety: PooledDatabase is shared by all threads; its state is guarded by one mutex.
// REQUIRES: every Lease is gone before the PooledDatabase is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/database.hpp"

namespace sm::store {

// A backend connection the pool can check and tidy between borrowers.
class PooledConnection : public Connection {
 public:
  // False once the link to the server is lost; the pool then closes it instead of reusing it.
  virtual bool reusable() const = 0;
  // Rolls back a transaction a borrower left open (for example after an early return).
  virtual void reset() = 0;
};

class PooledDatabase : public Database {
 public:
  using Opener = std::function<Result<std::unique_ptr<PooledConnection>>()>;

  // How long acquire() waits for a busy pool before reporting Errc::unavailable.
  static constexpr std::chrono::seconds kAcquireTimeout{30};

  PooledDatabase(Engine engine, int pool_size, Opener opener);
  ~PooledDatabase() override = default;

  Engine engine() const override { return engine_; }
  Result<Lease> acquire() override;

  // Opens the first connection now, so a wrong URL or a down server shows at start-up.
  Status open_first();

 protected:
  void release(std::unique_ptr<Connection> conn) override;

 private:
  const Engine engine_;
  const int pool_size_;
  const Opener opener_;

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // guarded by mu_; idle + leased
};

}  // namespace sm::store
