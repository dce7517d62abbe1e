// `smartmessages consent verify FILE`: checks a consent receipt offline, with this
// installation's public key or with another installation's published key (--public-key).
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "services/consent_receipt.hpp"

namespace sm::cli {
namespace {

struct VerifyOptions {
  std::string file;
  std::string public_key;  // base64; empty: this installation's
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::invalid_input,
                      "Cannot read " + path + "; check the path and that you may read it.");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::string> key_to_use(const BootOptions& boot_options, const VerifyOptions& o) {
  if (!o.public_key.empty()) return services::decode_public_key(o.public_key);
  BootOptions b = boot_options;
  b.migrate = false;
  auto app = boot(b);
  if (!app.ok()) return app.take_error();
  return (*app)->keys->signing_public_key_bytes();
}

void print_facts(const nlohmann::json& facts) {
  for (const auto& [key, value] : facts.items()) {
    std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump())
              << "\n";
  }
}

int verify(const BootOptions& boot_options, const VerifyOptions& o) {
  auto text = read_file(o.file);
  if (!text.ok()) return fail(text.error());
  auto key = key_to_use(boot_options, o);
  if (!key.ok()) return fail(key.error());
  auto facts = services::verify_receipt(*text, *key);
  if (!facts.ok()) {
    std::cout << "not valid\n";
    std::cerr << "smartmessages: " << facts.error().message << "\n";
    return 1;
  }
  std::cout << "valid\n";
  print_facts(*facts);
  return 0;
}

}  // namespace

CommandRunner add_consent_commands(CLI::App& app, const BootOptions& boot_options) {
  auto* consent = app.add_subcommand("consent", "Consent records and signed receipts");
  consent->require_subcommand(1);
  auto options = std::make_shared<VerifyOptions>();
  auto* verify_cmd = consent->add_subcommand(
      "verify", "Check a consent receipt's signature offline; exits 0 when valid, 1 when not");
  verify_cmd->add_option("FILE", options->file, "Receipt file (JSON: receipt and signature)")
      ->required();
  verify_cmd->add_option("--public-key", options->public_key,
                         "Another installation's public key, base64, as published at "
                         "/.well-known/smartmessages/consent-key");
  return [&boot_options, options, verify_cmd]() -> std::optional<int> {
    if (*verify_cmd) return verify(boot_options, *options);
    return std::nullopt;
  };
}

}  // namespace sm::cli
