// /api/v1/lists and /api/v1/fields.
#include "api/routes.hpp"

namespace sm::api {

void add_list_api(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::api
