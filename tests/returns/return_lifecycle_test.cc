#include "services/returns/return_lifecycle.h"

#include <gtest/gtest.h>

#include "services/returns/returns_mapping.h"

namespace aftersales::returns {
namespace {

using v1::Return;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 0, 0), absl::UTCTimeZone());
const Money kLimit{5000, "USD"};

Actor Agent() { return Actor{"agent-1", Role::kAgent, kNow}; }
Actor Supervisor() { return Actor{"sup-1", Role::kSupervisor, kNow}; }

// A requested return of 2 x 40.00 USD plus 5.00 shipping, with the given decision shape.
Return Requested(v1::Disposition disposition, v1::ReturnLabel::Type label, bool eligible = true) {
  Return r;
  r.set_return_id("ret_1");
  r.set_status(Return::REQUESTED);
  auto* c = r.mutable_return_case();
  c->mutable_item_price()->set_currency_code("USD");
  c->mutable_item_price()->set_amount_minor(4000);
  c->set_quantity(2);
  c->mutable_outbound_shipping()->set_currency_code("USD");
  c->mutable_outbound_shipping()->set_amount_minor(500);
  r.mutable_decision()->set_eligible(eligible);
  r.mutable_decision()->set_ineligible_reason(eligible ? "" : "outside the 30-day window");
  r.mutable_decision()->set_disposition(disposition);
  r.mutable_decision()->set_label(label);
  r.mutable_refund_due()->set_currency_code("USD");
  r.mutable_refund_due()->set_amount_minor(4000);
  return r;
}

TEST(ReturnLifecycle, SellerLabelWalksEveryStepToClosed) {
  Return r = Requested(v1::RETURN_TO_ORIGIN, v1::ReturnLabel::PREPAID);
  ASSERT_TRUE(Authorize(r, Agent(), "ok").ok());
  EXPECT_EQ(r.status(), Return::AUTHORIZED);
  ASSERT_TRUE(IssueLabel(r, Agent(), "4PX", "RL123", Money{1800, "USD"}).ok());
  EXPECT_EQ(r.status(), Return::LABEL_ISSUED);
  EXPECT_EQ(r.label_cost().amount_minor(), 1800);
  ASSERT_TRUE(RecordTracking(r, Agent(), "4PX", "RL123").ok());
  EXPECT_EQ(r.status(), Return::IN_TRANSIT);
  ASSERT_TRUE(MarkReceived(r, Agent(), ItemCondition::kUsed, Money{2000, "USD"}, "").ok());
  EXPECT_EQ(r.status(), Return::RECEIVED);
  EXPECT_EQ(r.received_condition(), v1::USED);
  EXPECT_EQ(r.refund_due().amount_minor(), 2000);
  ASSERT_TRUE(Refund(r, Agent(), Money{2000, "USD"}, kLimit, "").ok());
  EXPECT_EQ(r.status(), Return::REFUNDED);
  ASSERT_TRUE(Close(r, Agent()).ok());
  EXPECT_EQ(r.status(), Return::CLOSED);
  ASSERT_EQ(r.history_size(), 6);
  EXPECT_EQ(r.history(4).action(), "refund");
  EXPECT_EQ(r.history(4).amount().amount_minor(), 2000);
  EXPECT_EQ(r.history(4).from_status(), Return::RECEIVED);
}

TEST(ReturnLifecycle, ReturnlessRefundSkipsTheParcel) {
  Return r = Requested(v1::RETURNLESS_REFUND, v1::ReturnLabel::NONE);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  EXPECT_EQ(IssueLabel(r, Agent(), "4PX", "X", Money{0, "USD"}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RecordTracking(r, Agent(), "4PX", "X").code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Refund(r, Agent(), Money{4000, "USD"}, kLimit, "").ok());
  EXPECT_EQ(r.status(), Return::RETURNLESS_REFUNDED);
}

TEST(ReturnLifecycle, ASecondRefundIsRefusedSayingItWasRefundedAlready) {
  Return r = Requested(v1::RETURNLESS_REFUND, v1::ReturnLabel::NONE);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  ASSERT_TRUE(Refund(r, Agent(), Money{4000, "USD"}, kLimit, "").ok());
  const Return before = r;
  const absl::Status again = Refund(r, Agent(), Money{4000, "USD"}, kLimit, "");
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("refunded already"), absl::string_view::npos) << again.message();
  EXPECT_EQ(r.SerializeAsString(), before.SerializeAsString());
}

TEST(ReturnLifecycle, BuyerArrangedShippingRecordsTrackingWithoutALabel) {
  Return r = Requested(v1::RETURN_TO_LOCAL_ADDRESS, v1::ReturnLabel::BUYER_ARRANGED);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  const absl::Status label = IssueLabel(r, Agent(), "USPS", "9400", Money{0, "USD"});
  EXPECT_EQ(label.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(label.message().find("buyer arranges"), absl::string_view::npos);
  ASSERT_TRUE(RecordTracking(r, Agent(), "USPS", "9400").ok());
  EXPECT_EQ(r.status(), Return::IN_TRANSIT);
}

TEST(ReturnLifecycle, IneligibleOrPlatformReturnsAreNotAuthorized) {
  Return late = Requested(v1::RETURN_TO_ORIGIN, v1::ReturnLabel::PREPAID, /*eligible=*/false);
  const absl::Status s = Authorize(late, Agent(), "");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("outside the 30-day window"), absl::string_view::npos);
  EXPECT_EQ(late.status(), Return::REQUESTED);
  EXPECT_TRUE(Reject(late, Agent(), "outside the window").ok());
  EXPECT_EQ(late.status(), Return::REJECTED);

  Return fba = Requested(v1::DISPOSITION_UNSPECIFIED, v1::ReturnLabel::NONE);
  fba.mutable_decision()->set_platform_handles(true);
  EXPECT_NE(Authorize(fba, Agent(), "").message().find("platform"), absl::string_view::npos);
}

TEST(ReturnLifecycle, AgentsRefundUpToTheLimitAndSupervisorsBeyond) {
  Return r = Requested(v1::RETURNLESS_REFUND, v1::ReturnLabel::NONE);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  const Return before = r;
  const absl::Status denied = Refund(r, Agent(), Money{8000, "USD"}, kLimit, "");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("50.00 USD"), absl::string_view::npos) << denied.message();
  EXPECT_EQ(r.SerializeAsString(), before.SerializeAsString()) << "a refused refund changes nothing";
  EXPECT_TRUE(Refund(r, Supervisor(), Money{8000, "USD"}, kLimit, "").ok());
  EXPECT_TRUE(CheckRefundApproval(Role::kAgent, Money{5000, "USD"}, kLimit).ok());
  EXPECT_FALSE(CheckRefundApproval(Role::kAgent, Money{5001, "USD"}, kLimit).ok());
  EXPECT_TRUE(CheckRefundApproval(Role::kAdmin, Money{999999, "USD"}, kLimit).ok());
}

TEST(ReturnLifecycle, RefundIsBoundedByWhatTheBuyerPaidInTheirCurrency) {
  Return r = Requested(v1::RETURNLESS_REFUND, v1::ReturnLabel::NONE);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  EXPECT_EQ(Refund(r, Supervisor(), Money{8501, "USD"}, kLimit, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refund(r, Supervisor(), Money{100, "EUR"}, kLimit, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Refund(r, Supervisor(), Money{0, "USD"}, kLimit, "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Refund(r, Supervisor(), Money{8500, "USD"}, kLimit, "").ok());
}

TEST(ReturnLifecycle, OutOfOrderStepsAnswerFailedPrecondition) {
  Return r = Requested(v1::RETURN_TO_ORIGIN, v1::ReturnLabel::PREPAID);
  EXPECT_EQ(Refund(r, Agent(), Money{100, "USD"}, kLimit, "").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MarkReceived(r, Agent(), ItemCondition::kUsed, Money{1, "USD"}, "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Close(r, Agent()).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  EXPECT_EQ(Authorize(r, Agent(), "").code(), absl::StatusCode::kFailedPrecondition);
  // The item is on its way with the seller's label: refunding early is allowed.
  ASSERT_TRUE(IssueLabel(r, Agent(), "4PX", "RL1", Money{1800, "USD"}).ok());
  ASSERT_TRUE(RecordTracking(r, Agent(), "4PX", "RL1").ok());
  EXPECT_EQ(Reject(r, Agent(), "no").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Refund(r, Agent(), Money{4000, "USD"}, kLimit, "early").ok());
  EXPECT_EQ(r.status(), Return::REFUNDED);
}

TEST(ReturnLifecycle, AReplacedItemClosesOnReceiptWithNothingToRefund) {
  Return r = Requested(v1::REPLACE_AND_RETURN, v1::ReturnLabel::PREPAID);
  r.mutable_refund_due()->set_amount_minor(0);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  ASSERT_TRUE(IssueLabel(r, Agent(), "4PX", "RL2", Money{1800, "USD"}).ok());
  EXPECT_EQ(Close(r, Agent()).code(), absl::StatusCode::kFailedPrecondition) << "not back yet";
  ASSERT_TRUE(MarkReceived(r, Agent(), ItemCondition::kDamaged, Money{0, "USD"}, "").ok());
  ASSERT_TRUE(Close(r, Agent()).ok());
  EXPECT_EQ(r.status(), Return::CLOSED);
}

TEST(ReturnLifecycle, MoreThanTheRefundDueIsASupervisorsOverride) {
  Return r = Requested(v1::RETURNLESS_REFUND, v1::ReturnLabel::NONE);  // 40.00 due
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  const absl::Status denied = Refund(r, Agent(), Money{4500, "USD"}, Money{10000, "USD"}, "");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("40.00 USD due"), absl::string_view::npos) << denied.message();
  ASSERT_TRUE(Refund(r, Supervisor(), Money{4500, "USD"}, kLimit, "goodwill").ok());
  EXPECT_NE(r.history(r.history_size() - 1).note().find("overrides the 40.00 USD due"), std::string::npos);
}

TEST(ReturnLifecycle, ALimitInAnotherCurrencyIsNotCompared) {
  EXPECT_EQ(CheckRefundApproval(Role::kAgent, Money{100, "EUR"}, kLimit).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckRefundApproval(Role::kSupervisor, Money{100, "EUR"}, kLimit).ok());
}

// The rules' enums and the API's must name the same values in the same order.
template <typename Domain, typename ProtoName>
void ExpectSameNames(int count, ProtoName proto_name) {
  for (int v = 0; v < count; ++v) {
    EXPECT_EQ(EnumName(static_cast<Domain>(v)), proto_name(v + 1)) << "value " << v;
  }
}

TEST(ReturnsMapping, DomainAndApiEnumsAgreeValueByValue) {
  ExpectSameNames<ProductCategory>(15, [](int v) { return v1::ProductCategory_Name(v); });
  ExpectSameNames<ReturnReason>(8, [](int v) { return v1::ReturnReason_Name(v); });
  ExpectSameNames<ItemCondition>(4, [](int v) { return v1::ItemCondition_Name(v); });
  ExpectSameNames<Payer>(4, [](int v) { return v1::Payer_Name(v); });
  ExpectSameNames<LabelType>(4, [](int v) { return v1::ReturnLabel::Type_Name(v); });
  ExpectSameNames<Disposition>(7, [](int v) { return v1::Disposition_Name(v); });
  ExpectSameNames<Fulfillment>(2, [](int v) { return v1::Fulfillment_Name(v); });
  ExpectSameNames<Marketplace>(4, [](int v) { return common::v1::Marketplace_Name(v); });
}

TEST(ReturnsMapping, DefaultPoliciesRoundTripThroughTheApi) {
  for (const auto& [marketplace, site] :
       {std::pair{Marketplace::kAmazon, "US"}, std::pair{Marketplace::kAmazon, "DE"},
        std::pair{Marketplace::kAmazon, "JP"}, std::pair{Marketplace::kEbay, "UK"}}) {
    const StoredPolicy policy = DefaultStoredPolicy(marketplace, site);
    const v1::ReturnPolicy proto = ToProto(policy);
    absl::StatusOr<StoredPolicy> back = FromProto(proto);
    ASSERT_TRUE(back.ok()) << site << ": " << back.status();
    EXPECT_EQ(ToProto(*back).SerializeAsString(), proto.SerializeAsString()) << site;
  }
  EXPECT_EQ(DefaultStoredPolicy(Marketplace::kAmazon, "US").agent_refund_limit, (Money{5000, "USD"}));
  EXPECT_EQ(DefaultStoredPolicy(Marketplace::kAmazon, "JP").agent_refund_limit, (Money{7500, "JPY"}));
}

TEST(ReturnsMapping, BadPolicyFieldsAreNamed) {
  v1::ReturnPolicy proto = ToProto(DefaultStoredPolicy(Marketplace::kAmazon, "US"));
  proto.mutable_agent_refund_limit()->set_currency_code("EUR");
  EXPECT_NE(FromProto(proto).status().message().find("agent_refund_limit"), absl::string_view::npos);
  proto = ToProto(DefaultStoredPolicy(Marketplace::kAmazon, "US"));
  proto.mutable_respond_within()->set_seconds(0);
  EXPECT_NE(FromProto(proto).status().message().find("respond_within"), absl::string_view::npos);
}

TEST(ReturnLifecycle, AReturnRefundedBeforeItArrivesStillRecordsItsCondition) {
  Return r = Requested(v1::RETURN_TO_ORIGIN, v1::ReturnLabel::PREPAID);
  ASSERT_TRUE(Authorize(r, Agent(), "").ok());
  ASSERT_TRUE(IssueLabel(r, Agent(), "4PX", "RL9", Money{1800, "USD"}).ok());
  ASSERT_TRUE(RecordTracking(r, Agent(), "4PX", "RL9").ok());
  ASSERT_TRUE(Refund(r, Agent(), Money{4000, "USD"}, kLimit, "on proof of sending").ok());
  ASSERT_EQ(r.status(), Return::REFUNDED);
  // It arrives later: evidence for a claim, and the refund made stands.
  ASSERT_TRUE(MarkReceived(r, Agent(), ItemCondition::kDamaged, Money{0, "USD"}, "").ok());
  EXPECT_EQ(r.status(), Return::REFUNDED);
  EXPECT_EQ(r.received_condition(), v1::DAMAGED);
  EXPECT_EQ(r.refunded().amount_minor(), 4000);
  EXPECT_NE(r.history(r.history_size() - 1).note().find("refunded before it arrived"),
            std::string::npos);
  // Once recorded, it is not recorded again.
  EXPECT_EQ(MarkReceived(r, Agent(), ItemCondition::kUsed, Money{0, "USD"}, "").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ReturnLifecycle, APlatformHandledReturnIsClosedStraightAway) {
  Return r = Requested(v1::RETURN_TO_ORIGIN, v1::ReturnLabel::PREPAID);
  EXPECT_EQ(Close(r, Agent()).code(), absl::StatusCode::kFailedPrecondition);
  r.mutable_decision()->set_platform_handles(true);
  ASSERT_TRUE(Close(r, Agent()).ok());
  EXPECT_EQ(r.status(), Return::CLOSED);
}

}  // namespace
}  // namespace aftersales::returns
