// Mustache templates for pages and emails, behind a value type of our own so the template
// library stays in one translation unit. {{name}} escapes HTML; {{{name}}} does not.
//
// Thread-safe: rendering keeps no shared state.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sm {

// A value a template can show: text, a flag for {{#section}}, a list or an object.
class TemplateValue {
 public:
  using List = std::vector<TemplateValue>;
  using Object = std::map<std::string, TemplateValue>;

  TemplateValue() : v_(Object{}) {}
  TemplateValue(std::string s) : v_(std::move(s)) {}    // NOLINT: implicit by design
  TemplateValue(const char* s) : v_(std::string(s)) {}  // NOLINT
  TemplateValue(bool b) : v_(b) {}                      // NOLINT
  TemplateValue(List l) : v_(std::move(l)) {}           // NOLINT
  TemplateValue(Object o) : v_(std::move(o)) {}         // NOLINT
  static TemplateValue number(long long n) { return TemplateValue(std::to_string(n)); }

  // Sets a member; the value becomes an object if it was not one.
  TemplateValue& set(const std::string& key, TemplateValue value);
  const TemplateValue* get(const std::string& key) const;

  const std::variant<std::string, bool, List, Object>& raw() const { return v_; }

 private:
  std::variant<std::string, bool, List, Object> v_;
};

enum class Escape { html, none };

// Renders `source` with `data`. A syntax error in the template is Errc::internal (templates
// are ours) or, for templates written by account holders, reported by the caller.
Result<std::string> render_template(std::string_view source, const TemplateValue& data,
                                    Escape escape = Escape::html);

// A template parsed once and rendered many times, for text written once and sent to many
// people (a campaign's subject and bodies). Thread-safe: render() may run on many threads at
// once; copies share the parsed template.
class ParsedTemplate {
 public:
  // Errc::invalid_input with the parser's sentence when `source` is not a valid template.
  static Result<ParsedTemplate> parse(std::string_view source, Escape escape = Escape::html);

  std::string render(const TemplateValue& data) const;

  struct Parsed;  // defined in template.cpp

 private:
  std::shared_ptr<Parsed> parsed_;
};

// Renders the embedded template at `path` (e.g. "templates/pages/login.mustache").
Result<std::string> render_asset(std::string_view path, const TemplateValue& data,
                                 Escape escape = Escape::html);

}  // namespace sm
