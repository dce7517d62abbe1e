// Test servers on loopback for the fetcher's tests: a tiny HTTP server that serves canned
// answers and counts every connection it accepts (so a test can prove that nothing connected),
// and dnsmasq answering A and AAAA records for names the test chooses.
//
// Not thread-safe to configure while requests run; set answers first.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/mail/python_tools.hpp"
#include "support/free_port.hpp"
#include "support/scratch_dir.hpp"

namespace sm::testing {

class LoopbackWeb {
 public:
  // Listens on 127.0.0.1 (or ::1) on a port the kernel picks.
  explicit LoopbackWeb(bool ipv6 = false) {
    fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (ipv6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd_, 16) != 0) {
      throw std::runtime_error("LoopbackWeb: cannot listen");
    }
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                       : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (::pipe(wake_) != 0) throw std::runtime_error("LoopbackWeb: pipe");
    thread_ = std::thread([this] { loop(); });
  }

  ~LoopbackWeb() {
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    for (int fd : held_) ::close(fd);
    ::close(fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  LoopbackWeb(const LoopbackWeb&) = delete;
  LoopbackWeb& operator=(const LoopbackWeb&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }

  // The full HTTP answer for a path; kHang keeps the connection open without answering.
  static constexpr const char* kHang = "HANG";
  void answer(const std::string& path, std::string raw) {
    std::lock_guard lock(mu_);
    answers_[path] = std::move(raw);
  }
  void page(const std::string& path, const std::string& html) {
    answer(path, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                     std::to_string(html.size()) + "\r\nConnection: close\r\n\r\n" + html);
  }
  void redirect(const std::string& path, const std::string& location, int status = 302) {
    answer(path, "HTTP/1.1 " + std::to_string(status) + " Moved\r\nLocation: " + location +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }

 private:
  void loop() {
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents != 0) return;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      handle(c);
    }
  }

  void handle(int c) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      pollfd p = {c, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    auto sp1 = request.find(' ');
    auto sp2 = request.find(' ', sp1 + 1);
    std::string path = sp1 == std::string::npos ? "" : request.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string raw;
    {
      std::lock_guard lock(mu_);
      auto it = answers_.find(path);
      raw = it != answers_.end()
                ? it->second
                : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    if (raw == kHang) {
      held_.push_back(c);
      return;
    }
    for (std::size_t sent = 0; sent < raw.size();) {
      ssize_t n = ::send(c, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    ::close(c);
  }

  int fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::map<std::string, std::string> answers_;
  std::vector<int> held_;  // hung connections, closed at the end
  std::thread thread_;
};

// dnsmasq on a loopback port answering each name with its addresses (IPv4 and IPv6), and
// NXDOMAIN for other names under `zone`. Stopped by its pid file.
class AddressDns {
 public:
  AddressDns(const ScratchDir& dir, const std::multimap<std::string, std::string>& records,
             const std::string& zone = "test")
      : port_(free_loopback_port()), pid_file_((dir.path() / "dnsmasq-a.pid").string()) {
    const auto conf = dir.path() / "dnsmasq-a.conf";
    std::string text = "local=/" + zone + "/\n";
    for (const auto& [name, address] : records)
      text += "host-record=" + name + "," + address + "\n";
    write_text(conf, text);
    auto started = run_command("/usr/sbin/dnsmasq --port=" + std::to_string(port_) +
                               " --listen-address=127.0.0.1 --bind-interfaces --no-resolv "
                               "--no-hosts --conf-file='" +
                               conf.string() + "' --pid-file='" + pid_file_ + "'");
    if (started.exit_code != 0) throw std::runtime_error("dnsmasq: " + started.output);
  }
  ~AddressDns() { run_command("kill \"$(cat '" + pid_file_ + "')\""); }
  AddressDns(const AddressDns&) = delete;
  AddressDns& operator=(const AddressDns&) = delete;

  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string pid_file_;
};

}  // namespace sm::testing
