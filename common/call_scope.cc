#include "common/call_scope.h"

#include <utility>

namespace aftersales {
namespace {

CallScope& ThreadScope() {
  thread_local CallScope scope;
  return scope;
}

}  // namespace

const CallScope& CurrentCall() { return ThreadScope(); }

ScopedCall::ScopedCall(CallScope scope) : previous_(std::exchange(ThreadScope(), std::move(scope))) {}

ScopedCall::~ScopedCall() { ThreadScope() = std::move(previous_); }

}  // namespace aftersales
