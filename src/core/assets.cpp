#include "core/assets.hpp"

#include <algorithm>

namespace sm::assets {

std::optional<std::string_view> find(std::string_view path) {
  const auto& all = table();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == all.end() || it->path != path) return std::nullopt;
  return it->content;
}

std::vector<Asset> under(std::string_view prefix) {
  std::vector<Asset> found;
  for (const auto& a : table()) {
    if (a.path.starts_with(prefix)) found.push_back(a);
  }
  return found;
}

}  // namespace sm::assets
