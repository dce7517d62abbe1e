// /api/v1/lists/{id}/subscribers, /api/v1/subscribers and consent receipts.
#include "api/routes.hpp"

namespace sm::api {

void add_subscriber_api(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::api
