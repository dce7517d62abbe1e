// /api/v1/lists and /api/v1/fields: the same rules as the web pages, for programs holding an
// API key of the account.
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using services::App;

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

Error not_found(std::string_view what) {
  return make_error(Errc::not_found, "There is no such " + std::string(what) +
                                         " in this account; GET its collection for the ids.");
}

// Copies the string member `name` of `body` into *out when present; refuses other types.
Status read_string(const json& body, const char* name, std::string* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) {
    return field_error(name, std::string("\"") + name + "\" must be a string.");
  }
  *out = it->get<std::string>();
  return {};
}

Status read_list_form(const json& body, services::ListForm* f) {
  SM_TRY(read_string(body, "name", &f->name));
  SM_TRY(read_string(body, "description", &f->description));
  SM_TRY(read_string(body, "confirm_subject", &f->confirm_subject));
  return read_string(body, "confirm_body", &f->confirm_body);
}

json list_json(App& app, std::int64_t account_id, const services::MailingList& l) {
  json j = {{"id", l.id},
            {"public_id", l.public_id},
            {"name", l.name},
            {"description", l.description},
            {"confirm_subject", l.confirm_subject},
            {"confirm_body", l.confirm_body},
            {"subscribe_url", services::subscribe_url(app, l)},
            {"created_at", l.created_at}};
  auto counts = services::list_counts(app, account_id, l.id);
  if (counts.ok()) {
    j["counts"] = {{"pending", counts->pending},
                   {"confirmed", counts->confirmed},
                   {"unsubscribed", counts->unsubscribed}};
  }
  return j;
}

Response create_list(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  services::ListForm f;
  if (auto s = read_list_form(*body, &f); !s.ok()) return problem(s.error());
  auto made = services::create_list(app, *account, f);
  if (!made.ok()) return problem(made.error());
  return json_reply(list_json(app, *account, *made), 201);
}

Response all_lists(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto lists = services::account_lists(app, *account);
  if (!lists.ok()) return problem(lists.error());
  json out = json::array();
  for (const auto& l : *lists) out.push_back(list_json(app, *account, l));
  return json_reply({{"lists", out}});
}

// The account and the list the path names, or the problem reply to send.
struct Target {
  std::int64_t account_id = 0;
  std::optional<services::MailingList> list;
  std::optional<Response> refusal;
};

Target target_list(App& app, const Request& req) {
  Target t;
  auto account = authenticate(app, req);
  if (!account.ok()) {
    t.refusal = problem(account.error());
    return t;
  }
  t.account_id = *account;
  auto id = path_id(req);
  auto l = id ? services::find_list(app, t.account_id, *id)
              : Result<services::MailingList>(not_found("list"));
  if (!l.ok()) {
    t.refusal = problem(l.error().code == Errc::not_found ? not_found("list") : l.error());
  } else {
    t.list = std::move(*l);
  }
  return t;
}

Response get_list(App& app, const Request& req) {
  auto t = target_list(app, req);
  if (t.refusal) return *t.refusal;
  return json_reply(list_json(app, t.account_id, *t.list));
}

Response patch_list(App& app, const Request& req) {
  auto t = target_list(app, req);
  if (t.refusal) return *t.refusal;
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  const auto& l = *t.list;
  services::ListForm f{l.name, l.description, l.confirm_subject, l.confirm_body};
  if (auto s = read_list_form(*body, &f); !s.ok()) return problem(s.error());
  if (auto s = services::update_list(app, t.account_id, l.id, f); !s.ok()) {
    return problem(s.error());
  }
  auto saved = services::find_list(app, t.account_id, l.id);
  if (!saved.ok()) return problem(saved.error());
  return json_reply(list_json(app, t.account_id, *saved));
}

Response delete_list(App& app, const Request& req) {
  auto t = target_list(app, req);
  if (t.refusal) return *t.refusal;
  if (auto s = services::delete_list(app, t.account_id, t.list->id); !s.ok()) {
    return problem(s.error());
  }
  return no_content();
}

json field_json(const services::FieldDefinition& f) {
  return {{"id", f.id},
          {"key", f.key},
          {"label", f.label},
          {"type", services::field_type_name(f.type)},
          {"choices", f.choices}};
}

Response all_fields(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto fields = services::account_fields(app, *account);
  if (!fields.ok()) return problem(fields.error());
  json out = json::array();
  for (const auto& f : *fields) out.push_back(field_json(f));
  return json_reply({{"fields", out}});
}

Status read_field(const json& body, services::FieldDefinition* f) {
  SM_TRY(read_string(body, "key", &f->key));
  SM_TRY(read_string(body, "label", &f->label));
  std::string type = "text";
  SM_TRY(read_string(body, "type", &type));
  auto parsed = services::parse_field_type(type);
  if (!parsed) {
    return field_error("type", "\"type\" must be one of text, number, date, boolean, choice.");
  }
  f->type = *parsed;
  auto choices = body.find("choices");
  if (choices == body.end() || choices->is_null()) return {};
  bool strings = choices->is_array();
  for (const auto& c : *choices) strings = strings && c.is_string();
  if (!strings) return field_error("choices", "\"choices\" must be an array of strings.");
  f->choices = choices->get<std::vector<std::string>>();
  return {};
}

Response declare_field(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto body = json_body(req);
  if (!body.ok()) return problem(body.error());
  services::FieldDefinition f;
  if (auto s = read_field(*body, &f); !s.ok()) return problem(s.error());
  auto made = services::declare_field(app, *account, f);
  if (!made.ok()) return problem(made.error());
  return json_reply(field_json(*made), 201);
}

Response remove_field(App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(not_found("field"));
  if (auto s = services::remove_field(app, *account, *id); !s.ok()) {
    return problem(s.error().code == Errc::not_found ? not_found("field") : s.error());
  }
  return no_content();
}

}  // namespace

void add_list_api(http::Router& router, App& app) {
  router.post("/api/v1/lists", [&app](Request& r) { return create_list(app, r); });
  router.get("/api/v1/lists", [&app](Request& r) { return all_lists(app, r); });
  router.get("/api/v1/lists/{id}", [&app](Request& r) { return get_list(app, r); });
  router.add(http::Method::patch, "/api/v1/lists/{id}",
             [&app](Request& r) { return patch_list(app, r); });
  router.add(http::Method::del, "/api/v1/lists/{id}",
             [&app](Request& r) { return delete_list(app, r); });
  router.get("/api/v1/fields", [&app](Request& r) { return all_fields(app, r); });
  router.post("/api/v1/fields", [&app](Request& r) { return declare_field(app, r); });
  router.add(http::Method::del, "/api/v1/fields/{id}",
             [&app](Request& r) { return remove_field(app, r); });
}

}  // namespace sm::api
