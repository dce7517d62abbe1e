// Decoding of multipart/form-data request bodies (RFC 7578), for file uploads. Parts are
// views into the body, so a large upload is not copied; the body must outlive them.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::http {

struct MultipartPart {
  std::string name;          // the form field's name
  std::string filename;      // set for file parts (may be empty when no file was chosen)
  bool is_file = false;      // the part had a filename parameter
  std::string content_type;  // the part's Content-Type, "" when absent
  std::string_view data;     // the part's content, a view into the body
};

struct MultipartLimits {
  std::size_t max_parts = 50;
  std::size_t max_header_bytes = 8 * 1024;  // per part
};

// The boundary parameter of a multipart/form-data Content-Type, or an invalid_input error.
Result<std::string> multipart_boundary(std::string_view content_type);

// Splits `body` into its parts. Errors are Errc::invalid_input with a sentence for the person:
// a missing boundary, a part without a name, too many parts, a body cut short.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   MultipartLimits limits = {});

// The first part named `name`, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

}  // namespace sm::http
