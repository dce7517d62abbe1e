// Sends portal link emails off the request path. A request for a link must answer in the same
// time whether or not the address is held; handing the email to a relay takes long and varies,
// so the request only queues it and one background thread sends it.
//
// The queue is bounded: past kPortalMailQueueLimit waiting emails a new one is dropped (and
// logged, without the address), so a flood of requests cannot grow memory.
//
// Thread-safe: enqueue() and drain() may be called from any thread. stop() (also run by the
// destructor) sends what is queued, then joins the thread; later enqueues are dropped.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/template.hpp"
#include "services/app.hpp"

namespace sm::services {

constexpr std::size_t kPortalMailQueueLimit = 1000;

class PortalMailQueue {
 public:
  // `app` (its mailer and settings) must outlive the queue.
  explicit PortalMailQueue(App& app);
  ~PortalMailQueue();
  PortalMailQueue(const PortalMailQueue&) = delete;
  PortalMailQueue& operator=(const PortalMailQueue&) = delete;

  // Queues the service email templates/emails/<template_name>.mustache to `to`.
  void enqueue(std::string template_name, std::string to, TemplateValue data);

  // Waits until every email queued before the call has been handed to the mailer.
  void drain();

  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Sends through app.portal_mail when the App has one (serve), at once otherwise (CLI, tests
// that call the services directly).
void send_portal_email(App& app, std::string template_name, std::string to, TemplateValue data);

}  // namespace sm::services
