#include "services/tickets/reply_template.h"

#include <gtest/gtest.h>

namespace aftersales::tickets {
namespace {

TEST(ReplyTemplate, FillsEveryPlaceholder) {
  absl::StatusOr<std::string> out = RenderTemplateText(
      "Hi {buyer_name}, order {order_id} ships with {carrier}: {tracking_url}",
      {{"buyer_name", "Anna"}, {"order_id", "111-2"}, {"carrier", "YunExpress"},
       {"tracking_url", "https://track.example/YT1"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "Hi Anna, order 111-2 ships with YunExpress: https://track.example/YT1");
}

TEST(ReplyTemplate, KeepsChineseAndEmojiAndLiteralBraces) {
  absl::StatusOr<std::string> out =
      RenderTemplateText("您好 {buyer_name} 😀 {{braces}", {{"buyer_name", "王小明"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "您好 王小明 😀 {braces}");
}

TEST(ReplyTemplate, MissingValueIsRefusedNamingThePlaceholder) {
  absl::StatusOr<std::string> out = RenderTemplateText("Track: {tracking_url} {tracking_url}", {});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(out.status().message().find("{tracking_url}"), absl::string_view::npos);
}

TEST(ReplyTemplate, UnknownOrUnclosedPlaceholderIsInvalid) {
  EXPECT_EQ(ValidateTemplateText("body", "Hi {buyer}").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ValidateTemplateText("body", "Hi {buyer}").message().find("{buyer}"),
            absl::string_view::npos);
  EXPECT_EQ(ValidateTemplateText("body", "Hi {buyer_name").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateTemplateText("body", "Hi {buyer_name}, {{ok}").ok());
}

TEST(ReplyTemplate, FormalSubjectCarriesTheOrder) {
  EXPECT_EQ(FormalSubject("113-555", "Tracking update"), "Order #113-555: Tracking update");
  EXPECT_EQ(FormalSubject("", "Size question"), "Size question");
}

TEST(ReplyTemplate, LanguageFallsBackFromRequestToBuyerToPrimaryToEnglish) {
  const std::vector<std::string> stored = {"de", "en", "zh"};
  EXPECT_EQ(ChooseLanguage(stored, "de", "en"), "de");
  EXPECT_EQ(ChooseLanguage(stored, "", "de"), "de");
  EXPECT_EQ(ChooseLanguage(stored, "", "zh-CN"), "zh");
  EXPECT_EQ(ChooseLanguage(stored, "fr", "ja"), "en");
  EXPECT_EQ(ChooseLanguage({"ja"}, "fr", "de"), "ja");
  EXPECT_EQ(ChooseLanguage({}, "fr", "de"), "");
}

}  // namespace
}  // namespace aftersales::tickets

namespace aftersales::tickets {
namespace {

TEST(ReplyValues, DatesAndTimesAreTheBuyersOwn) {
  v1::Ticket ticket;
  ticket.set_ticket_id("tkt_1");
  ticket.mutable_buyer()->set_name("Ann");
  ticket.mutable_buyer()->set_time_zone("America/Los_Angeles");
  ticket.mutable_order()->set_order_id("113-1");
  v1::Shipment shipment;
  shipment.set_carrier("YunExpress");
  shipment.set_tracking_url("https://t.example/1");
  ReplyContext context;
  context.ticket = &ticket;
  context.latest_shipment = &shipment;
  context.store_id = "store-1";
  // 2026-11-24 03:00 UTC is still the 23rd in Los Angeles.
  context.now = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 3, 0, 0), absl::UTCTimeZone());
  context.reply_by = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 17, 0, 0), absl::UTCTimeZone());
  const std::map<std::string, std::string> values = ReplyValues(context);
  EXPECT_EQ(values.at("today"), "2026-11-23");
  EXPECT_EQ(values.at("reply_by"), "2026-11-24 09:00 PST");
  EXPECT_EQ(values.at("buyer_name"), "Ann");
  EXPECT_EQ(values.at("order_id"), "113-1");
  EXPECT_EQ(values.at("tracking_url"), "https://t.example/1");
  // Every value a template may name comes from this one function.
  for (const std::string& name : KnownPlaceholders()) {
    EXPECT_TRUE(values.contains(name) || name == "tracking_number") << name;
  }
}

TEST(ReplyValues, WithoutAZoneTheDateIsUtc) {
  ReplyContext context;
  context.now = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 3, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(ReplyValues(context).at("today"), "2026-11-24");
}

TEST(DefaultReplyText, TheBuyersLanguageElseEnglish) {
  EXPECT_NE(DefaultReplyText("out_of_hours", "de-AT").find("Hallo"), absl::string_view::npos);
  EXPECT_NE(DefaultReplyText("out_of_hours", "pt").find("Hello"), absl::string_view::npos);
  EXPECT_NE(DefaultReplyText("out_of_hours", "en").find("{reply_by}"), absl::string_view::npos);
  EXPECT_TRUE(DefaultReplyText("no_such_template", "en").empty());
  // Our own texts use only placeholders a template may use.
  for (absl::string_view name : {"follow_up", "out_of_hours"}) {
    for (absl::string_view lang : {"en", "de", "zh"}) {
      EXPECT_TRUE(ValidateTemplateText("text", DefaultReplyText(name, lang)).ok()) << name << lang;
    }
  }
}

}  // namespace
}  // namespace aftersales::tickets
