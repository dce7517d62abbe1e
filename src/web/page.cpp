#include "web/page.hpp"

#include "core/log.hpp"
#include "web/guard.hpp"

namespace sm::web {

http::Response render(services::App& app, Page page) {
  TemplateValue& d = page.data;
  d.set("base_url", app.config.http_base_url);
  if (page.signed_in != nullptr) {
    const SignedIn& s = *page.signed_in;
    d.set("csrf", s.csrf);
    d.set("organisation", s.account.details.organisation);
    d.set("is_owner", s.user.role == services::Role::owner);
  }
  auto body = render_asset("templates/pages/" + page.template_name + ".mustache", d);
  if (!body.ok()) {
    log::error("page render failed template={} detail={}", page.template_name, body.error().detail);
    return http::Response::text("Something went wrong on our side. Please try again.", 500);
  }

  TemplateValue layout;
  layout.set("title", page.title);
  layout.set("content", *body);
  layout.set("narrow", page.narrow);
  if (page.refresh_seconds > 0) {
    layout.set("refresh", TemplateValue::number(page.refresh_seconds));
  }
  if (page.signed_in != nullptr) {
    layout.set("signed_in", true);
    layout.set("csrf", page.signed_in->csrf);
    layout.set("organisation", page.signed_in->account.details.organisation);
  }
  auto html = render_asset("templates/pages/layout.mustache", layout);
  if (!html.ok()) {
    log::error("layout render failed detail={}", html.error().detail);
    return http::Response::text("Something went wrong on our side. Please try again.", 500);
  }
  auto r = http::Response::html(std::move(*html), page.status);
  // Account pages show personal data; keep them out of shared caches and the back-forward
  // cache of a shared computer.
  if (page.signed_in != nullptr) r.headers.set("Cache-Control", "no-store");
  return r;
}

Page narrow_page(std::string title, std::string template_name) {
  Page p;
  p.title = std::move(title);
  p.template_name = std::move(template_name);
  p.narrow = true;
  return p;
}

http::Response message_page(services::App& app, int status, std::string title, std::string message,
                            const SignedIn* signed_in) {
  Page p;
  p.title = title;
  p.template_name = "message";
  p.data.set("heading", title).set("message", message);
  p.status = status;
  p.signed_in = signed_in;
  p.narrow = true;
  return render(app, std::move(p));
}

void add_error(TemplateValue& data, const Error& e) {
  data.set("error", e.message);
  if (!e.field.empty()) data.set(e.field + "_error", e.message);
}

void keep_values(TemplateValue& data, const http::FormFields& form,
                 std::initializer_list<std::string_view> skip) {
  for (const auto& [name, value] : form.all()) {
    bool skipped = name == "csrf" || name == "form_token";
    for (auto s : skip) skipped = skipped || name == s;
    if (!skipped) data.set(name + "_value", value);
  }
}

services::Requester requester(const http::Request& req) {
  return {req.remote_ip, std::string(req.user_agent().substr(0, 500))};
}

Page signed_in_page(const SignedIn& who, std::string title, std::string template_name) {
  Page p;
  p.title = std::move(title);
  p.template_name = std::move(template_name);
  p.signed_in = &who;
  p.data.set("can_edit", can_edit(who));
  return p;
}

}  // namespace sm::web
