#include "http/status.hpp"

namespace sm::http {

int status_for(const Error& e) {
  switch (e.code) {
    case Errc::invalid_input:
      return 422;
    case Errc::unauthorized:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::conflict:
      return 409;
    case Errc::rate_limited:
      return 429;
    case Errc::unavailable:
      return 503;
    case Errc::internal:
      return 500;
  }
  return 500;
}

}  // namespace sm::http
