// The HTTP/1.1 server: accepts connections, parses requests, runs the Router's handlers and
// writes their responses. Every response carries the security headers of
// security_headers.hpp; every request is counted in Metrics and logged by route pattern
// (never path, query or IP).
//
// One event loop does all socket I/O; handlers run on a pool of worker threads, because they
// may block on SQL, and their response is handed back to the loop. Limits: header size (431),
// the matched route's body size (413), a deadline for the whole request, an idle timeout for
// kept-alive connections, and a cap on open connections.
//
// Thread safety: start(), run() and run_until_signal() are called from one thread; stop() may
// be called from any thread, any number of times. The Router and Metrics must outlive the
// Server, and the Router must not change once start() was called.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace sm::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port, see Server::port()
  std::size_t max_header_bytes = 16 * 1024;
  // From a request's first byte to its last: a client that trickles bytes is cut off here.
  std::chrono::milliseconds request_timeout{15000};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{30000};
  std::size_t max_connections = 10000;  // sockets accepted past this are closed at once
  int worker_threads = 8;
  int io_threads = 1;
  bool hsts = false;  // send Strict-Transport-Security; only behind TLS
  // How long stop() lets requests in flight finish before closing their connections.
  std::chrono::milliseconds drain_timeout{10000};
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with Errc::unavailable, saying which address, when the address
  // is in use or cannot be bound.
  Status start();
  // The port actually bound; REQUIRES: start() succeeded.
  std::uint16_t port() const;
  // Serves until stop(); returns once the requests in flight have been answered (or
  // drain_timeout passed). REQUIRES: start() succeeded.
  void run();
  // As run(), and SIGINT or SIGTERM call stop().
  void run_until_signal();
  // Stops accepting, closes idle connections, and lets run() return when the rest finish.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sm::http
