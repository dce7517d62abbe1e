#include "support/source_dir.hpp"

#include <cstdlib>

namespace sm::testing {

std::string source_dir() {
  if (const char* dir = std::getenv("SMARTMESSAGES_SOURCE_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  return SM_TEST_SOURCE_DIR;
}

}  // namespace sm::testing
