#include "services/csv_import.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "core/crypto.hpp"
#include "core/email_address.hpp"
#include "core/text.hpp"
#include "services/consent_record.hpp"
#include "services/csv_export.hpp"
#include "services/csv_reader.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"
#include "services/subscriptions.hpp"
#include "services/suppression.hpp"

namespace sm::services {
namespace {

constexpr std::size_t kMaxSourceBytes = 500;
constexpr std::size_t kMaxReportValueBytes = 300;

// Where each column of the file goes: the address, or a declared field.
struct ColumnMap {
  std::size_t email = 0;
  std::vector<std::optional<FieldDefinition>> fields;  // per column; nullopt for email
};

struct Refusal {
  std::string_view reason;
  std::string value;
  std::string detail;
};

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return out;
}

bool is_email_header(std::string_view h) {
  return h == "email" || h == "e-mail" || h == "email address" || h == "email_address";
}

const FieldDefinition* field_for_header(const std::vector<FieldDefinition>& fields,
                                        std::string_view header) {
  for (const auto& f : fields) {
    if (f.key == header || lowercase(f.label) == header) return &f;
  }
  return nullptr;
}

Error header_error(std::string sentence) {
  return make_error(Errc::invalid_input, std::move(sentence));
}

// Maps the header row; refuses special-category and gender columns before anything else, so
// such data is never read, then undeclared and repeated columns.
Result<ColumnMap> map_header(const CsvReader::Record& header,
                             const std::vector<FieldDefinition>& fields) {
  for (const auto& cell : header) {
    if (auto why = special_category_reason(trim_whitespace(cell))) {
      return header_error("The import was refused: the column \"" +
                          std::string(trim_whitespace(cell)) + "\" cannot be imported. " + *why +
                          " Remove that column from the file and import it again.");
    }
  }
  ColumnMap map;
  std::optional<std::size_t> email;
  std::vector<std::string> unknown, seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string h = lowercase(trim_whitespace(header[i]));
    for (const auto& s : seen) {
      if (s == h) return header_error("The column \"" + h + "\" appears twice in the header.");
    }
    seen.push_back(h);
    if (is_email_header(h)) {
      email = i;
      map.fields.emplace_back();
    } else if (const FieldDefinition* f = field_for_header(fields, h)) {
      map.fields.emplace_back(*f);
    } else {
      unknown.push_back(std::string(trim_whitespace(header[i])));
      map.fields.emplace_back();
    }
  }
  if (!unknown.empty()) {
    return header_error("The import was refused: the columns " + joined(unknown) +
                        " are not fields of this account. Declare them under Fields, or remove "
                        "them from the file, and import it again.");
  }
  if (!email) {
    return header_error(
        "The first row must name the columns, and one of them must be "
        "\"email\". Add that header row and import the file again.");
  }
  map.email = *email;
  return map;
}

Status check_request(const ImportRequest& r) {
  std::string_view source = trim_whitespace(r.source);
  if (source.empty()) {
    return field_error("source",
                       "Say where these addresses came from and how they agreed, for example "
                       "\"Sign-up sheet at our shop, 2026\". It is kept on every consent record.");
  }
  if (source.size() > kMaxSourceBytes || source.find_first_of("\r\n") != std::string::npos) {
    return field_error("source", "The source statement is one line of at most 500 characters.");
  }
  if (!parse_basis(r.basis)) {
    return field_error("basis",
                       "Choose the lawful basis: consent, contract or legitimate-interest.");
  }
  return {};
}

std::string clipped(std::string_view s) {
  if (s.size() <= kMaxReportValueBytes) return std::string(s);
  // Cut on a UTF-8 character boundary so the report stays valid UTF-8.
  std::size_t n = kMaxReportValueBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

ImportReport report_from_row(const store::Row& r) {
  ImportReport rep;
  rep.id = r.integer(0);
  rep.list_id = r.integer(1);
  rep.source = r.text(2);
  rep.basis = r.text(3);
  rep.send_confirmation = r.integer(4) != 0;
  rep.status = r.text(5);
  rep.rows_seen = r.integer(6);
  rep.imported = r.integer(7);
  rep.refused_total = r.integer(8);
  rep.error = r.text(9);
  rep.created_at = r.integer(10);
  rep.finished_at = r.optional_integer(11);
  for (auto reason : kRefusalReasons) rep.refused[std::string(reason)] = 0;
  return rep;
}

// One import run: the connection it writes through, the counts, and the batch in progress.
class Importer {
 public:
  Importer(App& app, store::Connection& c, ImportReport& report, std::int64_t account_id)
      : app_(app), c_(c), report_(report), account_(account_id), committed_(report) {}

  Status run(CsvReader& reader, const ImportProgress& progress, const ImportStop& should_stop);
  bool in_transaction() const { return in_transaction_; }
  // The counts as of the last commit: what a failure mid-file leaves imported.
  const ImportReport& committed() const { return committed_; }

 private:
  Status begin_batch();
  Status end_batch(const ImportProgress& progress);
  Status handle_row(const CsvReader::Record& record, std::int64_t line);
  Result<std::optional<Refusal>> add_row(const EmailAddress& address, const std::string& fields);
  Result<std::optional<Refusal>> add_pending(const EmailAddress& address,
                                             const std::map<std::string, std::string>& fields);
  Status refuse(std::int64_t line, Refusal r);

  App& app_;
  store::Connection& c_;
  ImportReport& report_;
  std::int64_t account_;
  ColumnMap columns_;
  ImportReport committed_;
  std::int64_t in_batch_ = 0;
  bool in_transaction_ = false;
};

Status Importer::begin_batch() {
  // The confirmation path calls add_subscriber, which takes its own connection and
  // transaction; holding a write transaction here would make it wait on this one.
  if (report_.send_confirmation || in_transaction_) return {};
  SM_TRY(c_.begin());
  in_transaction_ = true;
  return {};
}

Status Importer::end_batch(const ImportProgress& progress) {
  auto r = store::run_named(
      c_, "imports.progress",
      {account_, report_.id, report_.rows_seen, report_.imported, report_.refused_total});
  if (!r.ok()) return r.take_error();
  if (in_transaction_) {
    in_transaction_ = false;
    SM_TRY(c_.commit());
  }
  committed_ = report_;
  in_batch_ = 0;
  if (progress) progress(report_.rows_seen);
  return {};
}

Status Importer::refuse(std::int64_t line, Refusal r) {
  ++report_.refused[std::string(r.reason)];
  ++report_.refused_total;
  auto rows = store::run_named(
      c_, "imports.insert_refusal",
      {account_, report_.id, line, std::string(r.reason), clipped(r.value), clipped(r.detail)});
  if (!rows.ok()) return rows.take_error();
  return {};
}

Result<std::optional<Refusal>> Importer::add_row(const EmailAddress& address,
                                                 const std::string& fields) {
  auto found = store::run_named(c_, "imports.find_subscriber",
                                {account_, address.normalized(), report_.list_id});
  if (!found.ok()) return found.take_error();
  std::int64_t subscriber_id = 0;
  if (!found->empty()) {
    const store::Row& row = found->front();
    if (!row.is_null(1)) {
      if (row.text(1) == "unsubscribed") {
        return std::optional<Refusal>(Refusal{"unsubscribed", address.display(),
                                              "This address left the list; only its owner can "
                                              "subscribe again, through the sign-up form."});
      }
      return std::optional<Refusal>(
          Refusal{"duplicate", address.display(), "Already on the list, or earlier in the file."});
    }
    subscriber_id = row.integer(0);
  } else {
    auto made =
        store::run_named(c_, "imports.insert_subscriber",
                         {account_, address.display(), address.normalized(), fields, app_.now()});
    if (!made.ok()) return made.take_error();
    subscriber_id = made->front().integer(0);
  }

  auto sub = store::run_named(
      c_, "imports.insert_confirmed_subscription",
      {account_, report_.list_id, subscriber_id, crypto::random_token(), app_.now()});
  if (!sub.ok()) return sub.take_error();
  ConsentEvent e;
  e.kind = ConsentKind::import;
  e.occurred_at = app_.now();
  e.import_id = report_.id;
  e.source = report_.source;
  e.basis = report_.basis;
  auto recorded = record_consent_event(c_, account_, sub->front().integer(0), e);
  if (!recorded.ok()) return recorded.take_error();
  return std::optional<Refusal>();
}

Result<std::optional<Refusal>> Importer::add_pending(
    const EmailAddress& address, const std::map<std::string, std::string>& fields) {
  auto found = store::run_named(c_, "imports.find_subscriber",
                                {account_, address.normalized(), report_.list_id});
  if (!found.ok()) return found.take_error();
  if (!found->empty() && !found->front().is_null(1)) {
    bool left = found->front().text(1) == "unsubscribed";
    return std::optional<Refusal>(Refusal{left ? "unsubscribed" : "duplicate", address.display(),
                                          left ? "This address left the list."
                                               : "Already on "
                                                 "the list."});
  }
  NewSubscriber person{address.display(), fields, false, report_.source, report_.basis};
  auto added = add_subscriber(app_, account_, report_.list_id, person, Evidence{});
  if (!added.ok()) {
    const Error& e = added.error();
    if (e.code != Errc::invalid_input && e.code != Errc::conflict) return added.take_error();
    return std::optional<Refusal>(Refusal{"invalid_field", address.display(), e.message});
  }
  return std::optional<Refusal>();
}

Status Importer::handle_row(const CsvReader::Record& record, std::int64_t line) {
  ++report_.rows_seen;
  if (record.size() > columns_.fields.size()) {
    return refuse(line,
                  {"invalid_field", "",
                   "The row has " + std::to_string(record.size()) + " cells but the header names " +
                       std::to_string(columns_.fields.size()) + " columns."});
  }
  std::string_view cell =
      columns_.email < record.size() ? std::string_view(record[columns_.email]) : "";
  auto address = parse_email_address(cell);
  if (!address.ok())
    return refuse(line, {"invalid_address", std::string(cell), address.error().message});

  nlohmann::json fields = nlohmann::json::object();
  std::map<std::string, std::string> raw_fields;
  for (std::size_t i = 0; i < record.size(); ++i) {
    if (!columns_.fields[i]) continue;
    auto value = normalize_field_value(*columns_.fields[i], record[i]);
    if (!value.ok()) return refuse(line, {"invalid_field", record[i], value.error().message});
    if (!value->empty()) fields[columns_.fields[i]->key] = *value;
    raw_fields[columns_.fields[i]->key] = record[i];
  }

  auto suppressed = check_suppressed(app_, c_, account_, *address);
  if (!suppressed.ok()) return suppressed.take_error();
  if (*suppressed) {
    // The address is left out of the report: the suppression list does not keep it either.
    return refuse(line, {"suppressed", "",
                         "This address unsubscribed or was suppressed; only its owner can "
                         "subscribe again, through the sign-up form."});
  }
  auto refusal = report_.send_confirmation ? add_pending(*address, raw_fields)
                                           : add_row(*address, fields.dump());
  if (!refusal.ok()) return refusal.take_error();
  if (*refusal) return refuse(line, std::move(**refusal));
  ++report_.imported;
  return {};
}

Error stopped() {
  return make_error(Errc::unavailable,
                    "The service stopped before this import finished; the rows counted here "
                    "were imported. Import the file again: rows already on the list are "
                    "counted as duplicates.");
}

bool blank(const CsvReader::Record& record) {
  for (const auto& cell : record) {
    if (!trim_whitespace(cell).empty()) return false;
  }
  return true;
}

Status Importer::run(CsvReader& reader, const ImportProgress& progress,
                     const ImportStop& should_stop) {
  CsvReader::Record record;
  auto fields = account_fields(app_, account_);
  if (!fields.ok()) return fields.take_error();
  auto has_header = reader.next(record);
  if (!has_header.ok()) return has_header.take_error();
  if (!*has_header) return header_error("The file is empty; export it again with a header row.");
  auto columns = map_header(record, *fields);
  if (!columns.ok()) return columns.take_error();
  columns_ = std::move(*columns);

  SM_TRY(begin_batch());
  for (;;) {
    auto more = reader.next(record);
    if (!more.ok()) return more.take_error();
    if (!*more) break;
    if (blank(record)) continue;
    SM_TRY(handle_row(record, reader.record_number()));
    if (++in_batch_ == kBatchRows) {
      SM_TRY(end_batch(progress));
      if (should_stop && should_stop()) return stopped();
      SM_TRY(begin_batch());
    }
  }
  return end_batch(progress);
}

Status finish(App& app, store::Connection& c, std::int64_t account_id, const ImportReport& r) {
  auto rows = store::run_named(
      c, "imports.finish",
      {account_id, r.id, r.status, r.rows_seen, r.imported, r.refused_total, r.error, app.now()});
  if (!rows.ok()) return rows.take_error();
  return {};
}

}  // namespace

Result<std::int64_t> start_import(App& app, const ImportRequest& request) {
  SM_TRY(check_request(request));
  auto list = find_list(app, request.account_id, request.list_id);
  if (!list.ok()) return list.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(
      **lease, "imports.insert",
      {request.account_id, request.list_id, std::string(trim_whitespace(request.source)),
       request.basis, std::int64_t{request.send_confirmation ? 1 : 0}, app.now()});
  if (!rows.ok()) return rows.take_error();
  return rows->front().integer(0);
}

Result<ImportReport> run_import(App& app, std::int64_t account_id, std::int64_t import_id,
                                std::istream& csv, const ImportProgress& progress,
                                const ImportStop& should_stop) {
  auto report = find_import(app, account_id, import_id);
  if (!report.ok()) return report.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  CsvReader reader(csv);
  Importer importer(app, **lease, *report, account_id);
  Status ran = importer.run(reader, progress, should_stop);
  if (importer.in_transaction()) (*lease)->rollback();

  if (ran.ok()) {
    report->status = "done";
  } else {
    Error e = ran.take_error();
    *report = importer.committed();
    report->status = "failed";
    report->error = e.code != Errc::internal && !e.message.empty()
                        ? e.message
                        : "The import stopped because of a problem on our side; the rows "
                          "counted here were imported. Import the rest of the file again.";
    SM_TRY(finish(app, **lease, account_id, *report));
    return e;
  }
  SM_TRY(finish(app, **lease, account_id, *report));
  return find_import(app, account_id, import_id);
}

Status mark_import_failed(App& app, std::int64_t account_id, std::int64_t import_id,
                          const std::string& sentence) {
  auto report = find_import(app, account_id, import_id);
  if (!report.ok()) return report.take_error();
  report->status = "failed";
  report->error = sentence;
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  return finish(app, **lease, account_id, *report);
}

Result<ImportReport> import_csv(App& app, const ImportRequest& request, std::istream& csv,
                                const ImportProgress& progress) {
  auto id = start_import(app, request);
  if (!id.ok()) return id.take_error();
  return run_import(app, request.account_id, *id, csv, progress);
}

Result<ImportReport> find_import(App& app, std::int64_t account_id, std::int64_t import_id) {
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "imports.find", {account_id, import_id});
  if (!rows.ok()) return rows.take_error();
  if (rows->empty()) return make_error(Errc::not_found, "There is no such import.");
  ImportReport report = report_from_row(rows->front());
  auto counts = store::run_named(**lease, "imports.refusal_counts", {account_id, import_id});
  if (!counts.ok()) return counts.take_error();
  for (const auto& row : counts->rows) report.refused[row.text(0)] = row.integer(1);
  return report;
}

Status write_refusals_csv(App& app, std::int64_t account_id, std::int64_t import_id,
                          std::ostream& out) {
  auto report = find_import(app, account_id, import_id);
  if (!report.ok()) return report.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();
  auto rows = store::run_named(**lease, "imports.refusals", {account_id, import_id});
  if (!rows.ok()) return rows.take_error();
  write_csv_row(out, {"line", "reason", "value", "detail"});
  for (const auto& r : rows->rows) {
    write_csv_row(out, {r.text(0), r.text(1), r.text(2), r.text(3)});
  }
  return {};
}

}  // namespace sm::services
