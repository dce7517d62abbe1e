// /api/v1/domains: sending domains and the DNS records to publish for them, for programs
// holding an API key of the account.
#include <nlohmann/json.hpp>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "services/sending_domains.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using services::App;
using services::SendingDomain;

Error no_such_domain() {
  return make_error(Errc::not_found,
                    "There is no such sending domain in this account; GET /api/v1/domains for "
                    "the ids.");
}

json domain_json(App& app, const SendingDomain& d) {
  json records = json::array();
  for (const auto& r : services::dns_records(app, d)) {
    records.push_back({{"type", r.type}, {"name", r.name}, {"value", r.value}});
  }
  json j = {{"id", d.id},
            {"domain", d.domain},
            {"records", records},
            {"verified", d.verified()},
            {"verified_at", d.verified_at ? json(*d.verified_at) : json(nullptr)},
            {"last_checked_at", d.last_checked_at ? json(*d.last_checked_at) : json(nullptr)},
            {"created_at", d.created_at}};
  if (auto advice = services::spf_advice(app)) j["spf_advice"] = *advice;
  return j;
}

Response add_domain(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  auto it = body->find("domain");
  if (it == body->end() || !it->is_string()) {
    return problem(field_error("domain",
                               "Send the domain you send from as \"domain\", a string like "
                               "\"example.org\"."));
  }
  auto made = services::add_sending_domain(app, *account, it->get<std::string>());
  if (!made.ok()) return problem(made.error());
  return json_reply(domain_json(app, *made), 201);
}

Response all_domains(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto domains = services::account_sending_domains(app, *account);
  if (!domains.ok()) return problem(domains.error());
  json out = json::array();
  for (const auto& d : *domains) out.push_back(domain_json(app, d));
  return json_reply({{"domains", out}});
}

Response one_domain(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(no_such_domain());
  auto d = services::find_sending_domain(app, *account, *id);
  if (!d.ok()) {
    return problem(d.error().code == Errc::not_found ? no_such_domain() : d.error());
  }
  return json_reply(domain_json(app, *d));
}

Response remove_domain(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(no_such_domain());
  auto done = services::delete_sending_domain(app, *account, *id);
  if (!done.ok()) {
    return problem(done.error().code == Errc::not_found ? no_such_domain() : done.error());
  }
  Response r;
  r.status = 204;
  return r;
}

Response verify_domain(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(no_such_domain());
  auto d = services::check_sending_domain(app, *account, *id);
  if (!d.ok()) {
    return problem(d.error().code == Errc::not_found ? no_such_domain() : d.error());
  }
  json j = domain_json(app, *d);
  j["last_check_result"] = d->last_check_result;
  return json_reply(j);
}

}  // namespace

void add_domain_api(http::Router& router, App& app) {
  router.post("/api/v1/domains", [&app](Request& r) { return add_domain(app, r); });
  router.get("/api/v1/domains", [&app](Request& r) { return all_domains(app, r); });
  router.get("/api/v1/domains/{id}", [&app](Request& r) { return one_domain(app, r); });
  router.post("/api/v1/domains/{id}/verify", [&app](Request& r) { return verify_domain(app, r); });
  router.add(http::Method::del, "/api/v1/domains/{id}",
             [&app](Request& r) { return remove_domain(app, r); });
}

}  // namespace sm::api
