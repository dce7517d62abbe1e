// Lists and subscriber fields, for signed-in account holders.
#include "web/routes.hpp"

namespace sm::web {

void add_list_routes(http::Router& router, services::App& app) {
  (void)router;
  (void)app;
}

}  // namespace sm::web
