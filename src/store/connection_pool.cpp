#include "store/connection_pool.hpp"

#include <utility>

#include "store/database_error.hpp"

namespace sm::store {

PooledDatabase::PooledDatabase(Engine engine, int pool_size, Opener opener)
    : engine_(engine), pool_size_(pool_size < 1 ? 1 : pool_size), opener_(std::move(opener)) {}

Status PooledDatabase::open_first() {
  auto lease = acquire();
  if (!lease.ok()) return lease.take_error();
  return {};
}

Result<Lease> PooledDatabase::acquire() {
  std::unique_lock lock(mu_);
  bool ready =
      freed_.wait_for(lock, kAcquireTimeout, [&] { return !idle_.empty() || open_ < pool_size_; });
  if (!ready) return unavailable_error("connection pool: no connection free within timeout");

  if (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }

  // Opening can take a network round trip, so the slot is claimed and the lock dropped.
  ++open_;
  lock.unlock();
  auto opened = opener_();
  if (!opened.ok()) {
    lock.lock();
    --open_;
    freed_.notify_one();
    return opened.take_error();
  }
  return Lease(this, std::unique_ptr<Connection>(std::move(*opened)));
}

void PooledDatabase::release(std::unique_ptr<Connection> conn) {
  // Every connection in this pool came from opener_, so the downcast is safe.
  std::unique_ptr<PooledConnection> pooled(static_cast<PooledConnection*>(conn.release()));
  pooled->reset();
  bool keep = pooled->reusable();
  if (!keep) pooled.reset();  // closed outside the lock

  std::lock_guard lock(mu_);
  if (keep) {
    idle_.push_back(std::move(pooled));
  } else {
    --open_;
  }
  freed_.notify_one();
}

}  // namespace sm::store
