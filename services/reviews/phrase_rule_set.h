#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "common/mysql.h"
#include "services/reviews/phrase_filter.h"

namespace aftersales::reviews {

// The compiled rule set this replica screens with. Refresh() compares the database's newest
// version with the one in use and compiles the new set only when it changed, so a periodic
// call (every second) picks up an admin's edit on every replica within seconds, with no
// restart. Screening keeps using the old set while a new one compiles.
class PhraseRuleSet {
 public:
  explicit PhraseRuleSet(Database& db) : db_(db) {}

  // Loads the newest version when it differs from the current one.
  absl::Status Refresh();

  // Null until a Refresh succeeded (the desk then refuses to screen: UNAVAILABLE).
  std::shared_ptr<const PhraseFilter> Current() const;

  // Installs a set compiled elsewhere (by an edit on this replica).
  void Install(std::shared_ptr<const PhraseFilter> filter);

 private:
  Database& db_;
  mutable std::mutex mu_;
  std::shared_ptr<const PhraseFilter> current_;
  // A stored version that did not compile, reported once.
  std::atomic<int64_t> failed_version_{-1};
};

}  // namespace aftersales::reviews
