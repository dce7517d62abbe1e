// The JSON API, version 1, under /api/v1. Every call authenticates with
// `Authorization: Bearer KEY` (keys from `smartmessages apikey create`); errors are
// application/problem+json with a sentence a person can act on. Described in docs/openapi.yaml.
#pragma once

#include "http/router.hpp"
#include "services/app.hpp"

namespace sm::api {

void add_account_api(http::Router& router, services::App& app);
void add_list_api(http::Router& router, services::App& app);
void add_subscriber_api(http::Router& router, services::App& app);
void add_import_api(http::Router& router, services::App& app);
void add_domain_api(http::Router& router, services::App& app);
void add_campaign_api(http::Router& router, services::App& app);
void add_report_api(http::Router& router, services::App& app);
void add_inbound_api(http::Router& router, services::App& app);

inline void add_api_routes(http::Router& router, services::App& app) {
  add_account_api(router, app);
  add_list_api(router, app);
  add_subscriber_api(router, app);
  add_import_api(router, app);
  add_domain_api(router, app);
  add_campaign_api(router, app);
  add_report_api(router, app);
  add_inbound_api(router, app);
}

}  // namespace sm::api
