#include "support/http_client.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace sm::testing {
namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after an interim 1xx)
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    value = first == std::string::npos ? "" : value.substr(first);
    response->headers.emplace(line.substr(0, colon), value);
  }
  return size * count;
}

std::string unescape_html(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}, {"&lt;", "<"},  {"&gt;", ">"},
      {"&#x2F;", "/"},  {"&#47;", "/"}, {"&#x3D;", "="}, {"&#61;", "="}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    std::string::size_type pos = 0;
    const std::string f(from);
    while ((pos = s.find(f, pos)) != std::string::npos) {
      s.replace(pos, f.size(), to);
      pos += std::char_traits<char>::length(to);
    }
  }
  return s;
}

}  // namespace

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::header_values(const std::string& name) const {
  std::vector<std::string> values;
  auto [begin, end] = headers.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

HttpClient::HttpClient(std::string base_url) : base_url_(std::move(base_url)) {
  init_curl_once();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");  // an in-memory jar
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "smartmessages-integration-test");
  curl_ = curl;
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::get(const std::string& path, const HeaderList& headers) {
  return perform(path, headers, nullptr);
}

HttpResponse HttpClient::post_form(const std::string& path, const HeaderList& fields,
                                   const HeaderList& headers) {
  const std::string body = url_encode_form(fields);
  HeaderList all = headers;
  all.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return perform(path, all, &body);
}

HttpResponse HttpClient::post_multipart(const std::string& path, const HeaderList& fields,
                                        const std::string& file_field, const std::string& file_name,
                                        const std::string& file_content,
                                        const HeaderList& headers) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_mime* mime = curl_mime_init(curl);
  for (const auto& [name, value] : fields) {
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_name(part, name.c_str());
    curl_mime_data(part, value.data(), value.size());
  }
  curl_mimepart* file = curl_mime_addpart(mime);
  curl_mime_name(file, file_field.c_str());
  curl_mime_filename(file, file_name.c_str());
  curl_mime_type(file, "text/csv");
  curl_mime_data(file, file_content.data(), file_content.size());
  HttpResponse r = perform(path, headers, nullptr, mime);
  curl_easy_setopt(curl, CURLOPT_MIMEPOST, nullptr);
  curl_mime_free(mime);
  return r;
}

HttpResponse HttpClient::perform(const std::string& path, const HeaderList& headers,
                                 const std::string* form_body, void* mime) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpResponse response;
  const std::string url = path.rfind("http", 0) == 0 ? path : base_url_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (mime != nullptr) {
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, static_cast<curl_mime*>(mime));
  } else if (form_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form_body->size()));
    curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, form_body->c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Expect:");
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    response.status = 0;
    response.error = curl_easy_strerror(rc);
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

HttpResponse HttpClient::send(const std::string& method, const std::string& path,
                              const std::string& body, const HeaderList& headers) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  HttpResponse r =
      method == "GET" ? perform(path, headers, nullptr) : perform(path, headers, &body);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
  return r;
}

ApiReply call_api(const std::string& base_url, const std::string& method, const std::string& path,
                  const std::string& key, const std::string& body) {
  HttpClient client(base_url);
  HttpResponse r =
      client.send(method, path, body,
                  {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}});
  return {r.status, r.body, nlohmann::json::parse(r.body, nullptr, false)};
}

std::optional<std::string> HttpClient::cookie(const std::string& name) const {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_slist* cookies = nullptr;
  curl_easy_getinfo(curl, CURLINFO_COOKIELIST, &cookies);
  std::optional<std::string> found;
  for (curl_slist* c = cookies; c != nullptr; c = c->next) {
    // Netscape format: domain, flag, path, secure, expiry, name, value (tab-separated).
    std::vector<std::string> parts;
    std::stringstream line(c->data);
    std::string part;
    while (std::getline(line, part, '\t')) parts.push_back(part);
    if (parts.size() >= 7 && parts[5] == name) found = parts[6];
  }
  curl_slist_free_all(cookies);
  return found;
}

std::string url_encode_form(const HeaderList& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    char* n = curl_easy_escape(nullptr, name.c_str(), static_cast<int>(name.size()));
    char* v = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
    out += n;
    out += '=';
    out += v;
    curl_free(n);
    curl_free(v);
  }
  return out;
}

std::string input_value(const std::string& html, const std::string& name) {
  const std::regex input("<input[^>]*\\bname=\"" + name + "\"[^>]*>");
  std::smatch m;
  if (!std::regex_search(html, m, input)) return "";
  const std::string tag = m.str();
  static const std::regex value("\\bvalue=\"([^\"]*)\"");
  std::smatch v;
  if (!std::regex_search(tag, v, value)) return "";
  return unescape_html(v[1].str());
}

std::string element_text(const std::string& html, const std::string& id) {
  const std::string marker = "id=\"" + id + "\"";
  const auto at = html.find(marker);
  if (at == std::string::npos) return "";
  const auto open_end = html.find('>', at);
  if (open_end == std::string::npos) return "";
  const auto close = html.find("</", open_end);
  if (close == std::string::npos) return "";
  return unescape_html(html.substr(open_end + 1, close - open_end - 1));
}

}  // namespace sm::testing
