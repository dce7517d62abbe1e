#include "mail/smtp_transport.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>

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

size_t read_upload(char* buffer, size_t size, size_t count, void* source) {
  auto* rest = static_cast<std::string_view*>(source);
  const size_t n = std::min(size * count, rest->size());
  std::memcpy(buffer, rest->data(), n);
  rest->remove_prefix(n);
  return n;
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

// The relay's last reply decides between "try again later" and "never"; without a reply the
// relay was not reached or went away, which is worth retrying.
Status classify(CURLcode rc, long reply, const char* curl_text) {
  if (rc == CURLE_OK) return {};
  std::string detail = fmt::format("smtp_reply={} curl_code={} curl_error=\"{}\" {}", reply,
                                   static_cast<int>(rc), curl_easy_strerror(rc), curl_text);
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

void SmtpTransport::HandleDeleter::operator()(void* handle) const { curl_easy_cleanup(handle); }

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::create(std::string_view url,
                                                             SmtpOptions options) {
  auto endpoint = parse_smtp_url(url);
  if (!endpoint) return endpoint.take_error();
  options.max_connections = std::max<std::size_t>(options.max_connections, 1);
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(*endpoint), options));
}

SmtpTransport::SmtpTransport(SmtpEndpoint endpoint, SmtpOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

SmtpTransport::~SmtpTransport() = default;

// The settings that stay the same for every message; libcurl copies the strings.
SmtpTransport::Handle SmtpTransport::new_handle() const {
  Handle handle(curl_easy_init());
  CURL* h = handle.get();
  if (h == nullptr) return handle;
  curl_easy_setopt(h, CURLOPT_URL, endpoint_.url.c_str());
  if (!endpoint_.user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, endpoint_.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, endpoint_.password.c_str());
  }
  // Signals cannot be used for timeouts in a threaded process.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.transfer_timeout_ms);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   options_.require_tls || endpoint_.implicit_tls
                       ? static_cast<long>(CURLUSESSL_ALL)
                       : static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  return handle;
}

SmtpTransport::Handle SmtpTransport::acquire() {
  std::unique_lock lock(mu_);
  handle_freed_.wait(lock, [&] { return !idle_.empty() || handles_ < options_.max_connections; });
  if (!idle_.empty()) {
    Handle handle = std::move(idle_.back());
    idle_.pop_back();
    return handle;
  }
  ++handles_;
  lock.unlock();

  Handle handle = new_handle();
  if (!handle) {
    lock.lock();
    --handles_;
    handle_freed_.notify_one();
  }
  return handle;
}

void SmtpTransport::release(Handle handle) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(handle));
  }
  handle_freed_.notify_one();
}

Status SmtpTransport::send(const Envelope& envelope, std::string_view mime) {
  SM_TRY(check_envelope(envelope));
  Handle handle = acquire();
  if (!handle) return make_error(Errc::internal, "Out of memory.", "curl_easy_init failed");
  Status sent = transfer(handle.get(), envelope, mime);
  release(std::move(handle));
  return sent;
}

Status SmtpTransport::transfer(void* h, const Envelope& envelope, std::string_view mime) const {
  Slist recipients;
  for (const std::string& r : envelope.recipients) {
    curl_slist* grown = curl_slist_append(recipients.get(), ("<" + r + ">").c_str());
    if (grown == nullptr) return make_error(Errc::internal, "Out of memory.", "curl_slist");
    (void)recipients.release();
    recipients.reset(grown);
  }
  const std::string from = "<" + envelope.mail_from + ">";
  std::string_view rest = mime;
  char curl_text[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_READDATA, &rest);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_text);
  const CURLcode rc = curl_easy_perform(h);
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);

  // The handle outlives this call; it must not keep pointers into this frame.
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(h, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  return classify(rc, reply, curl_text);
}

}  // namespace sm::mail
