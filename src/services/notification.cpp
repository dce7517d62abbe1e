#include "services/notification.hpp"

#include "core/log.hpp"

namespace sm::services {

Status send_service_email(App& app, std::string_view template_name, const std::string& to,
                          TemplateValue data) {
  data.set("base_url", app.config.http_base_url);
  auto text = render_asset("templates/emails/" + std::string(template_name) + ".mustache", data,
                           Escape::none);
  if (!text.ok()) return text.take_error();

  const std::string& t = *text;
  auto split = t.find("\n\n");
  if (!t.starts_with("Subject: ") || split == std::string::npos) {
    return make_error(Errc::internal, "An email template is broken.",
                      "email template without a Subject line: " + std::string(template_name));
  }

  mail::Message m;
  m.to.push_back({to, ""});
  m.subject = t.substr(9, t.find('\n') - 9);
  m.text_body = t.substr(split + 2);
  auto sent = app.mailer->send(std::move(m));
  if (!sent.ok()) {
    log::error("service email failed template={} detail={}", template_name, sent.error().detail);
    return make_error(Errc::unavailable,
                      "We could not send the email just now. Please try again in a few "
                      "minutes.",
                      sent.error().detail);
  }
  return {};
}

}  // namespace sm::services
