// CSV import into a list (DESIGN.md flow 2). The file is streamed (services/csv_reader.hpp),
// never held whole; its header row names "email" and declared subscriber fields, and a
// special-category, gender or undeclared column refuses the whole import with a sentence that
// says why. Each row is then checked and either imported or refused with a reason:
//
//   invalid_address  the email cell is not an address we accept
//   invalid_field    a field value does not fit its declared type, or the row is malformed
//   suppressed       the account suppresses the address (the attempt is counted on it)
//   unsubscribed     the address left this list; only its owner can come back, by a form
//   duplicate        already on the list, or earlier in the same file
//
// Imported subscriptions are confirmed with a consent event of kind `import` that carries the
// account holder's statement of source and lawful basis and the import id; or, with
// send_confirmation, each address is added as pending and gets a confirmation email.
//
// Rows are written in batches of kBatchRows per transaction; after each batch the imports row
// holds the counts so far (a page polls it) and the progress callback is told the rows seen.
//
// Thread-safe: no shared state; one import runs on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "services/app.hpp"

namespace sm::services {

constexpr std::int64_t kBatchRows = 1000;

// The refusal reasons, as stored and shown.
inline constexpr std::string_view kRefusalReasons[] = {"invalid_address", "invalid_field",
                                                       "suppressed", "unsubscribed", "duplicate"};

struct ImportRequest {
  std::int64_t account_id = 0;
  std::int64_t list_id = 0;
  std::string source;  // the account holder's statement of where consent came from
  std::string basis;   // consent | contract | legitimate-interest
  bool send_confirmation = false;
};

struct ImportReport {
  std::int64_t id = 0;
  std::int64_t list_id = 0;
  std::string status;  // running | done | failed
  std::string source;
  std::string basis;
  bool send_confirmation = false;
  std::int64_t rows_seen = 0;
  std::int64_t imported = 0;
  std::int64_t refused_total = 0;
  std::map<std::string, std::int64_t> refused;  // reason → rows; every reason present
  std::string error;                            // why a failed import stopped, for the person
  Millis created_at = 0;
  std::optional<Millis> finished_at;
};

// Told the rows seen so far, after every batch.
using ImportProgress = std::function<void(std::int64_t rows_seen)>;
// Asked before every batch; true stops the import there (the service is shutting down).
using ImportStop = std::function<bool()>;

// Checks the statement and the list, then records a running import; returns its id.
Result<std::int64_t> start_import(App& app, const ImportRequest& request);

// Reads the CSV into the import started by start_import. A refusal of the whole file (header,
// broken quoting, invalid UTF-8) marks the import failed and is returned as invalid_input;
// batches committed before a mid-file refusal stay imported, and the report says so.
// A stop marks it failed with a sentence saying which rows went in.
Result<ImportReport> run_import(App& app, std::int64_t account_id, std::int64_t import_id,
                                std::istream& csv, const ImportProgress& progress = {},
                                const ImportStop& should_stop = {});

// Ends an import that cannot run (its process stopped first) as failed, with `sentence`.
Status mark_import_failed(App& app, std::int64_t account_id, std::int64_t import_id,
                          const std::string& sentence);

// start_import and run_import in one call, for the CLI and the API.
Result<ImportReport> import_csv(App& app, const ImportRequest& request, std::istream& csv,
                                const ImportProgress& progress = {});

// An import of the account with its counts by reason; not_found for another account's.
Result<ImportReport> find_import(App& app, std::int64_t account_id, std::int64_t import_id);

// The refused rows as CSV: line,reason,value,detail (line is the CSV record number).
Status write_refusals_csv(App& app, std::int64_t account_id, std::int64_t import_id,
                          std::ostream& out);

}  // namespace sm::services
