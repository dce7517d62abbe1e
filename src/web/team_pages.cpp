// The team page: owners invite people by email with a role, change roles and remove people;
// an invited person accepts by choosing a password.
#include <charconv>

#include "services/users.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

Page team_page(App& app, const SignedIn& who) {
  Page p;
  p.title = "Team";
  p.template_name = "team";
  p.signed_in = &who;
  p.data.set("can_manage", who.user.role == services::Role::owner);
  TemplateValue::List rows;
  auto users = services::list_users(app, who.account.id);
  if (users.ok()) {
    for (const auto& u : *users) {
      TemplateValue row;
      row.set("id", TemplateValue::number(u.id)).set("email", u.email).set("name", u.name);
      row.set("role", std::string(services::role_name(u.role)));
      row.set("is_owner", u.role == services::Role::owner);
      row.set("is_editor", u.role == services::Role::editor);
      row.set("is_viewer", u.role == services::Role::viewer);
      row.set("pending", !u.has_password);
      row.set("two_factor", u.two_factor_enabled);
      row.set("is_me", u.id == who.user.id);
      rows.push_back(std::move(row));
    }
  }
  p.data.set("users", std::move(rows));
  return p;
}

Response team(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Page p = team_page(app, *gate.who);
  auto q = http::parse_query(req.query);
  if (q.ok() && q->has("invited")) p.data.set("success", "Invitation sent.");
  if (q.ok() && q->has("changed")) p.data.set("success", "Team updated.");
  return render(app, std::move(p));
}

// Runs an owner's action from a team form and shows the outcome.
Response team_action(App& app, const Request& req,
                     const std::function<Status(const SignedIn&, const http::FormFields&)>& act,
                     std::string_view done_query) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (auto r = refuse_forgery(app, req, *gate.who, form.fields)) return *r;
  auto outcome = act(*gate.who, form.fields);
  if (outcome.ok()) return Response::see_other("/account/users?" + std::string(done_query));
  Page p = team_page(app, *gate.who);
  add_error(p.data, outcome.error());
  keep_values(p.data, form.fields);
  p.status = status_for(outcome.error());
  return render(app, std::move(p));
}

std::int64_t form_id(const http::FormFields& f) {
  std::string v = f.get("user_id");
  std::int64_t id = 0;
  std::from_chars(v.data(), v.data() + v.size(), id);
  return id;
}

Error bad_role() { return field_error("role", "Choose a role: owner, editor or viewer."); }

Response invite(App& app, const Request& req) {
  return team_action(
      app, req,
      [&](const SignedIn& who, const http::FormFields& f) -> Status {
        auto role = services::parse_role(f.get("role"));
        if (!role) return bad_role();
        return services::invite_user(app, who.user, f.get("email"), *role, requester(req));
      },
      "invited=1");
}

Response change_role(App& app, const Request& req) {
  return team_action(
      app, req,
      [&](const SignedIn& who, const http::FormFields& f) -> Status {
        auto role = services::parse_role(f.get("role"));
        if (!role) return bad_role();
        return services::change_role(app, who.user, form_id(f), *role, requester(req));
      },
      "changed=1");
}

Response remove(App& app, const Request& req) {
  return team_action(
      app, req,
      [&](const SignedIn& who, const http::FormFields& f) -> Status {
        return services::remove_user(app, who.user, form_id(f), requester(req));
      },
      "changed=1");
}

Response invitation_form(App& app, const Request& req) {
  auto invited = services::check_invitation(app, req.param("token"));
  if (!invited.ok()) {
    return message_page(app, 404, "This invitation is not valid", invited.error().message);
  }
  Page p = narrow_page("Join the team", "accept_invite");
  p.data.set("email", invited->email);
  p.data.set("role", std::string(services::role_name(invited->role)));
  return render(app, std::move(p));
}

Response invitation_submit(App& app, const Request& req) {
  auto form = read_form(app, req);
  if (form.refusal) return *form.refusal;
  if (!same_origin(app, req)) {
    return message_page(app, 403, "This form has expired",
                        "Open the link from your email again and send the form from there.");
  }
  auto done = services::accept_invitation(app, req.param("token"), form.fields.get("password"),
                                          requester(req));
  if (done.ok()) return Response::see_other("/login?verified=1");
  if (done.error().code == Errc::not_found) {
    return message_page(app, 404, "This invitation is not valid", done.error().message);
  }
  auto invited = services::check_invitation(app, req.param("token"));
  Page p = narrow_page("Join the team", "accept_invite");
  if (invited.ok()) p.data.set("email", invited->email);
  add_error(p.data, done.error());
  p.status = status_for(done.error());
  return render(app, std::move(p));
}

}  // namespace

void add_team_routes(http::Router& router, App& app) {
  router.get("/account/users", [&app](Request& r) { return team(app, r); });
  router.post("/account/users/invite", [&app](Request& r) { return invite(app, r); });
  router.post("/account/users/role", [&app](Request& r) { return change_role(app, r); });
  router.post("/account/users/remove", [&app](Request& r) { return remove(app, r); });
  router.get("/invite/{token}", [&app](Request& r) { return invitation_form(app, r); });
  router.post("/invite/{token}", [&app](Request& r) { return invitation_submit(app, r); });
}

}  // namespace sm::web
