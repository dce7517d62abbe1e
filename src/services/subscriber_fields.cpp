#include "services/subscriber_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kMaxKeyChars = 40;
constexpr std::size_t kMaxLabelBytes = 100;
constexpr std::size_t kMaxChoices = 100;
constexpr std::size_t kMaxValueBytes = 500;

// What a word means, for the sentence that refuses it.
enum class Category {
  ethnic,
  political,
  religious,
  trade_union,
  genetic,
  biometric,
  health,
  sex_life,
  gender
};

struct Term {
  std::string_view word;
  bool prefix;  // true: any word starting with it ("religio" matches "religious")
  Category category;
};

// Words are matched whole or, where `prefix`, by their start, so "session", "essex" and
// "sextant"-like words stay allowed while "sexuality" does not. Short ambiguous words are
// whole-word only.
constexpr std::array<Term, 45> kTerms = {{
    {"ethnic", true, Category::ethnic},
    {"race", false, Category::ethnic},
    {"races", false, Category::ethnic},
    {"racial", true, Category::ethnic},
    {"politic", true, Category::political},
    {"religio", true, Category::religious},
    {"belief", true, Category::religious},
    {"faith", false, Category::religious},
    {"creed", false, Category::religious},
    {"church", false, Category::religious},
    {"tradeunion", true, Category::trade_union},
    {"genetic", true, Category::genetic},
    {"genome", true, Category::genetic},
    {"dna", false, Category::genetic},
    {"biometric", true, Category::biometric},
    {"fingerprint", true, Category::biometric},
    {"health", true, Category::health},
    {"medic", true, Category::health},
    {"disabilit", true, Category::health},
    {"diagnos", true, Category::health},
    {"pregnan", true, Category::health},
    {"illness", true, Category::health},
    {"disease", true, Category::health},
    {"allerg", true, Category::health},
    {"hiv", false, Category::health},
    {"vaccin", true, Category::health},
    {"blood", false, Category::health},
    {"symptom", true, Category::health},
    {"sexual", true, Category::sex_life},
    {"sexlife", false, Category::sex_life},
    {"gay", false, Category::sex_life},
    {"lesbian", true, Category::sex_life},
    {"bisexual", true, Category::sex_life},
    {"homosexual", true, Category::sex_life},
    {"heterosexual", true, Category::sex_life},
    {"lgbt", true, Category::sex_life},
    {"gender", true, Category::gender},
    {"sex", false, Category::gender},
    {"sexes", false, Category::gender},
    {"male", false, Category::gender},
    {"female", false, Category::gender},
    {"transgender", true, Category::gender},
    {"pronoun", true, Category::gender},
    {"nonbinary", true, Category::gender},
    {"intersex", true, Category::gender},
}};

std::string_view category_words(Category c) {
  switch (c) {
    case Category::ethnic:
      return "racial or ethnic origin";
    case Category::political:
      return "political opinions";
    case Category::religious:
      return "religious or philosophical beliefs";
    case Category::trade_union:
      return "trade union membership";
    case Category::genetic:
      return "genetic data";
    case Category::biometric:
      return "biometric data";
    case Category::health:
      return "data about health";
    case Category::sex_life:
      return "data about a person's sex life or sexual orientation";
    case Category::gender:
      return "gender";
  }
  return "special-category data";
}

// Splits "healthNotes", "health_notes" and "Health notes" alike into lowercase words.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words.push_back(current);
    current.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    bool upper = std::isupper(c) != 0;
    bool prev_lower = i > 0 && std::islower(static_cast<unsigned char>(text[i - 1]));
    bool next_lower = i + 1 < text.size() && std::islower(static_cast<unsigned char>(text[i + 1]));
    bool prev_upper = i > 0 && std::isupper(static_cast<unsigned char>(text[i - 1]));
    // A capital starts a word after a small letter ("healthNotes") or ends an acronym
    // before one ("HIVStatus").
    if (upper && (prev_lower || (prev_upper && next_lower))) flush();
    current.push_back(static_cast<char>(std::tolower(c)));
  }
  flush();
  return words;
}

std::optional<Category> category_of_word(std::string_view word) {
  for (const auto& t : kTerms) {
    if (t.prefix ? word.starts_with(t.word) : word == t.word) return t.category;
  }
  return std::nullopt;
}

// Two-word phrases whose words alone are harmless: "trade union", "union member", "sex life".
std::optional<Category> category_of_pair(std::string_view a, std::string_view b) {
  if (a == "trade" && b.starts_with("union")) return Category::trade_union;
  if (a.starts_with("union") && b.starts_with("member")) return Category::trade_union;
  if (a == "sex" && b == "life") return Category::sex_life;
  return std::nullopt;
}

std::optional<Category> category_of(std::string_view text) {
  auto words = words_of(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i + 1 < words.size()) {
      if (auto c = category_of_pair(words[i], words[i + 1])) return c;
    }
    if (auto c = category_of_word(words[i])) return c;
  }
  return std::nullopt;
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyChars) return false;
  if (key.front() < 'a' || key.front() > 'z') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
}

Status validate_choices(const FieldDefinition& f) {
  if (f.type != FieldType::choice) {
    if (!f.choices.empty()) {
      return field_error("choices", "Only a field of type choice has choices; leave them empty.");
    }
    return {};
  }
  if (f.choices.empty()) {
    return field_error("choices", "A choice field needs its choices, one per line.");
  }
  if (f.choices.size() > kMaxChoices) {
    return field_error("choices", "A choice field can have at most 100 choices.");
  }
  for (std::size_t i = 0; i < f.choices.size(); ++i) {
    const auto& c = f.choices[i];
    if (c.empty() || c.size() > kMaxLabelBytes || has_control_chars(c)) {
      return field_error("choices", "Each choice is one line of at most 100 characters.");
    }
    if (std::find(f.choices.begin(), f.choices.begin() + i, c) != f.choices.begin() + i) {
      return field_error("choices", "The choice \"" + c + "\" is listed twice.");
    }
  }
  return {};
}

Error value_error(const FieldDefinition& f, std::string_view expected) {
  return field_error(f.key, "\"" + f.label + "\" " + std::string(expected));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number(std::string_view v) {
  if (v.starts_with("-")) v.remove_prefix(1);
  auto dot = v.find('.');
  if (dot == std::string_view::npos) return all_digits(v);
  return all_digits(v.substr(0, dot)) && all_digits(v.substr(dot + 1));
}

bool is_date(std::string_view v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  if (!all_digits(v.substr(0, 4)) || !all_digits(v.substr(5, 2)) || !all_digits(v.substr(8, 2))) {
    return false;
  }
  int y = std::stoi(std::string(v.substr(0, 4)));
  int m = std::stoi(std::string(v.substr(5, 2)));
  int d = std::stoi(std::string(v.substr(8, 2)));
  constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::string> normalize_boolean(const FieldDefinition& f, std::string_view v) {
  std::string l = lowercase(v);
  if (l == "true" || l == "yes" || l == "1" || l == "on") return std::string("true");
  if (l == "false" || l == "no" || l == "0" || l == "off") return std::string("false");
  return value_error(f, "must be yes or no (true/false, 1/0 also work).");
}

Result<std::string> normalize_choice(const FieldDefinition& f, std::string_view v) {
  for (const auto& c : f.choices) {
    if (lowercase(c) == lowercase(v)) return c;
  }
  std::string listed;
  for (const auto& c : f.choices) listed += (listed.empty() ? "" : ", ") + c;
  return value_error(f, "must be one of: " + listed + ".");
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = trim_whitespace(text.substr(start, nl - start));
    if (!line.empty()) out.emplace_back(line);
    start = nl + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

FieldDefinition field_from_row(const store::Row& r) {
  FieldDefinition f;
  f.id = r.integer(0);
  f.key = r.text(1);
  f.label = r.text(2);
  f.type = parse_field_type(r.text(3)).value_or(FieldType::text);
  f.choices = split_lines(r.text(4));
  return f;
}

}  // namespace

std::string_view field_type_name(FieldType t) {
  switch (t) {
    case FieldType::text:
      return "text";
    case FieldType::number:
      return "number";
    case FieldType::date:
      return "date";
    case FieldType::boolean:
      return "boolean";
    case FieldType::choice:
      return "choice";
  }
  return "text";
}

std::optional<FieldType> parse_field_type(std::string_view name) {
  for (auto t : {FieldType::text, FieldType::number, FieldType::date, FieldType::boolean,
                 FieldType::choice}) {
    if (field_type_name(t) == name) return t;
  }
  return std::nullopt;
}

std::optional<std::string> special_category_reason(std::string_view key_or_label) {
  auto c = category_of(key_or_label);
  if (!c) return std::nullopt;
  std::string shown = "\"" + std::string(key_or_label) + "\"";
  if (*c == Category::gender) {
    return shown +
           " would hold gender or sex. Smartmessages does not store gender: sending email "
           "never needs it. Remove this field.";
  }
  return shown + " would hold " + std::string(category_words(*c)) +
         ", special-category data under GDPR article 9, which Smartmessages does not store. "
         "Remove this field.";
}

Status validate_field(const FieldDefinition& f) {
  if (!valid_key(f.key)) {
    return field_error("key",
                       "The key starts with a small letter and has only small letters, digits "
                       "and _ (at most 40), like \"first_name\".");
  }
  if (f.key == "email") {
    return field_error("key", "\"email\" is the subscriber's address already; choose another key.");
  }
  if (trim_whitespace(f.label).empty()) {
    return field_error("label", "Give the field a label, shown on sign-up forms.");
  }
  if (f.label.size() > kMaxLabelBytes || has_control_chars(f.label)) {
    return field_error("label", "The label is one line of at most 100 characters.");
  }
  if (auto why = special_category_reason(f.key)) return field_error("key", *why);
  if (auto why = special_category_reason(f.label)) return field_error("label", *why);
  return validate_choices(f);
}

Result<FieldDefinition> declare_field(App& app, std::int64_t account_id, FieldDefinition field) {
  field.label = std::string(trim_whitespace(field.label));
  std::vector<std::string> choices;
  for (const auto& c : field.choices) {
    auto t = trim_whitespace(c);
    if (!t.empty()) choices.emplace_back(t);
  }
  field.choices = std::move(choices);
  SM_TRY(validate_field(field));

  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(
      **lease, "subscriber_fields.insert",
      {account_id, field.key, field.label, std::string(field_type_name(field.type)),
       join_lines(field.choices), app.now()});
  if (!rows.ok()) {
    if (rows.error().constraint == Constraint::unique) {
      return field_error("key", "There is already a field \"" + field.key +
                                    "\". Choose another key, or remove that field first.");
    }
    return rows.take_error();
  }
  field.id = rows->front().integer(0);
  return field;
}

Status remove_field(App& app, std::int64_t account_id, std::int64_t field_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "subscriber_fields.delete", {account_id, field_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->affected == 0) {
    return make_error(Errc::not_found, "There is no such field in this account.");
  }
  return {};
}

Result<std::vector<FieldDefinition>> account_fields(App& app, std::int64_t account_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "subscriber_fields.for_account", {account_id});
  if (!rows.ok()) return rows.take_error();
  std::vector<FieldDefinition> out;
  for (const auto& r : rows->rows) out.push_back(field_from_row(r));
  return out;
}

Result<std::string> normalize_field_value(const FieldDefinition& field, std::string_view value) {
  auto v = trim_whitespace(value);
  if (v.empty()) return std::string();
  if (v.size() > kMaxValueBytes || has_control_chars(v)) {
    return value_error(field, "is one line of at most 500 characters.");
  }
  switch (field.type) {
    case FieldType::text:
      return std::string(v);
    case FieldType::number:
      if (is_number(v)) return std::string(v);
      return value_error(field, "must be a number, like 42 or -3.5.");
    case FieldType::date:
      if (is_date(v)) return std::string(v);
      return value_error(field, "must be a date written YYYY-MM-DD, like 2026-12-01.");
    case FieldType::boolean:
      return normalize_boolean(field, v);
    case FieldType::choice:
      return normalize_choice(field, v);
  }
  return std::string(v);
}

}  // namespace sm::services
