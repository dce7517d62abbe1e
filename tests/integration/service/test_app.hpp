// An App for service tests that call the services directly (no binary, no HTTP): a fresh
// migrated database on the engine under test, a manual clock the test moves, the keys in a
// scratch directory and mail written to its outbox.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mail/transport.hpp"
#include "services/accounts.hpp"
#include "services/app.hpp"
#include "support/scratch_dir.hpp"
#include "support/test_database.hpp"

namespace sm::testing {

// 2026-12-01 09:00 UTC: a fixed start, so dates in assertions do not depend on the day.
constexpr Millis kTestStart = 1796115600000;

class TestApp {
 public:
  explicit TestApp(TestEngine engine) {
    auto clock = std::make_unique<ManualClock>(kTestStart);
    clock_ = clock.get();
    app_.clock = std::move(clock);
    app_.config.data_dir = dir_.str();
    app_.config.http_base_url = "http://127.0.0.1:8080";
    auto keys = KeyRing::load_or_create(dir_.path());
    if (!keys.ok()) throw std::runtime_error("keys: " + keys.error().message);
    app_.keys = std::make_unique<KeyRing>(std::move(*keys));
    auto db = store::Database::open(fresh_database_url(engine, dir_), 4);
    if (!db.ok()) throw std::runtime_error("database: " + db.error().detail);
    app_.db = std::move(*db);
    if (auto ran = app_.db->migrate(); !ran.ok()) {
      throw std::runtime_error("migrate: " + ran.error().detail);
    }
    auto transport = mail::make_transport("", app_.config.outbox_dir());
    if (!transport.ok()) throw std::runtime_error("outbox: " + transport.error().message);
    app_.mailer = std::make_unique<mail::Mailer>(
        std::move(*transport), mail::Mailbox{"noreply@example.org", "Smartmessages"}, *clock_);
  }

  services::App& app() { return app_; }
  ManualClock& clock() { return *clock_; }
  const ScratchDir& dir() const { return dir_; }

  // A new account with complete controller details; returns its id.
  std::int64_t create_account(const std::string& organisation = "Example Ltd",
                              const std::string& email = "owner@example.org") {
    services::ControllerDetails d{
        organisation, "Ada Owner",           "1 High Street, Leeds LS1 1AA",
        email,        "https://example.org", "privacy@example.org"};
    auto made = services::create_account_as_operator(app_, d, "");
    if (!made.ok()) throw std::runtime_error("account: " + made.error().message);
    return made->ids.account_id;
  }

  // The .eml files in the outbox, oldest first.
  std::vector<std::filesystem::path> outbox() const {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(app_.config.outbox_dir(), ec)) {
      if (e.path().extension() == ".eml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
      return std::filesystem::last_write_time(a) < std::filesystem::last_write_time(b);
    });
    return files;
  }

 private:
  ScratchDir dir_;
  ManualClock* clock_ = nullptr;
  services::App app_;
};

}  // namespace sm::testing
