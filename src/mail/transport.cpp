#include "mail/transport.hpp"

#include "core/clock.hpp"
#include "mail/outbox_transport.hpp"
#include "mail/smtp_transport.hpp"

namespace sm::mail {

std::vector<Status> Transport::send_batch(std::span<const Outgoing> batch) {
  std::vector<Status> results;
  results.reserve(batch.size());
  for (const Outgoing& message : batch) results.push_back(send(*message.envelope, message.mime));
  return results;
}

Result<std::unique_ptr<Transport>> make_transport(std::string smtp_url_or_empty,
                                                  std::string outbox_dir,
                                                  SmtpOptions smtp_options) {
  if (smtp_url_or_empty.empty()) {
    if (outbox_dir.empty()) {
      return make_error(Errc::invalid_input,
                        "mail.outbox_dir must be set when mail.smtp_url is empty.");
    }
    // The outbox only uses the clock to name files; the real time is what an operator expects.
    static const SystemClock clock;
    return std::unique_ptr<Transport>(std::make_unique<OutboxTransport>(outbox_dir, clock));
  }
  auto smtp = SmtpTransport::create(smtp_url_or_empty, smtp_options);
  if (!smtp) return smtp.take_error();
  return std::unique_ptr<Transport>(std::move(*smtp));
}

}  // namespace sm::mail
