// Account holders: sign-up, the contact email check, and the controller details that every
// subscriber will see on pages and in emails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "services/app.hpp"

namespace sm::services {

// The account holder's identity as data controller.
struct ControllerDetails {
  std::string organisation;
  std::string contact_name;
  std::string postal_address;
  std::string contact_email;
  std::string website;
  std::string privacy_contact;
};

struct Account {
  std::int64_t id = 0;
  ControllerDetails details;
  std::optional<Millis> email_verified_at;
  Millis created_at = 0;

  bool email_verified() const { return email_verified_at.has_value(); }
  // Every field a subscriber needs to reach the controller is filled in; required before the
  // account can publish a form or send.
  bool details_complete() const;
};

struct SignupForm {
  ControllerDetails details;  // privacy_contact may be empty at sign-up
  std::string password;
};

// What sign-up or `account create` produced.
struct CreatedAccount {
  std::int64_t account_id = 0;
  std::int64_t user_id = 0;
};

// Validates the controller details; every problem is a field error naming its field.
Status validate_details(const ControllerDetails& d, bool require_privacy_contact);

// Public sign-up: creates the account and its owner, and emails a link that confirms the
// contact address. Errors are field errors for the form.
Result<CreatedAccount> sign_up(App& app, const SignupForm& form, const Requester& who);

// The operator's `account create`: the operator vouches for the email, so it counts as
// verified. With an empty password the owner gets a set-password link (returned).
struct OperatorCreated {
  CreatedAccount ids;
  std::string set_password_url;  // empty when a password was given
};
Result<OperatorCreated> create_account_as_operator(App& app, const ControllerDetails& d,
                                                   const std::string& password);

// The GET of a verification link: valid or not, without using it.
Status check_email_verification(App& app, std::string_view token);
// The POST: confirms the contact address of the link's account and user.
Status verify_email(App& app, std::string_view token, const Requester& who);

Result<Account> find_account(App& app, std::int64_t account_id);
Status update_details(App& app, std::int64_t account_id, const ControllerDetails& d);

}  // namespace sm::services
