// Prints a development bearer token (HS256 JWT) for a gateway in development mode:
//   dev_token --secret=... --role=agent --stores=store-1,store-2 --sub=alice --ttl=8h
// `tools/dev token` runs it with the secret `tools/dev up` gave the gateway.
#include <jwt.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/config.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/service_config.h"
#include "gateway/authenticator.h"

int main(int argc, char** argv) {
  aftersales::Config config(
      "dev_token",
      {{"secret", "", "the gateway's --dev_jwt_secret", /*secret=*/true},
       {"role", "admin", "agent, supervisor, admin or service"},
       {"stores", "*", "comma-separated store ids, or * for every store"},
       {"sub", "", "the principal; dev-<role> when empty"},
       {"ttl", "8h", "how long the token is good for"},
       {"issuer", std::string(aftersales::gateway::kDevJwtIssuer), "iss"},
       {"audience", std::string(aftersales::gateway::kDevJwtAudience), "aud"},
       {"rs256_private_key_file", "",
        "sign RS256 with this PEM private key instead of HS256 (benchmarks, jwt-mode trials)"},
       {"kid", "", "the key id RS256 tokens name"}});
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return s.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  std::string secret = config.Get("secret");
  const bool rs256 = !config.Get("rs256_private_key_file").empty();
  if (rs256) {
    std::ifstream in(config.Get("rs256_private_key_file"));
    std::stringstream pem;
    pem << in.rdbuf();
    secret = pem.str();
    if (secret.empty()) {
      std::fprintf(stderr, "--rs256_private_key_file: cannot read it\n");
      return 2;
    }
  } else if (secret.size() < 32) {
    std::fprintf(stderr, "--secret: the gateway's dev_jwt_secret, at least 32 characters\n");
    return 2;
  }
  if (!aftersales::ParseRole(config.Get("role")).ok()) {
    std::fprintf(stderr, "--role: one of agent, supervisor, admin, service\n");
    return 2;
  }
  absl::StatusOr<absl::Duration> ttl = config.GetDuration("ttl");
  if (!ttl.ok() || *ttl <= absl::ZeroDuration()) {
    std::fprintf(stderr, "--ttl: a positive duration like 8h\n");
    return 2;
  }
  const std::string sub =
      config.Get("sub").empty() ? absl::StrCat("dev-", config.Get("role")) : config.Get("sub");
  std::string stores = "\"*\"";
  if (config.Get("stores") != "*") {
    std::vector<std::string> quoted;
    for (absl::string_view s : absl::StrSplit(config.Get("stores"), ',', absl::SkipEmpty())) {
      quoted.push_back(aftersales::JsonQuote(s));
    }
    stores = absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
  }
  const absl::Time now = absl::Now();
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return 1;
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  jwt_add_grants_json(
      jwt.get(),
      absl::StrCat("{\"sub\":", aftersales::JsonQuote(sub),
                   ",\"role\":", aftersales::JsonQuote(config.Get("role")), ",\"stores\":", stores,
                   ",\"iss\":", aftersales::JsonQuote(config.Get("issuer")),
                   ",\"aud\":", aftersales::JsonQuote(config.Get("audience")),
                   ",\"iat\":", absl::ToUnixSeconds(now),
                   ",\"exp\":", absl::ToUnixSeconds(now + *ttl), "}")
          .c_str());
  if (!config.Get("kid").empty()) jwt_add_header(jwt.get(), "kid", config.Get("kid").c_str());
  jwt_set_alg(jwt.get(), rs256 ? JWT_ALG_RS256 : JWT_ALG_HS256,
              reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  char* token = jwt_encode_str(jwt.get());
  if (token == nullptr) return 1;
  std::printf("%s\n", token);
  free(token);
  return 0;
}
