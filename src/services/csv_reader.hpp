// Streaming CSV (RFC 4180, as spreadsheets write it) on libcsv: records are read from a
// std::istream in fixed-size chunks, so memory stays bounded whatever the size of the file.
// Every field is checked to be UTF-8; a UTF-8 byte order mark before the first field is
// dropped.
//
// Not thread-safe: one reader per stream, used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sm::services {

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool is_valid_utf8(std::string_view s);

class CsvReader {
 public:
  using Record = std::vector<std::string>;

  // Bounds that keep a hostile file from holding memory: one field, fields per record.
  static constexpr std::size_t kMaxFieldBytes = 64 * 1024;
  static constexpr std::size_t kMaxFields = 1000;

  explicit CsvReader(std::istream& in, std::size_t chunk_bytes = 64 * 1024);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `record`; false at the end of the input. A refusal (broken
  // quoting, invalid UTF-8, a field or record too large, a read error) is invalid_input with a
  // sentence naming the record number; the reader then stays failed.
  Result<bool> next(Record& record);

  // The number of the record last returned by next(): 1 for the first (usually the header).
  std::int64_t record_number() const { return returned_; }

  // libcsv's callbacks; public only so the C callbacks can reach them.
  void on_field(const char* data, std::size_t size);
  void on_record_end();

 private:
  Status fill();
  Error refuse(std::int64_t record, std::string why) const;

  std::istream& in_;
  std::string chunk_;
  struct Parser;
  std::unique_ptr<Parser> parser_;
  Record building_;
  std::deque<Record> ready_;
  std::int64_t parsed_ = 0;    // records complete so far
  std::int64_t returned_ = 0;  // records handed out
  bool oversized_ = false;
  bool at_end_ = false;
  bool failed_ = false;
};

}  // namespace sm::services
