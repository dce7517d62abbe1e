#include "store/named_queries.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "core/assets.hpp"
#include "core/text.hpp"
#include "store/database.hpp"

namespace sm::store {
namespace {

constexpr std::string_view kQueriesDir = "sql/queries/";
constexpr std::string_view kNameMarker = "-- name:";

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Error parse_error(int line, const std::string& what) {
  return make_error(Errc::invalid_input, "line " + std::to_string(line) + ": " + what);
}

// Accumulates one block at a time; the intent is the comment run right after the name.
class QueryFileParser {
 public:
  Status line(int number, std::string_view raw) {
    std::string_view text = trim_whitespace(raw);
    if (text.starts_with(kNameMarker))
      return start_block(number, trim_whitespace(text.substr(kNameMarker.size())));
    if (!open_) {
      if (text.empty() || text.starts_with("--")) return {};
      return parse_error(number, "SQL before the first \"-- name:\" line");
    }
    if (current_.sql.empty() && text.starts_with("--")) {
      append(current_.intent, trim_whitespace(text.substr(2)), " ");
    } else if (!text.empty() || !current_.sql.empty()) {
      append(current_.sql, raw, "\n");
    }
    return {};
  }

  Result<std::vector<NamedQuery>> finish() {
    if (auto s = close_block(); !s.ok()) return s.take_error();
    return std::move(done_);
  }

 private:
  static void append(std::string& to, std::string_view text, const char* separator) {
    if (!to.empty()) to += separator;
    to += text;
  }

  Status start_block(int number, std::string_view name) {
    if (auto s = close_block(); !s.ok()) return s;
    if (!valid_name(name)) return parse_error(number, "a query name is a-z, 0-9 and _");
    if (!names_.insert(std::string(name)).second) {
      return parse_error(number, "query \"" + std::string(name) + "\" appears twice");
    }
    current_ = NamedQuery{std::string(name), {}, {}};
    open_ = true;
    start_line_ = number;
    return {};
  }

  Status close_block() {
    if (!open_) return {};
    open_ = false;
    std::string_view sql = trim_whitespace(current_.sql);
    while (sql.ends_with(';')) sql = trim_whitespace(sql.substr(0, sql.size() - 1));
    if (current_.intent.empty()) {
      return parse_error(start_line_, "query \"" + current_.name + "\" has no intent comment");
    }
    if (sql.empty()) return parse_error(start_line_, "query \"" + current_.name + "\" has no SQL");
    current_.sql = std::string(sql);
    done_.push_back(std::move(current_));
    return {};
  }

  std::vector<NamedQuery> done_;
  std::set<std::string> names_;
  NamedQuery current_;
  bool open_ = false;
  int start_line_ = 0;
};

using QueryTable = std::map<std::string, std::string, std::less<>>;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "store: %s\n", message.c_str());
  std::abort();
}

void add_file(QueryTable& table, const assets::Asset& asset) {
  std::string_view resource = asset.path.substr(kQueriesDir.size());
  resource.remove_suffix(4);  // ".sql"
  auto parsed = parse_query_file(asset.content);
  if (!parsed.ok()) fail(std::string(asset.path) + ": " + parsed.error().message);
  for (auto& q : *parsed) table.emplace(std::string(resource) + "." + q.name, std::move(q.sql));
}

// Every embedded query file is read on first use; a malformed one is a bug in this build.
const QueryTable& query_table() {
  static const QueryTable table = [] {
    QueryTable t;
    for (const auto& asset : assets::under(kQueriesDir)) {
      if (asset.path.ends_with(".sql")) add_file(t, asset);
    }
    return t;
  }();
  return table;
}

}  // namespace

Result<std::vector<NamedQuery>> parse_query_file(std::string_view text) {
  QueryFileParser parser;
  int number = 0;
  while (!text.empty()) {
    ++number;
    auto eol = text.find('\n');
    if (auto s = parser.line(number, text.substr(0, eol)); !s.ok()) return s.take_error();
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  }
  return parser.finish();
}

std::string_view query_text(std::string_view name) {
  const auto& table = query_table();
  auto it = table.find(name);
  if (it == table.end()) fail("no query named \"" + std::string(name) + "\" in sql/queries/");
  return it->second;
}

}  // namespace sm::store
