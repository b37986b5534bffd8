#include "gateway/api_handler.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/log.h"
#include "gateway/http_status.h"
#include "google/api/httpbody.pb.h"
#include "gateway/openapi.h"

namespace aftersales::gateway {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxTraceparentLength = 128;

absl::string_view ToAbsl(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

bool IsAcceptableRequestId(absl::string_view id) {
  // A UUID, any version: 8-4-4-4-12 hex digits.
  if (id.size() == 36) {
    for (size_t i = 0; i < id.size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? id[i] != '-' : !absl::ascii_isxdigit(id[i])) return false;
    }
    return true;
  }
  // Ours (NewId("req")): "req_" and 26 Crockford base-32 characters.
  if (id.size() != 30 || !absl::StartsWith(id, "req_")) return false;
  for (const char c : id.substr(4)) {
    if (!absl::ascii_isdigit(c) && !(absl::ascii_isupper(c) && c != 'I' && c != 'L' &&
                                     c != 'O' && c != 'U')) {
      return false;
    }
  }
  return true;
}

namespace {

// A client's request id is kept when it is ours or a UUID: anything else could smuggle text
// into every log line and backend call; it is logged beside the new one instead.
std::string RequestIdFor(const HttpRequest& request) {
  const absl::string_view given = HeaderValue(request, "X-Request-Id");
  if (IsAcceptableRequestId(given)) return std::string(given);
  std::string id = NewId("req");
  if (!given.empty()) {
    LogInfo("client request id replaced",
            {{"request_id", id},
             {"client_request_id",
              std::string(given.substr(0, std::min<size_t>(given.size(), kMaxRequestIdLength)))}});
  }
  return id;
}

}  // namespace

// One request on its way through the gateway: what the access log and the response need.
struct ApiHandler::Exchange {
  absl::Time start;
  unsigned version = 11;
  std::string method;
  std::string path;
  std::string request_id;
  // The signed identity the backend call carries.
  std::string identity;
  // The request's Origin when it is an allowed browser origin: the response says so (CORS).
  std::string cors_origin;
  int series = 0;
  // Set once a backend answered.
  absl::string_view grpc_code;
};

// What a client may read of a backend's error. The codes that mean "a bug or an outage on our
// side" carry database and library text (a column name, "vector::_M_range_check") that helps an
// attacker more than a user: the client gets the request id to quote instead, the log keeps the
// text.
std::string ApiHandler::PublicMessage(const Exchange& x, const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  if (code != grpc::StatusCode::INTERNAL && code != grpc::StatusCode::UNKNOWN &&
      code != grpc::StatusCode::DATA_LOSS) {
    return status.error_message();
  }
  LogError("backend failed",
           {{"request_id", x.request_id}, {"grpc_code", std::string(GrpcCodeName(code))},
            {"error", status.error_message()}});
  return absl::StrCat("internal error; the request id ", x.request_id,
                      " finds the details in the service logs");
}

ApiHandler::ApiHandler(const ApiRoutes& api, std::vector<Backend*> backends,
                       const BackendHealth& health, const Authenticator& authenticator,
                       const IdentitySigner& identity, const GatewayOptions& options)
    : api_(api),
      backends_(std::move(backends)),
      health_(health),
      authenticator_(authenticator),
      identity_(identity),
      options_(options) {
  for (const ApiRoute& route : api_.routes) {
    route_series_.push_back(metrics_.AddRoute(route.http_method, route.path_template));
  }
  healthz_series_ = metrics_.AddRoute("GET", "/healthz");
  readyz_series_ = metrics_.AddRoute("GET", "/readyz");
  metrics_series_ = metrics_.AddRoute("GET", "/metrics");
  openapi_series_ = metrics_.AddRoute("GET", "/openapi.json");
  openapi_json_ = OpenApiDocument(api_, "Aftersales API", "v1");
}

HttpResponse ApiHandler::Json(const Exchange& exchange, int http_status, std::string body) const {
  HttpResponse response(static_cast<http::status>(http_status), exchange.version);
  response.set(http::field::content_type, "application/json");
  response.set("X-Request-Id", exchange.request_id);
  response.body() = std::move(body);
  return response;
}

std::optional<HttpResponse> ApiHandler::RateLimited(const Exchange& exchange,
                                                    const std::string& key,
                                                    const RateLimit& limit) {
  const absl::Duration wait = limiter_.Take(key, limit, absl::Now());
  if (wait <= absl::ZeroDuration()) return std::nullopt;
  const int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
  HttpResponse response = Error(
      exchange, 429, grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("too many requests: at most ", limit.rate, " a second (bursts of ", limit.burst,
                   "); retry in ", seconds, " s"));
  response.set(http::field::retry_after, absl::StrCat(seconds));
  return response;
}

std::string ApiHandler::MetricsText() const {
  std::string out = metrics_.Prometheus();
  absl::StrAppend(&out,
                  "# HELP gateway_backend_calls_in_flight Backend calls not answered yet\n"
                  "# TYPE gateway_backend_calls_in_flight gauge\n");
  std::vector<const Backend*> seen;
  for (const Backend* b : backends_) {
    if (std::find(seen.begin(), seen.end(), b) != seen.end()) continue;
    seen.push_back(b);
    absl::StrAppend(&out, "gateway_backend_calls_in_flight{backend=\"", b->name(), "\"} ",
                    b->calls_in_flight(), "\n");
  }
  absl::StrAppend(&out,
                  "# HELP gateway_rate_limited_total Requests refused with 429 past a rate limit "
                  "(HTTP and gRPC)\n# TYPE gateway_rate_limited_total counter\n"
                  "gateway_rate_limited_total ",
                  limiter_.refused(), "\n");
  return out;
}

HttpResponse ApiHandler::Error(const Exchange& exchange, int http_status, grpc::StatusCode code,
                               absl::string_view message) const {
  return Json(exchange, http_status, ErrorBody(code, message));
}

void ApiHandler::Record(const Exchange& exchange, int http_status, absl::string_view error) {
  metrics_.Count(exchange.series, http_status);
  LogFields fields = {
      {"method", exchange.method},
      {"path", exchange.path},
      {"status", absl::StrCat(http_status)},
      {"ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - exchange.start))},
      {"request_id", exchange.request_id},
      {"grpc_code", std::string(exchange.grpc_code)}};
  if (!error.empty()) fields.emplace_back("error", std::string(error));
  LogInfo("http", fields);
}

void ApiHandler::Finish(const Exchange& exchange, HttpResponse response,
                        const HttpResponder& responder) {
  if (!exchange.cors_origin.empty()) {
    response.set(http::field::access_control_allow_origin, exchange.cors_origin);
    response.set(http::field::vary, "Origin");
    response.set(http::field::access_control_expose_headers,
                 "Idempotent-Replayed, X-Request-Id, Retry-After");
  }
  Record(exchange, static_cast<int>(response.result_int()), "");
  responder.Send(std::move(response));
}

void ApiHandler::Handle(const HttpRequest& request, HttpResponder responder) {
  Exchange x;
  x.start = absl::Now();
  x.version = request.version();
  x.method = std::string(ToAbsl(request.method_string()));
  const absl::string_view target = ToAbsl(request.target());
  const size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query =
      question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);
  x.path = std::string(path);
  x.request_id = RequestIdFor(request);

  // Browsers: CORS for the configured origins only. A preflight is answered here, whatever the
  // path; the real request then carries its credentials as any other.
  const absl::string_view origin = HeaderValue(request, "Origin");
  if (!origin.empty() && std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                   origin) != options_.cors_origins.end()) {
    x.cors_origin = std::string(origin);
  }
  if (x.method == "OPTIONS" && !HeaderValue(request, "Access-Control-Request-Method").empty()) {
    x.series = metrics_.Unmatched(x.method);
    if (x.cors_origin.empty()) {
      return Finish(x,
                    Error(x, 403, grpc::StatusCode::PERMISSION_DENIED,
                          absl::StrCat("the origin '", origin.substr(0, 200),
                                       "' may not call this API from a browser")),
                    responder);
    }
    HttpResponse response(http::status::no_content, x.version);
    response.set("X-Request-Id", x.request_id);
    response.set(http::field::access_control_allow_methods, "GET, POST, PUT, PATCH, DELETE");
    response.set(http::field::access_control_allow_headers,
                 "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Api-Key");
    response.set(http::field::access_control_max_age, "600");
    return Finish(x, std::move(response), responder);
  }

  // Built-in endpoints answer GET only.
  int builtin = -1;
  if (path == "/healthz") builtin = healthz_series_;
  if (path == "/readyz") builtin = readyz_series_;
  // On an admin port when there is one: request counts are nothing for the internet to read.
  if (path == "/metrics" && public_metrics_) builtin = metrics_series_;
  if (path == "/openapi.json") builtin = openapi_series_;
  if (builtin >= 0) {
    x.series = builtin;
    if (x.method != "GET") {
      HttpResponse response = Error(x, 405, grpc::StatusCode::UNIMPLEMENTED,
                                    absl::StrCat(x.method, " is not allowed on ", path,
                                                 "; allowed: GET"));
      response.set(http::field::allow, "GET");
      return Finish(x, std::move(response), responder);
    }
    if (builtin == healthz_series_) {
      return Finish(x, Json(x, 200, "{\"status\":\"ok\"}"), responder);
    }
    if (builtin == readyz_series_) {
      // Whether this gateway can serve, not whether every backend is up: one service down makes
      // its own routes answer 503, and must not take the pod (and every other route) out of
      // the load balancer. The backends that are down are named, for people and `tools/dev up`.
      if (draining_) {
        return Finish(x, Error(x, 503, grpc::StatusCode::UNAVAILABLE, "shutting down"), responder);
      }
      std::vector<std::string> quoted;
      for (const std::string& name : health_.NotServing()) quoted.push_back(JsonQuote(name));
      return Finish(x,
                    Json(x, 200,
                         absl::StrCat("{\"status\":\"ready\",\"backends_not_serving\":[",
                                      absl::StrJoin(quoted, ","), "]}")),
                    responder);
    }
    if (builtin == openapi_series_) return Finish(x, Json(x, 200, openapi_json_), responder);
    HttpResponse response = Json(x, 200, MetricsText());
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    return Finish(x, std::move(response), responder);
  }

  const RouteMatch match = api_.table.Match(x.method, path);
  if (match.outcome == RouteMatch::Outcome::kNotFound) {
    x.series = metrics_.Unmatched(x.method);
    return Finish(x,
                  Error(x, 404, grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no route for ", x.method, " ", path,
                                     match.known_verbs.empty()
                                         ? ""
                                         : absl::StrCat("; this path takes ", match.known_verbs))),
                  responder);
  }
  if (match.outcome == RouteMatch::Outcome::kMethodNotAllowed) {
    x.series = metrics_.Unmatched(x.method);
    HttpResponse response =
        Error(x, 405, grpc::StatusCode::UNIMPLEMENTED,
              absl::StrCat(x.method, " is not allowed on ", path, "; allowed: ", match.allowed));
    response.set(http::field::allow, match.allowed);
    return Finish(x, std::move(response), responder);
  }
  x.series = route_series_[match.route];
  CallBackend(request, std::move(x), match, query, std::move(responder));
}

void ApiHandler::CallBackend(const HttpRequest& request, Exchange x, const RouteMatch& match,
                             absl::string_view query, HttpResponder responder) {
  const ApiRoute& route = api_.routes[match.route];
  // A browser sends a JSON body as text/plain to skip the preflight (a "simple" request); such
  // a request is refused unread, so no page can post to the API behind the user's back.
  if (!HeaderValue(request, "Origin").empty() && !request.body().empty() &&
      !absl::StartsWith(absl::AsciiStrToLower(HeaderValue(request, "Content-Type")),
                        "application/json")) {
    return Finish(x,
                  Error(x, 415, grpc::StatusCode::INVALID_ARGUMENT,
                        "a body from a browser must be sent as Content-Type: application/json"),
                  responder);
  }
  AuthRefusal refusal;
  absl::StatusOr<Caller> caller = authenticator_.Authenticate(request, refusal);
  // Per principal when the caller is known; per client IP when not, so that guessing tokens or
  // keys is slow.
  const RateLimit& limit = !caller.ok()                     ? options_.unauthenticated_rate
                           : caller->role == Role::kService ? options_.service_rate
                                                            : options_.person_rate;
  if (std::optional<HttpResponse> limited = RateLimited(
          x, caller.ok() ? "p:" + caller->principal : "ip:" + responder.remote_address(), limit)) {
    return Finish(x, *std::move(limited), responder);
  }
  if (absl::IsUnavailable(caller.status())) {
    HttpResponse response = Error(x, 503, grpc::StatusCode::UNAVAILABLE, caller.status().message());
    response.set(http::field::retry_after, "5");
    return Finish(x, std::move(response), responder);
  }
  if (!caller.ok()) {
    HttpResponse response =
        Error(x, 401, grpc::StatusCode::UNAUTHENTICATED, caller.status().message());
    response.set(http::field::www_authenticate, WwwAuthenticate(refusal));
    return Finish(x, std::move(response), responder);
  }
  x.identity = identity_.Sign(*caller, absl::Now());
  const absl::string_view idempotency_key = HeaderValue(request, "Idempotency-Key");
  // The services' own rule, so that the gateway never passes on a key they refuse.
  if (absl::Status s = ValidateIdempotencyKey(idempotency_key);
      !idempotency_key.empty() && !s.ok()) {
    return Finish(x, Error(x, 400, grpc::StatusCode::INVALID_ARGUMENT, s.message()), responder);
  }
  absl::string_view traceparent = HeaderValue(request, "traceparent");
  // A malformed trace context is dropped, not an error: tracing must never fail a request.
  if (!IsPrintableAscii(traceparent, kMaxTraceparentLength)) traceparent = {};

  absl::StatusOr<std::string> bytes =
      route.transcoder.BuildRequest(request.body(), match.values, query);
  if (!bytes.ok()) {
    return Finish(x, Error(x, 400, grpc::StatusCode::INVALID_ARGUMENT, bytes.status().message()),
                  responder);
  }
  grpc::Slice slice(*bytes);
  // On the heap, so that the metadata's view of the request id survives moving it into the
  // callback.
  auto exchange = std::make_unique<Exchange>(std::move(x));
  const CallMetadata metadata{exchange->identity, exchange->request_id, idempotency_key,
                              traceparent};
  auto cancel = std::make_shared<CallCancel>();
  backends_[match.route]->Call(
      route.rpc_path, grpc::ByteBuffer(&slice, 1), metadata,
      [this, &route, exchange = std::move(exchange), responder](BackendReply answer) mutable {
        // Printing JSON is the gateway's work: do it on the connection's thread, not gRPC's.
        boost::asio::post(
            responder.executor(),
            [this, &route, exchange = std::move(exchange), responder,
             answer = std::move(answer)]() mutable {
              const grpc::Status& status = answer.status;
              grpc::ByteBuffer& reply = answer.body;
              Exchange& x = *exchange;
              x.grpc_code = GrpcCodeName(status.error_code());
              if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
                // The caller was authenticated here; a service refusing the identity the
                // gateway signed is a deployment fault (keys that differ, clocks apart), not
                // the client's: a 401 would send people to log in again for nothing.
                return Finish(x,
                              Error(x, 500, grpc::StatusCode::INTERNAL,
                                    PublicMessage(x, grpc::Status(
                                                         grpc::StatusCode::INTERNAL,
                                                         absl::StrCat("the service refused the "
                                                                      "gateway's identity: ",
                                                                      status.error_message())))),
                              responder);
              }
              if (!status.ok()) {
                return Finish(x,
                              Error(x, HttpStatusFromGrpcCode(status.error_code()),
                                    status.error_code(), PublicMessage(x, status)),
                              responder);
              }
              if (route.transcoder.response_type().full_name() == "google.api.HttpBody") {
                // A document (a PDF, a page): its bytes as they are, with its own type.
                google::api::HttpBody document;
                grpc::ProtoBufferReader reader(&reply);
                if (!reply.Valid() || !document.ParseFromZeroCopyStream(&reader) ||
                    document.content_type().empty()) {
                  return Finish(x,
                                Error(x, 500, grpc::StatusCode::INTERNAL,
                                      PublicMessage(x, grpc::Status(grpc::StatusCode::INTERNAL,
                                                                    "the backend's document is unreadable"))),
                                responder);
                }
                HttpResponse response(http::status::ok, x.version);
                response.set(http::field::content_type, document.content_type());
                response.set("X-Request-Id", x.request_id);
                response.body() = std::move(*document.mutable_data());
                return Finish(x, std::move(response), responder);
              }
              std::string json;
              absl::Status printed = absl::InternalError("the backend sent no reply");
              if (reply.Valid()) {
                grpc::ProtoBufferReader reader(&reply);
                printed = route.transcoder.ResponseToJson(reader, json);
              }
              if (!printed.ok()) {
                return Finish(x,
                              Error(x, 500, grpc::StatusCode::INTERNAL,
                                    PublicMessage(x, grpc::Status(grpc::StatusCode::INTERNAL,
                                                                  absl::StrCat(
                                                                      "cannot print the reply: ",
                                                                      printed.message())))),
                              responder);
              }
              HttpResponse response = Json(x, 200, std::move(json));
              // As Stripe says it: the answer of the first call with this key, nothing done now.
              if (answer.replayed) response.set("Idempotent-Replayed", "true");
              Finish(x, std::move(response), responder);
            });
      },
      cancel);
  // A client that hangs up stops its backend call: nothing will read the answer.
  responder.OnClientGone([cancel] { cancel->Cancel(); });
}

HttpResponse ApiHandler::Reject(const HttpRequest& request, http::status status,
                                absl::string_view why) {
  Exchange x;
  x.start = absl::Now();
  x.version = request.version() == 0 ? 11 : request.version();
  x.method = std::string(ToAbsl(request.method_string()));
  x.path = std::string(ToAbsl(request.target()).substr(0, ToAbsl(request.target()).find('?')));
  x.request_id = RequestIdFor(request);
  x.series = metrics_.Unmatched(x.method);
  Record(x, static_cast<int>(status), why);
  // Too large is what gRPC calls RESOURCE_EXHAUSTED (its answer to an oversize message).
  const bool too_large = status == http::status::payload_too_large ||
                         status == http::status::request_header_fields_too_large;
  if (status == http::status::service_unavailable) {
    HttpResponse response = Error(x, 503, grpc::StatusCode::UNAVAILABLE, why);
    response.set(http::field::retry_after, "1");
    return response;
  }
  return Error(x, static_cast<int>(status),
               too_large ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT,
               why);
}

}  // namespace aftersales::gateway
