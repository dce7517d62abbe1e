// The front door for sending one email: fills in the sender, renders MIME, and hands the result
// to the Transport with an envelope taken from the headers (From address as the reverse-path,
// the To addresses as recipients).
//
// Thread-safe: a Mailer keeps no mutable state, and Transports may be shared between threads.
#pragma once

#include <memory>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "mail/message.hpp"
#include "mail/transport.hpp"

namespace sm::mail {

class Mailer {
 public:
  // `clock` dates the messages and must outlive the Mailer.
  Mailer(std::unique_ptr<Transport> transport, Mailbox default_from, const Clock& clock);

  // Sends `message`, with `default_from` as its From when message.from.address is empty.
  // Errors are render()'s (Errc::invalid_input) and the Transport's.
  Status send(Message message) const;
  // The same, returning the MIME text exactly as handed to the Transport (for records that
  // must keep a copy of what was sent, such as the consent record's confirmation email).
  Result<std::string> send_keeping_copy(Message message) const;

  // The transport itself, for callers that render and sign their own MIME (campaign sending).
  Transport& transport() const { return *transport_; }

 private:
  std::unique_ptr<Transport> transport_;
  Mailbox default_from_;
  const Clock& clock_;
};

}  // namespace sm::mail
