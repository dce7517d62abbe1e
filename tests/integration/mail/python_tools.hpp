// Runs the Python checks on rendered messages: tests/support/check_mime.py, and a reader that
// shows a message the way Python's email package (a real client's parser) understands it.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/source_dir.hpp"

namespace sm::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// check_mime.py's verdict on the message in `path`.
inline CommandResult check_mime(const std::filesystem::path& path) {
  return run_command("/usr/bin/python3 " + source_dir() + "/tests/support/check_mime.py '" +
                     path.string() + "'");
}

// The decoded subject, From, To, Reply-To, plain text and HTML, as Python reads them.
inline nlohmann::json read_with_python(const std::filesystem::path& path) {
  static const char* kScript = R"PY(
import email, email.policy, json, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
def body(kind):
    part = m.get_body(preferencelist=(kind,))
    # A CRLF file keeps its CRs in decoded text; compare as a client shows it, with LF.
    return part.get_content().replace('\r\n', '\n') if part is not None else None
def boxes(name):
    return [[a.display_name, a.addr_spec] for a in m[name].addresses] if m[name] else []
print(json.dumps({'subject': str(m['subject']), 'from': boxes('from'), 'to': boxes('to'),
                  'reply_to': boxes('reply-to'), 'text': body('plain'), 'html': body('html'),
                  'content_type': m.get_content_type(),
                  'extra': {k: str(v) for k, v in m.items() if k.startswith('X-')}}))
)PY";
  const auto script = path.string() + ".read.py";
  write_text(script, kScript);
  const CommandResult r = run_command("/usr/bin/python3 '" + script + "' '" + path.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.exit_code == 0 ? nlohmann::json::parse(r.output) : nlohmann::json{};
}

}  // namespace sm::testing
