#include "store/postgres_database.hpp"

#include <cctype>
#include <charconv>
#include <pqxx/pqxx>
#include <utility>

#include "store/connection_pool.hpp"
#include "store/database_error.hpp"

namespace sm::store {
namespace {

// The server's first line names the constraint; the lines after it ("DETAIL: Key (email)=...")
// quote the row, which may be personal data and must not reach the log.
std::string first_line(const char* what) {
  std::string_view text(what);
  return std::string("postgresql: ") + std::string(text.substr(0, text.find('\n')));
}

// 57P01..57P03: the server is shutting down or restarting and has ended this session. Class
// 08 is not enough on its own: a wrong parameter count is 08P01 on a healthy link.
bool session_ended(const std::string& sqlstate) { return sqlstate.starts_with("57P"); }

// Maps the exception in flight to an Error; sets `broken` when the link cannot be reused.
// pqxx reports every class 08 state as broken_connection, including a wrong parameter count
// on a healthy link, so whether the link is still open decides which it was.
Error current_error(bool link_open, bool& broken) {
  try {
    throw;
  } catch (const pqxx::unique_violation& e) {
    return constraint_error(Constraint::unique, first_line(e.what()));
  } catch (const pqxx::foreign_key_violation& e) {
    return constraint_error(Constraint::foreign_key, first_line(e.what()));
  } catch (const pqxx::restrict_violation& e) {
    return constraint_error(Constraint::foreign_key, first_line(e.what()));
  } catch (const pqxx::not_null_violation& e) {
    return constraint_error(Constraint::not_null, first_line(e.what()));
  } catch (const pqxx::check_violation& e) {
    return constraint_error(Constraint::check, first_line(e.what()));
  } catch (const pqxx::integrity_constraint_violation& e) {
    return constraint_error(Constraint::none, first_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    if (session_ended(e.sqlstate())) broken = true;
    if (broken || e.sqlstate().starts_with("53")) return unavailable_error(first_line(e.what()));
    return internal_error(first_line(e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    return unavailable_error(first_line(e.what()));  // serialization failure, deadlock
  } catch (const pqxx::in_doubt_error& e) {
    broken = true;
    return unavailable_error(first_line(e.what()));
  } catch (const pqxx::broken_connection& e) {
    if (link_open) return internal_error(first_line(e.what()));
    broken = true;
    return unavailable_error(first_line(e.what()));
  } catch (const std::exception& e) {
    return internal_error(first_line(e.what()));
  }
}

std::string param_text(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  // Shortest text that reads back as the same double.
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<double>(value));
  return std::string(buf, ec == std::errc() ? end : buf);
}

// Texts for every parameter plus the pointers libpq wants, a null pointer being SQL NULL.
struct Params {
  explicit Params(const std::vector<Value>& values) {
    texts.reserve(values.size());
    for (const auto& v : values) {
      bool null = std::holds_alternative<Null>(v);
      texts.push_back(null ? std::string() : param_text(v));
      pointers.push_back(null ? nullptr : texts.back().c_str());
    }
  }
  std::vector<std::string> texts;
  std::vector<const char*> pointers;
};

// PostgreSQL counts the rows a SELECT returns as affected too; callers expect only changed
// rows, as on SQLite. pqxx 6.4 hides the command tag, so the statement's first word decides
// (a WITH query whose main statement is a SELECT still reports the rows it returned).
bool reads_only(std::string_view sql) {
  auto first = sql.find_first_not_of(" \t\r\n(");
  if (first == std::string_view::npos) return true;
  std::string word;
  for (char c : sql.substr(first, 6))
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return word == "SELECT" || word.starts_with("VALUES") || word.starts_with("SHOW");
}

Rows to_rows(std::string_view sql, const pqxx::result& r) {
  Rows out;
  out.rows.reserve(r.size());
  for (const auto& row : r) {
    std::vector<std::optional<std::string>> cells;
    cells.reserve(row.size());
    for (const auto& f : row) {
      if (f.is_null()) {
        cells.emplace_back();
      } else {
        cells.emplace_back(std::string(f.c_str(), f.size()));
      }
    }
    out.rows.emplace_back(std::move(cells));
  }
  if (!reads_only(sql)) out.affected = static_cast<std::int64_t>(r.affected_rows());
  return out;
}

class PostgresConnection final : public PooledConnection {
 public:
  static Result<std::unique_ptr<PooledConnection>> open(const std::string& url);
  explicit PostgresConnection(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}

  Engine engine() const override { return Engine::postgresql; }
  Result<Rows> run(std::string_view sql, const std::vector<Value>& params) override;
  Status begin() override;
  Status commit() override;
  void rollback() override;

  bool reusable() const override { return !broken_ && conn_->is_open(); }
  void reset() override { rollback(); }

 private:
  pqxx::result exec(pqxx::transaction_base& tx, std::string_view sql, const Params& p);
  // The Error for the exception in flight; marks the connection broken if the link went.
  Error failure();

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> work_;  // set between begin() and commit()/rollback()
  bool broken_ = false;
};

Result<std::unique_ptr<PooledConnection>> PostgresConnection::open(const std::string& url) {
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    return std::unique_ptr<PooledConnection>(new PostgresConnection(std::move(conn)));
  } catch (...) {
    bool broken = false;
    Error e = current_error(false, broken);
    // A refused login or an unknown database is as fatal for the caller as a down server.
    if (e.code == Errc::internal) e.code = Errc::unavailable;
    return e;
  }
}

pqxx::result PostgresConnection::exec(pqxx::transaction_base& tx, std::string_view sql,
                                      const Params& p) {
  return tx.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(p.pointers));
}

Result<Rows> PostgresConnection::run(std::string_view sql, const std::vector<Value>& params) {
  Params p(params);
  try {
    if (work_) return to_rows(sql, exec(*work_, sql, p));
    pqxx::nontransaction autocommit(*conn_);
    return to_rows(sql, exec(autocommit, sql, p));
  } catch (...) {
    return failure();
  }
}

Error PostgresConnection::failure() {
  bool link_open = conn_->is_open();
  Error e = current_error(link_open, broken_);
  if (!link_open && !broken_) {
    broken_ = true;
    e = unavailable_error(e.detail);
  }
  return e;
}

Status PostgresConnection::begin() {
  if (work_) return internal_error("postgresql: begin() inside a transaction");
  try {
    work_ = std::make_unique<pqxx::work>(*conn_);
    return {};
  } catch (...) {
    return failure();
  }
}

Status PostgresConnection::commit() {
  if (!work_) return internal_error("postgresql: commit() without begin()");
  auto tx = std::move(work_);
  try {
    tx->commit();
    return {};
  } catch (...) {
    return failure();
  }
}

void PostgresConnection::rollback() {
  if (!work_) return;
  auto tx = std::move(work_);
  try {
    tx->abort();
  } catch (...) {
    // The server ends an interrupted transaction by itself; only the link state matters.
    (void)failure();
  }
}

}  // namespace

Result<std::unique_ptr<Database>> open_postgres_database(const std::string& url, int pool_size) {
  auto db = std::make_unique<PooledDatabase>(Engine::postgresql, pool_size,
                                             [url] { return PostgresConnection::open(url); });
  if (auto s = db->open_first(); !s.ok()) return s.take_error();
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sm::store
