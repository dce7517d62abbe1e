// CSV import and export pages, for signed-in account holders: the upload form of a list, the
// import's progress and report (reloading itself while it runs, no JavaScript), the refused
// rows and exports as CSV, and the suppressions page with its hash lists.
#include <sstream>

#include "core/text.hpp"
#include "http/multipart.hpp"
#include "services/csv_export.hpp"
#include "services/csv_import.hpp"
#include "services/import_worker.hpp"
#include "services/lists.hpp"
#include "services/suppression.hpp"
#include "web/guard.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;

constexpr std::size_t kMaxUploadBytes = 64 * 1024 * 1024;

// The {id} of the path, or 0 (which matches nothing) when it is not an id.
std::int64_t path_id(const Request& req) { return parse_id(req.param("id")).value_or(0); }

Response csv_download(std::string body, const std::string& filename) {
  Response r = Response::text(std::move(body));
  r.headers.set("Content-Type", "text/csv; charset=utf-8");
  r.headers.set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

Response failure(App& app, const SignedIn& who, const Error& e) {
  if (e.code == Errc::not_found) {
    return message_page(app, 404, "Not found",
                        "This account has no such list or import. Open Lists to see yours.", &who);
  }
  return message_page(app, http::status_for(e), "That did not work", e.message, &who);
}

Response import_form(App& app, const SignedIn& who, const services::MailingList& list,
                     const http::FormFields& kept, const Error* error) {
  Page p = signed_in_page(who, "Import into " + list.name, "list_import");
  p.data.set("list_id", TemplateValue::number(list.id)).set("list_name", list.name);
  keep_values(p.data, kept, {"csrf"});
  for (const char* b : {"consent", "contract", "legitimate-interest"}) {
    p.data.set(std::string("basis_") + (b[0] == 'l' ? "legitimate" : b), kept.get("basis") == b);
  }
  if (error != nullptr) {
    add_error(p.data, *error);
    p.status = http::status_for(*error);
  }
  return render(app, std::move(p));
}

Response show_import_form(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto list = services::find_list(app, gate.who->account.id, path_id(req));
  if (!list.ok()) return failure(app, *gate.who, list.error());
  return import_form(app, *gate.who, *list, {}, nullptr);
}

// The text fields of a multipart form, for the CSRF check and for showing them again.
http::FormFields text_fields(const std::vector<http::MultipartPart>& parts) {
  http::FormFields f;
  for (const auto& p : parts) {
    if (!p.is_file) f.add(p.name, std::string(p.data));
  }
  return f;
}

// Parses the upload and runs the checks every upload needs; on failure the page to send.
struct Upload {
  std::vector<http::MultipartPart> parts;
  http::FormFields fields;
  std::optional<Response> refusal;
};

Upload read_upload(App& app, const Request& req, const SignedIn& who) {
  Upload u;
  auto boundary = http::multipart_boundary(req.headers.get("Content-Type"));
  auto parts = boundary.ok() ? http::parse_multipart(req.body, *boundary)
                             : Result<std::vector<http::MultipartPart>>(boundary.error());
  if (!parts.ok()) {
    u.refusal = message_page(app, 400, "The upload could not be read", parts.error().message, &who);
    return u;
  }
  u.parts = std::move(*parts);
  u.fields = text_fields(u.parts);
  if (auto r = refuse_forgery(app, req, who, u.fields)) {
    u.refusal = *r;
  } else if (!can_edit(who)) {
    u.refusal = message_page(app, 403, "Not allowed",
                             "Viewers cannot import. Ask an owner to make you an editor.", &who);
  }
  return u;
}

Response submit_import(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  const SignedIn& who = *gate.who;
  auto list = services::find_list(app, who.account.id, path_id(req));
  if (!list.ok()) return failure(app, who, list.error());
  Upload u = read_upload(app, req, who);
  if (u.refusal) return *u.refusal;

  const http::MultipartPart* file = http::find_part(u.parts, "file");
  if (file == nullptr || file->data.empty()) {
    Error e = field_error("file", "Choose a CSV file to import.");
    return import_form(app, who, *list, u.fields, &e);
  }
  services::ImportRequest request{who.account.id, list->id, u.fields.get("source"),
                                  u.fields.get("basis"), u.fields.has("send_confirmation")};
  auto id = services::start_import(app, request);
  if (!id.ok()) return import_form(app, who, *list, u.fields, &id.error());
  Status queued = app.imports ? app.imports->enqueue(who.account.id, *id, file->data)
                              : Status(make_error(Errc::unavailable, "Imports are not running."));
  if (!queued.ok()) {
    (void)services::mark_import_failed(app, who.account.id, *id, queued.error().message);
    return import_form(app, who, *list, u.fields, &queued.error());
  }
  return Response::see_other("/imports/" + std::to_string(*id));
}

// The report's reason codes (also the report CSV's) in words for the page.
std::string reason_label(const std::string& reason) {
  if (reason == "invalid_address") return "Not a valid address";
  if (reason == "invalid_field") return "A field value not accepted";
  if (reason == "suppressed") return "Suppressed (the person unsubscribed)";
  if (reason == "unsubscribed") return "Left this list";
  if (reason == "duplicate") return "Already on the list or twice in the file";
  return reason;
}

TemplateValue::List refusal_rows(const services::ImportReport& r) {
  TemplateValue::List rows;
  for (const auto& [reason, count] : r.refused) {
    TemplateValue row;
    row.set("reason", reason).set("label", reason_label(reason));
    row.set("count", TemplateValue::number(count));
    rows.push_back(std::move(row));
  }
  return rows;
}

Response show_import(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  auto r = services::find_import(app, gate.who->account.id, path_id(req));
  if (!r.ok()) return failure(app, *gate.who, r.error());
  Page p = signed_in_page(*gate.who, "Import " + std::to_string(r->id), "import_status");
  bool running = r->status == "running";
  if (running) p.refresh_seconds = 2;
  p.data.set("id", TemplateValue::number(r->id)).set("status", r->status);
  p.data.set("running", running).set("done", r->status == "done");
  p.data.set("list_id", TemplateValue::number(r->list_id));
  p.data.set("rows_seen", TemplateValue::number(r->rows_seen));
  p.data.set("imported", TemplateValue::number(r->imported));
  p.data.set("refused_total", TemplateValue::number(r->refused_total));
  p.data.set("source", r->source).set("basis", r->basis);
  p.data.set("send_confirmation", r->send_confirmation);
  p.data.set("reasons", refusal_rows(*r));
  if (!r->error.empty()) p.data.set("error", r->error);
  return render(app, std::move(p));
}

Response import_report(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  std::ostringstream out;
  std::int64_t id = path_id(req);
  if (auto s = services::write_refusals_csv(app, gate.who->account.id, id, out); !s.ok()) {
    return failure(app, *gate.who, s.error());
  }
  return csv_download(out.str(), "import-" + std::to_string(id) + "-refused.csv");
}

Response export_csv(App& app, const Request& req, bool one_list) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  std::optional<std::int64_t> list;
  if (one_list) list = path_id(req);
  // Built whole: the HTTP layer has no streamed bodies yet.
  std::ostringstream out;
  if (auto s = services::export_subscribers(app, gate.who->account.id, list, out); !s.ok()) {
    return failure(app, *gate.who, s.error());
  }
  return csv_download(out.str(),
                      one_list ? "list-" + std::to_string(*list) + ".csv" : "subscribers.csv");
}

Response suppressions_page(App& app, const SignedIn& who, const std::string& notice,
                           const Error* error) {
  Page p = signed_in_page(who, "Suppressions", "suppressions");
  auto summary = services::suppression_summary(app, who.account.id);
  if (summary.ok()) {
    p.data.set("entries", TemplateValue::number(summary->entries));
    p.data.set("refused_attempts", TemplateValue::number(summary->refused_attempts));
  }
  if (!notice.empty()) p.data.set("success", notice);
  if (error != nullptr) {
    add_error(p.data, *error);
    p.status = http::status_for(*error);
  }
  return render(app, std::move(p));
}

Response show_suppressions(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  return suppressions_page(app, *gate.who, "", nullptr);
}

Response export_hashes(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  std::ostringstream out;
  auto left_out = services::export_suppression_hashes(app, gate.who->account.id, out);
  if (!left_out.ok()) return failure(app, *gate.who, left_out.error());
  Response r = Response::text(out.str());
  r.headers.set("Content-Disposition", "attachment; filename=\"suppressions-sha256.txt\"");
  r.headers.set("Cache-Control", "no-store");
  return r;
}

Response import_hashes(App& app, const Request& req) {
  auto gate = require_signed_in(app, req);
  if (!gate.who) return gate.refusal;
  Upload u = read_upload(app, req, *gate.who);
  if (u.refusal) return *u.refusal;
  const http::MultipartPart* file = http::find_part(u.parts, "file");
  if (file == nullptr || file->data.empty()) {
    Error e = field_error("file", "Choose a hash list file: one SHA-256 per line.");
    return suppressions_page(app, *gate.who, "", &e);
  }
  std::istringstream in{std::string(file->data)};
  auto r = services::import_suppression_hashes(app, gate.who->account.id, in);
  if (!r.ok()) return suppressions_page(app, *gate.who, "", &r.error());
  return suppressions_page(app, *gate.who,
                           std::to_string(r->added) + " added, " + std::to_string(r->already) +
                               " already suppressed, " + std::to_string(r->invalid_lines) +
                               " lines skipped (not a SHA-256).",
                           nullptr);
}

}  // namespace

void add_import_routes(http::Router& router, App& app) {
  http::RouteOptions upload;
  upload.max_body_bytes = kMaxUploadBytes;
  router.get("/lists/{id}/import", [&app](Request& r) { return show_import_form(app, r); });
  router.post(
      "/lists/{id}/import", [&app](Request& r) { return submit_import(app, r); }, upload);
  router.get("/imports/{id}", [&app](Request& r) { return show_import(app, r); });
  router.get("/imports/{id}/report.csv", [&app](Request& r) { return import_report(app, r); });
  router.get("/lists/{id}/export.csv", [&app](Request& r) { return export_csv(app, r, true); });
  router.get("/subscribers/export.csv", [&app](Request& r) { return export_csv(app, r, false); });
  router.get("/suppressions", [&app](Request& r) { return show_suppressions(app, r); });
  router.get("/suppressions/export.txt", [&app](Request& r) { return export_hashes(app, r); });
  router.post(
      "/suppressions/import", [&app](Request& r) { return import_hashes(app, r); }, upload);
}

}  // namespace sm::web
