#include "services/qr_svg.hpp"

#include <gtest/gtest.h>
#include <qrencode.h>

#include <regex>
#include <set>
#include <utility>

namespace sm {
namespace {

int viewbox_size(const std::string& svg) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(svg, m, std::regex("viewBox=\"0 0 (\\d+) (\\d+)\"")));
  EXPECT_EQ(m[1], m[2]);
  return std::stoi(m[1]);
}

// The dark modules the path draws, read back from its "Mx yhNv1h-Nz" runs.
std::set<std::pair<int, int>> drawn_modules(const std::string& svg) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(svg, m, std::regex("<path fill=\"#000\" d=\"([^\"]*)\"/>")));
  std::string d = m[1];
  std::set<std::pair<int, int>> dark;
  std::regex run("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
  auto begin = std::sregex_iterator(d.begin(), d.end(), run);
  std::size_t consumed = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    EXPECT_EQ((*it)[3], (*it)[4]);
    int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), n = std::stoi((*it)[3]);
    for (int i = 0; i < n; ++i) dark.insert({x + i, y});
    consumed += it->length();
  }
  EXPECT_EQ(consumed, d.size()) << "the path holds nothing but runs";
  return dark;
}

TEST(QrSvg, IsAStandaloneAccessibleSvg) {
  auto svg = qr_svg("otpauth://totp/Smartmessages:jane?secret=ABC", "Set-up code");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" ", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg.find("aria-label=\"Set-up code\""), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '<'), 4) << "svg, rect, path, /svg";
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(svg.find("url("), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<style"), std::string::npos);
}

TEST(QrSvg, EscapesTheLabel) {
  auto svg = qr_svg("x", "a \"b\" <c> & 'd'");
  EXPECT_NE(svg.find("aria-label=\"a &quot;b&quot; &lt;c&gt; &amp; &#39;d&#39;\""),
            std::string::npos);
}

TEST(QrSvg, DrawsExactlyTheModulesOfTheCodeInsideAQuietZone) {
  std::string text = "otpauth://totp/Acme:jane%40example.com?secret=GEZDGNBVGY3TQOJQ";
  auto svg = qr_svg(text, "QR code");
  QRcode* code =
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M);
  ASSERT_NE(code, nullptr);
  std::set<std::pair<int, int>> expected;
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if (code->data[y * code->width + x] & 1) expected.insert({x + 4, y + 4});
    }
  }
  EXPECT_EQ(viewbox_size(svg), code->width + 8);
  QRcode_free(code);
  EXPECT_EQ(drawn_modules(svg), expected);
  // The top-left finder pattern: a dark 7x7 ring starting at the quiet zone's edge.
  for (int i = 0; i < 7; ++i) {
    EXPECT_TRUE(expected.count({4 + i, 4}));
    EXPECT_TRUE(expected.count({4, 4 + i}));
  }
}

TEST(QrSvg, GrowsWithTheText) {
  auto small = qr_svg("short", "QR");
  auto large = qr_svg(std::string(500, 'x'), "QR");
  EXPECT_EQ(viewbox_size(small), 21 + 8) << "version 1";
  EXPECT_GT(viewbox_size(large), viewbox_size(small));
  EXPECT_GT(large.size(), small.size());
}

TEST(QrSvg, GivesNothingForTextTooLongForAQrCode) {
  EXPECT_FALSE(qr_svg(std::string(kMaxQrTextBytes, 'x'), "QR").empty());
  EXPECT_TRUE(qr_svg(std::string(kMaxQrTextBytes + 1, 'x'), "QR").empty());
}

}  // namespace
}  // namespace sm
