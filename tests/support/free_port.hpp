// A loopback port for a server a test starts.
#pragma once

namespace sm::testing {

// A port nothing listens on now. Another process could take it before the server binds it;
// on a test machine's loopback that is rare enough, and the start would fail loudly.
int free_loopback_port();

}  // namespace sm::testing
