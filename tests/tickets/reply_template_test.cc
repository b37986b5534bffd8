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
