#include "http/status.hpp"

#include <gtest/gtest.h>

namespace sm::http {
namespace {

TEST(StatusFor, EachErrorKindHasItsOwnStatus) {
  EXPECT_EQ(status_for(make_error(Errc::invalid_input, "")), 422);
  EXPECT_EQ(status_for(make_error(Errc::unauthorized, "")), 401);
  EXPECT_EQ(status_for(make_error(Errc::forbidden, "")), 403);
  EXPECT_EQ(status_for(make_error(Errc::not_found, "")), 404);
  EXPECT_EQ(status_for(make_error(Errc::conflict, "")), 409);
  EXPECT_EQ(status_for(make_error(Errc::rate_limited, "")), 429);
  EXPECT_EQ(status_for(make_error(Errc::unavailable, "")), 503);
  EXPECT_EQ(status_for(make_error(Errc::internal, "")), 500);
}

}  // namespace
}  // namespace sm::http
