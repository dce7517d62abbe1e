#include "services/csv_reader.hpp"

#include <csv.h>

namespace sm::services {
namespace {

// Length of the UTF-8 sequence starting at s[i] if it is well-formed there, else 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
  if (n == 0 || b > 0xf4 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  unsigned char b1 = byte(i + 1);
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if (b == 0xe0 && b1 < 0xa0) return 0;
  if (b == 0xed && b1 > 0x9f) return 0;
  if (b == 0xf0 && b1 < 0x90) return 0;
  if (b == 0xf4 && b1 > 0x8f) return 0;
  return n;
}

void field_callback(void* data, std::size_t size, void* reader) {
  static_cast<CsvReader*>(reader)->on_field(static_cast<const char*>(data), size);
}

void record_callback(int, void* reader) { static_cast<CsvReader*>(reader)->on_record_end(); }

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

struct CsvReader::Parser {
  csv_parser p;
};

CsvReader::CsvReader(std::istream& in, std::size_t chunk_bytes)
    : in_(in), chunk_(chunk_bytes, '\0'), parser_(std::make_unique<Parser>()) {
  // CSV_STRICT: a stray quote is an error rather than a silently different value.
  if (csv_init(&parser_->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) failed_ = true;
}

CsvReader::~CsvReader() { csv_free(&parser_->p); }

void CsvReader::on_field(const char* data, std::size_t size) {
  if (size > kMaxFieldBytes || building_.size() >= kMaxFields) {
    oversized_ = true;
    return;
  }
  std::string_view field(data ? data : "", data ? size : 0);
  if (parsed_ == 0 && building_.empty() && field.starts_with(kByteOrderMark)) {
    field.remove_prefix(kByteOrderMark.size());
  }
  building_.emplace_back(field);
}

void CsvReader::on_record_end() {
  ++parsed_;
  ready_.push_back(std::move(building_));
  building_.clear();
}

Error CsvReader::refuse(std::int64_t record, std::string why) const {
  return make_error(Errc::invalid_input,
                    "Record " + std::to_string(record) + " of the file " + why);
}

// Parses one more chunk of input, or finishes the parse at the end of it.
Status CsvReader::fill() {
  if (at_end_) return {};
  in_.read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
  std::size_t got = static_cast<std::size_t>(in_.gcount());
  if (in_.bad()) {
    return make_error(Errc::unavailable, "The file could not be read to the end; try again.",
                      "csv: stream read failed");
  }
  if (got > 0 &&
      csv_parse(&parser_->p, chunk_.data(), got, field_callback, record_callback, this) != got) {
    return refuse(parsed_ + 1,
                  "has a quote in the wrong place: a field that holds quotes, commas or line "
                  "breaks must be enclosed in double quotes, with each quote inside doubled.");
  }
  if (got == 0 || in_.eof()) {
    at_end_ = true;
    if (csv_fini(&parser_->p, field_callback, record_callback, this) != 0) {
      return refuse(parsed_ + 1, "ends inside a quoted field; close the quotes and try again.");
    }
  }
  // libcsv keeps a field being parsed in its own buffer; bound it even before it ends.
  if (oversized_ || csv_get_buffer_size(&parser_->p) > 2 * kMaxFieldBytes) {
    return refuse(parsed_ + 1, "is too large: at most 1,000 fields of 64 KiB each.");
  }
  return {};
}

Result<bool> CsvReader::next(Record& record) {
  if (failed_) return make_error(Errc::invalid_input, "The file could not be read as CSV.");
  while (ready_.empty() && !at_end_) {
    if (auto s = fill(); !s.ok()) {
      failed_ = true;
      return s.take_error();
    }
  }
  if (ready_.empty()) return false;
  record = std::move(ready_.front());
  ready_.pop_front();
  ++returned_;
  for (const auto& field : record) {
    if (!is_valid_utf8(field)) {
      failed_ = true;
      return refuse(returned_,
                    "is not valid UTF-8. Save the file as UTF-8 (in a spreadsheet: \"CSV UTF-8\") "
                    "and import it again.");
    }
  }
  return true;
}

}  // namespace sm::services
