// Prepares the product-path sending benchmark (bench/send_bench.sh) in the installation the
// SMARTMESSAGES_* environment names, through the services a web page or the API would call:
//
//   send_campaign_setup domain      adds bench.example.org to account 1 (both DKIM keys)
//   send_campaign_setup campaign    creates a personalised campaign to list 1 from
//                                   news@bench.example.org and starts it (the recipients are
//                                   snapshotted); `smartmessages worker --until-idle` sends it
//
// Between the two the script marks the domain verified in the database: the benchmark has no
// DNS to check it against. Prints the id it made.
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/bootstrap.hpp"
#include "services/campaigns.hpp"
#include "services/sending.hpp"
#include "services/sending_domains.hpp"

namespace {

using namespace sm;

constexpr std::int64_t kAccount = 1;
constexpr std::int64_t kList = 1;

int fail(std::string_view step, const Error& e) {
  std::fprintf(stderr, "send_campaign_setup: %.*s: %s (%s)\n", static_cast<int>(step.size()),
               step.data(), e.message.c_str(), e.detail.c_str());
  return 1;
}

// About 4 KB once rendered with both parts, the footer and the headers; greets by name.
std::string campaign_body() {
  std::string body = "Hello {{subscriber.name}},\n\n";
  for (int i = 0; i < 6; ++i) {
    body +=
        "This month we planted forty trees along the river path and counted the birds that came "
        "back to the old orchard. Thank you to everyone who helped on a rainy Saturday.\n\n";
  }
  return body + "See you at the next work day.\n";
}

int add_domain(services::App& app) {
  auto domain = services::add_sending_domain(app, kAccount, "bench.example.org");
  if (!domain.ok()) return fail("domain", domain.error());
  std::printf("%lld\n", static_cast<long long>(domain->id));
  return 0;
}

int start_campaign(services::App& app) {
  services::CampaignForm form;
  form.name = "Sending benchmark";
  form.subject = "Our monthly news, {{subscriber.name}}";
  form.from_name = "Bench News";
  form.from_email = "news@bench.example.org";
  form.body = campaign_body();
  form.list_ids = {kList};
  auto saved = services::create_campaign(app, kAccount, form);
  if (!saved.ok()) return fail("campaign", saved.error());
  const std::int64_t id = saved->campaign.id;
  Status started = services::start_campaign(app, kAccount, id);
  if (!started.ok()) return fail("start", started.error());
  std::printf("%lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view what = argc == 2 ? argv[1] : "";
  if (what != "domain" && what != "campaign") {
    std::fprintf(stderr, "usage: send_campaign_setup domain|campaign\n");
    return 2;
  }
  auto app = cli::boot({});
  if (!app.ok()) return fail("boot", app.error());
  return what == "domain" ? add_domain(**app) : start_campaign(**app);
}
