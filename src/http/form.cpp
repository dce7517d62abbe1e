#include "http/form.hpp"

#include <optional>

#include "http/percent_encoding.hpp"

namespace sm::http {
namespace {

Error bad_encoding() {
  return make_error(Errc::invalid_input,
                    "The form data is not correctly encoded. Please reload the page and try "
                    "again.",
                    "form: invalid percent-escape");
}

Error not_utf8() {
  return make_error(Errc::invalid_input,
                    "The form contains characters that are not valid text (UTF-8). Please "
                    "retype them and try again.",
                    "form: invalid UTF-8");
}

Error too_many_fields(std::size_t limit) {
  return make_error(
      Errc::invalid_input,
      "The form has more than " + std::to_string(limit) + " fields, which is more than we accept.",
      "form: field limit exceeded");
}

// Decodes one name or value; nullopt carries no reason, so the caller picks the message.
Result<std::string> decode_part(std::string_view raw) {
  std::optional<std::string> decoded = percent_decode(raw, PlusIs::space);
  if (!decoded) return bad_encoding();
  if (!valid_utf8(*decoded)) return not_utf8();
  return std::move(*decoded);
}

Status add_piece(std::string_view piece, FormFields& fields) {
  std::size_t eq = piece.find('=');
  std::string_view raw_name = piece.substr(0, eq);
  std::string_view raw_value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);

  Result<std::string> name = decode_part(raw_name);
  if (!name) return name.take_error();
  Result<std::string> value = decode_part(raw_value);
  if (!value) return value.take_error();
  fields.add(std::move(*name), std::move(*value));
  return {};
}

Result<FormFields> parse_urlencoded(std::string_view text, FormLimits limits) {
  FormFields fields;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (piece.empty()) continue;
    if (fields.size() == limits.max_fields) return too_many_fields(limits.max_fields);
    Status added = add_piece(piece, fields);
    if (!added) return added.take_error();
  }
  return fields;
}

}  // namespace

void FormFields::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

std::string FormFields::get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (n == name) return v;
  }
  return {};
}

std::vector<std::string> FormFields::get_all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : items_) {
    if (n == name) values.push_back(v);
  }
  return values;
}

bool FormFields::has(std::string_view name) const {
  for (const auto& item : items_) {
    if (item.first == name) return true;
  }
  return false;
}

Result<FormFields> parse_form(std::string_view body, FormLimits limits) {
  return parse_urlencoded(body, limits);
}

Result<FormFields> parse_query(std::string_view query, FormLimits limits) {
  return parse_urlencoded(query, limits);
}

std::string encode_form(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields.all()) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(name);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

}  // namespace sm::http
