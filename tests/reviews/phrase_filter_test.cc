#include "services/reviews/phrase_filter.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftersales::reviews {
namespace {

using ::testing::HasSubstr;

PhraseRule Rule(std::string id, PhraseCategory category, std::string language, std::string pattern,
                bool product_review_only = false) {
  PhraseRule r;
  r.rule_id = std::move(id);
  r.category = category;
  r.language = std::move(language);
  r.pattern = std::move(pattern);
  r.product_review_only = product_review_only;
  r.explanation = "why";
  r.suggestion = "say it this way";
  return r;
}

std::shared_ptr<const PhraseFilter> SmallFilter() {
  std::vector<PhraseRule> rules = {
      Rule("en.removal.remove", PhraseCategory::kReviewRemovalOrChange, "en",
           "(remov*|delet*|updat*) ~3 (review*|rating*|feedback)", /*product_review_only=*/true),
      Rule("en.removal.please", PhraseCategory::kReviewRemovalOrChange, "en",
           "(please|could you) ~3 (remov*|updat*) ~3 (review*|feedback)"),
      Rule("en.positive.five", PhraseCategory::kPositiveReviewRequest, "en",
           "(5|five) star* (review*|rating*) <3> (leave|give)"),
      Rule("zh.removal.delete", PhraseCategory::kReviewRemovalOrChange, "zh", "(删除|修改) ~4 (评价|差评)"),
      Rule("any.offplatform.url", PhraseCategory::kOffPlatformContact, "any",
           "(https?://|www\\.)[a-z0-9.\\-]+", false),
  };
  rules.back().kind = PhraseRule::Kind::kRegex;
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(rules, 7);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return *filter;
}

TEST(PhraseFilter, FindsAPhraseWithItsExactCodePointOffsets) {
  const ScreenResult r = SmallFilter()->Screen("Hi! Could you REMOVE your review?", ScreenContext::kProductReview);
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.rule_version, 7);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].text, "Could you REMOVE your review");
  EXPECT_EQ(r.findings[0].start, 4u);
  EXPECT_EQ(r.findings[0].end, 32u);
  EXPECT_EQ(r.findings[0].category, PhraseCategory::kReviewRemovalOrChange);
  EXPECT_EQ(r.findings[0].explanation, "why");
  EXPECT_EQ(r.findings[0].suggestion, "say it this way");
}

TEST(PhraseFilter, OffsetsCountCharactersOnMultiByteAndDisguisedText) {
  // Full-width and mathematical letters, a zero-width space and an emoji before the phrase.
  const std::string text = "您好😀 ｐｌｅａｓｅ 𝐫𝐞\u200B𝐦𝐨𝐯𝐞 the réviéw";
  const ScreenResult r = SmallFilter()->Screen(text, ScreenContext::kProductReview);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].start, 4u);
  EXPECT_EQ(r.findings[0].end, 29u);
  EXPECT_EQ(r.findings[0].text, "ｐｌｅａｓｅ 𝐫𝐞\u200B𝐦𝐨𝐯𝐞 the réviéw");
}

TEST(PhraseFilter, CjkIsMatchedAsWrittenAndTraditionalAsSimplified) {
  const ScreenResult r = SmallFilter()->Screen("亲，请您刪 除一下評價好吗", ScreenContext::kProductReview);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].text, "刪 除一下評價");
  EXPECT_EQ(r.findings[0].start, 4u);
  EXPECT_EQ(r.findings[0].end, 11u);
}

TEST(PhraseFilter, EitherOrderWithinTheNearDistance) {
  auto filter = SmallFilter();
  EXPECT_FALSE(filter->Screen("Please leave a 5-star review", ScreenContext::kProductReview).allowed);
  EXPECT_FALSE(filter->Screen("A five star rating we hope you give", ScreenContext::kProductReview).allowed);
  EXPECT_TRUE(filter->Screen("Leave the box. A five star rating is rare", ScreenContext::kProductReview).allowed);
}

TEST(PhraseFilter, GapsStopAtTheEndOfASentence) {
  auto filter = SmallFilter();
  EXPECT_TRUE(filter->Screen("We removed the charge. Your review helps", ScreenContext::kProductReview).allowed);
  EXPECT_FALSE(filter->Screen("We removed the charge, your review helps", ScreenContext::kProductReview).allowed);
}

TEST(PhraseFilter, TheSellerFeedbackContextSkipsProductReviewOnlyRules) {
  auto filter = SmallFilter();
  const std::string neutral = "You may update your feedback if you wish.";
  EXPECT_FALSE(filter->Screen(neutral, ScreenContext::kProductReview).allowed);
  EXPECT_TRUE(filter->Screen(neutral, ScreenContext::kSellerFeedback).allowed);
  EXPECT_FALSE(filter->Screen("Could you please update your feedback?", ScreenContext::kSellerFeedback).allowed);
}

TEST(PhraseFilter, LinksToTheMarketplaceItselfAreAllowed) {
  auto filter = SmallFilter();
  EXPECT_TRUE(filter->Screen("Track it at https://www.amazon.de/gp/your-orders", ScreenContext::kProductReview).allowed);
  EXPECT_TRUE(filter->Screen("See www.sellercentral.amazon.co.uk now", ScreenContext::kProductReview).allowed);
  // A host that only mentions the marketplace is somewhere else.
  for (const char* elsewhere : {"https://amazon.evil.com/x", "https://evil.io/amazon.html", "www.ebay.de.evil.cn"}) {
    EXPECT_FALSE(filter->Screen(absl::StrCat("Go to ", elsewhere, " now"), ScreenContext::kProductReview).allowed)
        << elsewhere;
  }
  const ScreenResult r = filter->Screen("See https://my-shop.example.com now", ScreenContext::kProductReview);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].text, "https://my-shop.example.com");
  EXPECT_EQ(r.findings[0].category, PhraseCategory::kOffPlatformContact);
}

TEST(PhraseFilter, OneFindingPerPlaceAndCategory) {
  const ScreenResult r =
      SmallFilter()->Screen("Please remove your review. Please update your feedback.", ScreenContext::kProductReview);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].text, "Please remove your review");
  EXPECT_EQ(r.findings[1].text, "Please update your feedback");
}

TEST(PhraseFilter, ABadPatternIsRefusedNamingTheRule) {
  for (const char* pattern : {"(remove review", "~2 review", "review ~31 remove", "remove ~2", "a <2> b <2> c", "a ) b",
                                     "re*move"}) {
    absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(
        {Rule("en.bad.rule", PhraseCategory::kPressure, "en", pattern)}, 1);
    ASSERT_FALSE(filter.ok()) << pattern;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(filter.status().message()), HasSubstr("en.bad.rule")) << pattern;
  }
  PhraseRule regex = Rule("any.bad.regex", PhraseCategory::kPressure, "any", "a(b");
  regex.kind = PhraseRule::Kind::kRegex;
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile({regex}, 1);
  ASSERT_FALSE(filter.ok());
  EXPECT_THAT(std::string(filter.status().message()), HasSubstr("any.bad.regex"));
}

// A rule is tried only where the words it needs are present; a group's multi-word alternative
// needs all of its words, and a pattern that is one group needs one of its alternatives whole.
TEST(PhraseFilter, MultiWordAlternativesNeedEveryWord) {
  std::vector<PhraseRule> rules = {
      Rule("en.pressure.lawyer", PhraseCategory::kPressure, "en", "(our|my) (lawyer|legal team)"),
      Rule("en.offplatform.apps", PhraseCategory::kOffPlatformContact, "en", "(whatsapp|paypal (me|ff))"),
  };
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(rules, 1);
  ASSERT_TRUE(filter.ok()) << filter.status();
  const ScreenResult found = (*filter)->Screen("Thanks. Our legal team has it, so paypal me.", ScreenContext::kProductReview);
  ASSERT_EQ(found.findings.size(), 2u);
  EXPECT_EQ(found.findings[0].text, "Our legal team");
  EXPECT_EQ(found.findings[1].text, "paypal me");
  EXPECT_TRUE((*filter)->Screen("Our team will call me. Legal, team, paypal.", ScreenContext::kProductReview).allowed);
}

TEST(ValidateScreenText, RefusesEmptyOverlongAndMalformedText) {
  EXPECT_EQ(ValidateScreenText("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateScreenText(std::string(20001, 'a')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateScreenText(std::string(20000, 'a')).ok());
  // 20,000 three-byte characters are within the limit.
  std::string cjk;
  for (int i = 0; i < 20000; ++i) cjk += "评";
  EXPECT_TRUE(ValidateScreenText(cjk).ok());
  EXPECT_THAT(std::string(ValidateScreenText("bad \xFF byte").message()), HasSubstr("UTF-8"));
}

}  // namespace
}  // namespace aftersales::reviews
