// End-to-end: the real binary on a loopback port, driven over HTTP and its CLI the way a user
// and an operator would, on both database engines.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "services/totp.hpp"
#include "support/http_client.hpp"
#include "support/service_process.hpp"
#include "support/smtp_capture.hpp"
#include "support/test_database.hpp"

namespace sm::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "violet-Harbour-tractor-91-quill";
constexpr char kOtherPassword[] = "marble-Kettle-orchard-57-plume";
constexpr auto npos = std::string::npos;

class ServiceTest : public ::testing::TestWithParam<TestEngine> {};

HeaderList same_origin(const HttpClient& c) { return {{"Origin", c.base_url()}}; }

// Opens a public page and sends its form the way a browser on that page would.
HttpResponse submit_public_form(HttpClient& c, const std::string& page, const std::string& action,
                                HeaderList fields) {
  HttpResponse form = c.get(page);
  if (form.status != 200) {
    throw std::runtime_error("GET " + page + " answered " + std::to_string(form.status));
  }
  fields.emplace_back("form_token", input_value(form.body, "form_token"));
  return c.post_form(action, fields, same_origin(c));
}

// Opens an account page and sends its form with the page's CSRF token.
HttpResponse submit_account_form(HttpClient& c, const std::string& page, const std::string& action,
                                 HeaderList fields) {
  HttpResponse form = c.get(page);
  if (form.status != 200) {
    throw std::runtime_error("GET " + page + " answered " + std::to_string(form.status));
  }
  fields.emplace_back("csrf", input_value(form.body, "csrf"));
  return c.post_form(action, fields, same_origin(c));
}

HttpResponse sign_in(HttpClient& c, const std::string& email, const std::string& password) {
  return submit_public_form(c, "/login", "/login", {{"email", email}, {"password", password}});
}

HttpResponse sign_out(HttpClient& c) { return submit_account_form(c, "/account", "/logout", {}); }

HttpResponse sign_up(HttpClient& c, const std::string& organisation, const std::string& email,
                     const std::string& password = kPassword) {
  return submit_public_form(c, "/signup", "/signup",
                            {{"organisation", organisation},
                             {"contact_name", "Jo Fenwick"},
                             {"address", "1 High Street\nLeeds LS1 1AA"},
                             {"email", email},
                             {"website", "https://example.org"},
                             {"password", password}});
}

// `account create` with a password on standard input; the new account's id.
std::int64_t create_account(const ServiceProcess& svc, const std::string& organisation,
                            const std::string& email, const std::string& password = kPassword) {
  CliResult r = svc.run_cli(
      {"account", "create", "--org", organisation, "--email", email, "--password-stdin"},
      password + "\n");
  if (r.exit_code != 0) {
    throw std::runtime_error("account create failed (" + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  return std::stoll(r.out);
}

// The path part of a link the service made ("http://127.0.0.1:N/x" → "/x").
std::string path_of(const ServiceProcess& svc, const std::string& link) {
  if (link.rfind(svc.base_url(), 0) != 0) {
    throw std::runtime_error("link " + link + " is not on " + svc.base_url());
  }
  return link.substr(svc.base_url().size());
}

// The first link of a message whose path starts with `prefix`, as a path.
std::string link_to(const ServiceProcess& svc, const OutboxMessage& m, const std::string& prefix) {
  for (const auto& link : m.links) {
    if (link.rfind(svc.base_url() + prefix, 0) == 0) return path_of(svc, link);
  }
  throw std::runtime_error("no " + prefix + " link in the message:\n" + m.text);
}

const OutboxMessage* message_to(const std::vector<OutboxMessage>& messages,
                                const std::string& address) {
  for (const auto& m : messages) {
    if (m.to.find(address) != npos) return &m;
  }
  return nullptr;
}

std::string session_cookie_of(const HttpResponse& r) {
  for (const auto& c : r.header_values("Set-Cookie")) {
    if (c.rfind("sm_session=", 0) == 0) return c;
  }
  return "";
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// RFC 4648 base32 without padding, as the set-up page shows the key (spaces removed first).
std::string base32_decode(const std::string& text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int v = -1;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    if (ch >= 'a' && ch <= 'z') v = ch - 'a';
    if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
    if (v < 0) continue;
    buffer = (buffer << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

Millis now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> recovery_codes_of(const std::string& html) {
  std::vector<std::string> codes;
  const auto start = html.find("id=\"recovery-codes\"");
  const auto end = html.find("</ul>", start);
  if (start == npos || end == npos) return codes;
  const std::string list = html.substr(start, end - start);
  static const std::regex item(R"(<li>\s*([^<]+?)\s*</li>)");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator();
       ++it) {
    codes.push_back((*it)[1].str());
  }
  return codes;
}

HeaderList details_fields(const std::string& organisation) {
  return {{"organisation", organisation},
          {"contact_name", "Jo Fenwick"},
          {"address", "1 High Street\nLeeds LS1 1AA"},
          {"email", "office@fenwick.test"},
          {"website", "https://fenwick.test"},
          {"privacy_contact", "privacy@fenwick.test"}};
}

// ---------------------------------------------------------------------------------------------

TEST_P(ServiceTest, SignUpConfirmEmailAndSignIn) {
  ServiceProcess svc(GetParam());
  HttpClient c(svc.base_url());
  const std::string email = "jo@fenwick.test";

  HttpResponse created = sign_up(c, "Fenwick Bakery", email);
  EXPECT_EQ(303, created.status) << created.body;
  EXPECT_EQ("/signup/check-email", created.header("Location"));
  EXPECT_EQ("", session_cookie_of(created));

  ASSERT_TRUE(svc.wait_for_outbox(1));
  auto messages = svc.outbox_messages();
  ASSERT_EQ(1u, messages.size());
  EXPECT_THAT(messages[0].to, HasSubstr(email));
  EXPECT_EQ("Confirm your email address for Smartmessages", messages[0].subject);
  const std::string verify = link_to(svc, messages[0], "/verify-email/");

  // Opening the link (as a link scanner would) shows a button and confirms nothing.
  HttpResponse page = c.get(verify);
  EXPECT_EQ(200, page.status);
  EXPECT_THAT(page.body, HasSubstr("<form method=\"post\""));
  EXPECT_EQ(200, c.get(verify).status);

  HttpResponse signed_in = sign_in(c, email, kPassword);
  EXPECT_EQ(303, signed_in.status) << signed_in.body;
  EXPECT_EQ("/account", signed_in.header("Location"));
  const std::string cookie = session_cookie_of(signed_in);
  EXPECT_TRUE(
      std::regex_match(cookie, std::regex("sm_session=[A-Za-z0-9_-]{20,}; Path=/; HttpOnly; "
                                          "SameSite=Lax")))
      << cookie;
  EXPECT_THAT(lower(cookie), Not(HasSubstr("expires")));
  EXPECT_THAT(lower(cookie), Not(HasSubstr("max-age")));

  HttpResponse account = c.get("/account");
  EXPECT_EQ(200, account.status);
  EXPECT_THAT(account.body, HasSubstr("Fenwick Bakery"));
  EXPECT_THAT(account.body, HasSubstr("confirmed yet"));

  HttpResponse confirmed = c.post_form(verify, {}, same_origin(c));
  EXPECT_EQ(303, confirmed.status) << confirmed.body;
  EXPECT_EQ("/login?verified=1", confirmed.header("Location"));

  EXPECT_EQ(404, c.get(verify).status);
  EXPECT_EQ(404, c.post_form(verify, {}, same_origin(c)).status);

  account = c.get("/account");
  EXPECT_EQ(200, account.status);
  EXPECT_THAT(account.body, Not(HasSubstr("confirmed yet")));
  EXPECT_THAT(account.body, HasSubstr("Fenwick Bakery"));
}

TEST_P(ServiceTest, FailedSignInsLookAlikeAndOneAddressIsThrottled) {
  ServiceProcess svc(GetParam());
  const std::string known = "owner@known.test";
  create_account(svc, "Known Ltd", known);
  HttpClient c(svc.base_url());

  HttpResponse wrong_password = sign_in(c, known, "not-the-right-password-at-all");
  HttpResponse unknown_email = sign_in(c, "nobody@unknown.test", "not-the-right-password-at-all");
  EXPECT_EQ(401, wrong_password.status);
  EXPECT_EQ(401, unknown_email.status);
  // The pages differ only in the fresh form token and the address typed, which is shown again.
  auto normalise = [](std::string body, const std::string& email) {
    body = std::regex_replace(body, std::regex("name=\"form_token\" value=\"[^\"]*\""),
                              "name=\"form_token\" value=\"T\"");
    for (auto pos = body.find(email); pos != npos; pos = body.find(email)) {
      body.replace(pos, email.size(), "EMAIL");
    }
    return body;
  };
  EXPECT_EQ(normalise(wrong_password.body, known),
            normalise(unknown_email.body, "nobody@unknown.test"));
  EXPECT_THAT(wrong_password.body, HasSubstr("do not match an account"));

  // 20 failures from one address in 10 minutes are allowed; the 21st attempt is refused.
  for (int i = 3; i <= 20; ++i) {
    HttpResponse r = sign_in(c, "guess" + std::to_string(i) + "@unknown.test", "wrong-password");
    ASSERT_EQ(401, r.status) << "attempt " << i;
  }
  HttpResponse blocked = sign_in(c, "guess21@unknown.test", "wrong-password");
  EXPECT_EQ(429, blocked.status);
  // Even the right password is refused from that address now.
  HttpResponse right = sign_in(c, known, kPassword);
  EXPECT_EQ(429, right.status);
  EXPECT_EQ("", session_cookie_of(right));
}

TEST_P(ServiceTest, PublicFormsNeedTheirTokenAndOurOrigin) {
  ServiceProcess svc(GetParam());
  HttpClient c(svc.base_url());
  const std::string email = "forged@fenwick.test";
  const HeaderList fields = {{"organisation", "Forged Ltd"},
                             {"contact_name", "Jo Fenwick"},
                             {"address", "1 High Street"},
                             {"email", email},
                             {"password", kPassword}};
  const std::string token = input_value(c.get("/signup").body, "form_token");
  ASSERT_FALSE(token.empty());
  HeaderList with_token = fields;
  with_token.emplace_back("form_token", token);

  EXPECT_EQ(403, c.post_form("/signup", fields, same_origin(c)).status);
  EXPECT_EQ(403, c.post_form("/signup", with_token, {{"Origin", "https://evil.example"}}).status);
  EXPECT_EQ(403, c.post_form("/signup", with_token, {}).status);
  HeaderList bad_token = fields;
  bad_token.emplace_back("form_token", token + "0");
  EXPECT_EQ(403, c.post_form("/signup", bad_token, same_origin(c)).status);
  EXPECT_EQ(
      403,
      c.post_form("/login", {{"email", email}, {"password", kPassword}}, same_origin(c)).status);
  EXPECT_EQ(403, c.post_form("/forgot", {{"email", email}}, same_origin(c)).status);

  // Nothing was stored: no email, no sign-in, and the address is still free.
  EXPECT_TRUE(svc.outbox_messages().empty());
  EXPECT_EQ(401, sign_in(c, email, kPassword).status);
  HttpResponse real = sign_up(c, "Forged Ltd", email);
  EXPECT_EQ(303, real.status) << real.body;
  EXPECT_TRUE(svc.wait_for_outbox(1));
  EXPECT_EQ(1u, svc.outbox_messages().size());
}

TEST_P(ServiceTest, AccountFormsNeedCsrfTokenAndOurOrigin) {
  ServiceProcess svc(GetParam());
  create_account(svc, "Original Org", "owner@original.test");
  HttpClient c(svc.base_url());
  ASSERT_EQ(303, sign_in(c, "owner@original.test", kPassword).status);

  const std::string csrf = input_value(c.get("/account/details").body, "csrf");
  ASSERT_FALSE(csrf.empty());
  HeaderList without = details_fields("Changed Org");
  HeaderList with = without;
  with.emplace_back("csrf", csrf);
  HeaderList wrong = without;
  wrong.emplace_back("csrf", std::string(csrf.size(), '0'));

  EXPECT_EQ(403, c.post_form("/account/details", without, same_origin(c)).status);
  EXPECT_EQ(403, c.post_form("/account/details", wrong, same_origin(c)).status);
  EXPECT_EQ(403,
            c.post_form("/account/details", with, {{"Origin", "https://evil.example"}}).status);
  EXPECT_EQ(403, c.post_form("/account/details", with, {}).status);

  HttpResponse details = c.get("/account/details");
  EXPECT_THAT(details.body, HasSubstr("value=\"Original Org\""));
  EXPECT_THAT(details.body, Not(HasSubstr("Changed Org")));

  // The same form from our own page goes through, so the refusals above were the checks.
  HttpResponse saved = c.post_form("/account/details", with, same_origin(c));
  EXPECT_EQ(303, saved.status) << saved.body;
  EXPECT_THAT(c.get("/account/details").body, HasSubstr("value=\"Changed Org\""));
}

TEST_P(ServiceTest, TwoFactorEnrolmentCodesAndRecoveryCodes) {
  ServiceProcess svc(GetParam());
  const std::string email = "owner@twofactor.test";
  create_account(svc, "Two Factor Ltd", email);
  HttpClient c(svc.base_url());
  ASSERT_EQ(303, sign_in(c, email, kPassword).status);

  HttpResponse setup = c.get("/account/security/2fa");
  ASSERT_EQ(200, setup.status);
  std::string shown = element_text(setup.body, "totp-secret");
  shown.erase(std::remove(shown.begin(), shown.end(), ' '), shown.end());
  ASSERT_EQ(32u, shown.size()) << shown;
  const std::string secret = base32_decode(shown);
  ASSERT_EQ(20u, secret.size());

  const Millis enrolled_at = now_ms();
  const std::string first_code = totp_code(secret, enrolled_at);
  HttpResponse wrong = c.post_form("/account/security/2fa",
                                   {{"csrf", input_value(setup.body, "csrf")},
                                    {"code", first_code == "000000" ? "111111" : "000000"}},
                                   same_origin(c));
  EXPECT_EQ(422, wrong.status);
  HttpResponse enabled = c.post_form(
      "/account/security/2fa", {{"csrf", input_value(setup.body, "csrf")}, {"code", first_code}},
      same_origin(c));
  ASSERT_EQ(200, enabled.status) << enabled.body;
  const auto codes = recovery_codes_of(enabled.body);
  ASSERT_EQ(10u, codes.size()) << enabled.body;
  EXPECT_THAT(c.get("/account").body, HasSubstr("2FA on"));

  EXPECT_EQ(303, sign_out(c).status);
  HttpResponse half = sign_in(c, email, kPassword);
  EXPECT_EQ(303, half.status);
  EXPECT_EQ("/login/2fa", half.header("Location"));
  EXPECT_EQ(303, c.get("/account").status);  // not signed in until the code

  HttpResponse reused = c.post_form("/login/2fa", {{"code", first_code}}, same_origin(c));
  EXPECT_EQ(422, reused.status);
  EXPECT_THAT(reused.body, HasSubstr("already been used"));

  // The code of the next 30-second step is inside the service's one-step window already.
  const std::int64_t step = totp_step(enrolled_at);
  const std::string next_code = totp_code(secret, (step + 1) * kTotpStepSeconds * 1000);
  HttpResponse full = c.post_form("/login/2fa", {{"code", next_code}}, same_origin(c));
  EXPECT_EQ(303, full.status) << full.body;
  EXPECT_EQ("/account", full.header("Location"));
  EXPECT_EQ(200, c.get("/account").status);

  // A recovery code signs in once.
  EXPECT_EQ(303, sign_out(c).status);
  ASSERT_EQ("/login/2fa", sign_in(c, email, kPassword).header("Location"));
  HttpResponse recovered = c.post_form("/login/2fa", {{"code", codes[0]}}, same_origin(c));
  EXPECT_EQ(303, recovered.status) << recovered.body;
  EXPECT_EQ("/account", recovered.header("Location"));

  EXPECT_EQ(303, sign_out(c).status);
  ASSERT_EQ("/login/2fa", sign_in(c, email, kPassword).header("Location"));
  HttpResponse again = c.post_form("/login/2fa", {{"code", codes[0]}}, same_origin(c));
  EXPECT_EQ(422, again.status);
  EXPECT_EQ(303, c.get("/account").status);
  EXPECT_EQ(303, c.post_form("/login/2fa", {{"code", codes[1]}}, same_origin(c)).status);
  EXPECT_EQ(200, c.get("/account").status);
}

TEST_P(ServiceTest, PasswordResetByEmailLink) {
  ServiceProcess svc(GetParam());
  const std::string email = "owner@reset.test";
  create_account(svc, "Reset Ltd", email);
  HttpClient c(svc.base_url());

  HttpResponse known = submit_public_form(c, "/forgot", "/forgot", {{"email", email}});
  HttpResponse unknown =
      submit_public_form(c, "/forgot", "/forgot", {{"email", "nobody@reset.test"}});
  EXPECT_EQ(200, known.status);
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_EQ(known.body, unknown.body);

  ASSERT_TRUE(svc.wait_for_outbox(1));
  auto messages = svc.outbox_messages();
  ASSERT_EQ(1u, messages.size());
  EXPECT_THAT(messages[0].to, HasSubstr(email));
  const std::string reset = link_to(svc, messages[0], "/reset/");

  HttpResponse weak = submit_public_form(c, reset, reset, {{"password", "password1234"}});
  EXPECT_EQ(422, weak.status);
  EXPECT_THAT(weak.body, HasSubstr("This password is too"));
  HttpResponse short_one = submit_public_form(c, reset, reset, {{"password", "x7#kQ"}});
  EXPECT_EQ(422, short_one.status);
  EXPECT_THAT(short_one.body, HasSubstr("at least 12 characters"));

  // A form of the link's page, kept to send again after the link is used.
  const std::string spare_token = input_value(c.get(reset).body, "form_token");
  ASSERT_FALSE(spare_token.empty());
  HttpResponse changed = submit_public_form(c, reset, reset, {{"password", kOtherPassword}});
  EXPECT_EQ(303, changed.status) << changed.body;
  EXPECT_EQ("/login?reset=1", changed.header("Location"));

  EXPECT_EQ(401, sign_in(c, email, kPassword).status);
  EXPECT_EQ(303, sign_in(c, email, kOtherPassword).status);
  EXPECT_EQ(404, c.get(reset).status);
  HttpResponse reused =
      c.post_form(reset, {{"password", kPassword}, {"form_token", spare_token}}, same_origin(c));
  EXPECT_EQ(404, reused.status);
  HttpClient fresh(svc.base_url());
  EXPECT_EQ(303, sign_in(fresh, email, kOtherPassword).status);
}

TEST_P(ServiceTest, OperatorCliAccountsAndApiKeys) {
  ServiceProcess svc(GetParam());
  HttpClient c(svc.base_url());

  CliResult a = svc.run_cli({"account", "create", "--org", "Alpha Ltd", "--email",
                             "owner@alpha.test", "--password-stdin"},
                            std::string(kPassword) + "\n");
  ASSERT_EQ(0, a.exit_code) << a.err;
  EXPECT_TRUE(std::regex_match(a.out, std::regex("[0-9]+\n"))) << a.out;
  const std::int64_t alpha = std::stoll(a.out);

  // Created by the operator, so confirmed: the owner signs in at once.
  ASSERT_EQ(303, sign_in(c, "owner@alpha.test", kPassword).status);
  HttpResponse dashboard = c.get("/account");
  EXPECT_THAT(dashboard.body, HasSubstr("Alpha Ltd"));
  EXPECT_THAT(dashboard.body, Not(HasSubstr("confirmed yet")));

  CliResult b =
      svc.run_cli({"account", "create", "--org", "Beta Ltd", "--email", "owner@beta.test"});
  ASSERT_EQ(0, b.exit_code) << b.err;
  EXPECT_TRUE(std::regex_match(b.out, std::regex("[0-9]+\n"))) << b.out;
  const std::int64_t beta = std::stoll(b.out);
  EXPECT_NE(alpha, beta);
  std::smatch link;
  ASSERT_TRUE(std::regex_search(b.err, link, std::regex(svc.base_url() + "(/reset/[^\\s]+)")))
      << b.err;
  const std::string set_password = link[1].str();
  HttpClient beta_client(svc.base_url());
  HttpResponse set =
      submit_public_form(beta_client, set_password, set_password, {{"password", kOtherPassword}});
  EXPECT_EQ(303, set.status) << set.body;
  EXPECT_EQ(303, sign_in(beta_client, "owner@beta.test", kOtherPassword).status);
  EXPECT_THAT(beta_client.get("/account").body, HasSubstr("Beta Ltd"));

  CliResult key_a = svc.run_cli({"apikey", "create", "--account", std::to_string(alpha)});
  ASSERT_EQ(0, key_a.exit_code) << key_a.err;
  ASSERT_FALSE(key_a.out.empty());
  EXPECT_EQ(1, std::count(key_a.out.begin(), key_a.out.end(), '\n')) << key_a.out;
  const std::string alpha_key = key_a.out.substr(0, key_a.out.find('\n'));
  CliResult key_b =
      svc.run_cli({"apikey", "create", "--account", std::to_string(beta), "--name", "ci"});
  ASSERT_EQ(0, key_b.exit_code) << key_b.err;
  const std::string beta_key = key_b.out.substr(0, key_b.out.find('\n'));
  EXPECT_NE(alpha_key, beta_key);

  HttpClient api(svc.base_url());
  HttpResponse mine = api.get("/api/v1/account", {{"Authorization", "Bearer " + alpha_key}});
  ASSERT_EQ(200, mine.status) << mine.body;
  EXPECT_THAT(mine.header("Content-Type"), HasSubstr("application/json"));
  auto body = nlohmann::json::parse(mine.body);
  EXPECT_EQ(alpha, body.at("id").get<std::int64_t>());
  EXPECT_EQ("Alpha Ltd", body.at("organisation").get<std::string>());
  EXPECT_EQ(mine.body.find("Beta Ltd"), npos);

  HttpResponse theirs = api.get("/api/v1/account", {{"Authorization", "Bearer " + beta_key}});
  ASSERT_EQ(200, theirs.status);
  auto beta_body = nlohmann::json::parse(theirs.body);
  EXPECT_EQ(beta, beta_body.at("id").get<std::int64_t>());
  EXPECT_EQ("Beta Ltd", beta_body.at("organisation").get<std::string>());

  for (const HeaderList& h :
       std::vector<HeaderList>{{},
                               {{"Authorization", "Bearer " + alpha_key + "x"}},
                               {{"Authorization", "Bearer sm_not_a_real_key"}},
                               {{"Authorization", alpha_key}}}) {
    HttpResponse refused = api.get("/api/v1/account", h);
    EXPECT_EQ(401, refused.status);
    EXPECT_THAT(refused.header("Content-Type"), HasSubstr("application/problem+json"));
    EXPECT_EQ(refused.body.find("Alpha Ltd"), npos);
  }
}

TEST_P(ServiceTest, TeamRolesLimitWhatMembersCanDo) {
  ServiceProcess svc(GetParam());
  const std::string owner_email = "owner@team.test";
  const std::string viewer_email = "viewer@team.test";
  create_account(svc, "Team Ltd", owner_email);
  HttpClient owner(svc.base_url());
  ASSERT_EQ(303, sign_in(owner, owner_email, kPassword).status);

  HttpResponse invited = submit_account_form(owner, "/account/users", "/account/users/invite",
                                             {{"email", viewer_email}, {"role", "viewer"}});
  EXPECT_EQ(303, invited.status) << invited.body;
  ASSERT_TRUE(svc.wait_for_outbox(1));
  const auto sent = svc.outbox_messages();
  const OutboxMessage* invitation = message_to(sent, viewer_email);
  ASSERT_NE(nullptr, invitation);
  const std::string accept = link_to(svc, *invitation, "/invite/");

  HttpClient viewer(svc.base_url());
  HttpResponse accept_page = viewer.get(accept);
  EXPECT_EQ(200, accept_page.status);
  EXPECT_THAT(accept_page.body, HasSubstr(viewer_email));
  HttpResponse accepted =
      viewer.post_form(accept, {{"password", kOtherPassword}}, same_origin(viewer));
  EXPECT_EQ(303, accepted.status) << accepted.body;
  EXPECT_EQ(404, viewer.get(accept).status);
  ASSERT_EQ(303, sign_in(viewer, viewer_email, kOtherPassword).status);
  HttpResponse dashboard = viewer.get("/account");
  EXPECT_THAT(dashboard.body, HasSubstr("Team Ltd"));
  EXPECT_THAT(dashboard.body, HasSubstr("signed in as viewer"));

  HttpResponse edit = submit_account_form(viewer, "/account/details", "/account/details",
                                          details_fields("Hijacked Ltd"));
  EXPECT_EQ(403, edit.status);
  EXPECT_THAT(owner.get("/account/details").body, HasSubstr("value=\"Team Ltd\""));
  EXPECT_THAT(owner.get("/account").body, Not(HasSubstr("Hijacked Ltd")));

  HttpResponse viewer_invite =
      submit_account_form(viewer, "/account/users", "/account/users/invite",
                          {{"email", "friend@team.test"}, {"role", "owner"}});
  EXPECT_EQ(403, viewer_invite.status);
  const auto after = svc.outbox_messages();
  EXPECT_EQ(nullptr, message_to(after, "friend@team.test"));
  EXPECT_THAT(owner.get("/account/users").body, Not(HasSubstr("friend@team.test")));

  // The only owner cannot make themself a viewer.
  HttpResponse team = owner.get("/account/users");
  const auto me = team.body.find("(you)");
  ASSERT_NE(npos, me);
  const std::string my_id = input_value(team.body.substr(me), "user_id");
  ASSERT_FALSE(my_id.empty());
  HttpResponse demote = owner.post_form(
      "/account/users/role",
      {{"csrf", input_value(team.body, "csrf")}, {"user_id", my_id}, {"role", "viewer"}},
      same_origin(owner));
  EXPECT_EQ(409, demote.status);
  EXPECT_THAT(demote.body, HasSubstr("at least one owner"));
  EXPECT_THAT(owner.get("/account").body, HasSubstr("signed in as owner"));
}

TEST_P(ServiceTest, SessionsExpireAndSignOutEverywhere) {
  ServiceProcess svc(GetParam());
  const std::string email = "owner@sessions.test";
  create_account(svc, "Sessions Ltd", email);

  HttpClient first(svc.base_url());
  ASSERT_EQ(303, sign_in(first, email, kPassword).status);
  ASSERT_EQ(200, first.get("/account").status);

  CliResult later =
      svc.run_cli({"maintain"}, "",
                  {{"SMARTMESSAGES_TESTING_CLOCK_OFFSET_MS", std::to_string(13LL * 3600 * 1000)}});
  ASSERT_EQ(0, later.exit_code) << later.err;
  std::smatch removed;
  ASSERT_TRUE(std::regex_search(later.out, removed,
                                std::regex("(^|\n)expired-sessions: removed ([0-9]+)\n")))
      << later.out;
  EXPECT_GE(std::stoll(removed[2].str()), 1);

  HttpResponse gone = first.get("/account");
  EXPECT_EQ(303, gone.status);
  EXPECT_EQ("/login", gone.header("Location"));

  HttpClient laptop(svc.base_url());
  HttpClient phone(svc.base_url());
  ASSERT_EQ(303, sign_in(laptop, email, kPassword).status);
  ASSERT_EQ(303, sign_in(phone, email, kPassword).status);
  ASSERT_EQ(200, phone.get("/account").status);
  HttpResponse everywhere =
      submit_account_form(laptop, "/account/security", "/account/security/sign-out-everywhere", {});
  EXPECT_EQ(303, everywhere.status);
  EXPECT_EQ("/login?signed_out=1", everywhere.header("Location"));
  HttpResponse phone_after = phone.get("/account");
  EXPECT_EQ(303, phone_after.status);
  EXPECT_EQ("/login", phone_after.header("Location"));
  EXPECT_EQ(303, laptop.get("/account").status);
}

TEST_P(ServiceTest, MailGoesThroughTheSmtpRelay) {
  SmtpCapture relay;
  ServiceProcess svc(GetParam(), {.env = {{"SMARTMESSAGES_MAIL_SMTP_URL", relay.url()}}});
  HttpClient c(svc.base_url());
  const std::string email = "relay@fenwick.test";

  HttpResponse created = sign_up(c, "Relay Bakery", email);
  ASSERT_EQ(303, created.status) << created.body;
  ASSERT_TRUE(relay.wait_for(1, 10s));
  auto received = relay.messages();
  ASSERT_EQ(1u, received.size());
  EXPECT_EQ(std::vector<std::string>{email}, received[0].rcpt_tos);
  EXPECT_THAT(received[0].raw, HasSubstr("Subject: Confirm your email address for Smartmessages"));
  EXPECT_TRUE(svc.outbox_messages().empty());
}

SM_INSTANTIATE_FOR_ENGINES(ServiceTest);

// ---------------------------------------------------------------------------------------------
// Hardening: the same on both engines, so SQLite only.

TEST(ServiceHardening, EveryResponseCarriesTheSecurityHeaders) {
  ServiceProcess svc(TestEngine::sqlite);
  const std::int64_t id = create_account(svc, "Headers Ltd", "owner@headers.test");
  HttpClient c(svc.base_url());

  auto check = [](const std::string& path, const HttpResponse& r) {
    EXPECT_NE(0, r.status) << path << ": " << r.error;
    EXPECT_THAT(r.header("Content-Security-Policy"), HasSubstr("default-src 'self'")) << path;
    EXPECT_EQ("nosniff", r.header("X-Content-Type-Options")) << path;
    EXPECT_FALSE(r.header("Referrer-Policy").empty()) << path;
  };
  const std::vector<std::string> public_pages = {"/", "/signup", "/login", "/forgot",
                                                 "/privacy/" + std::to_string(id)};
  for (const auto& path : public_pages) {
    HttpResponse r = c.get(path);
    EXPECT_EQ(200, r.status) << path;
    check(path, r);
    EXPECT_FALSE(r.has_header("Set-Cookie")) << path << ": " << r.header("Set-Cookie");
  }
  for (const std::string path : {"/privacy/999999", "/static/app.css", "/healthz", "/no-such-page",
                                 "/account", "/verify-email/nope"}) {
    HttpResponse r = c.get(path);
    check(path, r);
    EXPECT_FALSE(r.has_header("Set-Cookie")) << path;
  }
  EXPECT_FALSE(c.cookie("sm_session").has_value());

  HttpResponse signed_in = sign_in(c, "owner@headers.test", kPassword);
  check("POST /login", signed_in);
  for (const std::string path :
       {"/account", "/account/details", "/account/security", "/account/users"}) {
    HttpResponse r = c.get(path);
    EXPECT_EQ(200, r.status) << path;
    check(path, r);
  }
}

TEST(ServiceHardening, BadConfigValueStopsStartUpWithOneLine) {
  ServiceProcess svc(TestEngine::sqlite, {.env = {}, .start = false});
  CliResult r = svc.run_cli({"serve"}, "", {{"SMARTMESSAGES_HTTP_LISTEN", "nonsense"}}, 20s);
  EXPECT_EQ(1, r.exit_code);
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  EXPECT_EQ(0, std::count(err.begin(), err.end(), '\n')) << r.err;
  EXPECT_THAT(err, HasSubstr("http.listen"));
  EXPECT_THAT(err, HasSubstr("nonsense"));
}

TEST(ServiceHardening, SigtermStopsCleanly) {
  ServiceProcess svc(TestEngine::sqlite);
  HttpClient c(svc.base_url());
  EXPECT_EQ(200, c.get("/healthz").status);
  EXPECT_EQ(0, svc.stop());
  EXPECT_THAT(svc.log(), HasSubstr("stopped cleanly"));
}

TEST(ServiceHardening, SecretKeyFileIsReadableByItsOwnerOnly) {
  ServiceProcess svc(TestEngine::sqlite);
  struct stat st {};
  ASSERT_EQ(0, ::stat((svc.data_dir() / "secret.key").c_str(), &st));
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(0600u, st.st_mode & 0777u);
}

TEST(ServiceHardening, LogsHoldNoAddressTokenOrIp) {
  ServiceProcess svc(TestEngine::sqlite);
  HttpClient c(svc.base_url());
  const std::string email = "private.person@fenwick.test";

  ASSERT_EQ(303, sign_up(c, "Private Bakery", email).status);
  ASSERT_TRUE(svc.wait_for_outbox(1));
  const std::string verify = link_to(svc, svc.outbox_messages()[0], "/verify-email/");
  EXPECT_EQ(200, c.get(verify).status);
  EXPECT_EQ(303, c.post_form(verify, {}, same_origin(c)).status);
  EXPECT_EQ(401, sign_in(c, email, "wrong-password-here").status);
  ASSERT_EQ(303, sign_in(c, email, kPassword).status);
  const auto token = c.cookie("sm_session");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(200, c.get("/account").status);
  EXPECT_EQ(200, submit_public_form(c, "/forgot", "/forgot", {{"email", email}}).status);
  ASSERT_TRUE(svc.wait_for_outbox(2));
  EXPECT_EQ(0, svc.stop());

  const std::string log = svc.log();
  const auto listening = log.rfind("listening");
  ASSERT_NE(npos, listening) << log;
  const auto line_end = log.find('\n', listening);
  const std::string after = line_end == npos ? "" : log.substr(line_end + 1);
  EXPECT_THAT(after, HasSubstr("route="));  // requests were logged, just not who made them
  EXPECT_THAT(log, Not(HasSubstr(email)));
  EXPECT_THAT(log, Not(HasSubstr(*token)));
  EXPECT_THAT(log, Not(HasSubstr(verify.substr(std::string("/verify-email/").size()))));
  EXPECT_THAT(after, Not(HasSubstr("127.0.0.1"))) << after;
}

}  // namespace
}  // namespace sm::testing
