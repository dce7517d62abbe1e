#include "services/campaign_content.hpp"

#include <algorithm>

#include "core/template.hpp"
#include "mail/html_sanitizer.hpp"
#include "mail/html_to_text.hpp"
#include "mail/markdown.hpp"

namespace sm::services {
namespace {

constexpr std::string_view kFieldPrefix = "subscriber.";

// One {{...}} of a template: its kind ('\0' for a plain value, or one of # ^ / ! & { > =) and
// the name inside, trimmed as mustache trims it.
struct Tag {
  char kind = '\0';
  std::string name;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The tags of a template the mustache parser has already accepted, so every "{{" has its
// "}}". Scanning stops at a delimiter change, which the caller refuses, so the default
// delimiters hold for everything scanned.
std::vector<Tag> scan_tags(std::string_view text) {
  std::vector<Tag> tags;
  for (std::size_t open = text.find("{{"); open != std::string_view::npos;
       open = text.find("{{", open)) {
    bool triple = text.substr(open, 3) == "{{{";
    std::string_view closer = triple ? "}}}" : "}}";
    std::size_t inner = open + (triple ? 3 : 2);
    std::size_t close = std::min(text.find(closer, inner), text.size());
    std::string_view body = trim(text.substr(inner, close - inner));
    Tag tag;
    if (triple) {
      tag.kind = '{';
    } else if (!body.empty() &&
               std::string_view("#^/!&>=").find(body.front()) != std::string_view::npos) {
      tag.kind = body.front();
      body = trim(body.substr(1));
    }
    tag.name = std::string(body);
    tags.push_back(tag);
    if (tag.kind == '=') break;
    open = close + closer.size();
  }
  return tags;
}

std::string written(const Tag& tag) {
  if (tag.kind == '{') return "{{{" + tag.name + "}}}";
  return "{{" + (tag.kind == '\0' ? "" : std::string(1, tag.kind)) + tag.name + "}}";
}

bool declared(const std::vector<FieldDefinition>& fields, std::string_view key) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const FieldDefinition& f) { return f.key == key; });
}

Error refusal(std::string message) { return make_error(Errc::invalid_input, std::move(message)); }

// Why a tag's kind is not allowed in a campaign, or empty when it is.
std::string kind_refusal(const Tag& tag) {
  switch (tag.kind) {
    case '{':
    case '&':
      return written(tag) + " would insert the value without escaping it; write {{" + tag.name +
             "}} instead.";
    case '>':
      return written(tag) + ": partials cannot be used in campaigns.";
    case '=':
      return written(tag) + ": changing the tag delimiters is not supported.";
    default:
      return {};
  }
}

Status check_name(const Tag& tag, const std::vector<FieldDefinition>& fields) {
  const auto& names = campaign_tag_names();
  if (std::find(names.begin(), names.end(), tag.name) != names.end()) return {};
  if (tag.name.starts_with(kFieldPrefix)) {
    if (declared(fields, std::string_view(tag.name).substr(kFieldPrefix.size()))) return {};
    return refusal(written(tag) +
                   " is not a field of this account; declare it under Fields or remove it.");
  }
  if (declared(fields, tag.name)) {
    return refusal(written(tag) + " is not a merge tag; subscriber fields are written {{" +
                   std::string(kFieldPrefix) + tag.name + "}}.");
  }
  return refusal(written(tag) + " is not a merge tag. Use {{" + std::string(kFieldPrefix) +
                 "<field>}} for a subscriber field, or one of {{email}}, {{organisation}}, " +
                 "{{unsubscribe_url}} and the others listed beside the editor.");
}

}  // namespace

const std::vector<std::string_view>& campaign_tag_names() {
  static const std::vector<std::string_view> kNames = {
      "email",      "organisation",    "postal_address",  "contact_email",
      "website",    "privacy_contact", "unsubscribe_url", "preferences_url",
      "portal_url", "web_version_url", "list_name"};
  return kNames;
}

Status check_campaign_tags(std::string_view text, const std::vector<FieldDefinition>& fields) {
  // The renderer's own parser decides what is well formed (unclosed sections, stray "{{"), so
  // what passes here is what sending will render.
  auto parsed = render_template(text, TemplateValue{}, Escape::none);
  if (!parsed.ok()) {
    return make_error(Errc::invalid_input,
                      "The merge tags are not well formed: " + parsed.error().detail + ".",
                      parsed.error().detail);
  }
  for (const Tag& tag : scan_tags(text)) {
    if (tag.kind == '!' || tag.kind == '/') continue;  // comments; closers match their openers
    if (std::string why = kind_refusal(tag); !why.empty()) return refusal(std::move(why));
    SM_TRY(check_name(tag, fields));
  }
  return {};
}

Status check_campaign_tags(App& app, std::int64_t account_id, std::string_view text) {
  auto fields = account_fields(app, account_id);
  if (!fields.ok()) return fields.take_error();
  return check_campaign_tags(text, *fields);
}

Result<CampaignBody> prepare_body(BodyFormat format, std::string_view source) {
  if (source.size() > kMaxBodyBytes) {
    return field_error("body", "The body is larger than 1 MB; shorten it or link to the rest.");
  }
  std::string html =
      format == BodyFormat::markdown ? mail::markdown_to_html(source) : std::string(source);
  mail::SanitizedHtml clean = mail::sanitize_html(html);
  std::string text = mail::html_to_text(clean.html);
  return CampaignBody{std::move(clean.html), std::move(text), std::move(clean.removed)};
}

}  // namespace sm::services
