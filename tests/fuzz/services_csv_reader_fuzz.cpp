// CsvReader on arbitrary bytes: no crash; every record it hands out is valid UTF-8 within the
// field limits; every refusal has a sentence; and the records do not depend on the chunk size
// the stream is read in (a record split across chunks must come out whole).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "services/csv_reader.hpp"

namespace {

using sm::services::CsvReader;

struct Outcome {
  std::vector<CsvReader::Record> records;
  bool failed = false;
};

Outcome read_all(const std::string& text, std::size_t chunk) {
  std::istringstream in(text);
  CsvReader reader(in, chunk);
  Outcome out;
  CsvReader::Record record;
  for (;;) {
    auto more = reader.next(record);
    if (!more.ok()) {
      if (more.error().message.empty()) std::abort();
      out.failed = true;
      return out;
    }
    if (!more.value()) return out;
    if (record.size() > CsvReader::kMaxFields) std::abort();
    for (const auto& field : record) {
      if (field.size() > CsvReader::kMaxFieldBytes) std::abort();
      if (!sm::services::is_valid_utf8(field)) std::abort();
    }
    out.records.push_back(record);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Outcome whole = read_all(text, 4096);
  Outcome small = read_all(text, 3);
  if (whole.failed != small.failed) std::abort();
  if (!whole.failed && whole.records != small.records) std::abort();
  return 0;
}
