#include "gateway/jwt_verifier.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }
absl::Status Refused(absl::string_view why) { return absl::UnauthenticatedError(why); }

absl::StatusOr<pb::Struct> ParseObject(absl::string_view json) {
  pb::Struct object;
  if (!pb::util::JsonStringToMessage(std::string(json), &object).ok()) {
    return Invalid("not a JSON object");
  }
  return object;
}

std::string StringField(const pb::Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  if (it == object.fields().end() || !it->second.has_string_value()) return "";
  return it->second.string_value();
}

bool Base64Url(absl::string_view text, std::string& out) {
  return !text.empty() && absl::WebSafeBase64Unescape(text, &out);
}

// An EVP_PKEY built from OSSL parameters, written as a PEM public key.
absl::StatusOr<std::string> PublicKeyPem(const char* type,
                                         const std::function<bool(OSSL_PARAM_BLD*)>& push) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  if (!bld || !push(bld.get())) return Invalid("cannot build the key");
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return Invalid("not a valid public key");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw, EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) return Invalid("cannot write the key");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> RsaPem(const std::string& n, const std::string& e) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr),
      BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr),
      BN_free);
  if (!bn_n || !bn_e) return Invalid("bad modulus or exponent");
  // Shorter RSA keys are breakable.
  if (BN_num_bits(bn_n.get()) < 2048) return Invalid("an RSA key must have at least 2048 bits");
  return PublicKeyPem("RSA", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1;
  });
}

absl::StatusOr<std::string> P256Pem(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return Invalid("a P-256 point has 32-byte x and y");
  const std::string point = absl::StrCat(std::string(1, '\x04'), x, y);
  return PublicKeyPem("EC", [&](OSSL_PARAM_BLD* bld) {
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size()) == 1;
  });
}

jwt_alg_t LibjwtAlg(absl::string_view alg) {
  if (alg == "RS256") return JWT_ALG_RS256;
  if (alg == "ES256") return JWT_ALG_ES256;
  if (alg == "HS256") return JWT_ALG_HS256;
  return JWT_ALG_INVAL;
}

// A JSON claim (libjwt hands nested values back as JSON text) as a protobuf Value.
std::optional<pb::Value> JsonClaim(jwt_t* jwt, const char* name) {
  char* json = jwt_get_grants_json(jwt, name);
  if (json == nullptr) return std::nullopt;
  pb::Value value;
  const bool ok = pb::util::JsonStringToMessage(json, &value).ok();
  free(json);
  if (!ok) return std::nullopt;
  return value;
}

}  // namespace

absl::StatusOr<JwtKeySet> JwtKeySet::FromJwks(absl::string_view json) {
  absl::StatusOr<pb::Struct> doc = ParseObject(json);
  if (!doc.ok()) return Invalid("JWKS: not a JSON object");
  auto keys = doc->fields().find("keys");
  if (keys == doc->fields().end() || !keys->second.has_list_value()) {
    return Invalid("JWKS: no \"keys\" list");
  }
  JwtKeySet set;
  int index = 0;
  for (const pb::Value& value : keys->second.list_value().values()) {
    const std::string where = absl::StrCat("JWKS keys[", index++, "]");
    if (!value.has_struct_value()) return Invalid(absl::StrCat(where, ": not an object"));
    const pb::Struct& jwk = value.struct_value();
    const std::string kid = StringField(jwk, "kid");
    const std::string kty = StringField(jwk, "kty");
    const std::string use = StringField(jwk, "use");
    if (!use.empty() && use != "sig") continue;  // an encryption key: not ours to use
    if (kid.empty()) return Invalid(absl::StrCat(where, ": no kid; tokens name their key by it"));
    Key key;
    absl::StatusOr<std::string> pem = Invalid("unsupported");
    if (kty == "RSA") {
      std::string n, e;
      if (!Base64Url(StringField(jwk, "n"), n) || !Base64Url(StringField(jwk, "e"), e)) {
        return Invalid(absl::StrCat(where, " (", kid, "): n and e must be base64url"));
      }
      key.alg = "RS256";
      pem = RsaPem(n, e);
    } else if (kty == "EC" && StringField(jwk, "crv") == "P-256") {
      std::string x, y;
      if (!Base64Url(StringField(jwk, "x"), x) || !Base64Url(StringField(jwk, "y"), y)) {
        return Invalid(absl::StrCat(where, " (", kid, "): x and y must be base64url"));
      }
      key.alg = "ES256";
      pem = P256Pem(x, y);
    } else {
      continue;  // a key type we do not verify with
    }
    const std::string alg = StringField(jwk, "alg");
    if (!alg.empty() && alg != key.alg) {
      return Invalid(absl::StrCat(where, " (", kid, "): alg ", alg, " does not fit a ", kty,
                                  " key; RS256 for RSA, ES256 for P-256"));
    }
    if (!pem.ok()) return Invalid(absl::StrCat(where, " (", kid, "): ", pem.status().message()));
    key.pem = *std::move(pem);
    set.keys_[kid] = std::move(key);
  }
  if (set.keys_.empty()) return Invalid("JWKS: no RS256 or ES256 signing key");
  return set;
}

const JwtKeySet::Key* JwtKeySet::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

void JwtVerifier::SetKeys(std::shared_ptr<const JwtKeySet> keys) {
  std::lock_guard<std::mutex> lock(mu_);
  keys_ = std::move(keys);
  ++key_generation_;
  verified_.clear();
}

std::shared_ptr<const JwtKeySet> JwtVerifier::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_;
}

absl::StatusOr<Caller> JwtVerifier::Verify(absl::string_view token, absl::Time now) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = verified_.find(token);
    if (it != verified_.end()) {
      if (now <= it->second.expires + rules_.clock_skew) return it->second.caller;
      verified_.erase(it);
      return Refused("the token expired");
    }
  }
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = key_generation_;
  }
  absl::Time expires;
  absl::StatusOr<Caller> caller = VerifyUncached(token, now, expires);
  if (caller.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    // Checked under keys that were replaced meanwhile: good for this call, not to remember.
    if (generation != key_generation_) return caller;
    if (verified_.size() >= kMaxVerified) verified_.clear();
    verified_.insert_or_assign(std::string(token), Verified{*caller, expires});
  }
  return caller;
}

absl::StatusOr<Caller> JwtVerifier::VerifyUncached(absl::string_view token, absl::Time now,
                                                   absl::Time& expires) const {
  if (token.size() > 8192) return Refused("the token is too long");
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string header_json;
  if (parts.size() != 3 || !Base64Url(parts[0], header_json) || parts[2].empty()) {
    return Refused("not a signed JWT (header.payload.signature)");
  }
  absl::StatusOr<pb::Struct> header = ParseObject(header_json);
  if (!header.ok()) return Refused("the token's header is not JSON");
  const std::string alg = StringField(*header, "alg");
  const std::string kid = StringField(*header, "kid");

  // The key is chosen by us, from the kid, and the token's alg must be that key's: a token
  // cannot pick "none", nor HS256 under a public key it knows.
  std::string key;
  if (alg == "HS256") {
    if (rules_.hs256_secret.empty()) {
      return Refused("HS256 tokens are accepted in development mode only; sign with RS256 or ES256");
    }
    key = rules_.hs256_secret;
  } else if (alg == "RS256" || alg == "ES256") {
    const std::shared_ptr<const JwtKeySet> keys = Keys();
    const JwtKeySet::Key* found = keys == nullptr ? nullptr : keys->Find(kid);
    if (found == nullptr) return Refused(absl::StrCat("no signing key '", kid, "' is known"));
    if (found->alg != alg) {
      return Refused(absl::StrCat("key '", kid, "' signs ", found->alg, ", not ", alg));
    }
    key = found->pem;
  } else {
    return Refused(absl::StrCat("alg '", alg, "' is not accepted; RS256 or ES256"));
  }

  jwt_t* raw = nullptr;
  const std::string token_text(token);
  if (jwt_decode(&raw, token_text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0 ||
      raw == nullptr) {
    if (raw != nullptr) jwt_free(raw);
    return Refused("the signature does not verify");
  }
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  if (jwt_get_alg(jwt.get()) != LibjwtAlg(alg)) return Refused("the signature does not verify");

  // Times are read as JSON: libjwt's integer getter cannot tell a missing claim from a string.
  const std::optional<pb::Value> exp = JsonClaim(jwt.get(), "exp");
  if (!exp.has_value()) return Refused("the token has no exp");
  if (!exp->has_number_value()) return Refused("exp is not a number of seconds");
  expires = absl::FromUnixSeconds(static_cast<int64_t>(exp->number_value()));
  if (now > expires + rules_.clock_skew) return Refused("the token expired");
  if (const std::optional<pb::Value> nbf = JsonClaim(jwt.get(), "nbf")) {
    if (!nbf->has_number_value()) return Refused("nbf is not a number of seconds");
    if (absl::FromUnixSeconds(static_cast<int64_t>(nbf->number_value())) > now + rules_.clock_skew) {
      return Refused("the token is not valid yet (nbf)");
    }
  }
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (iss == nullptr || rules_.issuer != iss) {
    return Refused(absl::StrCat("the token's issuer is not '", rules_.issuer, "'"));
  }
  bool audience_ok = false;
  if (std::optional<pb::Value> aud = JsonClaim(jwt.get(), "aud")) {
    if (aud->has_string_value()) audience_ok = aud->string_value() == rules_.audience;
    if (aud->has_list_value()) {
      for (const pb::Value& a : aud->list_value().values()) {
        audience_ok = audience_ok || (a.has_string_value() && a.string_value() == rules_.audience);
      }
    }
  }
  if (!audience_ok) {
    return Refused(absl::StrCat("the token is not meant for '", rules_.audience, "' (aud)"));
  }

  Caller caller;
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  caller.principal = sub == nullptr ? "" : sub;
  if (absl::Status s = CheckPrincipal(caller.principal); !s.ok()) {
    return Refused(absl::StrCat("sub: ", s.message()));
  }
  // Names the gateway and the services give themselves and API keys: a person is none of them.
  if (absl::StartsWith(caller.principal, "apikey:") || absl::EndsWith(caller.principal, "-service")) {
    return Refused("sub: 'apikey:...' and '...-service' are names of automation, not of people");
  }
  const char* role = jwt_get_grant(jwt.get(), "role");
  absl::StatusOr<Role> parsed = ParseRole(role == nullptr ? "" : role);
  if (!parsed.ok()) return Refused(absl::StrCat("role claim: ", parsed.status().message()));
  caller.role = *parsed;
  std::optional<pb::Value> stores = JsonClaim(jwt.get(), "stores");
  if (stores.has_value() && stores->has_string_value() && stores->string_value() == "*") {
    caller.all_stores = true;
  } else if (stores.has_value() && stores->has_list_value()) {
    for (const pb::Value& s : stores->list_value().values()) {
      if (!s.has_string_value() || s.string_value().empty()) {
        return Refused("stores claim: a list of store ids, or \"*\"");
      }
      caller.stores.push_back(s.string_value());
    }
    // The identity passed on to the services has to fit in gRPC metadata.
    if (caller.stores.size() > 200) return Refused("stores claim: at most 200 stores, or \"*\"");
  } else {
    return Refused("stores claim: a list of store ids, or \"*\"");
  }
  return caller;
}

absl::StatusOr<std::unique_ptr<JwksFileWatcher>> JwksFileWatcher::Start(std::string path,
                                                                         JwtVerifier& verifier) {
  std::unique_ptr<JwksFileWatcher> watcher(new JwksFileWatcher(std::move(path), verifier));
  std::ifstream in(watcher->path_);
  if (!in) return Invalid(absl::StrCat("jwks_file: cannot read ", watcher->path_));
  if (!watcher->Refresh()) {
    return Invalid(absl::StrCat("jwks_file ", watcher->path_, ": no usable key (see the log)"));
  }
  return watcher;
}

bool JwksFileWatcher::Refresh() {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) {
    LogWarning("jwks_file cannot be read; keeping the keys loaded", {{"path", path_}});
    return false;
  }
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  if (mtime_ns == seen_mtime_ns_ && st.st_size == seen_size_) return false;
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(text.str());
  if (!keys.ok()) {
    LogWarning("jwks_file is not a usable JWKS; keeping the keys loaded",
               {{"path", path_}, {"error", std::string(keys.status().message())}});
    // Looked at: a half-written file is read again when it changes next.
    seen_mtime_ns_ = mtime_ns;
    seen_size_ = st.st_size;
    return false;
  }
  seen_mtime_ns_ = mtime_ns;
  seen_size_ = st.st_size;
  LogInfo("signing keys loaded", {{"path", path_}, {"keys", absl::StrCat(keys->size())}});
  verifier_.SetKeys(std::make_shared<const JwtKeySet>(*std::move(keys)));
  return true;
}

}  // namespace aftersales::gateway
