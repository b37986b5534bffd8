#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/channel.h"

namespace aftersales::gateway {

// Where a backend listens: "tickets" at "127.0.0.1:50051".
struct BackendAddress {
  std::string name;
  std::string target;
};

// Parses the `backends` setting, "tickets=127.0.0.1:50051,returns=returns:50051". INVALID_ARGUMENT
// naming the entry that is not name=host:port, or a name given twice.
absl::StatusOr<std::vector<BackendAddress>> ParseBackendAddresses(absl::string_view spec);

// What every backend call carries as gRPC metadata. Empty values are not sent.
struct CallMetadata {
  // Who the call acts for, signed (common/identity_token.h).
  absl::string_view identity;
  absl::string_view request_id;
  absl::string_view idempotency_key;
  absl::string_view traceparent;
};

// What a backend answered.
struct BackendReply {
  grpc::Status status;
  grpc::ByteBuffer body;  // the response message, when OK
  // The answer replays the stored response of an earlier call with the same idempotency key.
  bool replayed = false;
};

// Cancels one backend call if it is still running; safe from any thread, before or after the
// call ends (then it does nothing).
class CallCancel {
 public:
  void Cancel();

 private:
  friend class Backend;
  std::mutex mu_;
  grpc::ClientContext* context_ = nullptr;  // null before the call starts and once it ended
  bool requested_ = false;                  // cancelled before it started: it starts cancelled
};

// Runs once per call, on a gRPC thread (or at once, on the caller's, when the gateway is shutting
// down).
using CallDone = absl::AnyInvocable<void(BackendReply) &&>;

// Calls in flight across all backends, so shutdown can cancel them and wait for their callbacks.
class CallsInFlight {
 public:
  // False once CancelAll ran: the call must not start (a request whose body arrived during
  // shutdown would otherwise outlive the threads and objects its callback needs).
  bool Add(grpc::ClientContext* call);
  void Remove(grpc::ClientContext* call);
  // Ends every call in flight with CANCELLED and refuses new ones.
  void CancelAll();
  // True once CancelAll ran: a CANCELLED call was cancelled by the gateway, not the client.
  bool cancelling() const;
  // False when calls are still in flight after the timeout.
  bool WaitIdle(absl::Duration timeout);

 private:
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::unordered_set<grpc::ClientContext*> calls_;
  bool cancelling_ = false;
};

// One backend: one channel, reused by every call, and a generic stub speaking raw bytes, so the
// gateway needs no generated stub of any service.
class Backend {
 public:
  // retryable: the methods the channel retries on UNAVAILABLE (GET-bound, hence idempotent).
  Backend(BackendAddress address, const std::vector<RetryableMethod>& retryable,
          absl::Duration timeout, CallsInFlight& in_flight);

  const std::string& name() const { return address_.name; }
  // Calls to this backend not answered yet, for /metrics.
  int calls_in_flight() const { return calls_now_.load(std::memory_order_relaxed); }
  const std::string& target() const { return address_.target; }

  // Starts a unary call without blocking; done runs exactly once. rpc_path,
  // "/aftersales.tickets.v1.TicketsService/GetTicket", must outlive the call.
  // cancel, when given, cancels it (a client that went away); its CANCELLED then reaches done.
  void Call(const std::string& rpc_path, grpc::ByteBuffer request, const CallMetadata& metadata,
            CallDone done, std::shared_ptr<CallCancel> cancel = nullptr);

  // Asks grpc.health.v1.Health/Check for the whole server (service ""); done(true) when the
  // answer is SERVING. Does not block.
  void CheckHealth(absl::Duration timeout, absl::AnyInvocable<void(bool serving) &&> done);

 private:
  // A failure gRPC's transport reported (no Aftersales service answered), as a person reads it.
  // client_cancelled: the HTTP client went away and the gateway cancelled the call itself.
  grpc::Status TransportFailure(const grpc::Status& status, const std::string& request_id,
                                bool client_cancelled) const;

  BackendAddress address_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  CallsInFlight& in_flight_;
  std::atomic<int> calls_now_{0};
};

}  // namespace aftersales::gateway
