// Subscribers of an account and their consent records, for signed-in account holders.
#include "web/routes.hpp"

namespace sm::web {

void add_subscriber_routes(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::web
