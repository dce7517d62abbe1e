// Where the source tree is, for tests that run its scripts (SMTP capture, MIME checks).
#pragma once

#include <string>

namespace sm::testing {

// The source tree this test program was configured from. It is compiled in rather than taken
// from __FILE__, which ccache's base_dir rewriting makes relative to the build directory.
std::string source_dir();

}  // namespace sm::testing
