#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "aftersales/tickets/v1/tickets.pb.h"
#include "absl/strings/match.h"
#include "common/channel.h"
#include "common/config.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/mysql.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace aftersales {
namespace {

TEST(Utf8, AcceptsChineseJapaneseAndEmojiAndRejectsBrokenSequences) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("您好 こんにちは 😀 Grüße"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));          // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong, three bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // overlong, four bytes
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));  // no UTF-8 lead byte
  EXPECT_EQ(Utf8SequenceLength("\xE6\x82\xA8x"), 3u);  // 您 then more
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
}

TEST(Validation, TimeZonesAreInstalledNamesNeverPaths) {
  for (const char* zone : {"UTC", "America/New_York", "US/Eastern", "Etc/GMT+5", "Asia/Kolkata"}) {
    EXPECT_TRUE(ValidateTimeZone("tz", zone, true).ok()) << zone;
  }
  // absl::LoadTimeZone accepts all of these as files; from a client they must be refused before
  // anything is opened.
  for (const char* name : {"/usr/share/zoneinfo/Asia/Shanghai", "file:/usr/share/zoneinfo/UTC",
                           "../zoneinfo/UTC", "Asia/../Asia/Shanghai", "/dev/stdin", "zone.tab",
                           "Asia", ""}) {
    const absl::Status s = ValidateTimeZone("buyer.time_zone", name, true);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_TRUE(absl::StartsWith(s.message(), "buyer.time_zone: ")) << s;
  }
}

TEST(Validation, MessagesNameTheFieldAndWhatIsAccepted) {
  absl::Status s = ValidateCountry("buyer.country", "USA", true);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "buyer.country: 'USA' is not an ISO 3166-1 alpha-2 code like US or DE");
  EXPECT_TRUE(ValidateTimeZone("tz", "Asia/Shanghai", true).ok());
  EXPECT_FALSE(ValidateTimeZone("tz", "Asia/Nowhere", true).ok());
  EXPECT_TRUE(ValidateLanguage("l", "zh-CN", true).ok());
  EXPECT_TRUE(ValidateLanguage("l", "pt-BR", true).ok());
  EXPECT_FALSE(ValidateLanguage("l", "z", true).ok());
  EXPECT_FALSE(ValidateLanguage("l", "en--US", true).ok());
  EXPECT_FALSE(ValidateLanguage("l", "en-", true).ok());
  EXPECT_TRUE(ValidateEmail("e", "a.b@example.co.uk", true).ok());
  EXPECT_FALSE(ValidateEmail("e", "a b@example.com", true).ok());
  EXPECT_FALSE(ValidateId("id", "a/b").ok());
  EXPECT_FALSE(ValidateId("id", std::string(129, 'a')).ok());
  EXPECT_TRUE(ValidateId("id", "113-1234567-1234567").ok());
  EXPECT_FALSE(ValidateCurrency("c", "usd").ok());
  EXPECT_TRUE(ValidateText("body", "😀 \u200F\u202Eمرحبا '; --", 100, true).ok());
  EXPECT_NE(ValidateText("body", std::string("a\0b", 3), 100, true).message().find("body: holds a NUL"),
            absl::string_view::npos);
  EXPECT_TRUE(ValidateEnum("e", 0, true, true).ok());
  EXPECT_NE(ValidateEnum("e", 0, true, false).message().find("required"), absl::string_view::npos);
}

TEST(StatusMapping, CodesAndMessagesCrossUnchanged) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status s(static_cast<absl::StatusCode>(code), code == 0 ? "" : "why");
    const grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(FromGrpcStatus(g), s);
  }
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("ticket t1 not found")).error_message(),
            "ticket t1 not found");
}

TEST(Config, FlagBeatsEnvironmentBeatsDefaultAndSecretsAreMasked) {
  Config config("test", {{"db_host", "127.0.0.1", "host"},
                         {"db_password", "", "pw", true},
                         {"pool", "16", "n"}});
  setenv("AFTERSALES_DB_HOST", "db.internal", 1);
  setenv("AFTERSALES_DB_PASSWORD", "hunter2", 1);
  setenv("AFTERSALES_POOL", "8", 1);
  char arg0[] = "test";
  char arg1[] = "--pool=4";
  char* argv[] = {arg0, arg1};
  ASSERT_TRUE(config.Parse(2, argv).ok());
  EXPECT_EQ(config.Get("db_host"), "db.internal");
  EXPECT_EQ(config.GetInt("pool").value(), 4);
  const std::string described = config.Describe();
  EXPECT_EQ(described.find("hunter2"), std::string::npos);
  EXPECT_NE(described.find("***"), std::string::npos);
  EXPECT_NE(described.find("\"source\":\"env\""), std::string::npos);
  unsetenv("AFTERSALES_DB_HOST");
  unsetenv("AFTERSALES_DB_PASSWORD");
  unsetenv("AFTERSALES_POOL");
}

TEST(Config, UnknownFlagsAndBadValuesAreClearErrors) {
  Config config("test", {{"pool", "16", "n"}, {"timeout", "5s", "d"}});
  char arg0[] = "test";
  char arg1[] = "--nope=1";
  char* argv[] = {arg0, arg1};
  const absl::Status s = config.Parse(2, argv);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--nope"), absl::string_view::npos);
  ASSERT_TRUE(config.Set("pool", "many").ok());
  EXPECT_NE(config.GetInt("pool").status().message().find("AFTERSALES_POOL"), absl::string_view::npos);
  ASSERT_TRUE(config.Set("timeout", "soon").ok());
  EXPECT_FALSE(config.GetDuration("timeout").ok());
}

// The migration Jobs' args say `--migrate_only`: a switch named alone is on; a setting that is
// not a switch still needs its value.
TEST(Config, ASwitchNamedAloneIsOn) {
  Config config("test", {{"migrate_only", "false", "s"}, {"pool", "16", "n"}});
  char arg0[] = "test";
  char arg1[] = "--migrate_only";
  char* argv[] = {arg0, arg1};
  ASSERT_TRUE(config.Parse(2, argv).ok());
  EXPECT_EQ(config.GetBool("migrate_only").value_or(false), true);
  char arg2[] = "--pool";
  char* bad[] = {arg0, arg2};
  const absl::Status s = config.Parse(2, bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--pool=VALUE"), absl::string_view::npos) << s;
}

TEST(SqlScripts, SplitAtLineEndingSemicolonsSkippingComments) {
  const auto statements = SplitSqlStatements(
      "-- a comment; not a statement\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (\n y TEXT -- why\n);\n"
      "INSERT INTO a VALUES (1)");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0], "CREATE TABLE a (x INT)");
  EXPECT_EQ(statements[2], "INSERT INTO a VALUES (1)");
}

TEST(SqlScripts, MultiRowInsertRepeatsTheRowGroup) {
  EXPECT_EQ(MultiRowInsert("INSERT INTO a (x, y)", "(?, ?)", 1),
            "INSERT INTO a (x, y) VALUES (?, ?)");
  EXPECT_EQ(MultiRowInsert("INSERT INTO a (x, t)", "(?, NOW())", 3),
            "INSERT INTO a (x, t) VALUES (?, NOW()), (?, NOW()), (?, NOW())");
}

TEST(Ids, HavePrefixSortByTimeAndDoNotRepeat) {
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewId("tkt");
    ASSERT_EQ(id.size(), 4u + 26u);
    ASSERT_EQ(id.substr(0, 4), "tkt_");
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_GE(id.substr(4, 10), previous.empty() ? "" : previous.substr(4, 10));
    previous = id;
  }
}

TEST(Time, ProtoAndSqlFormsRoundTripToTheMicrosecond) {
  const absl::Time t = absl::FromUnixMicros(1795000000123456);
  EXPECT_EQ(FromProtoTime(ToProtoTime(t)), t);
  EXPECT_EQ(ToSqlTime(t), "2026-11-18 11:06:40.123456");
  EXPECT_EQ(FromSqlTime(ToSqlTime(t)).value(), t);
  EXPECT_EQ(FromSqlTime("2026-11-18 11:06:40").value(), absl::FromUnixSeconds(1795000000));
  EXPECT_FALSE(FromSqlTime("yesterday").ok());
}

TEST(Idempotency, FingerprintIsStableAndTellsRequestsApart) {
  tickets::v1::CreateTicketRequest a;
  a.set_store_id("s");
  a.set_subject("x");
  tickets::v1::CreateTicketRequest b = a;
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.set_subject("y");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
  EXPECT_EQ(RequestFingerprint(a).size(), 16u);
  EXPECT_TRUE(ValidateIdempotencyKey("order-113:create").ok());
  EXPECT_FALSE(ValidateIdempotencyKey("has space").ok());
  EXPECT_FALSE(ValidateIdempotencyKey(std::string(256, 'k')).ok());
}

TEST(Channel, RetryConfigNamesOnlyTheIdempotentMethods) {
  const std::string config = RetryServiceConfig(
      {{"aftersales.tickets.v1.TicketsService", "GetTicket"}});
  EXPECT_NE(config.find("\"method\":\"GetTicket\""), std::string::npos);
  EXPECT_NE(config.find("UNAVAILABLE"), std::string::npos);
  EXPECT_EQ(RetryServiceConfig({}), "{}");
}

TEST(Log, JsonQuoteEscapesControlCharacters) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonQuote("中文"), "\"中文\"");
}

}  // namespace
}  // namespace aftersales
