#include "http/target.hpp"

#include <algorithm>

#include "http/percent_encoding.hpp"

namespace sm::http {
namespace {

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

Error bad_target(std::string detail) {
  return make_error(Errc::invalid_input, "The address of this request is not valid.",
                    std::move(detail));
}

}  // namespace

Status parse_target(Request& req) {
  std::string_view target = req.target;
  if (target.empty() || target.front() != '/') return bad_target("target not origin-form");

  std::size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  std::optional<std::string> path = percent_decode(raw_path, PlusIs::literal);
  if (!path) return bad_target("invalid percent-escape in path");
  if (std::any_of(path->begin(), path->end(), is_control)) {
    return bad_target("control character in path");
  }

  req.path = std::move(*path);
  req.query = question == std::string_view::npos ? "" : std::string(target.substr(question + 1));
  return {};
}

}  // namespace sm::http
