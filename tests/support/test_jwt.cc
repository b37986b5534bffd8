#include "tests/support/test_jwt.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace aftersales::testing {
namespace {

std::string Pem(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (private_key) {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), key);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string BnBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

}  // namespace

std::string B64(const std::string& bytes) { return absl::WebSafeBase64Escape(bytes); }

KeyPair Rsa(const std::string& kid) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  return {Pem(key.get(), true), Pem(key.get(), false),
          absl::StrCat(R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")", kid, R"(","n":")",
                       B64(BnBytes(key.get(), OSSL_PKEY_PARAM_RSA_N)), R"(","e":")",
                       B64(BnBytes(key.get(), OSSL_PKEY_PARAM_RSA_E)), R"("})")};
}

KeyPair P256(const std::string& kid) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  unsigned char point[65];
  size_t len = 0;
  EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len);
  const std::string p(reinterpret_cast<const char*>(point), len);
  return {Pem(key.get(), true), Pem(key.get(), false),
          absl::StrCat(R"({"kty":"EC","crv":"P-256","kid":")", kid, R"(","x":")",
                       B64(p.substr(1, 32)), R"(","y":")", B64(p.substr(33, 32)), R"("})")};
}

std::string Jwks(std::initializer_list<const KeyPair*> keys) {
  std::string out = R"({"keys":[)";
  bool first = true;
  for (const KeyPair* k : keys) {
    absl::StrAppend(&out, first ? "" : ",", k->jwk);
    first = false;
  }
  return out + "]}";
}

std::string Sign(jwt_alg_t alg, const std::string& key, const std::string& kid,
                 const std::string& claims) {
  jwt_t* raw = nullptr;
  jwt_new(&raw);
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  EXPECT_EQ(jwt_add_grants_json(jwt.get(), claims.c_str()), 0) << claims;
  if (!kid.empty()) jwt_add_header(jwt.get(), "kid", kid.c_str());
  EXPECT_EQ(jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())),
            0);
  char* token = jwt_encode_str(jwt.get());
  std::string out = token == nullptr ? "" : token;
  free(token);
  return out;
}

}  // namespace aftersales::testing
