#include "services/csv_export.hpp"

#include <time.h>

#include <nlohmann/json.hpp>

#include "services/consent_receipt.hpp"
#include "services/lists.hpp"
#include "services/subscriber_fields.hpp"

namespace sm::services {
namespace {

constexpr std::int64_t kPageRows = 1000;

// "2026-12-01T09:00:00Z", or "" when there is no time.
std::string iso_time(const store::Row& r, std::size_t i) {
  auto ms = r.optional_integer(i);
  if (!ms) return "";
  time_t seconds = static_cast<time_t>(*ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> header(const std::vector<FieldDefinition>& fields) {
  std::vector<std::string> h{"email", "status", "list"};
  for (const auto& f : fields) h.push_back(f.key);
  for (const char* c :
       {"created_at", "confirmed_at", "unsubscribed_at", "consent_kind", "signup_at", "signup_ip",
        "signup_user_agent", "signup_form_url", "consent_source", "consent_basis",
        "confirmation_at", "confirmation_ip", "consent_receipt"}) {
    h.push_back(c);
  }
  return h;
}

std::string field_value(const nlohmann::json& fields, const std::string& key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The receipt file (JSON, as `consent verify` reads it) in columns `first` and `first + 1`, or
// "" for a subscription that has none (imported, pending, or added by the account holder).
std::string receipt_cell(const store::Row& r, std::size_t first) {
  if (r.is_null(first)) return "";
  ConsentReceipt receipt;
  receipt.payload = r.text(first);
  receipt.signature = r.text(first + 1);
  return receipt.file_text();
}

// Columns as in exports.list_page.
std::vector<std::string> row_cells(const store::Row& r, const std::vector<FieldDefinition>& defs) {
  std::vector<std::string> cells{r.text(1), r.text(2), r.text(3)};
  nlohmann::json fields = nlohmann::json::parse(r.text(4), nullptr, false);
  if (!fields.is_object()) fields = nlohmann::json::object();
  for (const auto& f : defs) cells.push_back(field_value(fields, f.key));
  cells.push_back(iso_time(r, 5));
  cells.push_back(iso_time(r, 6));
  cells.push_back(iso_time(r, 7));
  cells.push_back(r.text(8));
  cells.push_back(iso_time(r, 9));
  for (std::size_t i = 10; i <= 14; ++i) cells.push_back(r.text(i));
  cells.push_back(iso_time(r, 15));
  cells.push_back(r.text(16));
  cells.push_back(receipt_cell(r, 17));
  return cells;
}

}  // namespace

std::string csv_cell(std::string_view value) {
  std::string cell;
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string::npos) {
    cell = "'";
  }
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out << ',';
    out << csv_cell(cells[i]);
  }
  out << "\r\n";
}

Status export_subscribers(App& app, std::int64_t account_id, std::optional<std::int64_t> list_id,
                          std::ostream& out) {
  if (list_id) {
    auto list = find_list(app, account_id, *list_id);
    if (!list.ok()) return list.take_error();
  }
  auto fields = account_fields(app, account_id);
  if (!fields.ok()) return fields.take_error();
  auto lease = app.db->acquire();
  if (!lease.ok()) return lease.take_error();

  write_csv_row(out, header(*fields));
  std::int64_t after = 0;
  for (;;) {
    auto page =
        list_id ? store::run_named(**lease, "exports.list_page",
                                   {account_id, *list_id, after, kPageRows})
                : store::run_named(**lease, "exports.account_page", {account_id, after, kPageRows});
    if (!page.ok()) return page.take_error();
    for (const auto& row : page->rows) write_csv_row(out, row_cells(row, *fields));
    if (page->size() < static_cast<std::size_t>(kPageRows)) break;
    after = page->rows.back().integer(0);
  }
  return {};
}

}  // namespace sm::services
