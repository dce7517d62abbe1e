// Custom subscriber fields an account declares (key, label, type). Fields that would hold
// special-category data (GDPR article 9) or gender are refused: the product cannot store them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

enum class FieldType { text, number, date, boolean, choice };

std::string_view field_type_name(FieldType t);  // "text", "number", ...
std::optional<FieldType> parse_field_type(std::string_view name);

struct FieldDefinition {
  std::int64_t id = 0;
  std::string key;    // [a-z][a-z0-9_]{0,39}, unique per account; "email" is reserved
  std::string label;  // shown on forms
  FieldType type = FieldType::text;
  std::vector<std::string> choices;  // for FieldType::choice
};

// Why a field key, label or CSV column cannot be stored, as a sentence for the person; empty
// when it may. Matches special-category and gender words in English, whole words or parts of
// snake_case keys ("religion", "health_notes", "Sexual orientation", "gender").
std::optional<std::string> special_category_reason(std::string_view key_or_label);

// The checks of a field definition: key syntax, label, type, choices, special categories.
Status validate_field(const FieldDefinition& field);

Result<FieldDefinition> declare_field(App& app, std::int64_t account_id, FieldDefinition field);
Status remove_field(App& app, std::int64_t account_id, std::int64_t field_id);
Result<std::vector<FieldDefinition>> account_fields(App& app, std::int64_t account_id);

// Checks and normalises one value for `field` (numbers as written, dates as YYYY-MM-DD,
// booleans as "true"/"false", choices as one of the choices). Empty means "no value" and is
// accepted. A refusal is a field error naming the field's key and saying what was expected.
Result<std::string> normalize_field_value(const FieldDefinition& field, std::string_view value);

}  // namespace sm::services
