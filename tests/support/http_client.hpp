// A small HTTP client over libcurl for end-to-end tests: one cookie jar per client (like one
// browser), no automatic redirects, and the whole response kept for assertions.
//
// Not thread-safe; one client per thread.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sm::testing {

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  long status = 0;  // 0 when the request failed (see `error`)
  std::multimap<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;
  std::string error;  // curl's message when the request failed

  // The first value of a header, or "" when it is absent.
  std::string header(const std::string& name) const;
  std::vector<std::string> header_values(const std::string& name) const;
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is appended to the base URL; a full http:// URL is used as it is.
  HttpResponse get(const std::string& path, const HeaderList& headers = {});
  HttpResponse post_form(const std::string& path, const HeaderList& fields,
                         const HeaderList& headers = {});
  // multipart/form-data built by curl, as a browser sends a form with a file input: the text
  // `fields`, then one file part `file_field` named `file_name` holding `file_content`.
  HttpResponse post_multipart(const std::string& path, const HeaderList& fields,
                              const std::string& file_field, const std::string& file_name,
                              const std::string& file_content, const HeaderList& headers = {});

  // Any method with a body as it is (for the JSON API: PUT, PATCH, DELETE, POST).
  HttpResponse send(const std::string& method, const std::string& path, const std::string& body,
                    const HeaderList& headers = {});

  // The value of a cookie in the jar, if it holds one with that name.
  std::optional<std::string> cookie(const std::string& name) const;
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  const std::string& base_url() const { return base_url_; }

 private:
  HttpResponse perform(const std::string& path, const HeaderList& headers,
                       const std::string* form_body, void* mime = nullptr);

  std::string base_url_;
  void* curl_ = nullptr;
  std::chrono::milliseconds timeout_ = std::chrono::seconds(30);
};

// One call of the JSON API with an API key: the status and the parsed body (a discarded
// JSON value when the body is not JSON).
struct ApiReply {
  long status = 0;
  std::string text;
  nlohmann::json body;
};
ApiReply call_api(const std::string& base_url, const std::string& method, const std::string& path,
                  const std::string& key, const std::string& body = "");

// application/x-www-form-urlencoded
std::string url_encode_form(const HeaderList& fields);

// The value of the first <input name="NAME" value="...">, HTML entities undone, or "".
std::string input_value(const std::string& html, const std::string& name);

// The text inside the element with id="ID" (up to its closing tag), or "".
std::string element_text(const std::string& html, const std::string& id);

}  // namespace sm::testing
