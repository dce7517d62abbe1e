// Sending benchmark without a database: N personalised messages rendered with mail::render,
// DKIM-signed or not, and handed to an SMTP relay through SmtpTransport::send_batch, as the
// send worker does. Run by bench/send_bench.sh beside postfix's smtp-source; see
// bench/README.md.
//
//   send_bench --url smtp://127.0.0.1:PORT --messages N [--size BYTES] [--connections C]
//              [--sign none|ed25519|both] [--batch B] [--threads T]
//
// Prints one line of key=value figures; the rate counts rendering, signing and sending, from
// the first message to the last relay reply, and leaves out generating the keys.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "mail/dkim.hpp"
#include "mail/mime.hpp"
#include "mail/smtp_transport.hpp"

namespace {

using namespace sm;
using SteadyClock = std::chrono::steady_clock;

constexpr Millis kDate = 1796306709000;

struct Settings {
  std::string url;
  std::size_t messages = 10'000;
  std::size_t size = 4096;
  std::size_t connections = 32;
  std::string sign = "none";
  std::size_t batch = 250;
  std::size_t threads = 4;
};

// The campaign's part of every message: the same text for everyone, about `size` bytes once
// rendered, with the list headers a campaign carries (they are signed).
mail::Message base_message(std::size_t size) {
  mail::Message m;
  m.from = {"news@bench.example.org", "Bench News"};
  m.subject = "Our monthly news, with more to read inside";
  m.headers = {{"List-Id", "Bench <bench-list.bench.example.org>"},
               {"List-Unsubscribe", "<https://lists.example.org/u/TOKEN>"},
               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  const std::string paragraph =
      "This month we planted forty trees along the river path and counted the birds that came "
      "back to the old orchard. Thank you to everyone who helped on a rainy Saturday.\n\n";
  m.to = {{"person0@example.net", "Person 0"}};
  while (true) {
    auto mime = mail::render(m, kDate);
    if (!mime.ok() || mime->size() >= size) break;
    m.text_body += paragraph;
    m.html_body = "<p>" + m.text_body + "</p>";
  }
  return m;
}

std::vector<mail::DkimKey> signing_keys(const std::string& sign) {
  std::vector<mail::DkimKey> keys;
  if (sign == "none") return keys;
  auto ed = mail::load_dkim_key(mail::DkimAlgorithm::ed25519_sha256, "bench.example.org", "ed",
                                mail::generate_ed25519_key().private_text);
  if (ed.ok()) keys.push_back(*ed);
  if (sign == "both") {
    auto pair = mail::generate_rsa_key(2048);
    if (pair.ok()) {
      auto rsa = mail::load_dkim_key(mail::DkimAlgorithm::rsa_sha256, "bench.example.org", "rsa",
                                     pair->private_text);
      if (rsa.ok()) keys.push_back(*rsa);
    }
  }
  return keys;
}

// What one delivery gets: its own To, Message-ID and signature.
std::string personalise(const mail::Message& base, std::size_t i,
                        const std::vector<mail::DkimKey>& keys) {
  mail::Message m = base;
  m.to = {{fmt::format("person{}@example.net", i), fmt::format("Person {}", i)}};
  m.message_id = fmt::format("<{}.bench@bench.example.org>", i);
  auto mime = mail::render(m, kDate);
  if (!mime.ok()) return {};
  if (keys.empty()) return std::move(*mime);
  auto signature = mail::dkim_sign(keys, *mime, kDate);
  if (!signature.ok()) return {};
  return *signature + *mime;
}

struct Totals {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> bytes{0};
};

// One sending thread: claims a batch of numbers, renders and signs them, sends them, repeats.
void send_batches(const Settings& s, const mail::Message& base,
                  const std::vector<mail::DkimKey>& keys, mail::Transport& transport,
                  Totals& totals) {
  while (true) {
    const std::size_t first = totals.next.fetch_add(s.batch);
    if (first >= s.messages) return;
    const std::size_t count = std::min(s.batch, s.messages - first);

    std::vector<mail::Envelope> envelopes(count);
    std::vector<std::string> mimes(count);
    std::vector<mail::Outgoing> batch(count);
    for (std::size_t k = 0; k < count; ++k) {
      envelopes[k] = {fmt::format("bounces+{}@bench.example.org", first + k),
                      {fmt::format("person{}@example.net", first + k)}};
      mimes[k] = personalise(base, first + k, keys);
      totals.bytes += mimes[k].size();
      batch[k] = {&envelopes[k], mimes[k]};
    }
    for (const Status& sent : transport.send_batch(batch)) {
      if (!sent.ok()) {
        if (totals.failed++ == 0) std::fprintf(stderr, "%s\n", sent.error().detail.c_str());
      }
    }
  }
}

int run(const Settings& s) {
  mail::SmtpOptions options;
  options.max_connections = s.connections;
  auto transport = mail::SmtpTransport::create(s.url, options);
  if (!transport.ok()) {
    std::fprintf(stderr, "send_bench: %s\n", transport.error().message.c_str());
    return 2;
  }
  const std::vector<mail::DkimKey> keys = signing_keys(s.sign);
  const mail::Message base = base_message(s.size);

  Totals totals;
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < s.threads; ++t) {
    threads.emplace_back([&] { send_batches(s, base, keys, **transport, totals); });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();

  std::printf(
      "messages=%zu mean_bytes=%zu sign=%s connections=%zu seconds=%.3f rate=%.0f "
      "failed=%zu\n",
      s.messages, totals.bytes / std::max<std::size_t>(s.messages, 1), s.sign.c_str(),
      s.connections, seconds, static_cast<double>(s.messages) / seconds, totals.failed.load());
  return totals.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app{"Sends N personalised messages to an SMTP relay through SmtpTransport."};
  app.add_option("--url", s.url, "smtp://HOST:PORT of the relay")->required();
  app.add_option("--messages", s.messages, "how many messages");
  app.add_option("--size", s.size, "bytes of each message before signing");
  app.add_option("--connections", s.connections, "SMTP sessions at once");
  app.add_option("--sign", s.sign, "none, ed25519 or both (ed25519 and rsa-sha256)")
      ->check(CLI::IsMember({"none", "ed25519", "both"}));
  app.add_option("--batch", s.batch, "messages per send_batch() call")->check(CLI::PositiveNumber);
  app.add_option("--threads", s.threads, "threads rendering and sending")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  return run(s);
}
