// Mailing lists: what an account holder publishes a sign-up form for and sends campaigns to.
// A list has a public id (its URLs: /s/{public_id}), a public description that tells a
// would-be subscriber what they will receive and how often, and its own confirmation email.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"
#include "services/subscriber_fields.hpp"

namespace sm::services {

struct MailingList {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string public_id;  // 12 random base32 characters, unguessable and stable
  std::string name;
  std::string description;
  std::string confirm_subject;  // mustache; merge tags as for confirm_body
  std::string confirm_body;     // mustache plain text; must contain {{confirm_url}}
  Millis created_at = 0;
};

// What a person types when creating or editing a list. Empty confirmation fields get the
// default wording.
struct ListForm {
  std::string name;
  std::string description;
  std::string confirm_subject;
  std::string confirm_body;
};

// Counts per status, for the list pages and the API.
struct ListCounts {
  std::int64_t pending = 0;
  std::int64_t confirmed = 0;
  std::int64_t unsubscribed = 0;
};

// Merge tags a confirmation email may use: {{confirm_url}} (required), {{list_name}},
// {{list_description}}, {{organisation}}, {{postal_address}}, {{contact_email}},
// {{privacy_contact}}, {{website}}, {{privacy_url}}. Anything else is refused, naming the tag.
Status validate_list_form(const ListForm& form);

Result<MailingList> create_list(App& app, std::int64_t account_id, const ListForm& form);
Status update_list(App& app, std::int64_t account_id, std::int64_t list_id, const ListForm& form);
// Deletes the list with its subscriptions and their consent records (subscribers stay, with
// the account's suppressions).
Status delete_list(App& app, std::int64_t account_id, std::int64_t list_id);

Result<MailingList> find_list(App& app, std::int64_t account_id, std::int64_t list_id);
Result<std::vector<MailingList>> account_lists(App& app, std::int64_t account_id);
Result<ListCounts> list_counts(App& app, std::int64_t account_id, std::int64_t list_id);

// For the public pages (/s/{public_id}): the one look-up of a list without an account id; the
// public id is the capability. not_found when there is no such list.
Result<MailingList> find_list_by_public_id(App& app, std::string_view public_id);

// The hosted sign-up page of a list.
std::string subscribe_url(const App& app, const MailingList& list);

// The wording a new list's confirmation email gets when the account holder leaves it empty.
std::string_view default_confirm_subject();
std::string_view default_confirm_body();

// A copy-paste HTML form for the account holder's own site, posting to subscribe_url():
// `email`, one `f_<key>` per declared field, a `homepage` honeypot hidden with an inline style
// (the embedding site has not our stylesheet) and no form token (the hosted page asks for one
// more press when a post comes without it).
std::string subscribe_form_html(const App& app, const MailingList& list,
                                const std::vector<FieldDefinition>& fields);

}  // namespace sm::services
