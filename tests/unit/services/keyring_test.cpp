#include "services/keyring.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "support/scratch_dir.hpp"

namespace sm {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

void write_key_file(const fs::path& p, const std::string& text, unsigned mode) {
  std::ofstream(p) << text;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

TEST(KeyRing, CreatesAPrivateKeyFileOnFirstStart) {
  testing::ScratchDir dir;
  fs::path data = dir.path() / "data";
  auto ring = KeyRing::load_or_create(data);
  ASSERT_TRUE(ring.ok()) << ring.error().detail;
  fs::path file = data / "secret.key";
  EXPECT_EQ(mode_of(file), 0600u);
  std::string text = testing::read_file(file);
  ASSERT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_TRUE(crypto::hex_decode(text.substr(0, 64)).ok());
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(data), fs::directory_iterator()), 1);
}

TEST(KeyRing, ReloadsTheSameKeys) {
  testing::ScratchDir dir;
  auto first = KeyRing::load_or_create(dir.path());
  auto second = KeyRing::load_or_create(dir.path());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->hmac_key(), second->hmac_key());
  EXPECT_EQ(first->secrets_key(), second->secrets_key());
  EXPECT_EQ(first->signing_public_key(), second->signing_public_key());

  testing::ScratchDir other;
  auto third = KeyRing::load_or_create(other.path());
  ASSERT_TRUE(third.ok());
  EXPECT_NE(first->hmac_key(), third->hmac_key());
}

TEST(KeyRing, ReadsAKeyFileWrittenByHand) {
  testing::ScratchDir dir;
  std::string master(32, '\x42');
  write_key_file(dir.path() / "secret.key", crypto::hex_encode(master) + "\r\n", 0400);
  auto ring = KeyRing::load_or_create(dir.path());
  ASSERT_TRUE(ring.ok()) << ring.error().detail;
  EXPECT_EQ(ring->hmac_key(), crypto::derive_key(master, 1, "smkeyrng"));
}

TEST(KeyRing, PurposesGetDifferentKeys) {
  testing::ScratchDir dir;
  auto ring = KeyRing::load_or_create(dir.path());
  ASSERT_TRUE(ring.ok());
  auto master = crypto::hex_decode(testing::read_file(dir.path() / "secret.key").substr(0, 64));
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(ring->hmac_key().size(), 32u);
  EXPECT_EQ(ring->secrets_key().size(), 32u);
  EXPECT_NE(ring->hmac_key(), ring->secrets_key());
  EXPECT_NE(ring->hmac_key(), *master);
  EXPECT_NE(ring->secrets_key(), *master);
  EXPECT_NE(ring->signing_public_key_bytes(), ring->hmac_key());
  EXPECT_NE(ring->signing_public_key_bytes(), ring->secrets_key());
}

TEST(KeyRing, SignsWithThePublishedKey) {
  testing::ScratchDir dir;
  auto ring = KeyRing::load_or_create(dir.path());
  ASSERT_TRUE(ring.ok());
  std::string published = ring->signing_public_key();
  EXPECT_EQ(published.size(), 44u);
  EXPECT_EQ(published, crypto::base64_encode(ring->signing_public_key_bytes()));
  std::string sig = ring->sign("consent receipt");
  EXPECT_TRUE(crypto::verify(ring->signing_public_key_bytes(), "consent receipt", sig));
  EXPECT_FALSE(crypto::verify(ring->signing_public_key_bytes(), "other receipt", sig));
}

TEST(KeyRing, RefusesAFileOthersCanRead) {
  testing::ScratchDir dir;
  ASSERT_TRUE(KeyRing::load_or_create(dir.path()).ok());
  fs::path file = dir.path() / "secret.key";
  for (unsigned mode : {0644u, 0640u, 0604u, 0620u}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto ring = KeyRing::load_or_create(dir.path());
    ASSERT_FALSE(ring.ok()) << std::oct << mode;
    EXPECT_NE(ring.error().message.find("chmod 600"), std::string::npos);
    EXPECT_EQ(ring.error().message.find(dir.str()), std::string::npos) << "path in detail only";
    EXPECT_NE(ring.error().detail.find(file.string()), std::string::npos);
  }
}

TEST(KeyRing, RefusesAKeyOfTheWrongLength) {
  for (const std::string& text : {std::string(""), std::string(62, 'a'), std::string(66, 'a'),
                                  std::string(64, 'g'), std::string(200, '0')}) {
    testing::ScratchDir dir;
    write_key_file(dir.path() / "secret.key", text, 0600);
    auto ring = KeyRing::load_or_create(dir.path());
    ASSERT_FALSE(ring.ok()) << text;
    EXPECT_NE(ring.error().message.find("64 hex digits"), std::string::npos);
  }
}

TEST(KeyRing, RefusesADirectoryInPlaceOfTheFile) {
  testing::ScratchDir dir;
  fs::create_directory(dir.path() / "secret.key");
  ::chmod((dir.path() / "secret.key").c_str(), 0700);
  EXPECT_FALSE(KeyRing::load_or_create(dir.path()).ok());
}

TEST(KeyRing, ConcurrentFirstStartsAgreeOnOneKey) {
  testing::ScratchDir dir;
  constexpr int kThreads = 8;
  std::vector<std::string> keys(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto ring = KeyRing::load_or_create(dir.path());
      keys[i] = ring.ok() ? ring->hmac_key() : "failed: " + ring.error().detail;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& k : keys) EXPECT_EQ(k, keys[0]);
  EXPECT_EQ(keys[0].size(), 32u);
}

}  // namespace
}  // namespace sm
