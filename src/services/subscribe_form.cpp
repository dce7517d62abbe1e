// The copy-paste sign-up form of a list (declared in services/lists.hpp). It is pasted into
// sites we do not control, so it carries no class names of ours and hides the honeypot with
// an inline style rather than with our stylesheet.
#include "core/template.hpp"
#include "services/lists.hpp"

namespace sm::services {
namespace {

constexpr std::string_view kFormTemplate =
    R"(<form method="post" action="{{action}}" accept-charset="utf-8">
  <p>
    <label for="sm-{{list_id}}-email">Email address</label><br>
    <input id="sm-{{list_id}}-email" name="email" type="email" autocomplete="email" required>
  </p>
{{#fields}}
  <p>
{{#is_boolean}}
    <label><input id="sm-{{list_id}}-{{key}}"
      name="f_{{key}}" type="checkbox" value="true"> {{label}}</label>
{{/is_boolean}}
{{#is_choice}}
    <label for="sm-{{list_id}}-{{key}}">{{label}}</label><br>
    <select id="sm-{{list_id}}-{{key}}" name="f_{{key}}">
      <option value=""></option>
{{#choices}}
      <option>{{.}}</option>
{{/choices}}
    </select>
{{/is_choice}}
{{#input_type}}
    <label for="sm-{{list_id}}-{{key}}">{{label}}</label><br>
    <input id="sm-{{list_id}}-{{key}}"
      name="f_{{key}}" type="{{input_type}}"{{#is_number}} step="any"{{/is_number}}>
{{/input_type}}
  </p>
{{/fields}}
  <div style="position:absolute;left:-10000px" aria-hidden="true">
    <label for="sm-{{list_id}}-homepage">Leave this empty</label>
    <input id="sm-{{list_id}}-homepage"
      name="homepage" type="text" tabindex="-1" autocomplete="off">
  </div>
  <p><button type="submit">Subscribe</button></p>
</form>
)";

// The <input type> of a field that is neither a checkbox nor a <select>; empty for those.
std::string input_type(FieldType t) {
  switch (t) {
    case FieldType::number:
      return "number";
    case FieldType::date:
      return "date";
    case FieldType::text:
      return "text";
    case FieldType::boolean:
    case FieldType::choice:
      return "";
  }
  return "text";
}

TemplateValue field_value(const FieldDefinition& f) {
  TemplateValue v;
  v.set("key", f.key).set("label", f.label);
  v.set("is_boolean", f.type == FieldType::boolean);
  v.set("is_choice", f.type == FieldType::choice);
  v.set("is_number", f.type == FieldType::number);
  std::string type = input_type(f.type);
  // An empty string is falsy in mustache, so the plain-input section is skipped for the rest.
  v.set("input_type", type.empty() ? TemplateValue(false) : TemplateValue(type));
  TemplateValue::List choices;
  for (const auto& c : f.choices) choices.emplace_back(c);
  v.set("choices", std::move(choices));
  return v;
}

// Drops the whitespace-only lines the template's section tags leave behind.
std::string without_blank_lines(const std::string& html) {
  std::string out;
  std::size_t start = 0;
  while (start < html.size()) {
    std::size_t nl = html.find('\n', start);
    if (nl == std::string::npos) nl = html.size() - 1;
    std::string_view line(html.data() + start, nl - start + 1);
    if (line.find_first_not_of(" \t\r\n") != std::string_view::npos) out += line;
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string subscribe_form_html(const App& app, const MailingList& list,
                                const std::vector<FieldDefinition>& fields) {
  TemplateValue data;
  data.set("action", subscribe_url(app, list)).set("list_id", list.public_id);
  TemplateValue::List rows;
  for (const auto& f : fields) rows.push_back(field_value(f));
  data.set("fields", std::move(rows));
  auto html = render_template(kFormTemplate, data);
  // The template is ours and fixed; it failing to render is a bug caught by the tests.
  return html.ok() ? without_blank_lines(*html) : std::string();
}

}  // namespace sm::services
