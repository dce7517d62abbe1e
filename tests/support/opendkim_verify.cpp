#include "support/opendkim_verify.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "support/scratch_dir.hpp"

// dkim.h is a C header that spells its booleans _Bool, which C++ lacks; bool has the same size
// and calling convention in the ABIs Debian builds for, so the name stands in for it here.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

namespace sm::testing {
namespace {

struct LibraryCloser {
  void operator()(DKIM_LIB* lib) const { dkim_close(lib); }
};
struct HandleFreer {
  void operator()(DKIM* dkim) const { dkim_free(dkim); }
};
using Library = std::unique_ptr<DKIM_LIB, LibraryCloser>;
using Handle = std::unique_ptr<DKIM, HandleFreer>;

// The key file of DKIM_QUERY_FILE: "<record name> <TXT value>" on each line.
void write_key_file(const std::filesystem::path& path, const nlohmann::json& records) {
  std::ofstream out(path, std::ios::binary);
  for (const auto& [name, value] : records.items()) {
    out << name << ' ' << value.get<std::string>() << '\n';
  }
  if (!out.flush()) throw std::runtime_error("opendkim_verify: cannot write " + path.string());
}

Library library_reading_keys_from(const std::filesystem::path& key_file) {
  Library lib(dkim_init(nullptr, nullptr));
  if (lib == nullptr) throw std::runtime_error("opendkim_verify: dkim_init failed");
  dkim_query_t method = DKIM_QUERY_FILE;
  std::string path = key_file.string();
  if (dkim_options(lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method) !=
          DKIM_STAT_OK ||
      dkim_options(lib.get(), DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, path.data(), path.size() + 1) !=
          DKIM_STAT_OK) {
    throw std::runtime_error("opendkim_verify: dkim_options failed");
  }
  return lib;
}

std::string text_or_empty(const unsigned char* text) {
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

std::string describe_failure(DKIM_SIGINFO* sig) {
  const unsigned int flags = dkim_sig_getflags(sig);
  if ((flags & DKIM_SIGFLAG_IGNORE) != 0) return "ignored";
  std::string error;
  if (const char* text = dkim_sig_geterrorstr(dkim_sig_geterror(sig)); text != nullptr) {
    error = text;
  }
  if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) return "not processed: " + error;
  if ((flags & DKIM_SIGFLAG_PASSED) == 0) return error.empty() ? "signature mismatch" : error;
  return "body hash mismatch";
}

OpendkimSignature describe(DKIM_SIGINFO* sig) {
  OpendkimSignature out;
  unsigned char tag[] = "a";
  out.algorithm = text_or_empty(dkim_sig_gettagvalue(sig, false, tag));
  out.domain = text_or_empty(dkim_sig_getdomain(sig));
  out.selector = text_or_empty(dkim_sig_getselector(sig));
  // DKIM_SIG_CHECK: PASSED covers only the header hash and the key, so the body hash is
  // checked apart.
  out.verified = DKIM_SIG_CHECK(sig);
  if (!out.verified) out.error = describe_failure(sig);
  return out;
}

}  // namespace

bool OpendkimVerdict::all_verified() const {
  if (signatures.empty()) return false;
  for (const auto& s : signatures) {
    if (!s.verified) return false;
  }
  return true;
}

std::string OpendkimVerdict::summary() const {
  std::string out = "libopendkim: " + status + "\n";
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const auto& s = signatures[i];
    out += std::to_string(i) + (s.verified ? " pass" : " fail") + " a=" + s.algorithm +
           " d=" + s.domain + " s=" + s.selector;
    out += s.verified ? "\n" : " (" + s.error + ")\n";
  }
  return out;
}

OpendkimVerdict opendkim_verify(const std::string& message, const nlohmann::json& records) {
  ScratchDir dir;
  const auto key_file = dir.path() / "keys";
  write_key_file(key_file, records);
  Library lib = library_reading_keys_from(key_file);

  DKIM_STAT status = DKIM_STAT_OK;
  const unsigned char id[] = "test";
  Handle dkim(dkim_verify(lib.get(), id, nullptr, &status));
  if (dkim == nullptr) throw std::runtime_error("opendkim_verify: dkim_verify failed");

  OpendkimVerdict verdict;
  // dkim_chunk() takes a non-const buffer.
  std::string bytes = message;
  status = dkim_chunk(dkim.get(), reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
  if (status == DKIM_STAT_OK) status = dkim_chunk(dkim.get(), nullptr, 0);
  if (status == DKIM_STAT_OK) status = dkim_eom(dkim.get(), nullptr);
  const char* result = dkim_getresultstr(status);
  verdict.status = result != nullptr ? result : "status " + std::to_string(status);
  if (const char* detail = dkim_geterror(dkim.get()); detail != nullptr && *detail != '\0') {
    verdict.status += std::string(": ") + detail;
  }

  DKIM_SIGINFO** sigs = nullptr;
  int count = 0;
  if (dkim_getsiglist(dkim.get(), &sigs, &count) == DKIM_STAT_OK) {
    for (int i = 0; i < count; ++i) verdict.signatures.push_back(describe(sigs[i]));
  }
  return verdict;
}

}  // namespace sm::testing
