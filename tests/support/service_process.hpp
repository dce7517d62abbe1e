// The real `smartmessages serve` binary in a child process, for end-to-end tests: its own data
// directory and fresh database on either engine, a free loopback port, and its output in a
// log file.
//
// The binary is $SMARTMESSAGES_BINARY (set by CTest). Construction waits (at most 20 s) until
// GET /healthz answers 200 and throws std::runtime_error, with the log, when it does not.
// The child gets the test's environment without any SMARTMESSAGES_* variable, then the
// service's settings, then the extra variables the test passes (which win).
//
// Not thread-safe; use from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"
#include "support/test_database.hpp"

namespace sm::testing {

using EnvVars = std::map<std::string, std::string>;

struct CliResult {
  int exit_code = -1;  // the exit status, 128 + signal when killed, -1 when it did not finish
  std::string out;     // standard output
  std::string err;     // standard error
};

// One .eml file of the outbox, decoded.
struct OutboxMessage {
  std::filesystem::path file;
  std::string raw;                 // the file as written
  std::string to;                  // the To header
  std::string subject;             // the Subject header, encoded words decoded
  std::string text;                // the text/plain body, transfer encoding undone
  std::vector<std::string> links;  // every http(s) URL of the text, in order
};

// Undoes quoted-printable, including soft line breaks.
std::string decode_quoted_printable(std::string_view in);

// Reads one message as the outbox stores it.
OutboxMessage parse_eml(const std::filesystem::path& file);

class ServiceProcess {
 public:
  struct Options {
    EnvVars env;        // extra or overriding SMARTMESSAGES_* settings
    bool start = true;  // false: prepare the directory and database but do not run `serve`
  };

  explicit ServiceProcess(TestEngine engine);
  ServiceProcess(TestEngine engine, Options options);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Runs `serve` and waits until it is healthy. Called by the constructor unless told not to.
  void start();

  std::string base_url() const;  // "http://127.0.0.1:<port>", no trailing slash
  int port() const { return port_; }
  std::filesystem::path data_dir() const;
  const std::string& database_url() const { return database_url_; }

  // The .eml files of the outbox, oldest first.
  std::vector<OutboxMessage> outbox_messages() const;
  // True once the outbox holds at least `count` messages; false after `timeout`.
  bool wait_for_outbox(std::size_t count,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // Runs the binary with `args` and the service's environment (plus `extra_env`), feeding
  // `stdin_text`; kills it after `timeout`.
  CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "",
                    const EnvVars& extra_env = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  // SIGTERM, then waits at most 15 s (SIGKILL after that). Returns the exit status, 128 +
  // signal when it was killed by one, or -1 when it was not running.
  int stop();
  bool running() const { return pid_ > 0; }

  // What the service wrote to standard output and standard error so far.
  std::string log() const;

 private:
  std::vector<std::string> environment(const EnvVars& extra) const;

  ScratchDir dir_;
  EnvVars env_;
  std::string database_url_;
  int port_ = 0;
  pid_t pid_ = -1;
  mutable int cli_runs_ = 0;
};

}  // namespace sm::testing
