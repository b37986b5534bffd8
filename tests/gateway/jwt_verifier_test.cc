// People's bearer tokens: real RSA and P-256 keys made with OpenSSL, tokens signed with libjwt,
// each claim wrong in turn. No server.
#include "gateway/jwt_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/authenticator.h"
#include "tests/support/test_jwt.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace aftersales::gateway {
namespace {

using testing::B64;
using testing::Jwks;
using testing::KeyPair;
using testing::P256;
using testing::Rsa;
using testing::Sign;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://id.example.com/";
constexpr char kAudience[] = "aftersales-api";

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new KeyPair(Rsa("rsa-1"));
    ec_ = new KeyPair(P256("ec-1"));
    stranger_ = new KeyPair(Rsa("rsa-1"));  // the same kid, another key
  }

  void SetUp() override {
    absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(Jwks({rsa_, ec_}));
    ASSERT_TRUE(keys.ok()) << keys.status();
    EXPECT_EQ(keys->size(), 2u);
    verifier_.SetKeys(std::make_shared<const JwtKeySet>(*std::move(keys)));
  }

  // An agent of two stores, valid for an hour from now_.
  std::string Claims(const std::string& changes = "") const {
    const int64_t now = absl::ToUnixSeconds(now_);
    std::string claims = absl::StrCat(R"({"sub":"agent-7","role":"agent","stores":["s1","s2"],)",
                                      R"("iss":")", kIssuer, R"(","aud":")", kAudience,
                                      R"(","iat":)", now, R"(,"exp":)", now + 3600);
    claims += "}";
    if (changes.empty()) return claims;
    // changes: ',"name":value...' replacing the claims they name (libjwt refuses duplicates).
    google::protobuf::Struct base, over;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(claims, &base).ok());
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(absl::StrCat("{", changes.substr(1), "}"), &over)
            .ok())
        << changes;
    for (const auto& [name, value] : over.fields()) (*base.mutable_fields())[name] = value;
    // Whole seconds stay integers: Struct holds numbers as doubles.
    std::string out;
    google::protobuf::util::MessageToJsonString(base, &out);
    return out;
  }

  absl::Status Refusal(const std::string& token) const {
    return verifier_.Verify(token, now_).status();
  }

  static KeyPair* rsa_;
  static KeyPair* ec_;
  static KeyPair* stranger_;
  absl::Time now_ = absl::Now();
  JwtVerifier verifier_{JwtRules{.issuer = kIssuer, .audience = kAudience}};
};

KeyPair* JwtVerifierTest::rsa_ = nullptr;
KeyPair* JwtVerifierTest::ec_ = nullptr;
KeyPair* JwtVerifierTest::stranger_ = nullptr;

TEST_F(JwtVerifierTest, Rs256AndEs256TokensGiveTheCaller) {
  for (const auto& [alg, key, kid] : {std::tuple{JWT_ALG_RS256, rsa_, "rsa-1"},
                                      std::tuple{JWT_ALG_ES256, ec_, "ec-1"}}) {
    const absl::StatusOr<Caller> caller =
        verifier_.Verify(Sign(alg, key->private_pem, kid, Claims()), now_);
    ASSERT_TRUE(caller.ok()) << kid << ": " << caller.status();
    EXPECT_EQ(caller->principal, "agent-7");
    EXPECT_EQ(caller->role, Role::kAgent);
    EXPECT_FALSE(caller->all_stores);
    EXPECT_THAT(caller->stores, ElementsAre("s1", "s2"));
  }
  const absl::StatusOr<Caller> admin = verifier_.Verify(
      Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1",
           Claims(R"(,"role":"admin","stores":"*","aud":["other",")" + std::string(kAudience) +
                  R"("])")),
      now_);
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_TRUE(admin->all_stores);
}

TEST_F(JwtVerifierTest, EachClaimWrongInTurnIsRefused) {
  const int64_t now = absl::ToUnixSeconds(now_);
  const struct {
    std::string changes;
    const char* says;
  } cases[] = {
      {absl::StrCat(R"(,"exp":)", now - 61), "expired"},
      {absl::StrCat(R"(,"nbf":)", now + 61), "not valid yet"},
      {R"(,"iss":"https://evil.example/")", "issuer"},
      {R"(,"aud":"someone-else")", "not meant for"},
      {R"(,"aud":["a","b"])", "not meant for"},
      {R"(,"sub":"")", "sub"},
      {R"(,"sub":"Anna Smith")", "sub"},
      {R"(,"role":"owner")", "role"},
      {R"(,"stores":"s1")", "stores"},
      {R"(,"stores":[1,2])", "stores"},
      {R"(,"sub":"apikey:0123456789abcdef")", "automation"},
      {R"(,"sub":"returns-service")", "automation"},
      {R"(,"nbf":"soon")", "nbf"},
  };
  for (const auto& c : cases) {
    const absl::Status s = Refusal(Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1", Claims(c.changes)));
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << c.changes;
    EXPECT_THAT(s.message(), HasSubstr(c.says)) << c.changes;
  }
  // Within the clock skew both ways is fine.
  EXPECT_TRUE(verifier_
                  .Verify(Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1",
                               Claims(absl::StrCat(R"(,"exp":)", now - 30, R"(,"nbf":)", now + 30))),
                          now_)
                  .ok());
  // No exp at all: a token forever is not accepted.
  const std::string forever = absl::StrCat(R"({"sub":"a","role":"agent","stores":"*","iss":")",
                                           kIssuer, R"(","aud":")", kAudience, R"("})");
  EXPECT_THAT(Refusal(Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1", forever)).message(),
              HasSubstr("no exp"));
}

TEST_F(JwtVerifierTest, WrongKeyTamperedSignatureAndAlgNoneAreRefused) {
  // Signed by a stranger's key under our kid.
  EXPECT_THAT(Refusal(Sign(JWT_ALG_RS256, stranger_->private_pem, "rsa-1", Claims())).message(),
              HasSubstr("does not verify"));
  // A kid we do not know.
  EXPECT_THAT(Refusal(Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-9", Claims())).message(),
              HasSubstr("no signing key"));
  // The RSA key's kid on an ES256 token.
  EXPECT_THAT(Refusal(Sign(JWT_ALG_ES256, ec_->private_pem, "rsa-1", Claims())).message(),
              HasSubstr("signs RS256"));
  // A signature changed by one character; a payload swapped for a raised one.
  std::string token = Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1", Claims());
  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Refusal(tampered).code(), absl::StatusCode::kUnauthenticated);
  const std::string raised = Sign(JWT_ALG_RS256, stranger_->private_pem, "rsa-1",
                                  Claims(R"(,"role":"admin","stores":"*")"));
  const size_t a1 = token.find('.'), a2 = token.rfind('.');
  const size_t b1 = raised.find('.'), b2 = raised.rfind('.');
  const std::string spliced =
      token.substr(0, a1) + raised.substr(b1, b2 - b1) + token.substr(a2);
  EXPECT_EQ(Refusal(spliced).code(), absl::StatusCode::kUnauthenticated);
  // alg none, with and without a signature part.
  const std::string header = B64(R"({"alg":"none","kid":"rsa-1"})");
  const std::string payload = B64(Claims());
  EXPECT_EQ(Refusal(header + "." + payload + ".").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Refusal(header + "." + payload + ".c2ln").message(), HasSubstr("'none'"));
  // HS256 with the public key as the secret: the classic confusion. HS256 is off here.
  EXPECT_THAT(Refusal(Sign(JWT_ALG_HS256, rsa_->public_pem, "rsa-1", Claims())).message(),
              HasSubstr("development mode only"));
  for (const char* junk : {"", "abc", "a.b", "a.b.c", "....", "eyJ.eyJ.sig"}) {
    EXPECT_EQ(Refusal(junk).code(), absl::StatusCode::kUnauthenticated) << junk;
  }
}

TEST_F(JwtVerifierTest, ATokenSeenBeforeStillExpiresOnTime) {
  const std::string token = Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1", Claims());
  ASSERT_TRUE(verifier_.Verify(token, now_).ok());
  ASSERT_TRUE(verifier_.Verify(token, now_ + absl::Minutes(30)).ok());  // from memory
  EXPECT_THAT(verifier_.Verify(token, now_ + absl::Hours(1) + absl::Seconds(61)).status().message(),
              HasSubstr("expired"));
  // Not remembered for another verifier's rules, and forgotten when the keys change.
  ASSERT_TRUE(verifier_.Verify(token, now_).ok());
  verifier_.SetKeys(std::make_shared<const JwtKeySet>(*JwtKeySet::FromJwks(Jwks({ec_}))));
  EXPECT_FALSE(verifier_.Verify(token, now_).ok());
}

TEST_F(JwtVerifierTest, Hs256WorksOnlyWhereASecretIsGiven) {
  const std::string secret(40, 's');
  JwtVerifier dev(JwtRules{.issuer = kIssuer, .audience = kAudience, .hs256_secret = secret});
  EXPECT_TRUE(dev.Verify(Sign(JWT_ALG_HS256, secret, "", Claims()), now_).ok());
  EXPECT_THAT(dev.Verify(Sign(JWT_ALG_HS256, std::string(40, 'x'), "", Claims()), now_)
                  .status()
                  .message(),
              HasSubstr("does not verify"));
}

TEST_F(JwtVerifierTest, AJwksFileRotatesWithoutARestart) {
  char path[] = "/tmp/aftersales-jwks-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  const auto write = [&](const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  };
  write(Jwks({rsa_}));
  JwtVerifier verifier(JwtRules{.issuer = kIssuer, .audience = kAudience});
  absl::StatusOr<std::unique_ptr<JwksFileWatcher>> watcher = JwksFileWatcher::Start(path, verifier);
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  const std::string old_token = Sign(JWT_ALG_RS256, rsa_->private_pem, "rsa-1", Claims());
  const std::string new_token = Sign(JWT_ALG_ES256, ec_->private_pem, "ec-1", Claims());
  EXPECT_TRUE(verifier.Verify(old_token, now_).ok());
  EXPECT_FALSE(verifier.Verify(new_token, now_).ok());
  // The provider publishes the next key beside the old one, then drops the old one.
  write(Jwks({rsa_, ec_}));
  EXPECT_TRUE((*watcher)->Refresh());
  EXPECT_TRUE(verifier.Verify(old_token, now_).ok());
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
  write(Jwks({ec_}));
  EXPECT_TRUE((*watcher)->Refresh());
  EXPECT_FALSE(verifier.Verify(old_token, now_).ok());
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
  // A broken file keeps the keys that work.
  write("{\"keys\": [ {");
  EXPECT_FALSE((*watcher)->Refresh());
  EXPECT_TRUE(verifier.Verify(new_token, now_).ok());
  unlink(path);
}

TEST(JwtKeySet, MalformedDocumentsSayWhatIsWrong) {
  EXPECT_THAT(JwtKeySet::FromJwks("nope").status().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(JwtKeySet::FromJwks("{}").status().message(), HasSubstr("\"keys\""));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})")
                  .status()
                  .message(),
              HasSubstr("no kid"));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]})")
                  .status()
                  .message(),
              HasSubstr("2048"));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]})")
                  .status()
                  .message(),
              HasSubstr("no RS256 or ES256"));
}

TEST(Authenticator, WwwAuthenticateSaysWhetherATokenWasBad) {
  EXPECT_EQ(WwwAuthenticate({.credentials_sent = false, .message = "none"}),
            "Bearer realm=\"aftersales\"");
  EXPECT_EQ(WwwAuthenticate({.credentials_sent = true, .message = "the token \"expired\""}),
            "Bearer realm=\"aftersales\", error=\"invalid_token\", "
            "error_description=\"the token 'expired'\"");
  // A token's kid echoed in the message cannot split the response.
  EXPECT_EQ(WwwAuthenticate({.credentials_sent = true, .message = "no key 'a\r\nSet-Cookie: x=1'"}),
            "Bearer realm=\"aftersales\", error=\"invalid_token\", "
            "error_description=\"no key 'a??Set-Cookie: x=1'\"");
  EXPECT_FALSE(IsLoopbackAddress("127.evil.example:80"));
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:8080"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:8080"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:0"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:8080"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:8080"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5:8080"));
}

}  // namespace
}  // namespace aftersales::gateway
