#include "services/portal_mail.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "services/notification.hpp"

namespace sm::services {

struct PendingEmail {
  std::string template_name;
  std::string to;
  TemplateValue data;
};

struct PortalMailQueue::State {
  App& app;
  std::mutex mu;
  std::condition_variable wake;  // the sender: work arrived or stopping
  std::condition_variable idle;  // drain(): the sender finished an email
  std::deque<PendingEmail> queue;
  std::uint64_t queued = 0;  // emails ever queued
  std::uint64_t sent = 0;    // emails ever handed to the mailer (or failed)
  bool stopping = false;
  bool joined = false;  // the sender has ended
  std::thread thread;

  explicit State(App& a) : app(a) {}

  void run() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and everything queued was sent
      PendingEmail next = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      // send_service_email logs its own failures; the person asks again if nothing comes.
      (void)send_service_email(app, next.template_name, next.to, std::move(next.data));
      lock.lock();
      ++sent;
      idle.notify_all();
    }
  }
};

PortalMailQueue::PortalMailQueue(App& app) : state_(std::make_unique<State>(app)) {
  State* s = state_.get();
  s->thread = std::thread([s] { s->run(); });
}

PortalMailQueue::~PortalMailQueue() { stop(); }

void PortalMailQueue::enqueue(std::string template_name, std::string to, TemplateValue data) {
  {
    std::lock_guard lock(state_->mu);
    if (state_->stopping || state_->queue.size() >= kPortalMailQueueLimit) {
      if (log::allow("portal.mail.dropped", 6)) {
        log::warn("portal email dropped template={} queued={}", template_name,
                  state_->queue.size());
      }
      return;
    }
    state_->queue.push_back({std::move(template_name), std::move(to), std::move(data)});
    ++state_->queued;
  }
  state_->wake.notify_one();
}

void PortalMailQueue::drain() {
  std::unique_lock lock(state_->mu);
  std::uint64_t target = state_->queued;
  state_->idle.wait(lock, [&] { return state_->sent >= target || state_->joined; });
}

void PortalMailQueue::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  {
    std::lock_guard lock(state_->mu);
    state_->joined = true;
  }
  state_->idle.notify_all();
}

void send_portal_email(App& app, std::string template_name, std::string to, TemplateValue data) {
  if (app.portal_mail) {
    app.portal_mail->enqueue(std::move(template_name), std::move(to), std::move(data));
    return;
  }
  (void)send_service_email(app, template_name, to, std::move(data));
}

}  // namespace sm::services
