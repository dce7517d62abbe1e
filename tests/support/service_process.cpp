#include "support/service_process.hpp"

#include "support/free_port.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"

extern char** environ;

namespace sm::testing {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string binary_path() {
  const char* binary = std::getenv("SMARTMESSAGES_BINARY");
  if (binary == nullptr || *binary == '\0') {
    throw std::runtime_error("SMARTMESSAGES_BINARY is not set (CTest sets it)");
  }
  return binary;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Starts `args` with `env`; stdin, stdout and stderr from and to the given files.
pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& stdin_path, const std::string& stdout_path,
            const std::string& stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (stderr_path == stdout_path) {
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("could not start " + args[0]);
  return pid;
}

// Waits for `pid` until `deadline`; the decoded status, or nothing when it is still running.
std::optional<int> wait_until(pid_t pid, SteadyClock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0) return -1;
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

int kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return decode_status(status);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string decode_base64(std::string_view in) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const auto pos = alphabet.find(c);
    if (pos == std::string::npos) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// RFC 2047 encoded words (=?charset?Q|B?text?=); everything else is kept as it is.
std::string decode_header_value(const std::string& value) {
  static const std::regex word(R"(=\?[^?]+\?([QqBb])\?([^?]*)\?=)");
  std::string out;
  auto begin = std::sregex_iterator(value.begin(), value.end(), word);
  std::size_t last = 0;
  bool previous_was_word = false;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::string between = value.substr(last, static_cast<std::size_t>(it->position()) - last);
    // Whitespace between two encoded words is not part of the text.
    if (!(previous_was_word && between.find_first_not_of(" \t\r\n") == std::string::npos)) {
      out += between;
    }
    std::string payload = (*it)[2];
    if ((*it)[1] == "Q" || (*it)[1] == "q") {
      std::replace(payload.begin(), payload.end(), '_', ' ');
      out += decode_quoted_printable(payload);
    } else {
      out += decode_base64(payload);
    }
    last = static_cast<std::size_t>(it->position() + it->length());
    previous_was_word = true;
  }
  out += value.substr(last);
  return out;
}

struct Part {
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;
};

std::string header_of(const Part& p, const std::string& name) {
  auto it = p.headers.find(name);
  return it == p.headers.end() ? std::string() : it->second;
}

Part split_part(std::string_view raw) {
  Part part;
  std::size_t end = raw.find("\r\n\r\n");
  std::size_t body_start = end == std::string_view::npos ? raw.size() : end + 4;
  if (end == std::string_view::npos) {
    end = raw.find("\n\n");
    body_start = end == std::string_view::npos ? raw.size() : end + 2;
  }
  std::string head(raw.substr(0, std::min(end, raw.size())));
  part.body = std::string(raw.substr(std::min(body_start, raw.size())));

  // Unfold continuation lines, then split "Name: value".
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= head.size()) {
    std::size_t nl = head.find('\n', pos);
    std::string line = head.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !lines.empty()) {
      lines.back() += line;
    } else if (!line.empty()) {
      lines.push_back(line);
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  for (const std::string& line : lines) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    value = first == std::string::npos ? "" : value.substr(first);
    part.headers.emplace(lower(line.substr(0, colon)), value);
  }
  return part;
}

std::string boundary_of(const std::string& content_type) {
  static const std::regex re(R"re(boundary="?([^";]+)"?)re", std::regex::icase);
  std::smatch m;
  return std::regex_search(content_type, m, re) ? m[1].str() : std::string();
}

std::string decoded_body(const Part& p) {
  const std::string cte = lower(header_of(p, "content-transfer-encoding"));
  if (cte == "quoted-printable") return decode_quoted_printable(p.body);
  if (cte == "base64") return decode_base64(p.body);
  return p.body;
}

// The first text/plain part, searching nested multiparts.
std::optional<std::string> plain_text(const Part& p) {
  const std::string type = lower(header_of(p, "content-type"));
  if (type.rfind("multipart/", 0) == 0) {
    const std::string boundary = boundary_of(header_of(p, "content-type"));
    if (boundary.empty()) return std::nullopt;
    const std::string delimiter = "--" + boundary;
    std::size_t pos = p.body.find(delimiter);
    while (pos != std::string::npos) {
      std::size_t start = p.body.find('\n', pos);
      if (start == std::string::npos) break;
      if (p.body.compare(pos + delimiter.size(), 2, "--") == 0) break;
      std::size_t next = p.body.find(delimiter, start);
      std::string chunk = p.body.substr(
          start + 1, next == std::string::npos ? std::string::npos : next - start - 1);
      if (auto text = plain_text(split_part(chunk))) return text;
      pos = next;
    }
    return std::nullopt;
  }
  if (type.empty() || type.rfind("text/plain", 0) == 0) return decoded_body(p);
  return std::nullopt;
}

}  // namespace

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out.push_back(in[i]);
      continue;
    }
    // Soft line break: "=" at the end of a line joins it to the next.
    if (i + 1 < in.size() && in[i + 1] == '\n') {
      i += 1;
      continue;
    }
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
      continue;
    }
    if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
      continue;
    }
    out.push_back('=');
  }
  return out;
}

OutboxMessage parse_eml(const fs::path& file) {
  OutboxMessage m;
  m.file = file;
  m.raw = read_file(file);
  Part top = split_part(m.raw);
  m.to = decode_header_value(header_of(top, "to"));
  m.subject = decode_header_value(header_of(top, "subject"));
  std::string text = plain_text(top).value_or("");
  // CRLF to LF, so tests can compare lines.
  std::string normal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    normal.push_back(text[i]);
  }
  m.text = std::move(normal);
  static const std::regex url(R"(https?://[^\s<>"')]+)");
  for (auto it = std::sregex_iterator(m.text.begin(), m.text.end(), url);
       it != std::sregex_iterator(); ++it) {
    m.links.push_back(it->str());
  }
  return m;
}

ServiceProcess::ServiceProcess(TestEngine engine) : ServiceProcess(engine, Options{}) {}

ServiceProcess::ServiceProcess(TestEngine engine, Options options)
    : database_url_(fresh_database_url(engine, dir_)), port_(free_loopback_port()) {
  fs::create_directories(data_dir());
  env_ = {
      {"SMARTMESSAGES_DATA_DIR", data_dir().string()},
      {"SMARTMESSAGES_DATABASE_URL", database_url_},
      {"SMARTMESSAGES_HTTP_LISTEN", "127.0.0.1:" + std::to_string(port_)},
      {"SMARTMESSAGES_HTTP_BASE_URL", base_url()},
      {"SMARTMESSAGES_MAIL_SMTP_URL", ""},
      {"SMARTMESSAGES_ACCOUNTS_OPEN_SIGNUP", "true"},
  };
  for (const auto& [k, v] : options.env) env_[k] = v;
  if (options.start) start();
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!wait_until(pid_, SteadyClock::now() + std::chrono::seconds(5))) kill_and_reap(pid_);
    pid_ = -1;
  }
}

std::string ServiceProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

fs::path ServiceProcess::data_dir() const { return dir_.path() / "data"; }

std::vector<std::string> ServiceProcess::environment(const EnvVars& extra) const {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("SMARTMESSAGES_", 0) == 0) continue;
    env.emplace_back(entry);
  }
  EnvVars merged = env_;
  for (const auto& [k, v] : extra) merged[k] = v;
  for (const auto& [k, v] : merged) env.push_back(k + "=" + v);
  return env;
}

void ServiceProcess::start() {
  if (pid_ > 0) return;
  const std::string log_path = (dir_.path() / "service.log").string();
  pid_ = spawn({binary_path(), "serve"}, environment({}), "/dev/null", log_path, log_path);

  HttpClient probe(base_url());
  probe.set_timeout(std::chrono::seconds(2));
  const auto deadline = SteadyClock::now() + kStartTimeout;
  while (true) {
    if (auto exited = wait_until(pid_, SteadyClock::now())) {
      pid_ = -1;
      throw std::runtime_error("smartmessages serve exited with " + std::to_string(*exited) +
                               " before it was ready; its log:\n" + log());
    }
    if (probe.get("/healthz").status == 200) return;
    if (SteadyClock::now() >= deadline) {
      kill_and_reap(pid_);
      pid_ = -1;
      throw std::runtime_error("smartmessages serve was not healthy within 20 s; its log:\n" +
                               log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<OutboxMessage> ServiceProcess::outbox_messages() const {
  std::vector<fs::path> files;
  std::error_code ec;
  const fs::path outbox = data_dir() / "outbox";
  for (auto it = fs::directory_iterator(outbox, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".eml" && p.filename().string().front() != '.') files.push_back(p);
  }
  // The names start with the time in milliseconds, so name order is time order.
  std::sort(files.begin(), files.end());
  std::vector<OutboxMessage> messages;
  for (const auto& f : files) messages.push_back(parse_eml(f));
  return messages;
}

bool ServiceProcess::wait_for_outbox(std::size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    if (outbox_messages().size() >= count) return true;
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

CliResult ServiceProcess::run_cli(const std::vector<std::string>& args,
                                  const std::string& stdin_text, const EnvVars& extra_env,
                                  std::chrono::milliseconds timeout) const {
  const int run = ++cli_runs_;
  const fs::path base = dir_.path() / ("cli-" + std::to_string(run));
  const std::string in_path = base.string() + ".in";
  const std::string out_path = base.string() + ".out";
  const std::string err_path = base.string() + ".err";
  {
    std::ofstream in(in_path, std::ios::binary);
    in << stdin_text;
  }
  std::vector<std::string> argv = {binary_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, environment(extra_env), in_path, out_path, err_path);

  CliResult result;
  if (auto status = wait_until(pid, SteadyClock::now() + timeout)) {
    result.exit_code = *status;
  } else {
    kill_and_reap(pid);
    result.exit_code = -1;
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

int ServiceProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto status = wait_until(pid_, SteadyClock::now() + kStopTimeout);
  const int code = status ? *status : kill_and_reap(pid_);
  pid_ = -1;
  return code;
}

std::string ServiceProcess::log() const { return read_file(dir_.path() / "service.log"); }

}  // namespace sm::testing
