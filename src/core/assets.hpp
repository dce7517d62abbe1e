// Files compiled into the binary: SQL migrations and queries, templates, the stylesheet.
//
// Thread-safe: the table is built once and never changes.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sm::assets {

struct Asset {
  std::string_view path;  // relative to the source tree, e.g. "templates/pages/login.mustache"
  std::string_view content;
};

// Every embedded file, sorted by path. Defined in the generated sm_assets library.
const std::vector<Asset>& table();

// The content of the file at `path`, or nothing when no such file was embedded.
std::optional<std::string_view> find(std::string_view path);

// Every embedded file whose path starts with `prefix`, in path order.
std::vector<Asset> under(std::string_view prefix);

}  // namespace sm::assets
