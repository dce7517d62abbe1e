// /api/v1/lists/{id}/imports and exports.
#include "api/routes.hpp"

namespace sm::api {

void add_import_api(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::api
