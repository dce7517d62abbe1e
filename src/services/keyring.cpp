#include "services/keyring.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "core/crypto.hpp"

namespace sm {
namespace {

namespace fs = std::filesystem;

constexpr char kFileName[] = "secret.key";
constexpr std::size_t kMaxFileBytes = 256;  // 64 hex digits and a line end, with room to spare

// crypto_kdf context (exactly 8 bytes) and subkey ids. Never renumber or reuse an id: every
// stored secret and issued token depends on these.
constexpr char kKdfContext[] = "smkeyrng";
constexpr std::uint64_t kHmacKeyId = 1;
constexpr std::uint64_t kSecretsKeyId = 2;
constexpr std::uint64_t kSigningSeedId = 3;

Error key_error(std::string message, const fs::path& file, std::string why) {
  return make_error(Errc::internal, std::move(message), file.string() + ": " + why);
}

std::string errno_text() { return std::strerror(errno); }

// Closes a file descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string read_up_to(int fd, std::size_t limit) {
  std::string out(limit, '\0');
  std::size_t got = 0;
  while (got < limit) {
    ssize_t n = ::read(fd, out.data() + got, limit - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

void fsync_directory(const fs::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Best effort: without it a power cut right after start-up could lose the new key, which is
  // no worse than never having started.
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Writes a fresh key to a private temporary file, then link()s it into place. link() never
// replaces an existing file, so when two processes race, the first link wins, the other gets
// EEXIST and both then read the same complete file: no one can see a half-written key.
Status create_key_file(const fs::path& dir, const fs::path& file) {
  const char kCreateFailed[] =
      "The key file secret.key could not be created in the data directory.";
  fs::path tmp =
      dir / (std::string(kFileName) + ".new-" + crypto::hex_encode(crypto::random_bytes(8)));
  {
    FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return key_error(kCreateFailed, tmp, errno_text());
    std::string master = crypto::random_bytes(crypto::kKeyBytes);
    std::string line = crypto::hex_encode(master) + "\n";
    crypto::wipe(master);
    bool written = write_all(fd.get(), line) && ::fsync(fd.get()) == 0;
    crypto::wipe(line);
    if (!written) {
      std::string why = errno_text();
      ::unlink(tmp.c_str());
      return key_error(kCreateFailed, tmp, why);
    }
  }
  int linked = ::link(tmp.c_str(), file.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    return key_error(kCreateFailed, file, std::strerror(link_errno));
  }
  fsync_directory(dir);
  return {};
}

Status check_file_mode(const struct stat& st, const fs::path& file) {
  if (!S_ISREG(st.st_mode)) {
    return key_error("The key file secret.key in the data directory is not a regular file.", file,
                     "not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return key_error(
        "The key file secret.key in the data directory can be read or changed by other users. "
        "Restrict it with \"chmod 600 secret.key\" and start again.",
        file, "mode " + std::to_string(st.st_mode & 0777));
  }
  return {};
}

Result<std::string> parse_key(std::string text, const fs::path& file) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  auto master = crypto::hex_decode(text);
  crypto::wipe(text);
  if (!master.ok() || master->size() != crypto::kKeyBytes) {
    return key_error(
        "The key file secret.key in the data directory is damaged: it must hold exactly 64 hex "
        "digits. Restore it from a backup.",
        file, "wrong length or not hex");
  }
  return std::move(*master);
}

Result<std::string> read_key_file(const fs::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return key_error("The key file secret.key in the data directory could not be read.", file,
                     errno_text());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return key_error("The key file secret.key in the data directory could not be read.", file,
                     errno_text());
  }
  SM_TRY(check_file_mode(st, file));
  return parse_key(read_up_to(fd.get(), kMaxFileBytes), file);
}

}  // namespace

Result<KeyRing> KeyRing::load_or_create(const fs::path& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return key_error("The data directory could not be created.", data_dir, ec.message());
  }
  fs::path file = data_dir / kFileName;
  if (!fs::exists(fs::symlink_status(file, ec))) SM_TRY(create_key_file(data_dir, file));

  auto master = read_key_file(file);
  if (!master.ok()) return master.take_error();
  KeyRing ring(*master);
  crypto::wipe(*master);
  return ring;
}

KeyRing::KeyRing(const std::string& master)
    : hmac_key_(crypto::derive_key(master, kHmacKeyId, kKdfContext)),
      secrets_key_(crypto::derive_key(master, kSecretsKeyId, kKdfContext)) {
  std::string seed = crypto::derive_key(master, kSigningSeedId, kKdfContext);
  crypto::SigningKeyPair pair = crypto::signing_keypair_from_seed(seed);
  crypto::wipe(seed);
  signing_secret_ = std::move(pair.secret_key);
  signing_public_ = std::move(pair.public_key);
}

std::string KeyRing::sign(std::string_view message) const {
  return crypto::sign(signing_secret_, message);
}

std::string KeyRing::signing_public_key() const { return crypto::base64_encode(signing_public_); }

}  // namespace sm
