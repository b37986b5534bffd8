#include "gateway/grpc_front.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "gateway/api_handler.h"

namespace aftersales::gateway {
namespace {

// "/aftersales.tickets.v1.TicketsService/GetTicket" -> "tickets"; empty for anything else.
std::string BackendOf(absl::string_view method) {
  if (!absl::ConsumePrefix(&method, "/aftersales.")) return "";
  const size_t dot = method.find('.');
  return dot == absl::string_view::npos ? "" : std::string(method.substr(0, dot));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// One forwarded call: reads the request message, checks the caller, calls the backend and
// writes its answer. Unary only, as every Aftersales RPC is.
class GrpcFront::Forward : public grpc::ServerGenericBidiReactor {
 public:
  Forward(GrpcFront& front, grpc::GenericCallbackServerContext* ctx) : front_(front), ctx_(ctx) {
    request_id_ = MetadataValue(*ctx, kRequestIdHeader);
    if (!IsAcceptableRequestId(request_id_)) request_id_ = NewId("req");
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
    const std::string backend = BackendOf(ctx_->method());
    auto found = front_.backends_.find(backend);
    if (found == front_.backends_.end()) {
      return End(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat(ctx_->method(), " is not served here")));
    }
    AuthRefusal refusal;
    absl::StatusOr<Caller> caller = front_.authenticator_.Authenticate(
        [this](absl::string_view name) { return MetadataView(*ctx_, name); }, refusal);
    const RateLimit& limit = !caller.ok()                     ? front_.options_.unauthenticated_rate
                             : caller->role == Role::kService ? front_.options_.service_rate
                                                              : front_.options_.person_rate;
    const absl::Duration wait = front_.limiter_.Take(
        caller.ok() ? "p:" + caller->principal : "ip:" + ctx_->peer(), limit, absl::Now());
    if (wait > absl::ZeroDuration()) {
      ctx_->AddTrailingMetadata("retry-after", absl::StrCat(absl::ToInt64Seconds(
                                                   absl::Ceil(wait, absl::Seconds(1)))));
      return End(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("too many requests: at most ", limit.rate,
                                           " a second (bursts of ", limit.burst, ")")));
    }
    if (!caller.ok()) return End(ToGrpcStatus(caller.status()));
    identity_ = front_.identity_.Sign(*caller, absl::Now());
    idempotency_key_ = MetadataValue(*ctx_, kIdempotencyKeyHeader);
    traceparent_ = MetadataValue(*ctx_, "traceparent");
    const CallMetadata metadata{identity_, request_id_, idempotency_key_, traceparent_};
    // The handle exists before the call starts: its answer may end this reactor at once.
    std::shared_ptr<CallCancel> cancel;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancel_ = std::make_shared<CallCancel>();
      if (cancelled_) cancel_->Cancel();
      cancel = cancel_;
    }
    found->second->Call(
        ctx_->method(), std::move(request_), metadata, [this](BackendReply reply) {
      if (!reply.status.ok()) return End(reply.status);
      if (reply.replayed) ctx_->AddInitialMetadata(kIdempotentReplayedHeader, "true");
      response_ = std::move(reply.body);
      status_ = grpc::Status::OK;
      StartWriteAndFinish(&response_, grpc::WriteOptions(), status_);
    }, cancel);
  }

  // The client cancelled or went away: so does the backend call.
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (cancel_ != nullptr) cancel_->Cancel();
  }

  void OnDone() override {
    LogInfo("grpc", {{"method", ctx_->method()},
                     {"code", absl::StrCat(status_.error_code())},
                     {"ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - start_))},
                     {"request_id", request_id_}});
    delete this;
  }

 private:
  void End(grpc::Status status) {
    status_ = std::move(status);
    Finish(status_);
  }

  GrpcFront& front_;
  grpc::GenericCallbackServerContext* ctx_;
  absl::Time start_ = absl::Now();
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  std::string request_id_;
  std::string identity_;
  std::string idempotency_key_;
  std::string traceparent_;
  std::mutex mu_;
  std::shared_ptr<CallCancel> cancel_;
  bool cancelled_ = false;
};

GrpcFront::GrpcFront(std::map<std::string, Backend*> backends, const Authenticator& authenticator,
                     const IdentitySigner& identity, RateLimiter& limiter,
                     const GatewayOptions& options)
    : backends_(std::move(backends)),
      authenticator_(authenticator),
      identity_(identity),
      limiter_(limiter),
      options_(options) {}

absl::Status GrpcFront::Start() {
  class Service : public grpc::CallbackGenericService {
   public:
    explicit Service(GrpcFront& front) : front_(front) {}
    grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
      return new Forward(front_, ctx);
    }

   private:
    GrpcFront& front_;
  };
  service_ = std::make_unique<Service>(*this);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options_.grpc_tls_cert_file.empty()) {
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back(
        {ReadFile(options_.grpc_tls_key_file), ReadFile(options_.grpc_tls_cert_file)});
    if (tls.pem_key_cert_pairs[0].private_key.empty() ||
        tls.pem_key_cert_pairs[0].cert_chain.empty()) {
      return absl::InvalidArgumentError(
          "grpc_tls_cert_file / grpc_tls_key_file: cannot read the certificate or its key");
    }
    credentials = grpc::SslServerCredentials(tls);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.grpc_listen, credentials, &port_);
  builder.RegisterCallbackGenericService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", options_.grpc_listen));
  }
  LogInfo("serving gRPC", {{"listen", options_.grpc_listen},
                           {"port", absl::StrCat(port_)},
                           {"tls", options_.grpc_tls_cert_file.empty() ? "no" : "yes"}});
  return absl::OkStatus();
}

void GrpcFront::Shutdown(absl::Time deadline) {
  if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(deadline));
}

}  // namespace aftersales::gateway
