#include "services/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

#include "core/html_escape.hpp"

namespace sm {
namespace {

constexpr int kQuietZone = 4;        // modules of white around the code, as ISO/IEC 18004 asks
constexpr int kPixelsPerModule = 4;  // the default rendered size; CSS may override it

struct QrFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

// Path data for the dark modules: one closed rectangle per horizontal run of a row, placed
// absolutely and drawn with relative lines, so neighbouring dark modules cost one rectangle.
std::string dark_module_path(const QRcode& code) {
  std::string d;
  for (int y = 0; y < code.width; ++y) {
    const unsigned char* row = code.data + static_cast<std::size_t>(y) * code.width;
    for (int x = 0; x < code.width;) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      int start = x;
      while (x < code.width && (row[x] & 1) != 0) ++x;
      d += "M" + std::to_string(start + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
           std::to_string(x - start) + "v1h-" + std::to_string(x - start) + "z";
    }
  }
  return d;
}

}  // namespace

std::string qr_svg(std::string_view text, std::string_view aria_label) {
  if (text.size() > kMaxQrTextBytes) return {};
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M));
  if (!code) return {};  // out of memory: no picture is better than a broken one
  std::string size = std::to_string(code->width + 2 * kQuietZone);
  std::string pixels = std::to_string((code->width + 2 * kQuietZone) * kPixelsPerModule);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size +
         "\" width=\"" + pixels + "\" height=\"" + pixels +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"" + html_escape(aria_label) +
         "\"><rect width=\"" + size + "\" height=\"" + size +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + dark_module_path(*code) + "\"/></svg>";
}

}  // namespace sm
