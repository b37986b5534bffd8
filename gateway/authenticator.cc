#include "gateway/authenticator.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gateway/http_server.h"
#include "common/api_keys.h"

namespace aftersales::gateway {
namespace {

namespace http = boost::beast::http;

constexpr absl::string_view kDevelopmentMode = "development";
constexpr absl::string_view kJwtMode = "jwt";
constexpr size_t kMaxPrincipalLength = 128;
constexpr size_t kMaxStoresLength = 4096;

absl::Status CheckStores(absl::string_view stores) {
  if (!IsPrintableAscii(stores, kMaxStoresLength) || stores.find(' ') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "stores must be '*' or comma-separated store ids without spaces");
  }
  return absl::OkStatus();
}

void SetStores(absl::string_view stores, Caller& caller) {
  caller.all_stores = false;
  caller.stores.clear();
  for (absl::string_view store : absl::StrSplit(stores, ',', absl::SkipEmpty())) {
    if (store == "*") {
      caller.all_stores = true;
    } else {
      caller.stores.emplace_back(store);
    }
  }
}

}  // namespace

bool IsPrintableAscii(absl::string_view value, size_t max_length) {
  if (value.empty() || value.size() > max_length) return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool IsLoopbackAddress(absl::string_view listen) {
  absl::string_view host = listen;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') == absl::string_view::npos ? 0 : host.find(']') - 1);
  } else if (const size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string WwwAuthenticate(const AuthRefusal& refusal) {
  if (!refusal.credentials_sent) return "Bearer realm=\"aftersales\"";
  // The message may quote a token's own header (its kid): only printable ASCII, no quote or
  // backslash, reaches a header, so no token can split the response.
  std::string description = refusal.message.substr(0, 200);
  for (char& c : description) {
    if (c == '"') c = '\'';
    if (c == '\\') c = '/';
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return absl::StrCat("Bearer realm=\"aftersales\", error=\"invalid_token\", error_description=\"",
                      description, "\"");
}

Authenticator::Authenticator(const AuthOptions& options)
    : options_(options),
      jwt_(JwtRules{.issuer = options.jwt_issuer.empty() && options.mode == kDevelopmentMode
                                  ? std::string(kDevJwtIssuer)
                                  : options.jwt_issuer,
                    .audience = options.jwt_audience.empty() && options.mode == kDevelopmentMode
                                    ? std::string(kDevJwtAudience)
                                    : options.jwt_audience,
                    .clock_skew = options.jwt_clock_skew,
                    .hs256_secret = options.mode == kDevelopmentMode ? options.dev_jwt_secret
                                                                     : std::string()}) {}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(const AuthOptions& options) {
  if (options.mode != kDevelopmentMode && options.mode != kJwtMode) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth_mode '", options.mode, "': 'jwt' (the default) or 'development'"));
  }
  if (options.mode == kDevelopmentMode) {
    for (const std::string& listen : options.listen_addresses) {
      if (!IsLoopbackAddress(listen)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "auth_mode development lets anyone act as anyone, so it listens on loopback only; ",
            listen, " is not a loopback address"));
      }
    }
    if (absl::Status s = ParseRole(options.dev_role).status(); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("dev_role: ", s.message()));
    }
    if (absl::Status s = CheckStores(options.dev_stores); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("dev_stores: ", s.message()));
    }
    if (!options.dev_jwt_secret.empty() && options.dev_jwt_secret.size() < 32) {
      return absl::InvalidArgumentError("dev_jwt_secret must be at least 32 characters");
    }
  } else {
    if (options.jwt_issuer.empty() || options.jwt_audience.empty()) {
      return absl::InvalidArgumentError(
          "auth_mode jwt needs --jwt_issuer and --jwt_audience: the identity provider's issuer "
          "and this API's audience, which every token must name");
    }
    if (options.jwks_file.empty()) {
      return absl::InvalidArgumentError(
          "auth_mode jwt needs --jwks_file: the identity provider's public keys (JWKS)");
    }
  }
  std::unique_ptr<Authenticator> a(new Authenticator(options));
  // Issuer and audience are checked in development mode too, when set there.
  if (!options.jwks_file.empty()) {
    absl::StatusOr<std::unique_ptr<JwksFileWatcher>> watcher =
        JwksFileWatcher::Start(options.jwks_file, a->jwt_);
    if (!watcher.ok()) return watcher.status();
    a->jwks_ = *std::move(watcher);
  }
  return a;
}

absl::StatusOr<Caller> Authenticator::CheckApiKey(absl::string_view key) const {
  if (api_keys_ == nullptr) {
    return absl::UnauthenticatedError(
        "API keys are not accepted here: this gateway has no identity backend");
  }
  return api_keys_->Verify(key, absl::Now());
}

void Authenticator::RefreshKeys() {
  if (jwks_ != nullptr) jwks_->Refresh();
}

absl::StatusOr<Caller> Authenticator::Authenticate(const http::fields& headers,
                                                   AuthRefusal& refusal) const {
  return Authenticate([&](absl::string_view name) { return HeaderValue(headers, name); }, refusal);
}

absl::StatusOr<Caller> Authenticator::Authenticate(const HeaderLookup& header,
                                                   AuthRefusal& refusal) const {
  const absl::string_view authorization = header("authorization");
  if (!authorization.empty()) {
    refusal.credentials_sent = true;
    const size_t space = authorization.find(' ');
    if (space == absl::string_view::npos ||
        !absl::EqualsIgnoreCase(authorization.substr(0, space), "Bearer")) {
      refusal.message = "Authorization must be 'Bearer <token>'";
      return absl::UnauthenticatedError(refusal.message);
    }
    const absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(space + 1));
    absl::StatusOr<Caller> caller = absl::StartsWith(token, kApiKeyPrefix)
                                        ? CheckApiKey(token)
                                        : jwt_.Verify(token, absl::Now());
    if (!caller.ok()) refusal.message = std::string(caller.status().message());
    return caller;
  }
  if (const absl::string_view key = header("x-api-key"); !key.empty()) {
    refusal.credentials_sent = true;
    absl::StatusOr<Caller> caller = CheckApiKey(key);
    if (!caller.ok()) refusal.message = std::string(caller.status().message());
    return caller;
  }
  if (!development()) {
    refusal.message = "no credentials: send Authorization: Bearer <token>";
    return absl::UnauthenticatedError(refusal.message);
  }

  Caller caller;
  caller.principal = "dev";
  caller.role = *ParseRole(options_.dev_role);
  SetStores(options_.dev_stores, caller);
  const auto refuse = [&](std::string message) {
    refusal.credentials_sent = true;
    refusal.message = std::move(message);
    return absl::UnauthenticatedError(refusal.message);
  };
  if (const absl::string_view name = header("x-dev-principal"); !name.empty()) {
    if (!IsPrintableAscii(name, kMaxPrincipalLength) || !CheckPrincipal(name).ok()) {
      return refuse("X-Dev-Principal must be 1..128 letters, digits and - _ . @ :");
    }
    caller.principal = std::string(name);
  }
  if (const absl::string_view role = header("x-dev-role"); !role.empty()) {
    absl::StatusOr<Role> parsed = ParseRole(role);
    if (!parsed.ok()) return refuse(absl::StrCat("X-Dev-Role: ", parsed.status().message()));
    caller.role = *parsed;
  }
  if (const absl::string_view stores = header("x-dev-stores"); !stores.empty()) {
    if (absl::Status s = CheckStores(stores); !s.ok()) {
      return refuse(absl::StrCat("X-Dev-Stores: ", s.message()));
    }
    SetStores(stores, caller);
  }
  return caller;
}

std::string Authenticator::DescribeDevelopmentPrincipal() const {
  return absl::StrCat("principal 'dev', role '", options_.dev_role, "', stores '",
                      options_.dev_stores, "'");
}

}  // namespace aftersales::gateway
