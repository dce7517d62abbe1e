#include "services/safe_fetch.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/log.hpp"

namespace sm::services {
namespace {

using SteadyClock = std::chrono::steady_clock;

// An address block: the first `bits` bits of `prefix`.
struct Block {
  std::array<std::uint8_t, 16> prefix;
  int bits;
  const char* why;
};

bool in_block(const IpAddress& ip, const Block& b) {
  int full = b.bits / 8;
  if (std::memcmp(ip.bytes.data(), b.prefix.data(), static_cast<std::size_t>(full)) != 0) {
    return false;
  }
  int rest = b.bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (ip.bytes[full] & mask) == (b.prefix[full] & mask);
}

constexpr const char* kLoopback = "a loopback address (this machine)";
constexpr const char* kPrivate = "a private network address";
constexpr const char* kReserved = "an address reserved for special purposes";

// IANA's special-purpose IPv4 blocks (RFC 6890 and successors).
const std::vector<Block>& ipv4_blocks() {
  static const std::vector<Block> blocks = {
      {{0}, 8, "an unspecified address"},
      {{10}, 8, kPrivate},
      {{100, 64}, 10, "a shared (carrier-grade NAT) address"},
      {{127}, 8, kLoopback},
      {{169, 254}, 16, "a link-local address"},
      {{172, 16}, 12, kPrivate},
      {{192, 0, 0}, 24, kReserved},
      {{192, 0, 2}, 24, "a documentation address"},
      {{192, 88, 99}, 24, kReserved},
      {{192, 168}, 16, kPrivate},
      {{198, 18}, 15, kReserved},
      {{198, 51, 100}, 24, "a documentation address"},
      {{203, 0, 113}, 24, "a documentation address"},
      {{224}, 4, "a multicast address"},
      {{240}, 4, kReserved},
  };
  return blocks;
}

// IPv6 blocks, in the order they are tried; anything outside 2000::/3 is refused after them.
const std::vector<Block>& ipv6_blocks() {
  static const std::vector<Block> blocks = {
      {{}, 128, "an unspecified address"},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, kLoopback},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, "an IPv4-mapped IPv6 address"},
      {{}, 96, "an IPv4-compatible IPv6 address"},
      {{0, 0x64, 0xff, 0x9b}, 32, "a NAT64 address (it carries an IPv4 address)"},
      {{0x01, 0x00}, 64, kReserved},
      {{0x20, 0x01, 0x0d, 0xb8}, 32, "a documentation address"},
      {{0x20, 0x01}, 23, kReserved},  // includes Teredo 2001::/32, which carries IPv4
      {{0x20, 0x02}, 16, "a 6to4 address (it carries an IPv4 address)"},
      {{0xfc}, 7, "a unique-local (private) address"},
      {{0xfe, 0x80}, 10, "a link-local address"},
      {{0xfe, 0xc0}, 10, "a site-local (private) address"},
      {{0xff}, 8, "a multicast address"},
  };
  return blocks;
}

bool is_loopback(const IpAddress& ip) {
  if (!ip.v6) return ip.bytes[0] == 127;
  static const IpAddress one = *parse_ip_literal("::1");
  return ip == one;
}

Error refused(std::string message) { return field_error("verification_page", std::move(message)); }

Error too_slow(const std::string& detail) {
  return make_error(Errc::unavailable,
                    "The page did not answer within 10 seconds. Check that it is online and "
                    "try again.",
                    detail);
}

// libcurl's reading of the URL; an empty string when it has no such part.
std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, part, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

bool plain_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Status check_port(const FetchPolicy& policy, std::uint16_t port) {
  const auto& allowed = policy.allowed_ports;
  if (std::find(allowed.begin(), allowed.end(), port) != allowed.end()) return {};
  std::string list;
  for (auto p : allowed) list += (list.empty() ? "" : ", ") + std::to_string(p);
  return refused("The page's address uses port " + std::to_string(port) + "; only port " + list +
                 " may be used. Remove the port from the address.");
}

Status check_address(const FetchPolicy& policy, const std::string& host, const IpAddress& ip) {
  auto why = refused_address(ip, policy.allow_loopback);
  if (!why) return {};
  std::string named = host == ip.text() ? ip.text() : host + " (" + ip.text() + ")";
  return refused("The page's address " + named + " is " + *why +
                 ", which Smartmessages does not connect to. Name a page on your public web "
                 "site.");
}

// The addresses to check for one hop: the literal, or the name's DNS answer.
Result<std::vector<IpAddress>> addresses_of(const FetchPolicy& policy, const FetchTarget& t) {
  if (t.literal) return std::vector<IpAddress>{*t.literal};
  auto found = lookup_addresses(policy.dns_server, t.host);
  if (!found.ok()) return found.take_error();
  if (found->empty()) {
    return refused("The name " + t.host +
                   " has no address in DNS. Check the spelling of the page's address.");
  }
  return found;
}

// What the socket callback needs: the one address checked for this hop.
struct Pin {
  const FetchPolicy* policy;
  IpAddress address;
  bool refused = false;
};

std::optional<IpAddress> address_of(const sockaddr* sa) {
  IpAddress ip;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(ip.bytes.data(), &in->sin_addr, 4);
    return ip;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ip.v6 = true;
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

// libcurl calls this for every socket it would open: only the pinned address gets one.
curl_socket_t open_socket(void* data, curlsocktype purpose, curl_sockaddr* addr) {
  auto* pin = static_cast<Pin*>(data);
  auto ip = address_of(&addr->addr);
  bool ok = purpose == CURLSOCKTYPE_IPCXN && ip && *ip == pin->address &&
            !refused_address(*ip, pin->policy->allow_loopback) &&
            (!pin->policy->before_connect || pin->policy->before_connect(*ip));
  if (!ok) {
    pin->refused = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(addr->family, addr->socktype, addr->protocol);
}

struct Body {
  std::string* out;
  std::size_t limit;
  bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  if (body->out->size() + size * n > body->limit) {
    body->too_large = true;
    return 0;  // aborts the transfer
  }
  body->out->append(data, size * n);
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One request, no redirects followed: the page, or its redirect in `next`.
struct Hop {
  FetchedPage page;
  std::string next;  // the absolute Location of a redirect, else empty
};

void set_options(CURL* c, const FetchTarget& t, Pin& pin, Body& body, curl_slist* resolve,
                 long timeout_ms) {
  curl_easy_setopt(c, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignores http_proxy and the like
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &pin);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(body.limit));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Smartmessages-verifier/" SM_VERSION);
}

Result<Hop> fetch_once(const FetchPolicy& policy, const FetchTarget& t,
                       SteadyClock::time_point deadline) {
  auto addresses = addresses_of(policy, t);
  if (!addresses.ok()) return addresses.take_error();
  // Every address must pass, not just the one used: a name that also points inside is an
  // attempt, not a mistake.
  for (const auto& ip : *addresses) SM_TRY(check_address(policy, t.host, ip));

  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  if (left.count() <= 0) return too_slow("deadline passed before connecting");

  Pin pin{&policy, addresses->front()};
  const IpAddress& ip = pin.address;
  std::string entry =
      t.host + ":" + std::to_string(t.port) + ":" + (ip.v6 ? "[" + ip.text() + "]" : ip.text());
  // A literal needs no look-up (and "::1:80:..." would not parse).
  std::unique_ptr<curl_slist, SlistDeleter> resolve(
      t.literal ? nullptr : curl_slist_append(nullptr, entry.c_str()));
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return make_error(Errc::internal, "The page could not be fetched.", "curl init");

  Hop hop;
  Body body{&hop.page.body, policy.max_bytes};
  set_options(curl.get(), t, pin, body, resolve.get(), static_cast<long>(left.count()));
  CURLcode rc = curl_easy_perform(curl.get());
  if (pin.refused) {
    return refused("The page's address led to a connection Smartmessages does not make.");
  }
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return make_error(Errc::unavailable,
                      "The page is larger than 1 MB. Name a smaller page that holds the link.",
                      "body over limit");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) return too_slow(curl_easy_strerror(rc));
  if (rc != CURLE_OK) {
    return make_error(Errc::unavailable,
                      "The page could not be fetched: " + std::string(curl_easy_strerror(rc)) +
                          ". Check that the address opens in a browser.",
                      curl_easy_strerror(rc));
  }

  char* type = nullptr;
  char* location = nullptr;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &hop.page.status);
  curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_TYPE, &type);
  curl_easy_getinfo(curl.get(), CURLINFO_REDIRECT_URL, &location);
  if (type != nullptr) hop.page.content_type = type;
  hop.page.url = t.url;
  bool redirect = hop.page.status == 301 || hop.page.status == 302 || hop.page.status == 303 ||
                  hop.page.status == 307 || hop.page.status == 308;
  if (redirect && location != nullptr) hop.next = location;
  return hop;
}

}  // namespace

FetchPolicy fetch_policy(const Config& config) {
  FetchPolicy p;
  p.allowed_ports = config.fetch_allowed_ports;
  p.allow_loopback = config.fetch_allow_loopback;
  p.dns_server = config.dns_server;
  return p;
}

std::optional<std::string> refused_address(const IpAddress& ip, bool allow_loopback) {
  if (allow_loopback && is_loopback(ip)) return std::nullopt;
  for (const auto& b : ip.v6 ? ipv6_blocks() : ipv4_blocks()) {
    if (in_block(ip, b)) return std::string(b.why);
  }
  // Of IPv6, only global unicast (2000::/3) is the public internet.
  if (ip.v6 && (ip.bytes[0] & 0xe0) != 0x20) return std::string(kReserved);
  return std::nullopt;
}

Result<FetchTarget> parse_fetch_target(const FetchPolicy& policy, std::string_view url) {
  const std::string text(url);
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  // Any scheme parses, so that the refusal below names the scheme as the problem.
  if (!u ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return refused("That is not a web address. Write it in full, like https://example.org/about.");
  }
  FetchTarget t;
  t.scheme = lowercase(url_part(u.get(), CURLUPART_SCHEME));
  if (t.scheme != "http" && t.scheme != "https") {
    return refused("The page's address must start with https:// or http://.");
  }
  if (!url_part(u.get(), CURLUPART_USER).empty() ||
      !url_part(u.get(), CURLUPART_PASSWORD).empty()) {
    return refused("The page's address may not hold a user name or password.");
  }

  std::string host = lowercase(url_part(u.get(), CURLUPART_HOST));
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  t.literal = parse_ip_literal(host);
  if (!t.literal && !plain_host_name(host)) {
    return refused(
        "The page's host name may only hold letters a-z, digits, hyphens and dots; "
        "write an internationalised name in its xn-- form.");
  }
  t.host = host;

  std::string port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  t.port = static_cast<std::uint16_t>(std::atoi(port.c_str()));
  SM_TRY(check_port(policy, t.port));

  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);  // never sent; not part of the page
  t.url = url_part(u.get(), CURLUPART_URL);
  return t;
}

// A redirect's target is refused for the same reasons as the first address (a private
// address, say, found only when its name is resolved); the message says it was a redirect.
static Error refused_redirect(Error e) {
  if (e.code == Errc::invalid_input) {
    e.message = "The page redirects to another address, which was refused: " + e.message;
  }
  return e;
}

Result<FetchedPage> safe_fetch(const FetchPolicy& policy, std::string_view url) {
  const auto deadline = SteadyClock::now() + policy.timeout;
  auto target = parse_fetch_target(policy, url);
  if (!target.ok()) return target.take_error();

  for (int redirects = 0;; ++redirects) {
    auto hop = fetch_once(policy, *target, deadline);
    if (!hop.ok()) return redirects == 0 ? hop.take_error() : refused_redirect(hop.take_error());
    if (hop->next.empty()) {
      hop->page.redirects = redirects;
      return std::move(hop->page);
    }
    if (redirects == policy.max_redirects) {
      return refused("The page redirects more than " + std::to_string(policy.max_redirects) +
                     " times. Name the page it finally lands on.");
    }
    target = parse_fetch_target(policy, hop->next);
    if (!target.ok()) return refused_redirect(target.take_error());
  }
}

}  // namespace sm::services
