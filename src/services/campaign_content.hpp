// Campaign content: the merge tags an account holder may write, and the body pipeline from
// what they wrote (Markdown or HTML) to the sanitised HTML part and the plain-text part.
//
// Merge tags (mustache, rendered by core/template.hpp):
//   {{subscriber.<key>}}  a field the account declared (services/subscriber_fields.hpp). The
//                         prefix keeps field keys apart from the names below, so a field may
//                         be called "website" without hiding the controller's website.
//   {{email}}             the subscriber's address
//   {{organisation}} {{postal_address}} {{contact_email}} {{website}} {{privacy_contact}}
//                         the controller details
//   {{unsubscribe_url}} {{preferences_url}} {{portal_url}} {{web_version_url}} {{list_name}}
// Any of them may open a section, {{#subscriber.vip}}...{{/subscriber.vip}}, or an inverted
// section, {{^subscriber.first_name}}Hello{{/subscriber.first_name}}. Comments {{! }} are
// allowed. Not allowed: {{{x}}} and {{&x}} (a field value would go into the HTML unescaped,
// and subscribers can edit their own fields), partials {{>x}}, and changing the delimiters.
//
// Thread-safe: no shared state; the App overload reads the database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "services/app.hpp"
#include "services/subscriber_fields.hpp"

namespace sm::services {

// The merge tags that are not subscriber fields, in the order a composer lists them.
const std::vector<std::string_view>& campaign_tag_names();

// Ok when every tag of `text` (a subject, a body or its plain-text part) is one of the tags
// above with fields from `fields`. Otherwise Errc::invalid_input whose message names the
// first tag at fault and says what to do, e.g. "{{subscriber.shoe_size}} is not a field of
// this account; declare it under Fields or remove it."
Status check_campaign_tags(std::string_view text, const std::vector<FieldDefinition>& fields);

// The same with the fields `account_id` has declared.
Status check_campaign_tags(App& app, std::int64_t account_id, std::string_view text);

enum class BodyFormat { markdown, html };

// Larger bodies are refused: no newsletter needs more, and the parsers' work grows with it.
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

struct CampaignBody {
  std::string html;                  // sanitised
  std::string text;                  // generated from `html`; the author may edit it
  std::vector<std::string> removed;  // what sanitising took out, to warn the author
};

// Markdown is rendered with cmark, then every body is sanitised and its text part generated.
// Merge tags are carried through unchanged; check them with check_campaign_tags.
Result<CampaignBody> prepare_body(BodyFormat format, std::string_view source);

}  // namespace sm::services
