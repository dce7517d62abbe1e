// A Transport that delivers nowhere: each message becomes a file in the outbox directory, for
// installations without an SMTP relay and for operators who want to see what would be sent.
//
// Layout: `<dir>/<millis>-<random>.eml` holds exactly the MIME text that a relay would have
// received, so it opens unchanged in a mail client. The envelope, which a relay would not keep
// in the message either, goes beside it in `<dir>/<millis>-<random>.envelope.json` as
// {"mail_from": "...", "recipients": ["..."]}. Both are written to a dot-named temporary file,
// fsynced and renamed, the envelope first: an .eml that is visible is complete and has its
// envelope. The directory is created on first use.
//
// Thread-safe: names are unique per call, so concurrent sends never share a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "mail/transport.hpp"

namespace sm::mail {

class OutboxTransport final : public Transport {
 public:
  // `clock` names the files (so they sort by time of sending) and must outlive the transport.
  OutboxTransport(std::filesystem::path dir, const Clock& clock);

  // Errc::unavailable when the directory or a file cannot be written; the path and the system
  // error are in the detail.
  Status send(const Envelope& envelope, std::string_view mime) override;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  const Clock& clock_;
};

}  // namespace sm::mail
