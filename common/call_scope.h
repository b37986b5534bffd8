#pragma once

#include <string>

#include "absl/time/time.h"

namespace aftersales {

// What the code below a handler knows of the call it works for: when the caller stops waiting
// and the request id the gateway gave it. The database layer reads it to stop retrying a
// transaction nobody waits for, to bound lock waits below the deadline, and to tie its error
// log lines to the request.
struct CallScope {
  absl::Time deadline = absl::InfiniteFuture();
  std::string request_id;
};

// The scope of the work running on this thread; a default one (no deadline, no id) outside any.
const CallScope& CurrentCall();

// Makes `scope` the current one on this thread until destroyed, then restores the one before.
class ScopedCall {
 public:
  explicit ScopedCall(CallScope scope);
  ~ScopedCall();
  ScopedCall(const ScopedCall&) = delete;
  ScopedCall& operator=(const ScopedCall&) = delete;

 private:
  CallScope previous_;
};

}  // namespace aftersales
