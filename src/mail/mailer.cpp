#include "mail/mailer.hpp"

#include "mail/mime.hpp"

namespace sm::mail {

Mailer::Mailer(std::unique_ptr<Transport> transport, Mailbox default_from, const Clock& clock)
    : transport_(std::move(transport)), default_from_(std::move(default_from)), clock_(clock) {}

Status Mailer::send(Message message) const {
  auto sent = send_keeping_copy(std::move(message));
  if (!sent.ok()) return sent.take_error();
  return {};
}

Result<std::string> Mailer::send_keeping_copy(Message message) const {
  if (message.from.address.empty()) message.from = default_from_;
  auto mime = render(message, clock_.now_ms());
  if (!mime) return mime.take_error();

  Envelope envelope{message.from.address, {}};
  envelope.recipients.reserve(message.to.size());
  for (const Mailbox& to : message.to) envelope.recipients.push_back(to.address);
  if (auto s = transport_->send(envelope, *mime); !s.ok()) return s.take_error();
  return std::move(*mime);
}

}  // namespace sm::mail
