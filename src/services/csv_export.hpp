// CSV export of a list, or of every subscription of the account, with the consent fields
// (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line break).
// A cell that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a
// leading ' so that opening the export never executes what a subscriber typed.
//
// The export is written a page of rows at a time, so memory does not grow with its size.
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "services/app.hpp"

namespace sm::services {

// One cell as RFC 4180 wants it, with formula-starting cells neutralised.
std::string csv_cell(std::string_view value);
// Cells joined by commas and ended by CRLF.
void write_csv_row(std::ostream& out, const std::vector<std::string>& cells);

// Writes the header and one row per subscription: of `list_id`, or of every list when
// nullopt. not_found when the list is not the account's.
Status export_subscribers(App& app, std::int64_t account_id, std::optional<std::int64_t> list_id,
                          std::ostream& out);

}  // namespace sm::services
