// The only translation unit that includes Boost.Asio and Boost.Beast (each costs ~25 s to
// compile); everything that can be tested without sockets lives in the other files.
#include <utility>  // before Asio: g++ 12 needs it for std::exchange in Asio's headers

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/log.hpp"
#include "http/security_headers.hpp"
#include "http/server.hpp"
#include "http/target.hpp"

namespace sm::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error answer the client may still be sending; reading what it sends for a moment
// before closing keeps the kernel from resetting the connection and losing our answer.
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerBytes = 256 * 1024;
constexpr std::size_t kDiscardChunk = 4096;
constexpr auto kDrainPoll = std::chrono::milliseconds(20);

std::string to_std(beast::string_view s) { return std::string(s.data(), s.size()); }

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A handler's header that would split the response (CR, LF) or is not a valid name is a bug;
// the response is replaced by a 500 rather than sent.
bool valid_header(const std::pair<std::string, std::string>& h) {
  bool name_ok = !h.first.empty() && std::all_of(h.first.begin(), h.first.end(), is_token_char);
  bool value_ok = h.second.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
  return name_ok && value_ok;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (Method m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
  }
  return out;
}

Response invoke(const Handler& handler, Request& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    sm::log::error("http handler failed route={} error={}", req.route, e.what());
  } catch (...) {
    sm::log::error("http handler failed route={} error=unknown exception", req.route);
  }
  return Response::status_text(500);
}

class Session;

// What the acceptor and every session share; owned by Server::Impl. Members are declared in
// destruction order's reverse on purpose: the worker pool goes first (it posts into the event
// loop), then the loop (its pending handlers own sessions), then the session registry.
struct Core {
  Core(ServerOptions o, const Router& r, Metrics& m)
      : options(std::move(o)),
        router(r),
        metrics(m),
        open_connections(m.gauge("http_open_connections", "Client connections open now.")),
        queue_depth(m.gauge("http_worker_queue_depth", "Requests waiting for a worker.")),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))) {}

  void accept();
  void begin_drain();
  void check_drain();

  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  Gauge& open_connections;
  Gauge& queue_depth;

  std::mutex mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_count{0};
  std::uint16_t bound_port = 0;
  SteadyClock::time_point drain_deadline;

  asio::io_context ioc;
  // The acceptor, timers and signals share one strand so stop() never races an accept.
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(ioc)};
  tcp::acceptor acceptor{control};
  asio::steady_timer accept_retry{control};
  asio::steady_timer drain_timer{control};
  std::optional<asio::signal_set> signals;
  asio::thread_pool workers;
};

// One client connection, from accept to close. All members are touched on the connection's
// strand, except request_, which the worker thread owns while the handler runs.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& core, tcp::socket socket);
  ~Session();

  void start();
  // Posted by Server::stop(): an idle connection closes now, a busy one after its answer.
  void on_stop();
  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { idle, reading, handling, writing };

  void wait_for_request();
  void begin_request();
  void on_header(const beast::error_code& ec);
  bool build_request();
  void prepare_body();
  void read_body();
  void on_body(const beast::error_code& ec);
  void dispatch();
  void reject(int status);
  void respond(Response response, bool keep_alive);
  void on_write(const beast::error_code& ec, bool keep_alive);
  void linger_close();
  void discard_input();
  void close();
  void log_request(int status);

  Core& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::string remote_ip_;
  State state_ = State::idle;
  bool first_request_ = true;
  bool close_after_ = false;
  unsigned version_ = 11;
  SteadyClock::time_point started_;
  Request request_;
  Router::Match match_;
  std::size_t lingered_ = 0;
  std::unique_ptr<char[]> discard_;  // only while lingering: most connections never do
};

Session::Session(Core& core, tcp::socket socket) : core_(core), stream_(std::move(socket)) {
  beast::error_code ec;
  tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    asio::ip::address address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    remote_ip_ = address.to_string();
  }
  core_.open_count.fetch_add(1);
  core_.open_connections.add(1);
}

Session::~Session() {
  core_.open_count.fetch_sub(1);
  core_.open_connections.add(-1);
  std::lock_guard lock(core_.mu);
  core_.sessions.erase(this);
}

void Session::start() {
  {
    std::lock_guard lock(core_.mu);
    if (core_.stopping) return;  // accepted just as stop() began: drop it
    core_.sessions.emplace(this, weak_from_this());
  }
  // A new connection gets no idle allowance: its first request must be complete within the
  // request deadline counted from accept, which is what closes sockets that send nothing.
  stream_.expires_after(core_.options.request_timeout);
  wait_for_request();
}

void Session::on_stop() {
  if (state_ == State::idle) {
    close();
  } else {
    close_after_ = true;
  }
}

void Session::wait_for_request() {
  state_ = State::idle;
  if (core_.stopping) return close();
  if (buffer_.size() > 0) return begin_request();  // pipelined request already here

  if (!first_request_) stream_.expires_after(core_.options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->buffer_.commit(n);
                            self->begin_request();
                          });
}

void Session::begin_request() {
  state_ = State::reading;
  started_ = SteadyClock::now();
  request_ = Request{};
  request_.method = Method::other;  // until the request line is parsed, for the access log
  match_ = Router::Match{};
  body_parser_.reset();
  header_parser_.emplace();
  header_parser_->header_limit(static_cast<std::uint32_t>(core_.options.max_header_bytes));

  // One deadline for header and body together, so trickling bytes cannot extend it. The
  // first request's deadline already runs from accept.
  if (!first_request_) stream_.expires_after(core_.options.request_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *header_parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return reject(431);
  }
  if (is_parse_error(ec)) return reject(400);
  if (ec) return close();  // timeout, reset, or the client closed between requests
  first_request_ = false;

  if (!build_request()) return reject(400);
  match_ = core_.router.match(request_);
  if (!match_.handler) return reject(match_.method_not_allowed ? 405 : 404);
  prepare_body();
}

bool Session::build_request() {
  const auto& header = header_parser_->get();
  version_ = header.version();
  request_.method = method_from_name(to_std(header.method_string()));
  request_.target = to_std(header.target());
  for (const auto& field : header) {
    request_.headers.add(to_std(field.name_string()), to_std(field.value()));
  }
  request_.remote_ip = remote_ip_;
  return parse_target(request_).ok();
}

void Session::prepare_body() {
  std::size_t limit = match_.options->max_body_bytes;
  auto length = header_parser_->content_length();     // boost::optional
  if (length && *length > limit) return reject(413);  // refuse before reading a byte of it

  body_parser_.emplace(std::move(*header_parser_));
  body_parser_->body_limit(limit);
  if (body_parser_->is_done()) return dispatch();

  bool expects_continue = beast::iequals(body_parser_->get()[bhttp::field::expect], "100-continue");
  if (!expects_continue) return read_body();
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->close();
                      self->read_body();
                    });
}

void Session::read_body() {
  bhttp::async_read(
      stream_, buffer_, *body_parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return reject(413);  // chunked, so no length up front
  if (is_parse_error(ec)) return reject(400);
  if (ec) return close();
  dispatch();
}

void Session::dispatch() {
  bool keep_alive = body_parser_->get().keep_alive();
  request_.body = std::move(body_parser_->get().body());
  const Handler& handler = *match_.handler;
  if (match_.options->run_inline) return respond(invoke(handler, request_), keep_alive);

  // Nothing is read while the handler runs; the write gets its own deadline afterwards.
  state_ = State::handling;
  stream_.expires_never();
  core_.queue_depth.add(1);
  asio::post(core_.workers, [self = shared_from_this(), &handler, keep_alive,
                             work = asio::make_work_guard(core_.ioc)]() {
    self->core_.queue_depth.add(-1);
    Response response = invoke(handler, self->request_);
    asio::post(self->executor(), [self, keep_alive, response = std::move(response)]() mutable {
      self->respond(std::move(response), keep_alive);
    });
  });
}

// Answers without a handler. The connection closes unless the request is known to have no
// body left unread (a 404 or 405 for a GET).
void Session::reject(int status) {
  Response response = Response::status_text(status);
  if (status == 405) response.headers.set("Allow", allow_header(match_.allowed));
  bool keep_alive = (status == 404 || status == 405) && header_parser_->is_done() &&
                    header_parser_->get().keep_alive();
  respond(std::move(response), keep_alive);
}

void Session::respond(Response response, bool keep_alive) {
  if (!std::all_of(response.headers.all().begin(), response.headers.all().end(), valid_header)) {
    sm::log::error("http invalid response header route={}", request_.route);
    response = Response::status_text(500);
  }
  add_security_headers(response.headers, core_.options.hsts);
  log_request(response.status);

  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(version_);
  res->result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.all()) res->insert(name, value);
  if (request_.method == Method::head) {
    res->content_length(response.body.size());  // what a GET would send, without the body
  } else {
    res->body() = std::move(response.body);
    res->prepare_payload();
  }
  keep_alive = keep_alive && !close_after_ && !core_.stopping;
  res->keep_alive(keep_alive);

  state_ = State::writing;
  stream_.expires_after(core_.options.request_timeout);
  bhttp::async_write(stream_, *res,
                     [self = shared_from_this(), res, keep_alive](
                         beast::error_code ec, std::size_t) { self->on_write(ec, keep_alive); });
}

void Session::on_write(const beast::error_code& ec, bool keep_alive) {
  if (ec) return close();
  if (!keep_alive || close_after_ || core_.stopping) return linger_close();
  wait_for_request();
}

void Session::linger_close() {
  state_ = State::writing;  // not idle: stop() must not cut the lingering short
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  discard_ = std::make_unique<char[]>(kDiscardChunk);
  discard_input();
}

void Session::discard_input() {
  stream_.async_read_some(asio::buffer(discard_.get(), kDiscardChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->lingered_ += n;
                            if (ec || self->lingered_ > kLingerBytes) return self->close();
                            self->discard_input();
                          });
}

void Session::close() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
}

// The access log names the route pattern only: paths carry tokens, and IPs are personal.
void Session::log_request(int status) {
  auto elapsed = SteadyClock::now() - started_;
  core_.metrics.observe_request(request_.method, match_.pattern, status, elapsed);
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::string_view route = match_.pattern.empty() ? "-" : std::string_view(match_.pattern);
  sm::log::info("http method={} route={} status={} ms={:.1f}", method_name(request_.method), route,
                status, ms);
}

void Core::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (ec) {
      // Out of file descriptors, typically: retry shortly instead of spinning.
      if (sm::log::allow("http.accept", 6)) sm::log::warn("http accept failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](beast::error_code e) {
        if (!e) accept();
      });
      return;
    }
    if (open_count.load() >= options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(*this, std::move(socket))->start();
    }
    accept();
  });
}

void Core::begin_drain() {
  beast::error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  if (signals) signals->cancel(ignored);

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu);
    for (auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) asio::post(s->executor(), [s] { s->on_stop(); });
  drain_deadline = SteadyClock::now() + options.drain_timeout;
  check_drain();
}

// Polls rather than being woken by the last session, because sessions may end on any thread,
// even inside the event loop's destructor.
void Core::check_drain() {
  {
    std::lock_guard lock(mu);
    if (sessions.empty()) return;
  }
  if (SteadyClock::now() >= drain_deadline) {
    sm::log::warn("http stop: requests still running after the drain timeout; closing");
    ioc.stop();
    return;
  }
  drain_timer.expires_after(kDrainPoll);
  drain_timer.async_wait([this](beast::error_code ec) {
    if (!ec) check_drain();
  });
}

}  // namespace

class Server::Impl : public Core {
 public:
  using Core::Core;
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() = default;

Status Server::start() {
  Core& c = *impl_;
  std::string where = c.options.host + ":" + std::to_string(c.options.port);
  auto fail = [&](const beast::error_code& ec) -> Status {
    return make_error(Errc::unavailable,
                      "Cannot listen on " + where + ": " + ec.message() +
                          ". Is another server using this address?",
                      ec.message());
  };

  beast::error_code ec;
  tcp::resolver resolver(c.ioc);
  auto endpoints = resolver.resolve(c.options.host, std::to_string(c.options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) return fail(ec);
  tcp::endpoint endpoint = endpoints.begin()->endpoint();

  if (c.acceptor.open(endpoint.protocol(), ec)) return fail(ec);
  if (c.acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail(ec);
  if (c.acceptor.bind(endpoint, ec)) return fail(ec);
  if (c.acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail(ec);
  c.bound_port = c.acceptor.local_endpoint().port();
  sm::log::info("http listening host={} port={}", c.options.host, c.bound_port);
  c.accept();
  return {};
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::run() {
  Core& c = *impl_;
  std::vector<std::thread> extra;
  for (int i = 1; i < c.options.io_threads; ++i) extra.emplace_back([&c] { c.ioc.run(); });
  c.ioc.run();
  for (auto& t : extra) t.join();
}

void Server::run_until_signal() {
  Core& c = *impl_;
  c.signals.emplace(c.control, SIGINT, SIGTERM);
  c.signals->async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
  run();
}

void Server::stop() {
  Core& c = *impl_;
  if (c.stopping.exchange(true)) return;
  asio::post(c.control, [&c] { c.begin_drain(); });
}

}  // namespace sm::http
