#include "gateway/backends.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/identity.h"
#include "common/log.h"

namespace aftersales::gateway {
namespace {

// Health/Check is served by every backend (common/server.h) but Debian ships no health.proto, so
// the request and reply are spelled out as bytes: HealthCheckRequest{service: ""} encodes to
// nothing, and HealthCheckResponse{status: SERVING} to field 1, varint 1.
const std::string kHealthCheckPath = "/grpc.health.v1.Health/Check";
constexpr absl::string_view kServingReply("\x08\x01", 2);

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// One call's state, alive from the start of the call until its callback ran. (gRPC takes the
// callback as a copyable std::function, so the move-only `done` waits here.)
template <typename Done>
struct PendingCall {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  Done done;
  std::string request_id;
};

// gRPC's default limit on a message the gateway receives.
constexpr int kMaxReceiveBytes = 4 * 1024 * 1024;

// For a call refused because the drain is over, and for one cancelled then (which the backend may
// or may not have carried out): either way a retry with the same Idempotency-Key is safe.
grpc::Status ShuttingDown() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the gateway is shutting down; retry the request (with the same "
                      "Idempotency-Key if it had one)");
}

}  // namespace

absl::StatusOr<std::vector<BackendAddress>> ParseBackendAddresses(absl::string_view spec) {
  std::vector<BackendAddress> out;
  for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    const size_t eq = entry.find('=');
    const absl::string_view name = eq == absl::string_view::npos ? "" : entry.substr(0, eq);
    const absl::string_view target = eq == absl::string_view::npos ? "" : entry.substr(eq + 1);
    if (name.empty() || target.empty() || target.find(':') == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "backends: '", entry, "' is not name=host:port (e.g. tickets=127.0.0.1:50051)"));
    }
    const bool duplicate = std::any_of(out.begin(), out.end(),
                                       [&](const BackendAddress& b) { return b.name == name; });
    if (duplicate) {
      return absl::InvalidArgumentError(absl::StrCat("backends: '", name, "' is given twice"));
    }
    out.push_back({std::string(name), std::string(target)});
  }
  return out;
}

bool CallsInFlight::Add(grpc::ClientContext* call) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelling_) return false;
  calls_.insert(call);
  return true;
}

bool CallsInFlight::cancelling() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelling_;
}

void CallsInFlight::Remove(grpc::ClientContext* call) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.erase(call);
  if (calls_.empty()) idle_.notify_all();
}

void CallsInFlight::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelling_ = true;
  for (grpc::ClientContext* call : calls_) call->TryCancel();
}

bool CallsInFlight::WaitIdle(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [&] { return calls_.empty(); });
}

Backend::Backend(BackendAddress address, const std::vector<RetryableMethod>& retryable,
                 absl::Duration timeout, CallsInFlight& in_flight)
    : address_(std::move(address)),
      timeout_(timeout),
      channel_(MakeChannel(address_.target, retryable)),
      stub_(channel_),
      in_flight_(in_flight) {}

void CallCancel::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  requested_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

void Backend::Call(const std::string& rpc_path, grpc::ByteBuffer request,
                   const CallMetadata& metadata, CallDone done, std::shared_ptr<CallCancel> cancel) {
  if (cancel == nullptr) cancel = std::make_shared<CallCancel>();
  auto* call = new PendingCall<CallDone>{};
  call->request = std::move(request);
  call->done = std::move(done);
  call->request_id = std::string(metadata.request_id);
  PrepareClientContext(call->context, timeout_, metadata.identity, metadata.request_id);
  if (!metadata.idempotency_key.empty()) {
    call->context.AddMetadata(kIdempotencyKeyHeader, std::string(metadata.idempotency_key));
  }
  if (!metadata.traceparent.empty()) {
    call->context.AddMetadata("traceparent", std::string(metadata.traceparent));
  }
  if (!in_flight_.Add(&call->context)) {
    const std::unique_ptr<PendingCall<CallDone>> refused(call);
    std::move(refused->done)(BackendReply{ShuttingDown(), {}, false});
    return;
  }
  calls_now_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(cancel->mu_);
    cancel->context_ = &call->context;
    // gRPC cancels a call whose context was cancelled before it started, as soon as it starts.
    if (cancel->requested_) call->context.TryCancel();
  }
  stub_.UnaryCall(&call->context, rpc_path, grpc::StubOptions(), &call->request, &call->response,
                  [this, call, cancel](grpc::Status status) {
                    bool client_cancelled = false;
                    {
                      std::lock_guard<std::mutex> lock(cancel->mu_);
                      cancel->context_ = nullptr;
                      client_cancelled = cancel->requested_;
                    }
                    calls_now_.fetch_sub(1, std::memory_order_relaxed);
                    const std::unique_ptr<PendingCall<CallDone>> finished(call);
                    if (status.error_code() == grpc::StatusCode::CANCELLED &&
                        in_flight_.cancelling()) {
                      // Our cancel, at the end of the drain: the client may retry elsewhere.
                      status = ShuttingDown();
                    }
                    const auto& trailing = finished->context.GetServerTrailingMetadata();
                    if (!status.ok() && trailing.find(kServedByHeader) == trailing.end() &&
                        !in_flight_.cancelling()) {
                      status = TransportFailure(status, finished->request_id, client_cancelled);
                    }
                    const auto& initial = finished->context.GetServerInitialMetadata();
                    const auto marked = initial.find(kIdempotentReplayedHeader);
                    const bool replayed = marked != initial.end() && marked->second == "true";
                    std::move(finished->done)(
                        BackendReply{std::move(status), std::move(finished->response), replayed});
                    // Only now: shutdown waits for this before it tears down what done touched.
                    in_flight_.Remove(&finished->context);
                  });
}

grpc::Status Backend::TransportFailure(const grpc::Status& status, const std::string& request_id,
                                      bool client_cancelled) const {
  // gRPC's own text ("failed to connect to all addresses; ... ipv4:10.0.3.7:50051") names
  // addresses and libraries: the log keeps it, the client gets what it can act on.
  LogWarning("backend call failed in transport",
             {{"backend", address_.name},
              {"request_id", request_id},
              {"grpc_code", absl::StrCat(status.error_code())},
              {"error", status.error_message()}});
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("the ", address_.name,
                                       " service cannot be reached right now; retry shortly"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return grpc::Status(
          grpc::StatusCode::DEADLINE_EXCEEDED,
          absl::StrCat("the ", address_.name, " service did not answer within ",
                       absl::FormatDuration(timeout_),
                       "; it may have done the work: retry with the same Idempotency-Key"));
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      // The answer outgrew what the gateway takes in: retrying gets the same, so not a 429.
      return grpc::Status(
          grpc::StatusCode::INTERNAL,
          absl::StrCat("the ", address_.name, " service's answer is larger than the gateway's ",
                       kMaxReceiveBytes / (1024 * 1024),
                       " MiB receive limit; ask for less (a smaller page_size)"));
    case grpc::StatusCode::CANCELLED:
      if (client_cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled");
      // Not the client's doing: the service's process died or dropped the stream mid-call
      // (gRPC reports a killed server as CANCELLED as well as UNAVAILABLE). Retryable.
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          absl::StrCat("the ", address_.name,
                                       " service dropped the call; it may have done the work: "
                                       "retry with the same Idempotency-Key"));
    default:
      return grpc::Status(status.error_code(),
                          absl::StrCat("the call to the ", address_.name,
                                       " service failed; the request id finds the details in "
                                       "the gateway's log"));
  }
}

void Backend::CheckHealth(absl::Duration timeout, absl::AnyInvocable<void(bool) &&> done) {
  auto* call = new PendingCall<absl::AnyInvocable<void(bool) &&>>{};
  call->done = std::move(done);
  grpc::Slice empty("", 0);
  call->request = grpc::ByteBuffer(&empty, 1);
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  stub_.UnaryCall(
      &call->context, kHealthCheckPath, grpc::StubOptions(), &call->request, &call->response,
      [call](grpc::Status status) {
        const std::unique_ptr<PendingCall<absl::AnyInvocable<void(bool) &&>>> finished(call);
        std::move(finished->done)(status.ok() && Flatten(finished->response) == kServingReply);
      });
}

}  // namespace aftersales::gateway
