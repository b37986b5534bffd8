#pragma once

#include <boost/beast/http/fields.hpp>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/identity.h"
#include "gateway/api_key_cache.h"
#include "gateway/jwt_verifier.h"

namespace aftersales::gateway {

// Issuer and audience of development tokens (tools/dev token) when none are configured.
inline constexpr char kDevJwtIssuer[] = "aftersales-dev";
inline constexpr char kDevJwtAudience[] = "aftersales";

struct AuthOptions {
  // "jwt": people's bearer JWTs (RS256/ES256 against jwks_file) and API keys.
  // "development": also HS256 JWTs under dev_jwt_secret, and requests with no credentials act
  // as the development principal (X-Dev-Principal / X-Dev-Role / X-Dev-Stores override it).
  // Only on a loopback listen address: the gateway refuses to start otherwise.
  std::string mode = "jwt";
  std::string jwks_file;
  std::string jwt_issuer;
  std::string jwt_audience;
  absl::Duration jwt_clock_skew = absl::Seconds(60);
  std::string dev_jwt_secret;
  std::string dev_role = "admin";
  std::string dev_stores = "*";
  // Every address the gateway listens on, for the development-mode check.
  std::vector<std::string> listen_addresses;
};

// Why a request was refused, for the 401 and its WWW-Authenticate header (RFC 6750).
struct AuthRefusal {
  // Credentials were sent and are bad ("invalid_token"), or none were sent.
  bool credentials_sent = false;
  std::string message;
};

// Decides who each request acts as: a Caller the gateway then signs into the identity token
// every backend call carries. A person sends "Authorization: Bearer <JWT>"; automation sends
// its API key as "Authorization: Bearer ak_..." or "X-Api-Key: ak_...".
class Authenticator {
 public:
  // INVALID_ARGUMENT for an unknown mode, development mode on a non-loopback address, jwt mode
  // without issuer, audience or keys, a dev role that is not one.
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(const AuthOptions& options);

  // The caller, or why not: UNAUTHENTICATED, or UNAVAILABLE when API keys cannot be checked now.
  absl::StatusOr<Caller> Authenticate(const boost::beast::http::fields& headers,
                                      AuthRefusal& refusal) const;
  // The same from any carrier of headers (gRPC metadata): header(name) is the value of the
  // header named (in lower case: "authorization", "x-api-key", "x-dev-role"), empty if absent.
  using HeaderLookup = std::function<absl::string_view(absl::string_view lower_case_name)>;
  absl::StatusOr<Caller> Authenticate(const HeaderLookup& header, AuthRefusal& refusal) const;

  bool development() const { return options_.mode == "development"; }
  // "principal 'dev', role 'admin', stores '*'" for the start-up warning.
  std::string DescribeDevelopmentPrincipal() const;
  // Rereads the JWKS file when it changed (keys rotate without a restart).
  void RefreshKeys();
  // Where API keys are checked; without it API keys are refused. Must outlive this.
  void SetApiKeys(ApiKeyCache* api_keys) { api_keys_ = api_keys; }

 private:
  explicit Authenticator(const AuthOptions& options);
  absl::StatusOr<Caller> CheckApiKey(absl::string_view key) const;

  AuthOptions options_;
  JwtVerifier jwt_;
  std::unique_ptr<JwksFileWatcher> jwks_;
  ApiKeyCache* api_keys_ = nullptr;
};

// True for 1..max_length characters of printable ASCII, which any gRPC metadata value may hold.
bool IsPrintableAscii(absl::string_view value, size_t max_length);
// True when a listen address ("127.0.0.1:8080", "[::1]:8080", "localhost:8080") is loopback.
bool IsLoopbackAddress(absl::string_view listen);
// The WWW-Authenticate value of a 401.
std::string WwwAuthenticate(const AuthRefusal& refusal);

}  // namespace aftersales::gateway
