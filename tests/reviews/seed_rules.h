#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/reviews/phrase_rules.h"

namespace aftersales::reviews::testing {

// The rules the seed migration inserts, read from its SQL, so the unit tests and the benchmark
// judge the very rule set a new database starts with.
absl::StatusOr<std::vector<PhraseRule>> LoadSeedRules(const std::string& sql_path);

}  // namespace aftersales::reviews::testing
