// Subscriber fields on both engines: declaring, listing and removing within one account, the
// key rules, and the refusal of special-category and gender fields.
#include "services/subscriber_fields.hpp"

#include "test_app.hpp"

namespace sm::testing {
namespace {

using services::FieldDefinition;
using services::FieldType;

class FieldsTest : public ::testing::TestWithParam<TestEngine> {};

FieldDefinition field(std::string key, std::string label, FieldType type = FieldType::text,
                      std::vector<std::string> choices = {}) {
  return {0, std::move(key), std::move(label), type, std::move(choices)};
}

TEST_P(FieldsTest, DeclaresListsAndRemovesFieldsOfOneAccount) {
  TestApp t(GetParam());
  auto mine = t.create_account("Mine Ltd", "mine@example.org");
  auto theirs = t.create_account("Theirs Ltd", "theirs@example.org");
  auto name = services::declare_field(t.app(), mine, field("first_name", " First name "));
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_GT(name->id, 0);
  EXPECT_EQ(name->label, "First name");
  auto city = services::declare_field(
      t.app(), mine, field("city", "City", FieldType::choice, {"Leeds", " ", " York "}));
  ASSERT_TRUE(city.ok()) << city.error().message;

  auto fields = services::account_fields(t.app(), mine);
  ASSERT_TRUE(fields.ok());
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ((*fields)[0].key, "first_name");
  EXPECT_EQ((*fields)[1].type, FieldType::choice);
  EXPECT_EQ((*fields)[1].choices, (std::vector<std::string>{"Leeds", "York"}));
  EXPECT_TRUE(services::account_fields(t.app(), theirs)->empty());

  // The same key in another account is another field.
  EXPECT_TRUE(services::declare_field(t.app(), theirs, field("first_name", "Name")).ok());
  auto twice = services::declare_field(t.app(), mine, field("first_name", "Again"));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "key");

  EXPECT_EQ(services::remove_field(t.app(), theirs, name->id).error().code, Errc::not_found);
  ASSERT_TRUE(services::remove_field(t.app(), mine, name->id).ok());
  EXPECT_EQ(services::account_fields(t.app(), mine)->size(), 1u);
}

TEST_P(FieldsTest, RefusesBadKeysChoicesAndSpecialCategories) {
  TestApp t(GetParam());
  auto account = t.create_account();
  auto refused_on = [&](FieldDefinition f) {
    auto r = services::declare_field(t.app(), account, std::move(f));
    return r.ok() ? std::string("accepted") : r.error().field;
  };
  EXPECT_EQ(refused_on(field("First", "First")), "key");
  EXPECT_EQ(refused_on(field("1st", "First")), "key");
  EXPECT_EQ(refused_on(field("email", "Email")), "key");
  EXPECT_EQ(refused_on(field(std::string(41, 'a'), "Long")), "key");
  EXPECT_EQ(refused_on(field("first", "")), "label");
  EXPECT_EQ(refused_on(field("city", "City", FieldType::choice, {})), "choices");
  EXPECT_EQ(refused_on(field("city", "City", FieldType::choice, {"A", "A"})), "choices");
  EXPECT_EQ(refused_on(field("city", "City", FieldType::text, {"A"})), "choices");
  EXPECT_EQ(refused_on(field("religion", "Faith")), "key");
  EXPECT_EQ(refused_on(field("notes", "Health notes")), "label");
  EXPECT_EQ(refused_on(field("gender", "Gender", FieldType::choice, {"f", "m"})), "key");
  EXPECT_TRUE(services::account_fields(t.app(), account)->empty());

  auto why = services::declare_field(t.app(), account, field("x", "Sexual orientation"));
  ASSERT_FALSE(why.ok());
  EXPECT_NE(why.error().message.find("article 9"), std::string::npos);
  auto gender = services::declare_field(t.app(), account, field("pronouns", "Pronouns"));
  ASSERT_FALSE(gender.ok());
  EXPECT_NE(gender.error().message.find("does not store gender"), std::string::npos);
}

TEST(FieldValues, AreNormalisedByType) {
  auto norm = [](FieldType type, std::string value, std::vector<std::string> choices = {}) {
    auto r = services::normalize_field_value(field("k", "Label", type, std::move(choices)), value);
    return r.ok() ? *r : "! " + r.error().field;
  };
  EXPECT_EQ(norm(FieldType::text, "  Ada "), "Ada");
  EXPECT_EQ(norm(FieldType::text, ""), "");
  EXPECT_EQ(norm(FieldType::text, "a\nb"), "! k");
  EXPECT_EQ(norm(FieldType::number, "42"), "42");
  EXPECT_EQ(norm(FieldType::number, "-3.50"), "-3.50");
  EXPECT_EQ(norm(FieldType::number, "3."), "! k");
  EXPECT_EQ(norm(FieldType::number, "1e5"), "! k");
  EXPECT_EQ(norm(FieldType::number, "  "), "");
  EXPECT_EQ(norm(FieldType::date, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(norm(FieldType::date, "2023-02-29"), "! k");
  EXPECT_EQ(norm(FieldType::date, "2026-13-01"), "! k");
  EXPECT_EQ(norm(FieldType::date, "1/2/2026"), "! k");
  EXPECT_EQ(norm(FieldType::boolean, "Yes"), "true");
  EXPECT_EQ(norm(FieldType::boolean, "on"), "true");
  EXPECT_EQ(norm(FieldType::boolean, "0"), "false");
  EXPECT_EQ(norm(FieldType::boolean, "maybe"), "! k");
  EXPECT_EQ(norm(FieldType::choice, "leeds", {"Leeds", "York"}), "Leeds");
  EXPECT_EQ(norm(FieldType::choice, "Hull", {"Leeds", "York"}), "! k");

  auto r = services::normalize_field_value(field("age", "Age", FieldType::number), "old");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Age"), std::string::npos);
  EXPECT_NE(r.error().message.find("number"), std::string::npos);
}

SM_INSTANTIATE_FOR_ENGINES(FieldsTest);

}  // namespace
}  // namespace sm::testing
