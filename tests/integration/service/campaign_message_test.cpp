// A campaign compiled once and rendered per recipient, on both engines: every message parses
// with Python's email package without defects (CRLF, lines of at most 998 octets), carries
// both DKIM signatures that python3-dkim and libopendkim verify against the records the domain
// publishes, the list headers and the footer in both parts; its Message-ID is the same on every
// render of a delivery; a subscriber's field value cannot become a javascript: link; test sends,
// the preview and the web version hold sample or no personal data.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "integration/mail/python_tools.hpp"
#include "services/accounts.hpp"
#include "services/campaign_message.hpp"
#include "services/campaigns.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"
#include "services/subscriptions.hpp"
#include "support/opendkim_verify.hpp"
#include "test_app.hpp"
#include "verified_domain.hpp"

namespace sm::testing {
namespace {

using services::CampaignForm;
using services::Recipient;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Every header of the message as Python decodes it (folding undone), by name; repeated
// headers are joined with "\n".
nlohmann::json headers_with_python(const std::filesystem::path& path) {
  static const char* kScript = R"PY(
import email, email.policy, json, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
out = {}
for k, v in m.items():
    out[k] = (out[k] + "\n" if k in out else "") + str(v)
print(json.dumps(out))
)PY";
  const auto script = path.string() + ".headers.py";
  write_text(script, kScript);
  const CommandResult r = run_command("/usr/bin/python3 '" + script + "' '" + path.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.exit_code == 0 ? nlohmann::json::parse(r.output) : nlohmann::json::object();
}

// The message from its Date header on, with its random MIME boundary replaced, so that two
// renders of the same delivery compare equal (the signatures cover the boundary).
std::string comparable(const std::string& mime) {
  std::string out = mime.substr(mime.find("\r\nDate: ") + 2);
  const std::size_t at = out.find("boundary=\"") + 10;
  const std::string boundary = out.substr(at, out.find('"', at) - at);
  for (std::size_t i = out.find(boundary); i != std::string::npos; i = out.find(boundary, i)) {
    out.replace(i, boundary.size(), "BOUNDARY");
  }
  return out;
}

class CampaignMessageTest : public ::testing::TestWithParam<TestEngine> {
 protected:
  void SetUp() override {
    t_.app().config.http_base_url = "https://lists.example.org";
    account_ = t_.create_account("Grüne Gärten Ltd", "owner@example.org");
    domain_ = add_verified_domain(t_.app(), t_.dir(), account_, "news.example.org");
    auto list = services::create_list(t_.app(), account_, {"Garden news", "Monthly.", "", ""});
    ASSERT_TRUE(list.ok()) << list.error().message;
    list_ = *list;
    for (auto [key, label] : {std::pair{"first_name", "First name"}, {"site", "Website"}}) {
      auto f = services::declare_field(t_.app(), account_,
                                       {0, key, label, services::FieldType::text, {}});
      ASSERT_TRUE(f.ok()) << f.error().message;
    }
    services::NewSubscriber person;
    person.email = "jane@example.net";
    person.fields = {{"first_name", "Jane"}};
    person.confirmed = true;
    person.source = "Sign-up sheet at the shop";
    person.basis = "consent";
    auto added = services::add_subscriber(t_.app(), account_, list_.id, person, {});
    ASSERT_TRUE(added.ok()) << added.error().message;
    jane_ = *added;
  }

  CampaignForm form() const {
    CampaignForm f;
    f.name = "December";
    f.subject = "News for {{subscriber.first_name}} from {{organisation}}";
    f.preheader = "Trees, bees & {{subscriber.first_name}}";
    f.from_name = "Grüne Gärten";
    f.from_email = "hello@news.example.org";
    f.reply_to = "replies@example.net";
    f.body =
        "# Hello {{subscriber.first_name}}\n\nWe planted **trees**. See "
        "[the photos](https://example.org/photos?for={{subscriber.first_name}}).\n\n" +
        std::string(3000, 'w') + "\n\n[Leave]({{unsubscribe_url}})\n";
    f.web_version = true;
    f.list_ids = {list_.id};
    return f;
  }

  services::CompiledCampaign compile(const CampaignForm& f) {
    auto made = services::create_campaign(t_.app(), account_, f);
    if (!made.ok()) throw std::runtime_error("campaign: " + made.error().message);
    campaign_ = made->campaign;
    auto compiled = services::compile_campaign(t_.app(), account_, campaign_.id);
    if (!compiled.ok()) throw std::runtime_error("compile: " + compiled.error().message);
    return *compiled;
  }

  Recipient jane(std::int64_t delivery_id = 42) const {
    Recipient r;
    r.delivery_id = delivery_id;
    r.subscriber_id = jane_.subscriber_id;
    r.subscription_id = jane_.subscription_id;
    r.email = "jane@example.net";
    r.fields_json = R"({"first_name":"Jane"})";
    return r;
  }

  services::RenderedDelivery render(const services::CompiledCampaign& c, const Recipient& r) {
    auto out = services::render_delivery(t_.app(), c, r);
    if (!out.ok()) throw std::runtime_error("render: " + out.error().message);
    return *out;
  }

  std::filesystem::path save(const std::string& mime, const std::string& name = "m.eml") {
    auto path = t_.dir().path() / name;
    write_text(path, mime);
    return path;
  }

  services::Subscription subscription() {
    auto rec = services::find_subscriber(t_.app(), account_, jane_.subscriber_id);
    if (!rec.ok()) throw std::runtime_error("subscriber");
    return rec->subscriptions.at(0).subscription;
  }

  TestApp t_{GetParam()};
  std::int64_t account_ = 0;
  services::SendingDomain domain_;
  services::MailingList list_;
  services::AddedSubscriber jane_;
  services::Campaign campaign_;
};

TEST_P(CampaignMessageTest, ADeliveryParsesCleanlyAndBothSignaturesVerify) {
  auto compiled = compile(form());
  auto out = render(compiled, jane());
  EXPECT_EQ(out.recipient, "jane@example.net");
  ASSERT_THAT(out.mime, StartsWith("DKIM-Signature: v=1; a=ed25519-sha256;"));
  const auto path = save(out.mime);

  auto mime = check_mime(path);
  EXPECT_EQ(mime.exit_code, 0) << mime.output;
  EXPECT_EQ(mime.output, "ok\n");

  const auto published = records_by_name(t_.app(), domain_);
  const auto records = t_.dir().path() / "records.json";
  write_text(records, published.dump());
  auto verdict =
      run_command("/usr/bin/python3 " + source_dir() + "/tests/support/dkim_verify.py '" +
                  path.string() + "' '" + records.string() + "'");
  EXPECT_EQ(verdict.exit_code, 0) << verdict.output;
  EXPECT_THAT(verdict.output, HasSubstr("0 pass a=ed25519-sha256 d=news.example.org"));
  EXPECT_THAT(verdict.output, HasSubstr("1 pass a=rsa-sha256 d=news.example.org"));

  const auto second = opendkim_verify(out.mime, published);
  EXPECT_TRUE(second.all_verified()) << second.summary();
  ASSERT_EQ(second.signatures.size(), 2u) << second.summary();
  EXPECT_EQ(second.signatures[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(second.signatures[1].algorithm, "rsa-sha256");
  for (const auto& sig : second.signatures) EXPECT_EQ(sig.domain, "news.example.org");

  // One changed byte of the body, or a changed subject, and neither verifies.
  std::string body_changed = out.mime;
  body_changed.replace(body_changed.find("planted"), 7, "plantee");
  std::string subject_changed = out.mime;
  subject_changed.insert(subject_changed.find("\r\nSubject: ") + 11, "Re: ");
  for (const std::string& changed : {body_changed, subject_changed}) {
    write_text(path, changed);
    auto tampered =
        run_command("/usr/bin/python3 " + source_dir() + "/tests/support/dkim_verify.py '" +
                    path.string() + "' '" + records.string() + "'");
    EXPECT_EQ(tampered.exit_code, 1) << tampered.output;
    const auto refused = opendkim_verify(changed, published);
    ASSERT_EQ(refused.signatures.size(), 2u) << refused.summary();
    EXPECT_FALSE(refused.signatures[0].verified) << refused.summary();
    EXPECT_FALSE(refused.signatures[1].verified) << refused.summary();
  }
}

TEST_P(CampaignMessageTest, HeadersNameTheListTheDeliveryAndTheOneClickUnsubscribe) {
  auto compiled = compile(form());
  auto out = render(compiled, jane());
  auto h = headers_with_python(save(out.mime));

  const std::string one_click = services::one_click_unsubscribe_url(t_.app(), subscription());
  ASSERT_THAT(one_click, StartsWith("https://lists.example.org/u/"));
  const std::string mailbox = services::unsubscribe_mailbox(t_.app(), jane_.subscription_id);
  EXPECT_THAT(mailbox, StartsWith("u-" + std::to_string(jane_.subscription_id) + "-"));
  EXPECT_EQ(h["List-Unsubscribe"],
            "<" + one_click + ">, <mailto:" + mailbox + "?subject=unsubscribe>");
  EXPECT_EQ(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
  EXPECT_EQ(h["List-Id"], "Garden news <" + list_.public_id + ".lists.example.org>");
  EXPECT_EQ(h["Feedback-ID"], std::to_string(campaign_.id) + ":" + std::to_string(account_) +
                                  ":campaign:smartmessages");
  EXPECT_EQ(h["Subject"], "News for Jane from Grüne Gärten Ltd");
  EXPECT_EQ(h["From"], "Grüne Gärten <hello@news.example.org>");
  EXPECT_EQ(h["To"], "jane@example.net");
  EXPECT_EQ(h["Reply-To"], "replies@example.net");
  EXPECT_EQ(h["Message-ID"], out.message_id);
  EXPECT_THAT(out.message_id, StartsWith("<42." + std::to_string(campaign_.id) + "."));
  EXPECT_THAT(out.message_id, ::testing::EndsWith("@news.example.org>"));
  std::string signed_headers = h["DKIM-Signature"];
  for (char& c : signed_headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_THAT(signed_headers, HasSubstr("list-unsubscribe"));

  // The return path names the delivery, with a MAC that cannot be forged.
  EXPECT_THAT(out.envelope_from, StartsWith("b-42-"));
  EXPECT_THAT(out.envelope_from, ::testing::EndsWith("@lists.example.org"));
  EXPECT_EQ(services::delivery_from_verp(t_.app(), out.envelope_from), 42);
  EXPECT_EQ(services::delivery_from_verp(t_.app(), "<" + out.envelope_from + ">"), 42);
  std::string upper = out.envelope_from;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(services::delivery_from_verp(t_.app(), upper), 42) << "case folded by a relay";
  std::string forged = out.envelope_from;
  forged.replace(2, 2, "43");
  EXPECT_EQ(services::delivery_from_verp(t_.app(), forged), std::nullopt);
  EXPECT_EQ(services::delivery_from_verp(t_.app(), "b-42-0000000000000000@lists.example.org"),
            std::nullopt);
  EXPECT_EQ(services::delivery_from_verp(t_.app(), "jane@example.net"), std::nullopt);
  EXPECT_EQ(services::subscription_from_unsubscribe_mailbox(t_.app(), mailbox),
            jane_.subscription_id);
  EXPECT_EQ(services::delivery_from_verp(t_.app(), mailbox), std::nullopt);
}

TEST_P(CampaignMessageTest, TheFooterIsInBothPartsAndTheMergeTagsAreFilled) {
  auto compiled = compile(form());
  auto out = render(compiled, jane());
  auto m = read_with_python(save(out.mime));
  const std::string text = m["text"];
  const std::string html = m["html"];
  const std::string why = "You get this because you subscribed to Garden news on 1 December 2026.";
  const std::string unsubscribe = services::unsubscribe_url(t_.app(), subscription());
  const std::string preferences = services::preferences_url(t_.app(), subscription());
  const std::string verify = "https://lists.example.org/verify/" + std::to_string(account_);
  for (const std::string& part : {text, html}) {
    EXPECT_THAT(part, HasSubstr(why));
    EXPECT_THAT(part, HasSubstr(unsubscribe));
    EXPECT_THAT(part, HasSubstr(preferences));
    EXPECT_THAT(part, HasSubstr("https://lists.example.org/portal"));
    EXPECT_THAT(part, HasSubstr(verify));
    EXPECT_THAT(part, HasSubstr("Grüne Gärten Ltd"));
    EXPECT_THAT(part, HasSubstr("1 High Street, Leeds LS1 1AA"));
    EXPECT_THAT(part, Not(HasSubstr("{{")));
  }
  EXPECT_THAT(text, HasSubstr("Hello Jane"));
  EXPECT_THAT(html, HasSubstr("<h1>Hello Jane</h1>"));
  EXPECT_THAT(html, HasSubstr("href=\"https://example.org/photos?for=Jane\""));
  EXPECT_THAT(html, HasSubstr("<a href=\"" + unsubscribe + "\">Leave</a>"));
  EXPECT_THAT(html, HasSubstr("<title>News for Jane from Grüne Gärten Ltd</title>"));
  // The preheader is the first thing in the body, hidden, escaped.
  std::smatch first;
  ASSERT_TRUE(std::regex_search(html, first,
                                std::regex("<body>\\s*<div style=\"display:none[^>]*>"
                                           "([^<]*)</div>")));
  EXPECT_EQ(first[1], "Trees, bees &amp; Jane");
  // The footer comes after everything the author wrote and cannot be styled away.
  EXPECT_GT(html.find(why), html.find("Leave"));
  EXPECT_THAT(html, HasSubstr("display:block !important"));
}

TEST_P(CampaignMessageTest, TheMessageIdIsTheSameOnEveryRenderOfADelivery) {
  auto compiled = compile(form());
  auto first = render(compiled, jane(42));
  t_.clock().advance(kHour);
  auto again = render(compiled, jane(42));
  EXPECT_EQ(first.message_id, again.message_id);
  EXPECT_THAT(again.mime, HasSubstr("Message-ID: " + first.message_id + "\r\n"));
  EXPECT_EQ(first.envelope_from, again.envelope_from);
  EXPECT_NE(render(compiled, jane(43)).message_id, first.message_id);

  // A compilation in another process later gives the same id for the same delivery.
  auto recompiled = services::compile_campaign(t_.app(), account_, campaign_.id);
  ASSERT_TRUE(recompiled.ok());
  EXPECT_EQ(render(*recompiled, jane(42)).message_id, first.message_id);

  // A caller that already holds the subscription's details gets the same message.
  Recipient filled = jane(42);
  auto s = subscription();
  filled.list_id = s.list_id;
  filled.token_salt = s.token_salt;
  filled.consented_at = *s.confirmed_at;
  auto from_claim = render(compiled, filled);
  EXPECT_EQ(comparable(from_claim.mime), comparable(again.mime));
}

TEST_P(CampaignMessageTest, AFieldValueCannotBecomeAJavascriptLink) {
  CampaignForm f = form();
  f.body_format = services::BodyFormat::html;
  f.body =
      "<p><a href=\"{{subscriber.site}}\">My site</a> <img src=\"{{subscriber.site}}\" "
      "alt=\"me\"> <a href=\"https://example.org/?u={{subscriber.site}}\">ok</a></p>";
  auto compiled = compile(f);
  for (const char* evil :
       {"javascript:alert(document.cookie)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
        "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "foo:bar"}) {
    Recipient r = jane();
    r.fields_json = nlohmann::json({{"site", evil}}).dump();
    auto m = read_with_python(save(render(compiled, r).mime));
    const std::string html = m["html"];
    std::string lower = html;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_THAT(lower, Not(HasSubstr("href=\"javascript")));
    EXPECT_THAT(lower, Not(HasSubstr("href=\" javascript")));
    EXPECT_THAT(lower, Not(HasSubstr("src=\"data:text")));
    EXPECT_THAT(lower, Not(HasSubstr("\"vbscript")));
    EXPECT_THAT(html, HasSubstr("<a href=\"#\">My site</a>")) << evil;
    EXPECT_THAT(html, HasSubstr("<img src=\"\" alt=\"me\">")) << evil;
    // Inside a URL whose scheme the author wrote, the value is only a parameter.
    EXPECT_THAT(html, HasSubstr("<a href=\"https://example.org/?u=")) << evil;
  }

  Recipient fine = jane();
  fine.fields_json = R"({"site":"https://jane.example.net/"})";
  auto m = read_with_python(save(render(compiled, fine).mime));
  EXPECT_THAT(m["html"].get<std::string>(),
              HasSubstr("<a href=\"https://jane.example.net/\">My site</a>"));
}

TEST_P(CampaignMessageTest, FieldValuesCannotBreakAHeader) {
  auto compiled = compile(form());
  Recipient r = jane();
  r.fields_json = R"({"first_name":"Jane\r\nBcc: everyone@example.com"})";
  auto out = render(compiled, r);
  auto h = headers_with_python(save(out.mime));
  EXPECT_EQ(h["Subject"], "News for Jane  Bcc: everyone@example.com from Grüne Gärten Ltd");
  EXPECT_FALSE(h.contains("Bcc"));
  EXPECT_EQ(check_mime(save(out.mime)).output, "ok\n");
}

TEST_P(CampaignMessageTest, ATestSendIsMarkedAndHasOnlySampleLinks) {
  auto compiled = compile(form());
  Recipient test;
  test.email = "me@example.org";
  auto a = render(compiled, test);
  auto b = render(compiled, test);
  EXPECT_NE(a.message_id, b.message_id);
  EXPECT_THAT(a.message_id, StartsWith("<test."));
  EXPECT_EQ(services::delivery_from_verp(t_.app(), a.envelope_from), std::nullopt);
  const auto path = save(a.mime);
  EXPECT_EQ(check_mime(path).output, "ok\n");
  auto h = headers_with_python(path);
  EXPECT_EQ(h["Subject"], "[Test] News for [First name] from Grüne Gärten Ltd");
  EXPECT_THAT(h["List-Unsubscribe"].get<std::string>(),
              StartsWith("<https://lists.example.org/sample/unsubscribe>"));
  auto m = read_with_python(path);
  for (const std::string& part : {m["text"].get<std::string>(), m["html"].get<std::string>()}) {
    EXPECT_THAT(part, HasSubstr("https://lists.example.org/sample/unsubscribe"));
    EXPECT_THAT(part, HasSubstr("https://lists.example.org/sample/preferences"));
    EXPECT_THAT(part, Not(HasSubstr("/u/")));
    EXPECT_THAT(part, Not(HasSubstr("/p/")));
  }
}

TEST_P(CampaignMessageTest, PreviewAndWebVersionShowNoOnesData) {
  auto made = services::create_campaign(t_.app(), account_, form());
  ASSERT_TRUE(made.ok());
  auto shown = services::compile_for_display(t_.app(), account_, made->campaign.id);
  ASSERT_TRUE(shown.ok()) << shown.error().message;

  auto preview = services::render_display(t_.app(), *shown, services::Display::preview);
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->subject, "News for [First name] from Grüne Gärten Ltd");
  EXPECT_THAT(preview->html, HasSubstr("Hello [First name]"));
  EXPECT_THAT(preview->html, HasSubstr("/sample/unsubscribe"));
  EXPECT_THAT(preview->text, HasSubstr("You get this because you subscribed to Garden news"));

  auto web = services::render_display(t_.app(), *shown, services::Display::web_version);
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->subject, "News for  from Grüne Gärten Ltd");
  EXPECT_THAT(web->html, HasSubstr("This is the web version of an email from Grüne Gärten Ltd"));
  EXPECT_THAT(web->html, HasSubstr("href=\"https://lists.example.org/portal\">Leave</a>"));
  for (const char* personal : {"jane", "Jane", "/u/", "/p/", "[First name]", "subscribed to"}) {
    EXPECT_THAT(web->html, Not(HasSubstr(personal))) << personal;
  }
}

TEST_P(CampaignMessageTest, CompilingRefusesWhatCannotBeSent) {
  CampaignForm f = form();
  f.body = "";
  auto empty = services::create_campaign(t_.app(), account_, f);
  ASSERT_TRUE(empty.ok());
  auto refused = services::compile_campaign(t_.app(), account_, empty->campaign.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::invalid_input);
  EXPECT_EQ(refused.error().message, "The campaign has no body yet.");
  EXPECT_EQ(
      services::compile_campaign(t_.app(), t_.create_account("O", "o@o.test"), empty->campaign.id)
          .error()
          .code,
      Errc::not_found);

  CampaignForm simple = form();
  simple.subject = "Hello";
  simple.preheader = "";
  simple.body = "Hi there.";
  auto plain = services::create_campaign(t_.app(), account_, simple);
  ASSERT_TRUE(plain.ok()) << plain.error().message;

  // A field the subject uses is removed after the campaign was saved.
  auto made = services::create_campaign(t_.app(), account_, form());
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE(services::compile_campaign(t_.app(), account_, made->campaign.id).ok());
  auto fields = services::account_fields(t_.app(), account_);
  ASSERT_TRUE(fields.ok());
  for (const auto& field : *fields) {
    if (field.key == "first_name") {
      ASSERT_TRUE(services::remove_field(t_.app(), account_, field.id).ok());
    }
  }
  refused = services::compile_campaign(t_.app(), account_, made->campaign.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "subject");
  EXPECT_THAT(refused.error().message, HasSubstr("{{subscriber.first_name}} is not a field"));

  // The sending domain is deleted: nothing can be signed for the From address any more.
  ASSERT_TRUE(services::delete_sending_domain(t_.app(), account_, domain_.id).ok());
  refused = services::compile_campaign(t_.app(), account_, plain->campaign.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message,
              StartsWith("The From address is not at a sending domain of this account"));
  auto shown = services::compile_for_display(t_.app(), account_, plain->campaign.id);
  EXPECT_TRUE(shown.ok()) << "showing needs no domain";
}

TEST_P(CampaignMessageTest, AListNameThatIsNotAsciiIsLeftOutOfListId) {
  ASSERT_TRUE(services::update_list(t_.app(), account_, list_.id,
                                    {"Nouvelles d\xE2\x80\x99\xC3\xA9t\xC3\xA9", "", "", ""})
                  .ok());
  auto compiled = compile(form());
  auto out = render(compiled, jane());
  const auto path = save(out.mime);
  EXPECT_EQ(check_mime(path).output, "ok\n");
  EXPECT_EQ(headers_with_python(path)["List-Id"], "<" + list_.public_id + ".lists.example.org>");
}

SM_INSTANTIATE_FOR_ENGINES(CampaignMessageTest);

}  // namespace
}  // namespace sm::testing
