// /api/v1/lists/{id}/imports and exports: a CSV body imported into a list (the reply is the
// import report), an import's report by id, and a list's CSV export.
#include <charconv>
#include <istream>
#include <sstream>

#include "api/api_support.hpp"
#include "api/routes.hpp"
#include "http/form.hpp"
#include "services/csv_export.hpp"
#include "services/csv_import.hpp"

namespace sm::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

// The request body read in place as a stream: an upload can be 64 MiB, not worth a copy.
class BodyBuffer : public std::streambuf {
 public:
  explicit BodyBuffer(std::string& body) {
    setg(body.data(), body.data(), body.data() + body.size());
  }
};

Error not_found(std::string_view what) {
  return make_error(Errc::not_found, "There is no such " + std::string(what) +
                                         " in this account; check the id in the URL.");
}

json report_json(const services::ImportReport& r) {
  json refused = json::object();
  for (const auto& [reason, count] : r.refused) refused[reason] = count;
  json body{{"id", r.id},
            {"list_id", r.list_id},
            {"status", r.status},
            {"rows_seen", r.rows_seen},
            {"imported", r.imported},
            {"refused_total", r.refused_total},
            {"refused", refused},
            {"source", r.source},
            {"basis", r.basis},
            {"send_confirmation", r.send_confirmation},
            {"report_url", "/api/v1/imports/" + std::to_string(r.id) + "/report.csv"}};
  if (!r.error.empty()) body["error"] = r.error;
  return body;
}

Result<services::ImportRequest> import_request(std::int64_t account, std::int64_t list,
                                               const Request& req) {
  auto q = http::parse_query(req.query);
  if (!q.ok()) return q.take_error();
  std::string_view type = req.headers.get("Content-Type");
  if (!type.starts_with("text/csv")) {
    return make_error(Errc::invalid_input,
                      "Send the CSV file as the request body with 'Content-Type: text/csv'.");
  }
  std::string confirm = q->get("send_confirmation");
  return services::ImportRequest{account, list, q->get("source"), q->get("basis"),
                                 confirm == "true" || confirm == "1"};
}

Response create_import(services::App& app, Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto list = path_id(req);
  if (!list) return problem(not_found("list"));
  auto request = import_request(*account, *list, req);
  if (!request.ok()) return problem(request.error());
  auto id = services::start_import(app, *request);
  if (!id.ok()) return problem(id.error());

  BodyBuffer buffer(req.body);
  std::istream csv(&buffer);
  auto report = services::run_import(app, *account, *id, csv);
  if (!report.ok() && report.error().code != Errc::invalid_input) return problem(report.error());
  // A refused file is still an import with a report (status "failed", error saying why).
  auto found = services::find_import(app, *account, *id);
  if (!found.ok()) return problem(found.error());
  Response r = json_reply(report_json(*found), report.ok() ? 201 : 422);
  r.headers.set("Location", "/api/v1/imports/" + std::to_string(*id));
  return r;
}

Response get_import(services::App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(not_found("import"));
  auto report = services::find_import(app, *account, *id);
  if (!report.ok()) return problem(report.error());
  return json_reply(report_json(*report));
}

Response csv_reply(std::string body, const std::string& filename) {
  Response r = Response::text(std::move(body));
  r.headers.set("Content-Type", "text/csv; charset=utf-8");
  r.headers.set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return r;
}

Response import_report_csv(services::App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(not_found("import"));
  std::ostringstream out;
  if (auto s = services::write_refusals_csv(app, *account, *id, out); !s.ok()) {
    return problem(s.error());
  }
  return csv_reply(out.str(), "import-" + std::to_string(*id) + "-refused.csv");
}

Response export_list(services::App& app, const Request& req) {
  auto account = authenticate(app, req);
  if (!account.ok()) return problem(account.error());
  auto id = path_id(req);
  if (!id) return problem(not_found("list"));
  // The reply is built whole: the HTTP layer has no streamed bodies yet.
  std::ostringstream out;
  if (auto s = services::export_subscribers(app, *account, *id, out); !s.ok()) {
    return problem(s.error());
  }
  return csv_reply(out.str(), "list-" + std::to_string(*id) + ".csv");
}

}  // namespace

void add_import_api(http::Router& router, services::App& app) {
  http::RouteOptions upload;
  upload.max_body_bytes = 64 * 1024 * 1024;
  router.post(
      "/api/v1/lists/{id}/imports", [&app](Request& r) { return create_import(app, r); }, upload);
  router.get("/api/v1/imports/{id}", [&app](Request& r) { return get_import(app, r); });
  router.get("/api/v1/imports/{id}/report.csv",
             [&app](Request& r) { return import_report_csv(app, r); });
  router.get("/api/v1/lists/{id}/export", [&app](Request& r) { return export_list(app, r); });
}

}  // namespace sm::api
