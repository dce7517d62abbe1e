// The operator pages: /operator/breaches shows the breach register. Only a signed-in user that
// the operator marked with `smartmessages operator grant` sees them; to everyone else they do
// not exist (404), so they reveal nothing.
#include "services/breaches.hpp"
#include "services/operators.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

TemplateValue breach_value(const services::Breach& b) {
  TemplateValue v;
  v.set("id", TemplateValue::number(b.id));
  v.set("found_at", format_utc(b.found_at)).set("recorded_at", format_utc(b.recorded_at));
  v.set("summary", b.summary).set("data_affected", b.data_affected);
  v.set("all_accounts", b.all_accounts);
  v.set("account_count", TemplateValue::number(static_cast<long long>(b.accounts.size())));
  v.set("notified_count", TemplateValue::number(static_cast<long long>(b.notified_count())));
  TemplateValue::List accounts;
  for (const auto& a : b.accounts) {
    TemplateValue row;
    row.set("account_id", TemplateValue::number(a.account_id));
    row.set("organisation", a.organisation).set("notify_error", a.notify_error);
    if (a.notified_at) {
      row.set("notified_at", format_utc(*a.notified_at)).set("notified_to", a.notified_to);
    }
    accounts.push_back(std::move(row));
  }
  v.set("accounts", std::move(accounts));
  return v;
}

Response breaches_page(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  if (!services::is_operator(app, who.user.id)) {
    return message_page(app, 404, "Not found", "There is no page at this address.", &who);
  }
  auto all = services::list_breaches(app);
  if (!all.ok()) return message_page(app, 503, "Try again", all.error().message, &who);

  Page p = signed_in_page(who, "Breach register", "operator_breaches");
  TemplateValue::List breaches;
  for (const auto& b : *all) breaches.push_back(breach_value(b));
  p.data.set("breaches", std::move(breaches));
  return render(app, std::move(p));
}

}  // namespace

void add_operator_routes(http::Router& router, App& app) {
  router.get("/operator/breaches", [&app](Request& r) { return breaches_page(app, r); });
}

}  // namespace sm::web
