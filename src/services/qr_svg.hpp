// QR codes as inline SVG, for the two-factor set-up page (the otpauth:// URI). The SVG is
// self-contained (no external references, no script, no style sheet) so it passes the
// "default-src 'self'" CSP inline or as a data: image, and it scales without blurring.
//
// Thread-safe: libqrencode is built with pthread support on Debian.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sm {

// The most 8-bit data a QR code holds at error correction level M (version 40).
constexpr std::size_t kMaxQrTextBytes = 2331;

// An SVG of `text` encoded as a QR code (error correction level M, 8-bit mode): one <path>
// of the dark modules over a white square, a quiet zone of 4 modules, a viewBox in modules,
// role="img" and `aria_label` (escaped) as its accessible name.
// REQUIRES: text.size() <= kMaxQrTextBytes; longer text gives an empty string, which pages
// treat as "no picture" (the set-up page also shows the secret as text).
std::string qr_svg(std::string_view text, std::string_view aria_label);

}  // namespace sm
