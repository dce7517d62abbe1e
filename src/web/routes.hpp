// The web pages, registered on the router. Each function adds the routes of one area.
#pragma once

#include "http/router.hpp"
#include "services/app.hpp"

namespace sm::web {

void add_public_routes(http::Router& router, services::App& app);
void add_sign_in_routes(http::Router& router, services::App& app);
void add_account_routes(http::Router& router, services::App& app);
void add_security_routes(http::Router& router, services::App& app);
void add_team_routes(http::Router& router, services::App& app);
void add_list_routes(http::Router& router, services::App& app);
void add_subscription_routes(http::Router& router, services::App& app);
void add_subscriber_routes(http::Router& router, services::App& app);
void add_import_routes(http::Router& router, services::App& app);
void add_domain_routes(http::Router& router, services::App& app);
// Composing, preview, the web version /w/{id} (campaign_pages.cpp); test sends, sending and
// its progress (campaign_sending_pages.cpp).
void add_campaign_routes(http::Router& router, services::App& app);
void add_campaign_sending_routes(http::Router& router, services::App& app);
// The data access portal; also starts the App's portal mail queue.
void add_portal_routes(http::Router& router, services::App& app);
void add_verify_routes(http::Router& router, services::App& app);
void add_operator_routes(http::Router& router, services::App& app);
// The open pixel and click redirect (web/tracking_routes.hpp); they own the event writer.
void add_tracking_routes(http::Router& router, services::App& app);
void add_report_routes(http::Router& router, services::App& app);

inline void add_web_routes(http::Router& router, services::App& app) {
  add_public_routes(router, app);
  add_sign_in_routes(router, app);
  add_account_routes(router, app);
  add_security_routes(router, app);
  add_team_routes(router, app);
  add_list_routes(router, app);
  add_subscription_routes(router, app);
  add_subscriber_routes(router, app);
  add_import_routes(router, app);
  add_domain_routes(router, app);
  add_campaign_routes(router, app);
  add_campaign_sending_routes(router, app);
  add_portal_routes(router, app);
  add_verify_routes(router, app);
  add_operator_routes(router, app);
  add_tracking_routes(router, app);
  add_report_routes(router, app);
}

}  // namespace sm::web
