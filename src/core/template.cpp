#include "core/template.hpp"

#include <kainjow/mustache.hpp>

#include "core/assets.hpp"

namespace sm {
namespace {

namespace mst = kainjow::mustache;

mst::data to_data(const TemplateValue& v) {
  struct Visitor {
    mst::data operator()(const std::string& s) const { return mst::data(s); }
    mst::data operator()(bool b) const {
      return b ? mst::data(mst::data::type::bool_true) : mst::data(mst::data::type::bool_false);
    }
    mst::data operator()(const TemplateValue::List& l) const {
      mst::data list = mst::data::type::list;
      for (const auto& item : l) list.push_back(to_data(item));
      return list;
    }
    mst::data operator()(const TemplateValue::Object& o) const {
      mst::data obj;
      for (const auto& [k, item] : o) obj.set(k, to_data(item));
      return obj;
    }
  };
  return std::visit(Visitor{}, v.raw());
}

}  // namespace

TemplateValue& TemplateValue::set(const std::string& key, TemplateValue value) {
  if (!std::holds_alternative<Object>(v_)) v_ = Object{};
  std::get<Object>(v_)[key] = std::move(value);
  return *this;
}

const TemplateValue* TemplateValue::get(const std::string& key) const {
  const auto* obj = std::get_if<Object>(&v_);
  if (obj == nullptr) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() ? nullptr : &it->second;
}

Result<std::string> render_template(std::string_view source, const TemplateValue& data,
                                    Escape escape) {
  mst::mustache tmpl{std::string(source)};
  if (!tmpl.is_valid()) {
    return make_error(Errc::invalid_input, "The template is not valid: " + tmpl.error_message(),
                      tmpl.error_message());
  }
  if (escape == Escape::none) tmpl.set_custom_escape([](const std::string& s) { return s; });
  return tmpl.render(to_data(data));
}

// kainjow's render() is not const, but with data that holds no lambdas (TemplateValue cannot
// express one) and no partials registered it only reads the parsed tree, so one parse can be
// rendered from many threads at once.
struct ParsedTemplate::Parsed {
  explicit Parsed(const std::string& source) : tmpl(source) {}
  mst::mustache tmpl;
};

Result<ParsedTemplate> ParsedTemplate::parse(std::string_view source, Escape escape) {
  auto parsed = std::make_shared<Parsed>(std::string(source));
  if (!parsed->tmpl.is_valid()) {
    const std::string why = parsed->tmpl.error_message();
    return make_error(Errc::invalid_input, "The template is not valid: " + why, why);
  }
  if (escape == Escape::none) {
    parsed->tmpl.set_custom_escape([](const std::string& s) { return s; });
  }
  ParsedTemplate t;
  t.parsed_ = std::move(parsed);
  return t;
}

std::string ParsedTemplate::render(const TemplateValue& data) const {
  if (!parsed_) return {};
  std::string out;
  parsed_->tmpl.render(to_data(data), [&out](const std::string& piece) { out += piece; });
  return out;
}

Result<std::string> render_asset(std::string_view path, const TemplateValue& data, Escape escape) {
  auto source = assets::find(path);
  if (!source) {
    return make_error(Errc::internal, "A page template is missing.",
                      "no embedded template " + std::string(path));
  }
  auto out = render_template(*source, data, escape);
  if (!out.ok()) {
    return make_error(Errc::internal, "A page template is broken.",
                      std::string(path) + ": " + out.error().detail);
  }
  return out;
}

}  // namespace sm
