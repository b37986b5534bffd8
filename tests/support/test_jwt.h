#pragma once

// Real signing keys and tokens for tests of people's bearer tokens: RSA and P-256 keys made
// with OpenSSL, their JWKS entries, and JWTs signed with libjwt.
#include <jwt.h>

#include <initializer_list>
#include <string>

namespace aftersales::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
  std::string jwk;  // the public key as a JWKS entry
};

KeyPair Rsa(const std::string& kid);
KeyPair P256(const std::string& kid);
std::string Jwks(std::initializer_list<const KeyPair*> keys);
std::string B64(const std::string& bytes);
// Signs claims (a JSON object) with alg under key, naming kid when not empty.
std::string Sign(jwt_alg_t alg, const std::string& key, const std::string& kid,
                 const std::string& claims);

}  // namespace aftersales::testing
