#include "support/smtp_capture.hpp"

#include "support/free_port.hpp"
#include "support/source_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sm::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string script_path() { return source_dir() + "/tests/support/smtp_capture.py"; }

pid_t spawn(const std::vector<std::string>& args, int stdout_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("could not start " + args[0]);
  return pid;
}

}  // namespace

SmtpCapture::SmtpCapture() : SmtpCapture(Options{}) {}

SmtpCapture::SmtpCapture(Options options) : port_(free_loopback_port()) {
  std::vector<std::string> args = {"/usr/bin/python3",    script_path(), "--port",
                                   std::to_string(port_), "--dir",       dir_.str()};
  if (options.fail_with != 0) {
    args.insert(args.end(), {"--fail-with", std::to_string(options.fail_with)});
  }
  if (!options.auth.empty()) args.insert(args.end(), {"--auth", options.auth});
  for (const auto& [address, code] : options.rcpt_replies) {
    args.insert(args.end(), {"--rcpt-reply", address + "=" + std::to_string(code)});
  }
  for (const auto& [address, code] : options.rcpt_replies_once) {
    args.insert(args.end(), {"--rcpt-reply-once", address + "=" + std::to_string(code)});
  }

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = spawn(args, fds[1]);
  ::close(fds[1]);
  stdout_fd_ = fds[0];
  try {
    wait_until_ready();
  } catch (...) {
    stop();
    throw;
  }
}

SmtpCapture::~SmtpCapture() { stop(); }

std::string SmtpCapture::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

void SmtpCapture::wait_until_ready() {
  const auto deadline = Clock::now() + kStartTimeout;
  std::string seen;
  while (seen.find("ready\n") == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw std::runtime_error("smtp_capture.py did not report ready in time");
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("smtp_capture.py exited before it was ready");
    seen.append(buf, static_cast<std::size_t>(n));
  }
}

// SIGTERM first so the server closes cleanly; SIGKILL if it has not gone within the bound.
void SmtpCapture::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopTimeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

int SmtpCapture::connections() const {
  // Written atomically by the server; absent until the first session opens.
  const std::string text = read_file(dir_.path() / "connections");
  return text.empty() ? 0 : std::stoi(text);
}

std::size_t SmtpCapture::count() const {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().extension() == ".json") ++n;
  }
  return n;
}

std::vector<CapturedMessage> SmtpCapture::messages() const {
  std::vector<CapturedMessage> out;
  // n.json is written after n.eml, so every counted message is complete.
  const std::size_t n = count();
  for (std::size_t i = 1; i <= n; ++i) {
    const auto stem = dir_.path() / std::to_string(i);
    const auto meta = nlohmann::json::parse(read_file(stem.string() + ".json"));
    CapturedMessage m;
    m.mail_from = meta.at("mail_from").get<std::string>();
    m.rcpt_tos = meta.at("rcpt_tos").get<std::vector<std::string>>();
    m.connection = meta.at("connection").get<int>();
    if (meta.at("auth_login").is_string()) m.auth_login = meta["auth_login"].get<std::string>();
    m.raw = read_file(stem.string() + ".eml");
    out.push_back(std::move(m));
  }
  return out;
}

bool SmtpCapture::wait_for(std::size_t wanted, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (count() < wanted) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

}  // namespace sm::testing
