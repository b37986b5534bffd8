#include "services/reviews/outreach_rules.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reviews/seed_rules.h"

namespace aftersales::reviews {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1796000000);

std::shared_ptr<const PhraseFilter> SeedFilter() {
  absl::StatusOr<std::vector<PhraseRule>> rules = testing::LoadSeedRules(SEED_RULES_SQL);
  EXPECT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = PhraseFilter::Compile(rules.value_or(std::vector<PhraseRule>()), 1);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return filter.value_or(nullptr);
}

std::string Describe(const ScreenResult& r) {
  std::string out;
  for (const Finding& f : r.findings) absl::StrAppend(&out, f.rule_id, " '", f.text, "'; ");
  return out;
}

// Every draft the service can compose, in every language, for every cause and remedy, passes the
// seeded filter: compliant by construction.
TEST(ComposeDraft, EveryLanguageCauseAndRemedyPassesTheFilter) {
  const std::shared_ptr<const PhraseFilter> filter = SeedFilter();
  ASSERT_NE(filter, nullptr);
  int drafts = 0;
  for (const LanguageTexts& texts : AllLanguageTexts()) {
    const DraftValues values{"Anna", "Reading Lamp", "113-2345678-1234567", "Bright Home"};
    for (int cause = 0; cause < kOutreachCauseCount; ++cause) {
      for (int remedy = 0; remedy < kRemedyCount; ++remedy) {
        const std::string body =
            ComposeDraft(texts, static_cast<OutreachCause>(cause), static_cast<Remedy>(remedy), values);
        EXPECT_THAT(body, HasSubstr("Anna"));
        EXPECT_FALSE(absl::StrContains(body, "{")) << "a placeholder left unfilled: " << body;
        const ScreenResult r = filter->Screen(body, ScreenContext::kProductReview);
        EXPECT_TRUE(r.allowed) << texts.language << " cause " << cause << " remedy " << remedy << ": "
                               << Describe(r) << "\n" << body;
        ++drafts;
      }
    }
    // The review request and, in its own context, the feedback note pass too.
    const std::string request = FillPlaceholders(texts.review_request, values);
    EXPECT_TRUE(filter->Screen(request, ScreenContext::kProductReview).allowed)
        << texts.language << ": " << Describe(filter->Screen(request, ScreenContext::kProductReview));
    const std::string note = FillPlaceholders(texts.feedback_note, values);
    EXPECT_TRUE(filter->Screen(note, ScreenContext::kSellerFeedback).allowed)
        << texts.language << ": " << Describe(filter->Screen(note, ScreenContext::kSellerFeedback));
  }
  EXPECT_EQ(drafts, 7 * kOutreachCauseCount * kRemedyCount);
}

TEST(TextsFor, FindsTheLanguageOfATagAndFallsBackToEnglish) {
  EXPECT_EQ(TextsFor("de-AT").language, "de");
  EXPECT_EQ(TextsFor("zh-Hant").language, "zh");
  EXPECT_EQ(TextsFor("pt-BR").language, "en");
  EXPECT_EQ(TextsFor("").language, "en");
}

TEST(GuessCause, FromWhatHappenedOnTheOrderBeforeTheReview) {
  OrderFacts order;
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::UNKNOWN);
  order.known = true;
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::NO_CONTACT_BEFORE_REVIEW);
  // A ticket opened after the review does not count as contact before it.
  order.tickets.push_back({kNow + absl::Hours(1), 2, true});
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::NO_CONTACT_BEFORE_REVIEW);
  order.tickets.push_back({kNow - absl::Hours(30), 2, false});  // LOGISTICS_DELAYED
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::LOGISTICS);
  order.tickets.push_back({kNow - absl::Hours(20), 121, false});  // SERVICE_MISUNDERSTANDING
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::MISUNDERSTANDING);
  order.refunded = true;
  EXPECT_EQ(GuessCause(order, kNow).cause, v1::AFTER_REFUND);
}

TEST(CheckCanSendOutreach, OneUnansweredMessagePerWaitAndNothingAfterAnOptOut) {
  v1::OutreachCase c;
  c.set_case_id("case-1");
  c.set_status(v1::OutreachCase::OPEN);
  EXPECT_TRUE(CheckCanSendOutreach(c, kNow, absl::Hours(48)).ok());
  v1::OutreachMessage* m = c.add_messages();
  *m->mutable_sent_at() = ToProtoTime(kNow - absl::Hours(47));
  EXPECT_EQ(CheckCanSendOutreach(c, kNow, absl::Hours(48)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckCanSendOutreach(c, kNow + absl::Hours(1), absl::Hours(48)).ok());
  *c.mutable_last_buyer_reply_at() = ToProtoTime(kNow - absl::Hours(1));
  EXPECT_TRUE(CheckCanSendOutreach(c, kNow, absl::Hours(48)).ok()) << "the buyer answered";
  c.set_opted_out(true);
  EXPECT_THAT(std::string(CheckCanSendOutreach(c, kNow, absl::Hours(48)).message()), HasSubstr("not to be contacted"));
  c.set_opted_out(false);
  c.set_status(v1::OutreachCase::CLOSED);
  EXPECT_THAT(std::string(CheckCanSendOutreach(c, kNow, absl::Hours(48)).message()), HasSubstr("closed"));
}

TEST(CheckReviewRequestEligible, FiveToThirtyDaysAfterDeliveryOnceAndNeverDuringTrouble) {
  OrderFacts order;
  order.known = true;
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, false).message()), HasSubstr("delivery"));
  order.delivered_at = kNow - absl::Hours(24 * 4);
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, false).message()), HasSubstr("too early"));
  order.delivered_at = kNow - absl::Hours(24 * 5);
  EXPECT_TRUE(CheckReviewRequestEligible(order, kNow, 5, false, false).ok());
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 7, false, false).message()), HasSubstr("too early"));
  order.delivered_at = kNow - absl::Hours(24 * 30) - absl::Seconds(1);
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, false).message()), HasSubstr("too late"));
  order.delivered_at = kNow - absl::Hours(24 * 10);
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, true).message()), HasSubstr("already"));
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, true, false).message()), HasSubstr("not to be"));
  order.open_return = true;
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, false).message()), HasSubstr("return"));
  order.open_return = false;
  order.tickets.push_back({kNow - absl::Hours(2), 20, true});
  EXPECT_THAT(std::string(CheckReviewRequestEligible(order, kNow, 5, false, false).message()), HasSubstr("ticket"));
}

}  // namespace
}  // namespace aftersales::reviews
