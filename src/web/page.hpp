// Rendering pages: a page template inside the layout, with the signed-in navigation when
// there is a session. Templates live in templates/pages and are compiled into the binary.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/template.hpp"
#include "http/form.hpp"
#include "http/message.hpp"
#include "http/status.hpp"
#include "services/app.hpp"

namespace sm::web {

struct SignedIn;

struct Page {
  std::string title;
  std::string template_name;  // "login" renders templates/pages/login.mustache
  TemplateValue data;
  int status = 200;
  const SignedIn* signed_in = nullptr;  // shows the account navigation when set
  bool narrow = false;                  // the narrow, centred layout for sign-in forms
  int refresh_seconds = 0;              // > 0: reloads itself (progress pages, no JavaScript)
};

// An account page for `who`, with "can_edit" set for templates that hide what a viewer may
// not do.
Page signed_in_page(const SignedIn& who, std::string title, std::string template_name);

// A page in the narrow layout with nothing but its title and template set yet.
Page narrow_page(std::string title, std::string template_name);

http::Response render(services::App& app, Page page);

// A plain page with one message, for links that are not valid and similar dead ends.
http::Response message_page(services::App& app, int status, std::string title, std::string message,
                            const SignedIn* signed_in = nullptr);

// Puts an error on a page: the sentence in "error", and for a field error also
// "<field>_error" so the template can show it under the field.
void add_error(TemplateValue& data, const Error& e);

// Copies form fields into the template data as "<name>_value", except those named in `skip`
// (passwords are never echoed back).
void keep_values(TemplateValue& data, const http::FormFields& form,
                 std::initializer_list<std::string_view> skip = {"password"});

using http::status_for;

// Who asked, for the security audit.
services::Requester requester(const http::Request& req);

}  // namespace sm::web
