#include "http/multipart.hpp"

namespace sm::http {
namespace {

Error malformed(std::string_view why) {
  return make_error(Errc::invalid_input,
                    "The upload could not be read (" + std::string(why) +
                        "). Choose the file again and send the form once more.");
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `key` in a header value such as `form-data; name="x"`, unquoted;
// `found` tells whether it was present at all.
std::string parameter(std::string_view header, std::string_view key, bool* found) {
  *found = false;
  std::size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    std::string_view rest = trim(header.substr(pos + 1));
    pos += 1;
    if (!iequals_prefix(rest, key) || rest.substr(key.size()).find('=') != 0) continue;
    std::string_view v = rest.substr(key.size() + 1);
    *found = true;
    if (v.empty() || v.front() != '"') return std::string(v.substr(0, v.find(';')));
    std::string out;
    for (std::size_t i = 1; i < v.size() && v[i] != '"'; ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      out += v[i];
    }
    return out;
  }
  return "";
}

Status read_headers(std::string_view headers, MultipartPart* part) {
  bool has_disposition = false;
  while (!headers.empty()) {
    std::size_t eol = headers.find("\r\n");
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? "" : headers.substr(eol + 2);
    if (iequals_prefix(line, "content-disposition:")) {
      std::string_view v = trim(line.substr(20));
      if (!iequals_prefix(v, "form-data")) return malformed("a part is not form data");
      bool found = false;
      part->name = parameter(v, "name", &found);
      part->filename = parameter(v, "filename", &part->is_file);
      has_disposition = true;
    } else if (iequals_prefix(line, "content-type:")) {
      part->content_type = std::string(trim(line.substr(13)));
    }
  }
  if (!has_disposition || part->name.empty()) return malformed("a part has no field name");
  return {};
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  if (!iequals_prefix(trim(content_type), "multipart/form-data")) {
    return make_error(Errc::invalid_input, "Send the form as multipart/form-data.");
  }
  bool found = false;
  std::string b = parameter(content_type, "boundary", &found);
  if (!found || b.empty() || b.size() > 70) return malformed("no boundary");
  return b;
}

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   MultipartLimits limits) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string next = "\r\n" + delimiter;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return malformed("no parts");
  pos += delimiter.size();
  std::vector<MultipartPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return malformed("a broken delimiter");
    pos += 2;
    if (parts.size() == limits.max_parts) return malformed("too many parts");
    std::size_t header_end = body.find("\r\n\r\n", pos);
    if (header_end == std::string_view::npos || header_end - pos > limits.max_header_bytes) {
      return malformed("a part's headers are cut short or too long");
    }
    MultipartPart part;
    SM_TRY(read_headers(body.substr(pos, header_end - pos + 2), &part));
    std::size_t data_start = header_end + 4;
    std::size_t data_end = body.find(next, data_start);
    if (data_end == std::string_view::npos) return malformed("the body is cut short");
    part.data = body.substr(data_start, data_end - data_start);
    parts.push_back(std::move(part));
    pos = data_end + next.size();
  }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const auto& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace sm::http
