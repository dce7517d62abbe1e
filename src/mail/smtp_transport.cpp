#include "mail/smtp_transport.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "mail/smtp_session_pool.hpp"

namespace sm::mail {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Error url_error(std::string_view problem) {
  return make_error(Errc::invalid_input, fmt::format("mail.smtp_url {}.", problem));
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// One part of a parsed URL; empty when the URL has none.
std::string url_part(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

void init_curl_once() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

// Envelope addresses become "MAIL FROM:<...>" and "RCPT TO:<...>" commands; anything that
// could end or extend a command must be refused before it reaches the relay.
bool is_plain_envelope_address(std::string_view address) {
  for (unsigned char c : address) {
    if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>') return false;
  }
  return true;
}

Status check_envelope(const Envelope& envelope) {
  if (envelope.recipients.empty()) {
    return make_error(Errc::invalid_input, "A message needs at least one recipient.");
  }
  bool plain = is_plain_envelope_address(envelope.mail_from);
  for (const std::string& r : envelope.recipients) {
    plain = plain && !r.empty() && is_plain_envelope_address(r);
  }
  if (!plain) {
    return make_error(Errc::invalid_input, "An envelope address is not a plain ASCII address.");
  }
  return {};
}

// The RCPT TO lines of a checked envelope.
Result<Slist> recipient_list(const Envelope* envelope) {
  if (envelope == nullptr) return make_error(Errc::invalid_input, "A message has no envelope.");
  SM_TRY(check_envelope(*envelope));
  Slist recipients;
  for (const std::string& r : envelope->recipients) {
    curl_slist* grown = curl_slist_append(recipients.get(), ("<" + r + ">").c_str());
    if (grown == nullptr) return make_error(Errc::internal, "Out of memory.", "curl_slist");
    (void)recipients.release();
    recipients.reset(grown);
  }
  return recipients;
}

// The relay's last reply decides between "try again later" and "never"; without a reply the
// relay was not reached or went away, which is worth retrying.
Status classify(CURLcode rc, long reply, const char* curl_text) {
  if (rc == CURLE_OK) return {};
  std::string detail = fmt::format("smtp_reply={} curl_code={} curl_error=\"{}\" {}", reply,
                                   static_cast<int>(rc), curl_easy_strerror(rc), curl_text);
  if (rc == CURLE_OUT_OF_MEMORY) {
    return make_error(Errc::internal, "Out of memory.", std::move(detail));
  }
  if (rc == CURLE_LOGIN_DENIED) {
    return make_error(Errc::unauthorized,
                      "The mail relay refused the user name or password in mail.smtp_url.",
                      std::move(detail));
  }
  if (reply >= 500 && reply <= 599) {
    return make_error(Errc::invalid_input,
                      fmt::format("The mail relay rejected the message (SMTP {}).", reply),
                      std::move(detail));
  }
  if (reply >= 400 && reply <= 499) {
    return make_error(
        Errc::unavailable,
        fmt::format("The mail relay deferred the message (SMTP {}); try again later.", reply),
        std::move(detail));
  }
  if (rc == CURLE_USE_SSL_FAILED) {
    return make_error(Errc::unavailable,
                      "The mail relay does not offer STARTTLS, which the configuration requires.",
                      std::move(detail));
  }
  return make_error(Errc::unavailable, "The mail relay could not be reached.", std::move(detail));
}

}  // namespace

Result<SmtpEndpoint> parse_smtp_url(std::string_view text) {
  SmtpEndpoint endpoint;
  endpoint.implicit_tls = starts_with_nocase(text, "smtps://");
  if (!endpoint.implicit_tls && !starts_with_nocase(text, "smtp://")) {
    return url_error("must start with smtp:// or smtps://");
  }
  init_curl_once();
  Url url(curl_url());
  if (!url) return make_error(Errc::internal, "Out of memory.", "curl_url failed");
  const std::string owned(text);
  const CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, owned.c_str(), 0);
  if (rc == CURLUE_BAD_PORT_NUMBER) return url_error("has a port that is not 1 to 65535");
  if (rc != CURLUE_OK) {
    return url_error("is not a valid URL; the form is smtp://[user:password@]host[:port]");
  }

  if (url_part(url.get(), CURLUPART_HOST).empty()) return url_error("has no host name");
  if (!url_part(url.get(), CURLUPART_QUERY).empty() ||
      !url_part(url.get(), CURLUPART_FRAGMENT).empty()) {
    return url_error("must not have a query (?...) or a fragment (#...)");
  }
  endpoint.user = url_part(url.get(), CURLUPART_USER, CURLU_URLDECODE);
  endpoint.password = url_part(url.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
  if (endpoint.password.empty() != endpoint.user.empty()) {
    return url_error("must have both a user name and a password, or neither");
  }

  curl_url_set(url.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
  endpoint.url = url_part(url.get(), CURLUPART_URL);
  return endpoint;
}

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::create(std::string_view url,
                                                             SmtpOptions options) {
  auto endpoint = parse_smtp_url(url);
  if (!endpoint) return endpoint.take_error();
  options.max_connections = std::max<std::size_t>(options.max_connections, 1);
  auto pool = SmtpSessionPool::start(*endpoint, options);
  if (!pool) return pool.take_error();
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(*pool)));
}

SmtpTransport::SmtpTransport(std::unique_ptr<SmtpSessionPool> pool) : pool_(std::move(pool)) {}

SmtpTransport::~SmtpTransport() = default;

Status SmtpTransport::send(const Envelope& envelope, std::string_view mime) {
  const Outgoing one{&envelope, mime};
  return std::move(send_batch(std::span(&one, 1)).front());
}

std::vector<Status> SmtpTransport::send_batch(std::span<const Outgoing> batch) {
  std::vector<Status> results(batch.size());
  std::vector<SmtpJob> jobs;
  std::vector<Slist> recipient_lists;
  std::vector<std::size_t> index_of_job;
  jobs.reserve(batch.size());
  recipient_lists.reserve(batch.size());
  index_of_job.reserve(batch.size());

  // Refused envelopes get their Status now; the rest become jobs for the pool.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto recipients = recipient_list(batch[i].envelope);
    if (!recipients) {
      results[i] = recipients.take_error();
      continue;
    }
    SmtpJob& job = jobs.emplace_back();
    job.mail_from = "<" + batch[i].envelope->mail_from + ">";
    job.recipients = recipients->get();
    job.unread = batch[i].mime;
    job.size = static_cast<curl_off_t>(batch[i].mime.size());
    recipient_lists.push_back(std::move(*recipients));
    index_of_job.push_back(i);
  }

  pool_->run(jobs);
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    results[index_of_job[k]] = classify(jobs[k].outcome, jobs[k].reply, jobs[k].error_text);
  }
  return results;
}

}  // namespace sm::mail
