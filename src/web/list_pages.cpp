// Lists and subscriber fields, for signed-in account holders. Everyone on the team may look;
// editors and owners may change (the role is checked here, on the server, on every POST).
#include <optional>

#include "core/text.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"
#include "services/users.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::ListForm;
using services::MailingList;

Response not_found(App& app, const SignedIn& who) {
  return message_page(app, 404, "No such list",
                      "This account has no such list. Open Lists to see the ones it has.", &who);
}

Response read_only(App& app, const SignedIn& who) {
  return message_page(app, 403, "Not allowed",
                      "Viewers can look at lists and fields but not change them. Ask an owner "
                      "of the account to make you an editor.",
                      &who);
}

// What a signed-in POST needs before it may change anything: a session, a form, our origin
// and CSRF token, and at least the editor role. On failure the response to send.
struct Change {
  std::optional<SignedIn> who;
  http::FormFields form;
  std::optional<Response> refusal;
};

Change begin_change(App& app, const Request& req) {
  Change c;
  auto gate = require_signed_in(app, req);
  if (!gate.who) {
    c.refusal = gate.refusal;
    return c;
  }
  c.who = std::move(gate.who);
  auto form = read_form(app, req);
  if (form.refusal) {
    c.refusal = *form.refusal;
    return c;
  }
  c.form = std::move(form.fields);
  if (auto r = refuse_forgery(app, req, *c.who, c.form)) {
    c.refusal = *r;
  } else if (!can_edit(*c.who)) {
    c.refusal = read_only(app, *c.who);
  }
  return c;
}

TemplateValue list_value(App& app, const SignedIn& who, const MailingList& l) {
  TemplateValue v;
  v.set("id", TemplateValue::number(l.id)).set("public_id", l.public_id);
  v.set("name", l.name).set("description", l.description);
  v.set("subscribe_url", services::subscribe_url(app, l));
  auto counts = services::list_counts(app, who.account.id, l.id);
  if (counts.ok()) {
    v.set("pending", TemplateValue::number(counts->pending));
    v.set("confirmed", TemplateValue::number(counts->confirmed));
    v.set("unsubscribed", TemplateValue::number(counts->unsubscribed));
  }
  return v;
}

Response lists_index(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  Page p = signed_in_page(who, "Lists", "lists");
  auto lists = services::account_lists(app, who.account.id);
  if (!lists.ok()) return message_page(app, 503, "Try again", lists.error().message, &who);
  TemplateValue::List rows;
  for (const auto& l : *lists) rows.push_back(list_value(app, who, l));
  p.data.set("has_lists", !rows.empty());
  p.data.set("lists", std::move(rows));
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("deleted")) p.data.set("success", "List deleted.");
  return render(app, std::move(p));
}

void set_form_values(TemplateValue& d, const ListForm& f) {
  d.set("name_value", f.name).set("description_value", f.description);
  d.set("confirm_subject_value", f.confirm_subject).set("confirm_body_value", f.confirm_body);
}

ListForm form_of(const http::FormFields& f) {
  return {f.get("name"), f.get("description"), f.get("confirm_subject"), f.get("confirm_body")};
}

Page list_form_page(const SignedIn& who, const MailingList* existing) {
  Page p = signed_in_page(who, existing ? "Edit " + existing->name : "New list", "list_form");
  p.data.set("is_new", existing == nullptr);
  p.data.set("action", existing ? "/lists/" + std::to_string(existing->id) + "/edit"
                                : std::string("/lists/new"));
  if (existing) p.data.set("id", TemplateValue::number(existing->id)).set("name", existing->name);
  return p;
}

Response new_list_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  Page p = list_form_page(*gate.who, nullptr);
  set_form_values(p.data, {"", "", std::string(services::default_confirm_subject()),
                           std::string(services::default_confirm_body())});
  return render(app, std::move(p));
}

Response refused_form(App& app, Page p, const http::FormFields& f, const Error& e) {
  set_form_values(p.data, form_of(f));
  add_error(p.data, e);
  p.status = status_for(e);
  return render(app, std::move(p));
}

Response create_list(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto made = services::create_list(app, c.who->account.id, form_of(c.form));
  if (made.ok()) return Response::see_other("/lists/" + std::to_string(made->id) + "?created=1");
  return refused_form(app, list_form_page(*c.who, nullptr), c.form, made.error());
}

// The list named by the path's {id} within the signed-in account, or a 404 page.
struct Found {
  std::optional<MailingList> list;
  std::optional<Response> refusal;
};

Found list_of(App& app, const Request& req, const SignedIn& who) {
  auto id = parse_id(req.param("id"));
  if (!id) return {std::nullopt, not_found(app, who)};
  auto l = services::find_list(app, who.account.id, *id);
  if (l.ok()) return {std::move(*l), std::nullopt};
  if (l.error().code == Errc::not_found) return {std::nullopt, not_found(app, who)};
  return {std::nullopt,
          message_page(app, status_for(l.error()), "Try again", l.error().message, &who)};
}

Response list_overview(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto found = list_of(app, req, who);
  if (found.refusal) return *found.refusal;
  Page p = signed_in_page(who, found.list->name, "list_overview");
  p.data.set("list", list_value(app, who, *found.list));
  auto fields = services::account_fields(app, who.account.id);
  std::vector<services::FieldDefinition> declared;
  if (fields.ok()) declared = std::move(*fields);
  p.data.set("form_html", services::subscribe_form_html(app, *found.list, declared));
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("created")) p.data.set("success", "List created.");
  if (q.ok() && q->has("saved")) p.data.set("success", "List saved.");
  return render(app, std::move(p));
}

Response edit_list_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = list_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  const MailingList& l = *found.list;
  Page p = list_form_page(*gate.who, &l);
  set_form_values(p.data, {l.name, l.description, l.confirm_subject, l.confirm_body});
  return render(app, std::move(p));
}

Response update_list(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = list_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  auto saved = services::update_list(app, c.who->account.id, found.list->id, form_of(c.form));
  if (saved.ok())
    return Response::see_other("/lists/" + std::to_string(found.list->id) + "?saved=1");
  return refused_form(app, list_form_page(*c.who, &*found.list), c.form, saved.error());
}

Response delete_list_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto found = list_of(app, req, *gate.who);
  if (found.refusal) return *found.refusal;
  if (!can_edit(*gate.who)) return read_only(app, *gate.who);
  Page p = signed_in_page(*gate.who, "Delete " + found.list->name, "list_delete");
  p.data.set("list", list_value(app, *gate.who, *found.list));
  return render(app, std::move(p));
}

Response delete_list(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto found = list_of(app, req, *c.who);
  if (found.refusal) return *found.refusal;
  // Only the confirmation page's button sends confirm=yes; anything else asks first.
  if (c.form.get("confirm") != "yes") {
    return Response::see_other("/lists/" + std::to_string(found.list->id) + "/delete");
  }
  auto done = services::delete_list(app, c.who->account.id, found.list->id);
  if (done.ok()) return Response::see_other("/lists?deleted=1");
  return message_page(app, status_for(done.error()), "Not deleted", done.error().message, &*c.who);
}

Page fields_page(App& app, const SignedIn& who) {
  Page p = signed_in_page(who, "Subscriber fields", "fields");
  TemplateValue::List rows;
  auto fields = services::account_fields(app, who.account.id);
  if (fields.ok()) {
    for (const auto& f : *fields) {
      TemplateValue v;
      v.set("id", TemplateValue::number(f.id)).set("key", f.key).set("label", f.label);
      v.set("type", std::string(services::field_type_name(f.type)));
      std::string choices;
      for (const auto& ch : f.choices) choices += (choices.empty() ? "" : ", ") + ch;
      v.set("choices", choices);
      rows.push_back(std::move(v));
    }
  }
  p.data.set("has_fields", !rows.empty());
  p.data.set("fields", std::move(rows));
  return p;
}

Response fields_index(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Page p = fields_page(app, *gate.who);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("added")) p.data.set("success", "Field added.");
  if (q.ok() && q->has("removed")) p.data.set("success", "Field removed.");
  return render(app, std::move(p));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

Response declare_field(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  services::FieldDefinition f;
  f.key = c.form.get("key");
  f.label = c.form.get("label");
  auto type = services::parse_field_type(c.form.get("type"));
  Status outcome = field_error("type", "Choose a type: text, number, date, yes/no or choice.");
  if (type) {
    f.type = *type;
    if (f.type == services::FieldType::choice) f.choices = lines_of(c.form.get("choices"));
    auto made = services::declare_field(app, c.who->account.id, f);
    if (made.ok()) return Response::see_other("/fields?added=1");
    outcome = made.take_error();
  }
  Page p = fields_page(app, *c.who);
  keep_values(p.data, c.form);
  add_error(p.data, outcome.error());
  p.status = status_for(outcome.error());
  return render(app, std::move(p));
}

Response remove_field(App& app, const Request& req) {
  auto c = begin_change(app, req);
  if (c.refusal) return *c.refusal;
  auto id = parse_id(req.param("id"));
  Status done = id ? services::remove_field(app, c.who->account.id, *id)
                   : Status(make_error(Errc::not_found, "There is no such field."));
  if (done.ok()) return Response::see_other("/fields?removed=1");
  return message_page(app, status_for(done.error()), "Not removed", done.error().message, &*c.who);
}

}  // namespace

void add_list_routes(http::Router& router, App& app) {
  router.get("/lists", [&app](Request& r) { return lists_index(app, r); });
  router.get("/lists/new", [&app](Request& r) { return new_list_form(app, r); });
  router.post("/lists/new", [&app](Request& r) { return create_list(app, r); });
  router.get("/lists/{id}", [&app](Request& r) { return list_overview(app, r); });
  router.get("/lists/{id}/edit", [&app](Request& r) { return edit_list_form(app, r); });
  router.post("/lists/{id}/edit", [&app](Request& r) { return update_list(app, r); });
  router.get("/lists/{id}/delete", [&app](Request& r) { return delete_list_form(app, r); });
  router.post("/lists/{id}/delete", [&app](Request& r) { return delete_list(app, r); });
  router.get("/fields", [&app](Request& r) { return fields_index(app, r); });
  router.post("/fields", [&app](Request& r) { return declare_field(app, r); });
  router.post("/fields/{id}/remove", [&app](Request& r) { return remove_field(app, r); });
}

}  // namespace sm::web
