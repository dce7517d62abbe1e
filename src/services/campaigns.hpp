// Campaigns as the account holder writes them: create, edit, read and delete, with every rule
// a campaign's content must meet checked when it is saved, so that the composer shows each
// problem by its field before anyone presses Send.
//
// Editing: a campaign may be changed while it is a draft or scheduled (nothing has been sent
// yet; a scheduled campaign is compiled when its time comes, so the edit is what goes out).
// Once sending has started (sending, paused, sent, cancelled) its content is fixed: some
// people may already have it, and a paused campaign resumed with other content would be two
// campaigns under one name. Only a draft may be deleted; the others keep their delivery
// records. duplicate_campaign() makes a new draft from any campaign.
//
// Thread-safe: state lives in the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"
#include "services/campaign_content.hpp"

namespace sm::services {

enum class CampaignStatus { draft, scheduled, sending, paused, sent, cancelled };
std::string_view campaign_status_name(CampaignStatus s);
std::optional<CampaignStatus> parse_campaign_status(std::string_view name);
std::string_view body_format_name(BodyFormat f);
std::optional<BodyFormat> parse_body_format(std::string_view name);

// Limits on what a person types; longer is refused with a sentence.
constexpr std::size_t kMaxCampaignNameBytes = 200;
constexpr std::size_t kMaxSubjectBytes = 300;
constexpr std::size_t kMaxPreheaderBytes = 300;
constexpr std::size_t kMaxFromNameBytes = 200;
constexpr std::int64_t kMaxRatePerMinute = 1'000'000;

// What the composer (page or API) sends. Error::field of a refusal is the member's name:
// name, subject, preheader, from_name, from_email, reply_to, body_format, body, text,
// rate_per_minute, list_ids.
struct CampaignForm {
  std::string name;
  std::string subject;
  std::string preheader;  // the line mail clients show after the subject; may be empty
  std::string from_name;
  std::string from_email;  // at a verified sending domain of the account
  std::string reply_to;    // empty: replies go to from_email
  BodyFormat body_format = BodyFormat::markdown;
  std::string body;  // Markdown or HTML as written; sanitised when sent, not when stored
  // The plain-text part as the author wrote it, used only when text_edited; otherwise the
  // part is made from the body on every save.
  std::string text;
  bool text_edited = false;
  bool web_version = false;
  std::int64_t rate_per_minute = 0;  // 0: as fast as the relay allows
  std::vector<std::int64_t> list_ids;
};

struct CampaignList {
  std::int64_t id = 0;
  std::string name;
  std::string public_id;
};

struct Campaign {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string public_id;  // the web version's URL: /w/{public_id}
  std::string name;
  std::string subject;
  std::string preheader;
  std::string from_name;
  std::string from_email;
  std::string reply_to;
  std::optional<std::int64_t> sending_domain_id;  // the verified domain of from_email
  BodyFormat body_format = BodyFormat::markdown;
  std::string body;
  std::string text;  // the plain-text part (generated unless text_edited)
  bool text_edited = false;
  bool web_version = false;
  std::int64_t rate_per_minute = 0;
  CampaignStatus status = CampaignStatus::draft;
  std::optional<Millis> scheduled_at;
  std::optional<Millis> started_at;
  std::optional<Millis> finished_at;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::vector<CampaignList> lists;

  bool editable() const;   // draft or scheduled
  bool deletable() const;  // a draft
  CampaignForm form() const;
};

// A saved campaign, with what sanitising the body took out ("<script> element", ...) so the
// composer can warn; the stored body keeps what the author wrote.
struct SavedCampaign {
  Campaign campaign;
  std::vector<std::string> removed;
};

// Every rule of the form; the first problem as a field error. Succeeds with the id of the
// verified sending domain of from_email.
Result<std::int64_t> validate_campaign(App& app, std::int64_t account_id, const CampaignForm& form);

// A new draft. Errors: validate_campaign's.
Result<SavedCampaign> create_campaign(App& app, std::int64_t account_id, const CampaignForm& form);

// Saves the form over a draft or scheduled campaign. conflict once sending has started;
// not_found for another account's campaign.
Result<SavedCampaign> update_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id,
                                      const CampaignForm& form);

// A new draft with the content and lists of `campaign_id`, named "Copy of ...". The copy is
// checked like any new campaign, so a domain that has lost its verification is reported.
Result<SavedCampaign> duplicate_campaign(App& app, std::int64_t account_id,
                                         std::int64_t campaign_id);

Result<Campaign> find_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id);
Result<std::vector<Campaign>> account_campaigns(App& app, std::int64_t account_id);

// Deletes a draft. conflict for a campaign that is no longer a draft; not_found otherwise.
Status delete_campaign(App& app, std::int64_t account_id, std::int64_t campaign_id);

// For the public web version (/w/{public_id}), the one look-up without an account: the
// campaign when its web version is on and it has been sent (or is being sent); not_found
// otherwise.
Result<Campaign> find_web_version(App& app, std::string_view public_id);

// "https://lists.example.org/w/{public_id}".
std::string web_version_url(const App& app, const Campaign& c);

}  // namespace sm::services
