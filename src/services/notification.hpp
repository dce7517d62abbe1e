// Emails the service itself sends to account holders' users: address confirmation, password
// reset, invitations. Each is an embedded template templates/emails/<name>.mustache whose
// first line is "Subject: ..." followed by a blank line and the plain-text body.
#pragma once

#include <string>
#include <string_view>

#include "core/template.hpp"
#include "services/app.hpp"

namespace sm::services {

Status send_service_email(App& app, std::string_view template_name, const std::string& to,
                          TemplateValue data);

}  // namespace sm::services
