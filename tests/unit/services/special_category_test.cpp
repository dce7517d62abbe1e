// Which field keys and labels are refused as special-category data or gender, and which
// harmless words that merely contain such letters are not.
#include <gtest/gtest.h>

#include "services/subscriber_fields.hpp"

namespace sm::services {
namespace {

struct Case {
  const char* text;
  bool refused;
};

constexpr Case kCases[] = {
    // Article 9 categories, as keys, labels and camelCase.
    {"religion", true},
    {"Religious belief", true},
    {"philosophical_beliefs", true},
    {"ethnicity", true},
    {"Ethnic origin", true},
    {"racial_origin", true},
    {"Race", true},
    {"political_party", true},
    {"Politics", true},
    {"politicalOpinion", true},
    {"trade_union", true},
    {"Trade union member", true},
    {"union_membership", true},
    {"genetic_test", true},
    {"DNA", true},
    {"biometricId", true},
    {"fingerprint_hash", true},
    {"health_notes", true},
    {"healthNotes", true},
    {"Mental health", true},
    {"medical_conditions", true},
    {"Medication", true},
    {"disability", true},
    {"diagnosis", true},
    {"pregnancy_due", true},
    {"Pregnant?", true},
    {"allergies", true},
    {"HIVStatus", true},
    {"sexual_orientation", true},
    {"Sexuality", true},
    {"sex_life", true},
    {"Sex life", true},
    {"lgbtq", true},
    // Gender and sex.
    {"gender", true},
    {"Gender identity", true},
    {"sex", true},
    {"Male", true},
    {"female", true},
    {"pronouns", true},
    // Harmless words.
    {"first_name", false},
    {"session", false},
    {"Essex office", false},
    {"unionised_price", false},
    {"union_jack", false},
    {"company", false},
    {"postcode", false},
    {"Date of birth", false},
    {"newsletter_frequency", false},
    {"preferredLanguage", false},
    {"trace_id", false},
    {"Embrace", false},
    {"political", true},
    {"apolitical_mood", false},
    {"medium", false},
    {"city", false},
    {"", false},
};

TEST(SpecialCategory, TableOfKeysAndLabels) {
  for (const auto& c : kCases) {
    EXPECT_EQ(special_category_reason(c.text).has_value(), c.refused) << c.text;
  }
}

TEST(SpecialCategory, ReasonSaysWhyAndNamesTheWord) {
  auto health = special_category_reason("health_notes");
  ASSERT_TRUE(health);
  EXPECT_NE(health->find("\"health_notes\""), std::string::npos);
  EXPECT_NE(health->find("health"), std::string::npos);
  EXPECT_NE(health->find("GDPR article 9"), std::string::npos);

  auto gender = special_category_reason("Gender");
  ASSERT_TRUE(gender);
  EXPECT_NE(gender->find("does not store gender"), std::string::npos);
  EXPECT_EQ(gender->find("article 9"), std::string::npos);
}

}  // namespace
}  // namespace sm::services
