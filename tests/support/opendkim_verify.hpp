// A second DKIM verifier for tests, independent of python3-dkim (tests/support/dkim_verify.py):
// libopendkim, the library inside the opendkim milter that many receiving servers run. The
// public keys are the TXT records a domain would publish, given by name; libopendkim reads
// them from a file (its DKIM_QUERY_FILE method) instead of DNS, so nothing is looked up.
//
// Thread-safe: every call has its own library handle and key file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sm::testing {

struct OpendkimSignature {
  std::string algorithm;  // the a= tag: "ed25519-sha256", "rsa-sha256"
  std::string domain;     // d=
  std::string selector;   // s=
  // The header signature checked out with the published key and the body hash matched.
  bool verified = false;
  std::string error;  // why not, in libopendkim's words; empty when verified
};

struct OpendkimVerdict {
  std::string status;  // libopendkim's overall result ("Success", "Bad signature", ...)
  std::vector<OpendkimSignature> signatures;  // in the order of the fields in the message

  // At least one signature, and every one verified.
  bool all_verified() const;

  // One line per signature, "<index> pass|fail a=<algorithm> d=<domain> s=<selector>" as
  // dkim_verify.py prints them (a failure adds its error), after a line with the status.
  std::string summary() const;
};

// Verifies every DKIM-Signature field of `message`, a whole message with CRLF line ends.
// `records` maps record names ("sel._domainkey.example.org") to TXT values
// ("v=DKIM1; k=rsa; p=..."); a signature whose record is not there fails for want of a key.
OpendkimVerdict opendkim_verify(const std::string& message, const nlohmann::json& records);

}  // namespace sm::testing
