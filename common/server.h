#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/access.h"
#include "common/call_scope.h"
#include "common/executor.h"
#include "common/identity.h"
#include "common/identity_token.h"
#include "common/status.h"

namespace grpc {
class Service;
class ServerBuilder;
}

namespace aftersales {

// First thing in every server's main: blocks SIGTERM and SIGINT in this thread and every
// thread it starts afterwards, so that only the shutdown wait sees them; ignores SIGPIPE; names
// the program in the logs; and turns off Abseil's lock-order checking (Debian's Abseil is built
// with it on, a cost on every lock gRPC takes that is only worth paying in debug builds).
void StartServerProcess(absl::string_view program);

// Installs the interceptors every server runs (access check, access log) on a builder: for
// ServeUntilSignal, and for tests that build a server of their own.
absl::Status InstallServerInterceptors(grpc::ServerBuilder& builder,
                                       std::shared_ptr<const IdentitySigner> identity);

struct ServerOptions {
  std::string listen_address = "127.0.0.1:50051";
  // Shorter than the orchestrator's grace period (Kubernetes: 30 s).
  absl::Duration drain_timeout = absl::Seconds(20);
  // Polled for readiness: health reports SERVING only while this is OK (the database answers;
  // Database::CheckReachable, which a busy pool does not fail).
  std::function<absl::Status()> readiness_check;
  absl::Duration readiness_interval = absl::Seconds(5);
  // Checks every call's identity token (common/access.h). Required: a service believes no
  // caller on its word.
  std::shared_ptr<const IdentitySigner> identity;
  // After SIGTERM, how long to go on taking calls (reporting NOT_SERVING) before the drain:
  // the time Kubernetes takes to stop sending new calls to a terminating pod.
  absl::Duration shutdown_grace = absl::ZeroDuration();
  // GET /metrics (Prometheus) and /healthz over HTTP here; off when empty.
  std::string admin_listen;
};

// Serves the services with grpc.health.v1 health, server reflection, an access log and the
// access check of every call against its RPC's declaration (common/access.h), until
// SIGTERM or SIGINT; then reports NOT_SERVING, stops taking calls, lets those in flight finish
// (up to drain_timeout) and returns OK. The caller closes the pool after it returns.
// FAILED_PRECONDITION, before listening, when an RPC declares no access or no identity is set.
absl::Status ServeUntilSignal(const ServerOptions& options, const std::vector<grpc::Service*>& services);

// RESOURCE_EXHAUSTED, for a call refused because the service's queue for it is full.
grpc::Status AtCapacity();

// When the client cancelled the call or its deadline passed, the status to end it with
// (CANCELLED or DEADLINE_EXCEEDED): work still queued for it should not start. Under a burst a
// call can wait in a queue past the gateway's deadline; the client has its 504 by then, and a
// create that ran anyway would be one the client retries (without a key: a duplicate) or never
// learns of. nullopt while the call is live.
std::optional<grpc::Status> CallerGaveUp(grpc::CallbackServerContext& context);

// Marks the answer as the replay of an earlier call with the same idempotency key
// (kIdempotentReplayedHeader) when replayed is true. Call before the call finishes.
void MarkReplayed(grpc::CallbackServerContext& context, bool replayed);

// The call's deadline and request id (x-request-id), for ScopedCall around its work.
CallScope CallScopeOf(const grpc::CallbackServerContext& context);

// For a callback handler: runs work (which may block on SQL) on the executor, then finishes the
// call with the status it returns. A call the access interceptor refused ends at once with its
// refusal, and one no interceptor saw with UNAUTHENTICATED: every handler starts here, so none
// runs for a caller who may not call it. When the executor's queue is full the call ends at once with
// RESOURCE_EXHAUSTED; when the caller gave up while the work was queued (CallerGaveUp), the work
// never runs.
grpc::ServerUnaryReactor* RunOnExecutor(grpc::CallbackServerContext* context,
                                        BoundedExecutor& executor,
                                        std::function<absl::Status()> work);

// RunOnExecutor for calls that act for a caller: hands work the caller the interceptor verified.
grpc::ServerUnaryReactor* ServeAsCaller(grpc::CallbackServerContext* context,
                                        BoundedExecutor& executor,
                                        std::function<absl::Status(const Caller&)> work);

}  // namespace aftersales
