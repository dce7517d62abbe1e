// The service-test fixture itself: an account it creates is complete and can be found.
#include "test_app.hpp"

namespace sm::testing {
namespace {

class TestAppTest : public ::testing::TestWithParam<TestEngine> {};

TEST_P(TestAppTest, CreatesAnAccountWithCompleteControllerDetails) {
  TestApp t(GetParam());
  auto account = services::find_account(t.app(), t.create_account("Acme Ltd"));
  ASSERT_TRUE(account.ok()) << account.error().message;
  EXPECT_EQ(account->details.organisation, "Acme Ltd");
  EXPECT_TRUE(account->details_complete());
  EXPECT_EQ(account->created_at, kTestStart);
}

SM_INSTANTIATE_FOR_ENGINES(TestAppTest);

}  // namespace
}  // namespace sm::testing
