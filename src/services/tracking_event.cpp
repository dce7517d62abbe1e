#include "services/tracking_event.hpp"

#include <array>

#include "core/text.hpp"

namespace sm::services {
namespace {

// Substrings of the user agents that machines announce themselves with.
constexpr std::array<std::string_view, 6> kMachineMarks = {
    "GoogleImageProxy", "YahooMailProxy", "BingPreview", "Barracuda", "Mimecast", "Proofpoint",
};

// Apple's proxy hides the reader's mail client behind this bare product token.
constexpr std::string_view kApplePrivacyProxy = "Mozilla/5.0";

}  // namespace

bool is_machine_user_agent(std::string_view user_agent) {
  user_agent = trim_whitespace(user_agent);
  if (user_agent.empty() || user_agent == kApplePrivacyProxy) return true;
  for (std::string_view mark : kMachineMarks) {
    if (user_agent.find(mark) != std::string_view::npos) return true;
  }
  return false;
}

TrackingEvent classify_event(const TrackingTarget& target, Millis now, bool do_not_track,
                             std::string_view user_agent) {
  return TrackingEvent{target, now, do_not_track, is_machine_user_agent(user_agent)};
}

}  // namespace sm::services
