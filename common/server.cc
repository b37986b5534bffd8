#include "common/server.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/access.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/metrics.h"

namespace aftersales {
namespace {

// Logs one line per finished call with its method, code, duration and the request id the
// gateway gave it.
class AccessLogInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit AccessLogInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find(kRequestIdHeader);
      if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      methods->GetSendTrailingMetadata()->emplace(kServedByHeader, LogProgram());
      const grpc::Status status = methods->GetSendStatus();
      ServerMetrics::Get().Handled(info_->method(), status.error_code(), absl::Now() - start_);
      LogFields fields = {{"method", info_->method()},
                          {"code", absl::StrCat(status.error_code())},
                          {"ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - start_))},
                          {"request_id", request_id_}};
      if (!status.ok()) fields.emplace_back("error", status.error_message());
      LogInfo("rpc", fields);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  absl::Time start_;
  std::string request_id_;
};

class AccessLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // Health probes arrive every few seconds; they would drown the log.
    if (absl::string_view(info->method()).find("grpc.health.v1") != absl::string_view::npos) {
      return nullptr;
    }
    return new AccessLogInterceptor(info);
  }
};

}  // namespace

void StartServerProcess(absl::string_view program) {
  SetLogProgram(program);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client vanishing mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

absl::Status InstallServerInterceptors(grpc::ServerBuilder& builder,
                                       std::shared_ptr<const IdentitySigner> identity) {
  if (identity == nullptr) {
    return absl::FailedPreconditionError(
        "no identity key: a service checks every caller's signed identity (--identity_key)");
  }
  absl::StatusOr<AccessTable> table = AccessTable::ForLinkedServices();
  if (!table.ok()) return table.status();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // The access log first, so that it logs refused calls too.
  interceptors.push_back(std::make_unique<AccessLogFactory>());
  interceptors.push_back(MakeAccessInterceptorFactory(
      std::make_shared<const AccessTable>(*std::move(table)), std::move(identity)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  return absl::OkStatus();
}

absl::Status ServeUntilSignal(const ServerOptions& options,
                              const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (absl::Status s = InstallServerInterceptors(builder, options.identity); !s.ok()) return s;
  std::unique_ptr<AdminHttpServer> admin;
  if (!options.admin_listen.empty()) {
    absl::StatusOr<std::unique_ptr<AdminHttpServer>> started =
        AdminHttpServer::Start(options.admin_listen);
    if (!started.ok()) return started.status();
    admin = *std::move(started);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, ": address in use or invalid"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  auto set_serving = [&](bool serving) {
    health->SetServingStatus(serving);  // every service name and ""
  };

  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable stop_cv;
  auto ready_now = [&] { return !options.readiness_check || options.readiness_check().ok(); };
  set_serving(ready_now());
  std::thread readiness([&] {
    std::unique_lock<std::mutex> lock(mu);
    bool last = true;
    while (!stop_cv.wait_for(lock, absl::ToChronoMilliseconds(options.readiness_interval),
                             [&] { return stopping.load(); })) {
      lock.unlock();
      const bool ready = ready_now();
      lock.lock();
      if (stopping) break;
      if (ready != last) {
        LogWarning(ready ? "ready again" : "not ready: database check failed");
        last = ready;
      }
      set_serving(ready);
    }
  });
  LogInfo("serving", {{"address", options.listen_address}});

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  LogInfo("shutting down: draining calls in flight",
          {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});

  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  stop_cv.notify_all();
  // NOT_SERVING to every watcher, and the readiness thread's later updates are ignored: it may be
  // stuck in a check against a database that stopped answering, and the drain must not wait for
  // that (its io timeout ends it; it is joined last).
  if (options.shutdown_grace > absl::ZeroDuration()) {
    // Still serving calls: the endpoints controller and every client's resolver hear of the
    // termination a few seconds late, and calls they send meanwhile must not meet a closed port.
    health->SetServingStatus(false);
    LogInfo("shutdown grace: still taking calls",
            {{"grace", absl::FormatDuration(options.shutdown_grace)}});
    absl::SleepFor(options.shutdown_grace);
  }
  health->Shutdown();
  server->Shutdown(absl::ToChronoTime(absl::Now() + options.drain_timeout));
  server->Wait();
  readiness.join();
  LogInfo("stopped");
  return absl::OkStatus();
}

grpc::Status AtCapacity() {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      "the service is at capacity; retry shortly");
}

std::optional<grpc::Status> CallerGaveUp(grpc::CallbackServerContext& context) {
  if (context.deadline() < std::chrono::system_clock::now()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the deadline passed before the work started; nothing was done");
  }
  if (context.IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "the caller cancelled before the work started; nothing was done");
  }
  return std::nullopt;
}

void MarkReplayed(grpc::CallbackServerContext& context, bool replayed) {
  if (replayed) context.AddInitialMetadata(kIdempotentReplayedHeader, "true");
}

CallScope CallScopeOf(const grpc::CallbackServerContext& context) {
  CallScope scope;
  const auto deadline = context.deadline();
  // gRPC's "no deadline" is the clock's maximum, past what absl::Time converts.
  if (deadline < std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    scope.deadline = absl::FromChrono(deadline);
  }
  scope.request_id = MetadataValue(context, kRequestIdHeader);
  return scope;
}

grpc::ServerUnaryReactor* ServeAsCaller(grpc::CallbackServerContext* context,
                                        BoundedExecutor& executor,
                                        std::function<absl::Status(const Caller&)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The interceptor's verdict, read once: a refused call ends here, before anything is queued.
  absl::StatusOr<Caller> caller = CallerFromContext(*context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  const bool queued = executor.TrySubmit(
      [context, reactor, caller = *std::move(caller), work = std::move(work)] {
        if (std::optional<grpc::Status> gave_up = CallerGaveUp(*context)) {
          return reactor->Finish(*std::move(gave_up));
        }
        absl::Status status;
        {
          const ScopedCall call(CallScopeOf(*context));
          status = work(caller);
        }
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued) reactor->Finish(AtCapacity());
  return reactor;
}

grpc::ServerUnaryReactor* RunOnExecutor(grpc::CallbackServerContext* context,
                                        BoundedExecutor& executor,
                                        std::function<absl::Status()> work) {
  return ServeAsCaller(context, executor,
                       [work = std::move(work)](const Caller&) { return work(); });
}

}  // namespace aftersales
