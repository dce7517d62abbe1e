#include "http/message.hpp"

#include <algorithm>
#include <array>

#include "http/cookie.hpp"

namespace sm::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Quotes `text` as a JSON string. The http layer has no JSON library, and problem bodies only
// need strings.
std::string json_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

Response with_type(std::string body, int status, std::string_view type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::string(type));
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      break;
  }
  return "OTHER";
}

Method method_from_name(std::string_view name) {
  static constexpr std::array kAll = {Method::get,   Method::head, Method::post,   Method::put,
                                      Method::patch, Method::del,  Method::options};
  for (Method m : kAll) {
    if (method_name(m) == name) return m;  // methods are case-sensitive (RFC 9110 9.1)
  }
  return Method::other;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void Headers::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(items_, [&](const auto& item) { return iequals(item.first, name); });
  items_.emplace_back(std::move(name), std::move(value));
}

std::string_view Headers::get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (iequals(n, name)) return v;
  }
  return {};
}

bool Headers::has(std::string_view name) const {
  return std::any_of(items_.begin(), items_.end(),
                     [&](const auto& item) { return iequals(item.first, name); });
}

std::string Request::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  // HTTP/2 proxies may split cookies over several headers, so look at each.
  for (const auto& [n, v] : headers.all()) {
    if (!iequals(n, "Cookie")) continue;
    if (auto value = find_cookie(v, name)) return std::string(*value);
  }
  return std::nullopt;
}

bool Request::do_not_track() const {
  return trim(headers.get("DNT")) == "1" || trim(headers.get("Sec-GPC")) == "1";
}

Response Response::html(std::string body, int status) {
  return with_type(std::move(body), status, "text/html; charset=utf-8");
}

Response Response::text(std::string body, int status) {
  return with_type(std::move(body), status, "text/plain; charset=utf-8");
}

Response Response::json(std::string body, int status) {
  return with_type(std::move(body), status, "application/json");
}

Response Response::problem(int status, std::string_view title, std::string_view detail) {
  std::string body = "{\"type\":\"about:blank\",\"title\":" + json_string(title) +
                     ",\"status\":" + std::to_string(status) +
                     ",\"detail\":" + json_string(detail) + "}";
  return with_type(std::move(body), status, "application/problem+json");
}

Response Response::see_other(std::string_view location) {
  Response r;
  r.status = 303;
  r.headers.set("Location", std::string(location));
  return r;
}

Response Response::not_found_text() { return status_text(404); }

Response Response::status_text(int status) {
  return text(std::string(reason_phrase(status)) + ".\n", status);
}

std::string session_cookie(std::string_view name, std::string_view value, bool secure, bool clear) {
  std::string out(name);
  out.push_back('=');
  // Max-Age=0 is the only way to delete a cookie; a live session cookie has neither Expires
  // nor Max-Age, so it ends with the browser session.
  if (clear) {
    out += "; Max-Age=0";
  } else {
    out += value;
  }
  out += "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) out += "; Secure";
  return out;
}

}  // namespace sm::http
