#include "services/reviews/screen_verdict.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace aftersales::reviews {

absl::Status BlockedMessage(const v1::ScreenMessageResponse& verdict) {
  std::vector<std::string> parts;
  for (const v1::Finding& f : verdict.findings()) {
    parts.push_back(absl::StrCat("\"", f.text(), "\" at ", f.start(), "-", f.end(), " breaks ",
                                 v1::PhraseCategory_Name(f.category()), " (", f.rule_id(), "): ", f.explanation(),
                                 " Instead: ", f.suggestion()));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the message was not sent: the marketplace forbids it; ", absl::StrJoin(parts, "; ")));
}

}  // namespace aftersales::reviews
