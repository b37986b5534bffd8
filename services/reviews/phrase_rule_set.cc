#include "services/reviews/phrase_rule_set.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "services/reviews/review_store.h"

namespace aftersales::reviews {

absl::Status PhraseRuleSet::Refresh() {
  absl::StatusOr<int64_t> newest =
      db_.InTransaction<int64_t>([](Transaction& tx) { return store::CurrentRuleVersion(tx); });
  if (!newest.ok()) return newest.status();
  if (*newest == 0) return absl::FailedPreconditionError("the database holds no phrase rules (migration 0002 seeds them)");
  const std::shared_ptr<const PhraseFilter> current = Current();
  if (current != nullptr && current->version() == *newest) return absl::OkStatus();
  if (failed_version_.load() == *newest) return absl::OkStatus();  // said once already
  absl::StatusOr<store::RuleSet> set =
      db_.InTransaction<store::RuleSet>([&](Transaction& tx) { return store::ReadRuleSet(tx, *newest); });
  if (!set.ok()) return set.status();
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> compiled = PhraseFilter::Compile(set->rules, set->version);
  if (!compiled.ok()) {
    // Edits are compiled before they are stored, so this is a set written around the API: keep
    // screening with the set in use rather than with none, and do not compile it every second.
    failed_version_ = set->version;
    return absl::InternalError(
        absl::StrCat("phrase rules version ", set->version, " do not compile: ", compiled.status().message()));
  }
  LogInfo("phrase rules loaded", {{"version", absl::StrCat(set->version)}, {"rules", absl::StrCat(set->rules.size())}});
  Install(*std::move(compiled));
  return absl::OkStatus();
}

std::shared_ptr<const PhraseFilter> PhraseRuleSet::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void PhraseRuleSet::Install(std::shared_ptr<const PhraseFilter> filter) {
  std::lock_guard<std::mutex> lock(mu_);
  // Never step back: a slow refresh must not replace a newer set an edit installed.
  if (current_ == nullptr || filter->version() > current_->version()) current_ = std::move(filter);
}

}  // namespace aftersales::reviews
