// Move-only owners of SQLite handles. Errors are exceptions that name the database file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::pipeline {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);  // throws std::runtime_error
  sqlite3_stmt* get() const noexcept { return statement_.get(); }

  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);
  bool step();  // true while a row is available; throws on error
  void reset() noexcept;
  std::string text(int column) const;
  std::int64_t integer(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
  };
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

class SqliteDatabase {
 public:
  enum class Access { read_write, read_only };

  // Opens the database: read-write creates it and puts it in WAL mode; read-only never writes
  // (another process may be writing it meanwhile). Throws std::runtime_error naming the file.
  explicit SqliteDatabase(const std::string& path, Access access = Access::read_write);
  sqlite3* get() const noexcept { return db_.get(); }
  const std::string& path() const noexcept { return path_; }

  void execute(std::string_view sql);  // throws std::runtime_error

 private:
  struct Close {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  std::string path_;
  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace sluice::pipeline
