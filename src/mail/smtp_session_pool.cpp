#include "mail/smtp_session_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <system_error>

#include "mail/smtp_transport.hpp"

namespace sm::mail {

// The jobs of one run() call still without an outcome. finish_one() notifies while it holds
// the lock, so run() cannot return (and free this) before the sending thread lets go of it.
struct SmtpCompletion {
  std::mutex mu;
  std::condition_variable all_done;
  std::size_t left = 0;  // guarded by mu

  void finish_one() {
    std::lock_guard lock(mu);
    if (--left == 0) all_done.notify_all();
  }

  void wait() {
    std::unique_lock lock(mu);
    all_done.wait(lock, [&] { return left == 0; });
  }
};

namespace {

using SteadyClock = std::chrono::steady_clock;

// With nothing to do the thread still wakes now and then; submissions wake it at once.
constexpr int kIdlePollMs = 1000;

size_t read_upload(char* buffer, size_t size, size_t count, void* source) {
  auto* rest = static_cast<std::string_view*>(source);
  const size_t n = std::min(size * count, rest->size());
  std::memcpy(buffer, rest->data(), n);
  rest->remove_prefix(n);
  return n;
}

// The relay was never reached: no greeting came, so nothing was said to it. A failure after
// the greeting (a reply, or a session that broke) says nothing about the next connection.
bool relay_unreachable(CURLcode outcome, long reply) {
  if (reply != 0) return false;
  return outcome == CURLE_COULDNT_CONNECT || outcome == CURLE_COULDNT_RESOLVE_HOST ||
         outcome == CURLE_OPERATION_TIMEDOUT;
}

void set_outcome(SmtpJob& job, CURLcode outcome, long reply, std::string_view text) {
  job.outcome = outcome;
  job.reply = reply;
  const std::size_t n = std::min(text.size(), sizeof job.error_text - 1);
  std::memcpy(job.error_text, text.data(), n);
  job.error_text[n] = '\0';
}

}  // namespace

Result<std::unique_ptr<SmtpSessionPool>> SmtpSessionPool::start(const SmtpEndpoint& endpoint,
                                                                const SmtpOptions& options) {
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return make_error(Errc::internal, "Out of memory.", "curl_multi_init");

  // No more sessions than the pool's size, and every one of them kept for the next message.
  const long sessions = static_cast<long>(options.max_connections);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, sessions);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, sessions);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, sessions);
  try {
    return std::unique_ptr<SmtpSessionPool>(new SmtpSessionPool(endpoint, options, multi));
  } catch (const std::system_error& e) {
    curl_multi_cleanup(multi);
    return make_error(Errc::internal, "The mail sending thread could not be started.", e.what());
  }
}

SmtpSessionPool::SmtpSessionPool(const SmtpEndpoint& endpoint, const SmtpOptions& options,
                                 CURLM* multi)
    : url_(endpoint.url),
      user_(endpoint.user),
      password_(endpoint.password),
      tls_required_(options.require_tls || endpoint.implicit_tls),
      options_(options),
      multi_(multi),
      gate_(options.messages_per_second) {
  thread_ = std::thread([this] { loop(); });
}

SmtpSessionPool::~SmtpSessionPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
  curl_multi_cleanup(multi_);
}

void SmtpSessionPool::run(std::span<SmtpJob> jobs) {
  if (jobs.empty()) return;
  SmtpCompletion completion;
  completion.left = jobs.size();
  {
    std::lock_guard lock(mu_);
    for (SmtpJob& job : jobs) {
      job.completion = &completion;
      submitted_.push_back(&job);
    }
  }
  curl_multi_wakeup(multi_);
  completion.wait();
}

void SmtpSessionPool::loop() {
  while (take_submitted()) {
    start_ready();
    int running = 0;
    curl_multi_perform(multi_, &running);

    // A finished transfer frees a session for a waiting message: start it without sleeping.
    if (finish_done()) continue;
    curl_multi_poll(multi_, nullptr, 0, poll_timeout_ms(), nullptr);
  }
  fail_everything();
}

// Moves what run() handed in to the waiting line; false once the pool is stopping.
bool SmtpSessionPool::take_submitted() {
  std::lock_guard lock(mu_);
  waiting_.insert(waiting_.end(), submitted_.begin(), submitted_.end());
  submitted_.clear();
  return !stopping_;
}

void SmtpSessionPool::start_ready() {
  while (!waiting_.empty() && in_flight_.size() < options_.max_connections &&
         gate_.try_take(SteadyClock::now())) {
    SmtpJob* job = waiting_.front();
    waiting_.pop_front();
    CURL* easy = idle_handle();
    if (easy == nullptr) {
      set_outcome(*job, CURLE_OUT_OF_MEMORY, 0, "curl_easy_init failed");
      job->completion->finish_one();
      continue;
    }
    start(job, easy);
  }
}

// The per-message options; the handle must not keep them once the message is done (finish).
void SmtpSessionPool::start(SmtpJob* job, CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, job->mail_from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->recipients);
  curl_easy_setopt(easy, CURLOPT_READDATA, &job->unread);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, job->size);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->error_text);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    finish(easy, CURLE_OUT_OF_MEMORY);
    return;
  }
  in_flight_.push_back(easy);
}

CURL* SmtpSessionPool::idle_handle() {
  if (!idle_.empty()) {
    CURL* easy = idle_.back();
    idle_.pop_back();
    return easy;
  }
  return new_handle();
}

// The settings that stay the same for every message; libcurl copies the strings.
CURL* SmtpSessionPool::new_handle() const {
  CURL* h = curl_easy_init();
  if (h == nullptr) return nullptr;
  curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
  if (!user_.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, user_.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  }
  // Signals cannot be used for timeouts in a threaded process.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.transfer_timeout_ms);
  curl_easy_setopt(
      h, CURLOPT_USE_SSL,
      tls_required_ ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  return h;
}

// Hands every finished transfer's outcome to its caller; true when there was one.
bool SmtpSessionPool::finish_done() {
  bool any = false;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode outcome = msg->data.result;  // msg is gone once the handle is removed
    curl_multi_remove_handle(multi_, easy);
    std::erase(in_flight_, easy);
    finish(easy, outcome);
    any = true;
  }
  return any;
}

void SmtpSessionPool::finish(CURL* easy, CURLcode outcome) {
  SmtpJob* job = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &job);
  long reply = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply);

  // The handle is reused for other messages; it must not point into this one.
  curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(easy, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  idle_.push_back(easy);

  job->outcome = outcome;
  job->reply = reply;
  if (relay_unreachable(outcome, reply)) fail_waiting(*job);
  job->completion->finish_one();  // last: the caller may free the job from here on
}

// Every message not yet started fails as `like` did, with a note that it was not tried.
void SmtpSessionPool::fail_waiting(const SmtpJob& like) {
  const std::string text = std::string(like.error_text) + " (not tried: relay unreachable)";
  for (SmtpJob* job : waiting_) {
    set_outcome(*job, like.outcome, 0, text);
    job->completion->finish_one();
  }
  waiting_.clear();
}

// Stopping with messages in flight breaks the REQUIRES of the destructor; still, no caller
// is left waiting for ever.
void SmtpSessionPool::fail_everything() {
  take_submitted();
  for (CURL* easy : in_flight_) {
    curl_multi_remove_handle(multi_, easy);
    finish(easy, CURLE_ABORTED_BY_CALLBACK);
  }
  in_flight_.clear();
  for (SmtpJob* job : waiting_) {
    set_outcome(*job, CURLE_ABORTED_BY_CALLBACK, 0, "the transport was closed");
    job->completion->finish_one();
  }
  waiting_.clear();
}

int SmtpSessionPool::poll_timeout_ms() const {
  if (waiting_.empty() || in_flight_.size() >= options_.max_connections || !gate_.limited()) {
    return kIdlePollMs;
  }
  const auto wait = gate_.next_start() - SteadyClock::now();
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, kIdlePollMs));
}

}  // namespace sm::mail
