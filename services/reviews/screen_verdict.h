#pragma once

#include "absl/status/status.h"
#include "aftersales/reviews/v1/reviews.pb.h"

namespace aftersales::reviews {

// The answer to a message the filter blocked: FAILED_PRECONDITION naming every finding (the
// phrase as written, where it stands, the rule it breaks, why, and a compliant way to say it),
// so the agent sees what to change without another call. One wording for the reviews service's
// own sends and for the tickets service's screened replies.
absl::Status BlockedMessage(const v1::ScreenMessageResponse& verdict);

}  // namespace aftersales::reviews
