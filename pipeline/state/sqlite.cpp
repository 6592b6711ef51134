#include "pipeline/state/sqlite.h"

#include <stdexcept>

namespace sluice::pipeline {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  throw std::runtime_error(what + " in state database " + (file ? file : "?") + ": " +
                           (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
    fail(db, "cannot prepare a statement");
  statement_.reset(raw);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    fail(db_, "cannot bind a value");
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_.get(), index, value) != SQLITE_OK) fail(db_, "cannot bind a value");
  return *this;
}

bool SqliteStatement::step() {
  const int code = sqlite3_step(statement_.get());
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  fail(db_, "cannot run a statement");
}

void SqliteStatement::reset() noexcept {
  sqlite3_reset(statement_.get());
  sqlite3_clear_bindings(statement_.get());
}

std::string SqliteStatement::text(int column) const {
  const auto* value = sqlite3_column_text(statement_.get(), column);
  return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(statement_.get(), column); }

SqliteDatabase::SqliteDatabase(const std::string& path, Access access) : path_(path) {
  sqlite3* raw = nullptr;
  const int mode = access == Access::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int code = sqlite3_open_v2(path.c_str(), &raw, mode | SQLITE_OPEN_FULLMUTEX, nullptr);
  db_.reset(raw);
  if (code != SQLITE_OK) {
    throw std::runtime_error("cannot open state database " + path + ": " +
                             (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  if (access == Access::read_only) return;
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=NORMAL");
}

void SqliteDatabase::execute(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error("state database " + path_ + ": " + reason);
  }
}

}  // namespace sluice::pipeline
