#include "mail/outbox_transport.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "mail/random_hex.hpp"

namespace sm::mail {
namespace {

namespace fs = std::filesystem;

Error write_error(std::string_view what, const fs::path& path, int err) {
  return make_error(Errc::unavailable, "The outbox directory could not be written.",
                    fmt::format("outbox {} {}: {}", what, path.string(), std::strerror(err)));
}

Status write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return write_error("write", path, errno);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Writes `data` to a temporary file in `dir`, makes it durable, then renames it to `name`, so
// that `name` is never seen half written.
Status write_atomically(const fs::path& dir, const std::string& name, std::string_view data) {
  const fs::path temp = dir / ("." + name + ".tmp");
  const fs::path target = dir / name;
  // Messages hold personal data: readable by the owner and the operator's group only.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return write_error("create", temp, errno);

  Status written = write_all(fd, data, temp);
  if (written && ::fsync(fd) != 0) written = write_error("fsync", temp, errno);
  if (::close(fd) != 0 && written) written = write_error("close", temp, errno);
  if (written && ::rename(temp.c_str(), target.c_str()) != 0) {
    written = write_error("rename", target, errno);
  }
  if (!written) ::unlink(temp.c_str());
  return written;
}

// The rename is durable only once the directory entry is.
Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return write_error("open", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return write_error("fsync", dir, err);
  return {};
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string envelope_json(const Envelope& envelope) {
  std::string out = "{\"mail_from\": " + json_string(envelope.mail_from) + ", \"recipients\": [";
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_string(envelope.recipients[i]);
  }
  out += "]}\n";
  return out;
}

}  // namespace

OutboxTransport::OutboxTransport(std::filesystem::path dir, const Clock& clock)
    : dir_(std::move(dir)), clock_(clock) {}

Status OutboxTransport::send(const Envelope& envelope, std::string_view mime) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return write_error("create directory", dir_, ec.value());

  const std::string stem = fmt::format("{}-{}", clock_.now_ms(), random_hex(8));
  SM_TRY(write_atomically(dir_, stem + ".envelope.json", envelope_json(envelope)));
  SM_TRY(write_atomically(dir_, stem + ".eml", mime));
  return sync_directory(dir_);
}

}  // namespace sm::mail
