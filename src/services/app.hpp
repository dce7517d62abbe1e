// What every service needs from the installation: the database, the mailer, the clock, the
// keys and the settings. Built once at start-up (cli/bootstrap) and shared by all threads;
// each member is itself thread-safe.
#pragma once

#include <memory>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "mail/mailer.hpp"
#include "services/keyring.hpp"
#include "services/rate_limiter.hpp"
#include "store/database.hpp"

namespace sm::services {

class ImportWorker;     // services/import_worker.hpp
class PortalMailQueue;  // services/portal_mail.hpp

struct App {
  Config config;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<sm::KeyRing> keys;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<mail::Mailer> mailer;

  // Failed sign-ins per IP address: 20 in 10 minutes, then refused until the window moves.
  RateLimiter failed_logins_by_ip{20, 10 * kMinute};
  // Password reset requests per IP address and per target address.
  RateLimiter reset_requests{5, kHour};
  // Sign-ups through public forms per IP address, and per address (across lists and accounts).
  RateLimiter signups_by_ip{30, kHour};
  RateLimiter signups_by_address{10, kHour};
  // Data access portal link requests per IP address, and per address asked for (silently).
  RateLimiter portal_links_by_ip{20, kHour};
  RateLimiter portal_links_by_address{3, kHour};

  // Runs uploaded CSV imports in the background; set by `serve` (null elsewhere: the web
  // upload then answers that imports are unavailable). shared_ptr: the type stays incomplete.
  std::shared_ptr<ImportWorker> imports;
  // Sends portal link emails off the request path; started when the portal pages are
  // registered (web/portal_pages.cpp), null elsewhere (then they are sent at once). Declared
  // last, so it stops before the mailer it uses is destroyed.
  std::shared_ptr<PortalMailQueue> portal_mail;

  Millis now() const { return clock->now_ms(); }
};

// Who is asking: kept in the security audit, never in logs.
struct Requester {
  std::string ip_address;
  std::string user_agent;
};

}  // namespace sm::services
