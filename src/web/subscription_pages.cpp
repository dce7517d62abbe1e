// Public subscription pages: sign-up, confirmation, unsubscribe, preferences.
#include "web/routes.hpp"

namespace sm::web {

void add_subscription_routes(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::web
