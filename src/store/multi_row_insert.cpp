#include "store/multi_row_insert.hpp"

#include <cctype>

#include "store/database_error.hpp"

namespace sm::store {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool keyword_at(std::string_view sql, std::size_t i, std::string_view word) {
  if (i + word.size() > sql.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(sql[i + k])) != word[k]) return false;
  }
  bool starts = i == 0 || !is_word(sql[i - 1]);
  bool ends = i + word.size() == sql.size() || !is_word(sql[i + word.size()]);
  return starts && ends;
}

// Index just past a '...' literal opening at `i` (a doubled quote simply reopens it).
std::size_t skip_literal(std::string_view sql, std::size_t i) {
  std::size_t end = sql.find('\'', i + 1);
  return end == std::string_view::npos ? sql.size() : end + 1;
}

// The tuple after the VALUES keyword: [open, close] are its parentheses.
struct Tuple {
  std::size_t open = 0;
  std::size_t close = 0;
};

Result<Tuple> find_tuple(std::string_view sql) {
  std::size_t i = 0;
  for (; i < sql.size(); ++i) {
    if (sql[i] == '\'') i = skip_literal(sql, i) - 1;
    if (keyword_at(sql, i, "VALUES")) break;
  }
  std::size_t open = sql.find_first_not_of(" \t\r\n", i + 6);
  if (i >= sql.size() || open == std::string_view::npos || sql[open] != '(') {
    return internal_error("multi-row insert: no VALUES (...) tuple");
  }
  int depth = 0;
  for (std::size_t k = open; k < sql.size(); ++k) {
    if (sql[k] == '\'') k = skip_literal(sql, k) - 1;
    if (sql[k] == '(') ++depth;
    if (sql[k] == ')' && --depth == 0) return Tuple{open, k};
  }
  return internal_error("multi-row insert: unbalanced VALUES tuple");
}

// The placeholder numbers between `from` and `to`, in order of appearance.
std::vector<std::size_t> placeholders(std::string_view sql, std::size_t from, std::size_t to) {
  std::vector<std::size_t> found;
  for (std::size_t i = from; i < to; ++i) {
    if (sql[i] == '\'') i = skip_literal(sql, i) - 1;
    if (sql[i] != '$' || i + 1 >= to || !is_digit(sql[i + 1])) continue;
    std::size_t n = 0;
    while (i + 1 < to && is_digit(sql[i + 1]))
      n = n * 10 + static_cast<std::size_t>(sql[++i] - '0');
    found.push_back(n);
  }
  return found;
}

std::size_t highest(const std::vector<std::size_t>& numbers) {
  std::size_t top = 0;
  for (std::size_t n : numbers) top = n > top ? n : top;
  return top;
}

// The tuple text with each $n moved up by `shift` (literals copied as they are).
std::string shifted(std::string_view tuple, std::size_t shift) {
  std::string out;
  out.reserve(tuple.size() + 8);
  for (std::size_t i = 0; i < tuple.size(); ++i) {
    if (tuple[i] == '\'') {
      std::size_t end = skip_literal(tuple, i);
      out.append(tuple.substr(i, end - i));
      i = end - 1;
      continue;
    }
    out.push_back(tuple[i]);
    if (tuple[i] != '$' || i + 1 >= tuple.size() || !is_digit(tuple[i + 1])) continue;
    std::size_t n = 0;
    while (i + 1 < tuple.size() && is_digit(tuple[i + 1])) {
      n = n * 10 + static_cast<std::size_t>(tuple[++i] - '0');
    }
    out += std::to_string(n + shift);
  }
  return out;
}

// Statement sizes for `total` rows: full statements, then the rest in powers of two.
std::vector<std::size_t> statement_sizes(std::size_t total) {
  std::vector<std::size_t> sizes(total / kRowsPerStatement, kRowsPerStatement);
  for (std::size_t size = kRowsPerStatement / 2; size > 0; size /= 2) {
    if ((total % kRowsPerStatement) & size) sizes.push_back(size);
  }
  return sizes;
}

}  // namespace

Result<std::string> repeat_values(std::string_view sql, std::size_t rows) {
  auto tuple = find_tuple(sql);
  if (!tuple.ok()) return tuple.take_error();
  auto inside = placeholders(sql, tuple->open, tuple->close + 1);
  std::size_t per_row = highest(inside);
  bool outside = !placeholders(sql, 0, tuple->open).empty() ||
                 !placeholders(sql, tuple->close + 1, sql.size()).empty();
  if (per_row == 0 || outside) {
    return internal_error("multi-row insert: placeholders must all be in the VALUES tuple");
  }

  std::string_view one = sql.substr(tuple->open, tuple->close + 1 - tuple->open);
  std::string out(sql.substr(0, tuple->open));
  for (std::size_t r = 0; r < rows; ++r) {
    if (r > 0) out += ", ";
    out += shifted(one, r * per_row);
  }
  out += sql.substr(tuple->close + 1);
  return out;
}

Result<std::int64_t> run_named_rows(Connection& c, std::string_view name,
                                    const std::vector<std::vector<Value>>& rows) {
  std::string_view sql = query_text(name);
  std::int64_t affected = 0;
  std::size_t next = 0;
  for (std::size_t size : statement_sizes(rows.size())) {
    auto text = repeat_values(sql, size);
    if (!text.ok()) return text.take_error();
    std::vector<Value> params;
    for (std::size_t r = next; r < next + size; ++r) {
      params.insert(params.end(), rows[r].begin(), rows[r].end());
    }
    next += size;
    auto ran = c.run(*text, params);
    if (!ran.ok()) return ran.take_error();
    affected += ran->affected;
  }
  return affected;
}

}  // namespace sm::store
