// DecideReturnShipping, one or more cases per rule of DOMAIN.md "Returns: who pays and what
// happens to the item". Every case starts from the same request (an Amazon US buyer sends back an
// unopened 80.00 USD item that cost the seller 40.00 USD, 800 g, 10 days after delivery, no longer
// needed) under the US default policy, and changes only what its rule needs.
//
// US default rates (800 g): US to US 8.00 USD, US to CN 26.00 USD, CN to US 26.00 USD.
#include "services/returns/return_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace aftersales::returns {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d, int h = 10) {
  return absl::FromCivil(absl::CivilHour(y, m, d, h), absl::UTCTimeZone());
}

const absl::Time kDelivered = Utc(2026, 3, 2);

ReturnRequest BaseRequest() {
  ReturnRequest r;
  r.store_id = "store-1";
  r.marketplace = Marketplace::kAmazon;
  r.site = "US";
  r.order_id = "111-2222222-3333333";
  r.buyer_country = "US";
  r.fulfillment = Fulfillment::kMerchant;
  r.category = ProductCategory::kGeneral;
  r.item_price = Money{80'00, ""};
  r.item_cost = Money{40'00, ""};
  r.quantity = 1;
  r.ordered_at = kDelivered - absl::Hours(24 * 9);
  r.delivered_at = kDelivered;
  r.requested_at = kDelivered + absl::Hours(24 * 10);
  r.reason = ReturnReason::kNoLongerNeeded;
  r.condition = ItemCondition::kUnopened;
  r.weight_grams = 800;
  return r;
}

// Sets the marketplace and site on both the request and a fresh default policy.
void Site(ReturnRequest& r, ReturnPolicy& p, Marketplace marketplace, const std::string& site,
          const std::string& buyer_country) {
  p = DefaultReturnPolicy(marketplace, site);
  r.marketplace = marketplace;
  r.site = site;
  r.buyer_country = buyer_country;
}

void RequestedOnDay(ReturnRequest& r, int days) {
  r.requested_at = r.delivered_at + absl::Hours(24 * days);
}

struct ShippingCase {
  std::string name;
  std::function<void(ReturnRequest&, ReturnPolicy&)> setup;
  bool eligible;
  Payer payer;
  LabelType label;
  int64_t label_cost;
  int64_t restocking_fee;
  int64_t refund;
  std::optional<Disposition> disposition;
  std::vector<std::string> fires;
  std::vector<std::string> does_not_fire = {};
};

std::vector<std::string> Ids(const ReturnShippingDecision& d) {
  std::vector<std::string> ids;
  for (const FiredRule& rule : d.fired_rules) ids.emplace_back(rule.id);
  return ids;
}

// Failure messages name the case rather than dump its bytes.
void PrintTo(const ShippingCase& c, std::ostream* os) { *os << c.name; }

class ReturnShippingTable : public ::testing::TestWithParam<ShippingCase> {};

TEST_P(ReturnShippingTable, DecidesPayerLabelMoneyAndDisposition) {
  const ShippingCase& c = GetParam();
  ReturnRequest r = BaseRequest();
  ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  c.setup(r, p);
  for (Money* m : {&r.item_price, &r.item_cost}) {
    if (m->currency_code.empty()) m->currency_code = p.currency_code;
  }
  if (r.outbound_shipping.amount_minor != 0 && r.outbound_shipping.currency_code.empty()) {
    r.outbound_shipping.currency_code = p.currency_code;
  }
  ASSERT_TRUE(ValidateReturnPolicy(p).ok()) << ValidateReturnPolicy(p);
  absl::StatusOr<ReturnShippingDecision> quoted = QuoteReturnShipping(r, p);
  ASSERT_TRUE(quoted.ok()) << quoted.status();
  const ReturnShippingDecision& d = *quoted;

  const std::vector<std::string> ids = Ids(d);
  SCOPED_TRACE(::testing::PrintToString(ids));
  EXPECT_EQ(d.eligible, c.eligible);
  EXPECT_EQ(EnumName(d.return_shipping_payer), EnumName(c.payer));
  EXPECT_EQ(EnumName(d.label), EnumName(c.label));
  EXPECT_EQ(d.label_cost, (Money{c.label_cost, p.currency_code}));
  EXPECT_EQ(d.restocking_fee, (Money{c.restocking_fee, p.currency_code}));
  EXPECT_EQ(d.refund_amount, (Money{c.refund, p.currency_code}));
  ASSERT_EQ(d.disposition.has_value(), c.disposition.has_value());
  if (c.disposition) {
    EXPECT_EQ(EnumName(*d.disposition), EnumName(*c.disposition));
  }
  for (const std::string& id : c.fires) EXPECT_THAT(ids, ::testing::Contains(id));
  for (const std::string& id : c.does_not_fire) {
    EXPECT_THAT(ids, ::testing::Not(::testing::Contains(id)));
  }
  EXPECT_EQ(d.ineligible_reason.empty(), c.eligible);
  for (const FiredRule& rule : d.fired_rules) EXPECT_FALSE(rule.sentence.empty()) << rule.id;
}

using D = Disposition;
using L = LabelType;
using P = Payer;
using R = ReturnRequest;
using Pol = ReturnPolicy;

INSTANTIATE_TEST_SUITE_P(
    Returns, ReturnShippingTable,
    ::testing::Values(
        // ---- Buyer remorse: who pays depends on where the item goes back to ----
        ShippingCase{"BuyerRemorseToChinaIsPaidBySeller", [](R&, Pol&) {}, true, P::kSeller,
                     L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"buyer_remorse_to_china_seller_pays", "no_local_return_address",
                      "within_window", "return_to_origin", "refund_after_receipt"},
                     {"eu_withdrawal_14_days", "buyer_remorse_local_buyer_pays"}},
        ShippingCase{"BuyerRemorseToLocalAddressIsPaidByBuyerFromTheRefund",
                     [](R&, Pol& p) { p.local_return_countries = {"US"}; }, true, P::kBuyer,
                     L::kPrepaid, 8'00, 0, 72'00, D::kReturnToLocalAddress,
                     {"buyer_remorse_local_buyer_pays", "return_to_local_address"},
                     {"no_local_return_address", "buyer_remorse_to_china_seller_pays"}},
        ShippingCase{"BuyerRemorseToLocalWarehouseIsPaidByBuyer",
                     [](R&, Pol& p) { p.warehouse_countries = {"US"}; }, true, P::kBuyer,
                     L::kPrepaid, 8'00, 0, 72'00, D::kReturnToWarehouse,
                     {"buyer_remorse_local_buyer_pays", "return_to_warehouse"}},
        ShippingCase{"LocalWarehouseIsPreferredOverLocalReturnAddress",
                     [](R&, Pol& p) {
                       p.local_return_countries = {"US"};
                       p.warehouse_countries = {"DE", "US"};
                     },
                     true, P::kBuyer, L::kPrepaid, 8'00, 0, 72'00, D::kReturnToWarehouse,
                     {"return_to_warehouse"}, {"return_to_local_address"}},
        ShippingCase{"LocalAddressInAnotherCountryDoesNotCount",
                     [](R&, Pol& p) { p.local_return_countries = {"CA", "GB"}; }, true,
                     P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"buyer_remorse_to_china_seller_pays", "no_local_return_address"}},
        ShippingCase{"FreeReturnsNeverChargeTheBuyer",
                     [](R&, Pol& p) {
                       p.local_return_countries = {"US"};
                       p.free_returns = true;
                     },
                     true, P::kSeller, L::kPrepaid, 8'00, 0, 80'00, D::kReturnToLocalAddress,
                     {"free_returns_seller_pays"}, {"buyer_remorse_local_buyer_pays"}},
        ShippingCase{"BuyerArrangesLocalReturnWhenStoreDoesNotDeductLabel",
                     [](R&, Pol& p) {
                       p.local_return_countries = {"US"};
                       p.deduct_buyer_label_from_refund = false;
                     },
                     true, P::kBuyer, L::kBuyerArranged, 8'00, 0, 80'00,
                     D::kReturnToLocalAddress,
                     {"buyer_remorse_local_buyer_pays", "buyer_arranges_return"}},
        // ---- Insured label above the threshold ----
        ShippingCase{"InsuredLabelOverThreshold",
                     [](R& r, Pol&) {
                       r.item_price.amount_minor = 150'00;
                       r.item_cost.amount_minor = 60'00;
                     },
                     true, P::kSeller, L::kPrepaidInsured, 26'00, 0, 150'00, D::kReturnToOrigin,
                     {"insured_label_over_threshold"}},
        ShippingCase{"ExactlyAtInsuredThresholdIsNotInsured",
                     [](R& r, Pol&) { r.item_price.amount_minor = 100'00; }, true, P::kSeller,
                     L::kPrepaid, 26'00, 0, 100'00, D::kReturnToOrigin, {},
                     {"insured_label_over_threshold"}},
        ShippingCase{"InsuredThresholdReadsTheWholeLine",
                     [](R& r, Pol&) {
                       r.item_price.amount_minor = 60'00;
                       r.item_cost.amount_minor = 30'00;
                       r.quantity = 2;
                     },
                     true, P::kSeller, L::kPrepaidInsured, 26'00, 0, 120'00, D::kReturnToOrigin,
                     {"insured_label_over_threshold"}},
        ShippingCase{"InsuredLabelIsSellerIssuedEvenWhenBuyerPays",
                     [](R& r, Pol& p) {
                       r.item_price.amount_minor = 150'00;
                       p.local_return_countries = {"US"};
                       p.deduct_buyer_label_from_refund = false;
                     },
                     true, P::kBuyer, L::kPrepaidInsured, 8'00, 0, 142'00,
                     D::kReturnToLocalAddress, {"insured_label_over_threshold"},
                     {"buyer_arranges_return"}},
        // ---- Seller fault: the seller pays a prepaid label ----
        ShippingCase{"WrongItemIsSellerFaultWithPrepaidLabel",
                     [](R& r, Pol&) { r.reason = ReturnReason::kWrongItem; }, true, P::kSeller,
                     L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"seller_fault_prepaid_label", "seller_fault_no_restocking_fee",
                      "no_local_return_address"},
                     {"within_window", "buyer_remorse_to_china_seller_pays"}},
        ShippingCase{"SellerFaultRefundsOutboundShipping",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kNotAsDescribed;
                       r.outbound_shipping = Money{5'99, ""};
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 85'99, D::kReturnToOrigin,
                     {"seller_fault_prepaid_label"}},
        ShippingCase{"SellerFaultToLocalAddressIsStillPaidBySeller",
                     [](R& r, Pol& p) {
                       r.reason = ReturnReason::kMissingParts;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kSeller, L::kPrepaid, 8'00, 0, 80'00, D::kReturnToLocalAddress,
                     {"seller_fault_prepaid_label", "return_to_local_address"}},
        ShippingCase{"SellerFaultTakesNoRestockingFeeEvenWhenUsed",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kNotAsDescribed;
                       r.condition = ItemCondition::kUsed;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"seller_fault_no_restocking_fee"}, {"restocking_fee_used"}},
        ShippingCase{"SellerFaultIsTakenAfterTheRemorseWindow",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kWrongItem;
                       RequestedOnDay(r, 45);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"seller_fault_prepaid_label"}, {"outside_window"}},
        ShippingCase{"SellerFaultAfterTheAtoZPeriodIsOutsideTheWindow",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kWrongItem;
                       RequestedOnDay(r, 91);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"}},
        // ---- Defective or destroyed: abandon and refund in full ----
        ShippingCase{"DefectiveIsAbandonedAndRefundedInFull",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDefective;
                       r.outbound_shipping = Money{5'00, ""};
                     },
                     true, P::kNone, L::kNone, 0, 0, 85'00, D::kAbandonAndRefund,
                     {"defective_abandon_and_refund", "seller_fault_no_restocking_fee"},
                     {"seller_fault_prepaid_label"}},
        ShippingCase{"DefectiveValuableItemIsAbandonedToo",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDefective;
                       r.item_price.amount_minor = 500'00;
                       r.item_cost.amount_minor = 300'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 500'00, D::kAbandonAndRefund,
                     {"defective_abandon_and_refund"}, {"insured_label_over_threshold"}},
        ShippingCase{"DestroyedItemIsAbandonedAndRefundedInFull",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kWrongItem;
                       r.condition = ItemCondition::kDamaged;
                     },
                     true, P::kNone, L::kNone, 0, 0, 80'00, D::kAbandonAndRefund,
                     {"destroyed_abandon_and_refund"}},
        ShippingCase{"HazmatIsNeverShippedBack",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kNotAsDescribed;
                       r.category = ProductCategory::kHazmat;
                     },
                     true, P::kNone, L::kNone, 0, 0, 80'00, D::kAbandonAndRefund,
                     {"not_shipped_back_abandon"}},
        // ---- Damaged on arrival: partial refund vs replacement, whichever costs less ----
        // 20 % of 80.00 = 16.00 against 40.00 item + 26.00 freight + 26.00 label = 92.00.
        ShippingCase{"DamagedOnArrivalPartialRefundWhenCheaper",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       r.condition = ItemCondition::kDamaged;
                     },
                     true, P::kNone, L::kNone, 0, 0, 16'00, D::kPartialRefundKeep,
                     {"damaged_on_arrival_partial_refund", "carrier_claim"},
                     {"destroyed_abandon_and_refund", "damaged_on_arrival_replace"}},
        // 20 % of 1000.00 = 200.00 against 50.00 + 26.00 + 26.00 = 102.00.
        ShippingCase{"DamagedOnArrivalReplacementWhenCheaper",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       r.condition = ItemCondition::kDamaged;
                       r.item_price.amount_minor = 1000'00;
                       r.item_cost.amount_minor = 50'00;
                     },
                     true, P::kSeller, L::kPrepaidInsured, 26'00, 0, 0, D::kReplaceAndReturn,
                     {"damaged_on_arrival_replace", "seller_fault_prepaid_label", "carrier_claim",
                      "insured_label_over_threshold"}},
        // 20 % of 300.00 = 60.00 against 30.00 + 26.00 + 26.00 = 82.00 from China ...
        ShippingCase{"DamagedOnArrivalInternationalFreightMakesPartialRefundCheaper",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       r.item_price.amount_minor = 300'00;
                       r.item_cost.amount_minor = 30'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 60'00, D::kPartialRefundKeep,
                     {"damaged_on_arrival_partial_refund"}},
        // ... but 30.00 + 8.00 + 8.00 = 46.00 from a warehouse in the buyer's country.
        ShippingCase{"DamagedOnArrivalReplacementFromLocalWarehouse",
                     [](R& r, Pol& p) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       r.item_price.amount_minor = 300'00;
                       r.item_cost.amount_minor = 30'00;
                       p.warehouse_countries = {"US"};
                     },
                     true, P::kSeller, L::kPrepaidInsured, 8'00, 0, 0, D::kReplaceAndReturn,
                     {"damaged_on_arrival_replace"}},
        ShippingCase{"DamagedOnArrivalPartialPercentIsConfigurable",
                     [](R& r, Pol& p) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       p.damaged_on_arrival_refund_percent = 30;
                     },
                     true, P::kNone, L::kNone, 0, 0, 24'00, D::kPartialRefundKeep,
                     {"damaged_on_arrival_partial_refund"}},
        // 20 % of 33.33 = 6.666, rounded up for the buyer.
        ShippingCase{"DamagedOnArrivalPartialRefundRoundsUp",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kDamagedInTransit;
                       r.item_price.amount_minor = 33'33;
                     },
                     true, P::kNone, L::kNone, 0, 0, 6'67, D::kPartialRefundKeep,
                     {"damaged_on_arrival_partial_refund"}},
        // ---- Returnless refunds ----
        ShippingCase{"ReturnlessWhenReturningCostsMoreThanTheItemIsWorth",
                     [](R& r, Pol&) {
                       r.item_price.amount_minor = 50'00;
                       r.item_cost.amount_minor = 15'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 50'00, D::kReturnlessRefund,
                     {"returnless_cost_exceeds_value", "no_local_return_address"},
                     {"buyer_remorse_to_china_seller_pays", "refund_after_receipt"}},
        ShippingCase{"ReturnlessCostCheckDoesNotApplyWhenBuyerPays",
                     [](R& r, Pol& p) {
                       r.item_price.amount_minor = 50'00;
                       r.item_cost.amount_minor = 5'00;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kBuyer, L::kPrepaid, 8'00, 0, 42'00, D::kReturnToLocalAddress,
                     {"buyer_remorse_local_buyer_pays"}, {"returnless_cost_exceeds_value"}},
        ShippingCase{"ReturnlessBelowLowValueThreshold",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kEbay, "US", "US");
                       r.item_price.amount_minor = 20'00;
                       r.item_cost.amount_minor = 19'00;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kNone, L::kNone, 0, 0, 20'00, D::kReturnlessRefund,
                     {"returnless_low_value"}, {"amazon_returnless_low_value"}},
        ShippingCase{"LowValueThresholdIsStrictlyBelow",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kEbay, "US", "US");
                       r.item_price.amount_minor = 25'00;
                       r.item_cost.amount_minor = 25'00;
                       r.weight_grams = 400;
                     },
                     true, P::kSeller, L::kPrepaid, 18'00, 0, 25'00, D::kReturnToOrigin,
                     {"buyer_remorse_to_china_seller_pays"},
                     {"returnless_low_value", "amazon_returnless_low_value"}},
        ShippingCase{"AmazonRefundsReturnlessAtOrBelow25WithoutLocalAddress",
                     [](R& r, Pol&) {
                       r.item_price.amount_minor = 25'00;
                       r.item_cost.amount_minor = 25'00;
                       r.weight_grams = 400;
                     },
                     true, P::kNone, L::kNone, 0, 0, 25'00, D::kReturnlessRefund,
                     {"amazon_returnless_low_value"}, {"returnless_low_value"}},
        ShippingCase{"AmazonReturnlessNeedsNoLocalAddress",
                     [](R& r, Pol& p) {
                       r.item_price.amount_minor = 25'00;
                       r.item_cost.amount_minor = 25'00;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kBuyer, L::kPrepaid, 8'00, 0, 17'00, D::kReturnToLocalAddress,
                     {"buyer_remorse_local_buyer_pays"}, {"amazon_returnless_low_value"}},
        ShippingCase{"AmazonReturnlessCoversSellerFaultToo",
                     [](R& r, Pol&) {
                       r.reason = ReturnReason::kWrongItem;
                       r.item_price.amount_minor = 20'00;
                       r.item_cost.amount_minor = 20'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 20'00, D::kReturnlessRefund,
                     {"amazon_returnless_low_value"}, {"seller_fault_prepaid_label"}},
        ShippingCase{"AmazonReturnlessThresholdIsPerSite",
                     [](R& r, Pol& p) {
                       r.item_price.amount_minor = 30'00;
                       r.item_cost.amount_minor = 30'00;
                       r.weight_grams = 400;
                       p.amazon_returnless_threshold.amount_minor = 35'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 30'00, D::kReturnlessRefund,
                     {"amazon_returnless_low_value"}},
        // ---- Restocking fees by case ----
        ShippingCase{"RestockingFeeForUsedItemWithinWindow",
                     [](R& r, Pol&) { r.condition = ItemCondition::kUsed; }, true, P::kSeller,
                     L::kPrepaid, 26'00, 40'00, 40'00, D::kReturnToOrigin,
                     {"restocking_fee_used"}},
        ShippingCase{"RestockingFeeForItemDamagedByBuyer",
                     [](R& r, Pol& p) {
                       r.condition = ItemCondition::kDamaged;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kBuyer, L::kPrepaid, 8'00, 40'00, 32'00, D::kReturnToLocalAddress,
                     {"restocking_fee_damaged", "buyer_remorse_local_buyer_pays"}},
        ShippingCase{"OpenedUnusedTakesNoRestockingFee",
                     [](R& r, Pol&) { r.condition = ItemCondition::kOpenedUnused; }, true,
                     P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin, {},
                     {"restocking_fee_used", "restocking_fee_damaged"}},
        // 50 % of 33.33 = 16.665, rounded down for the buyer.
        ShippingCase{"RestockingFeeRoundsDown",
                     [](R& r, Pol&) {
                       r.condition = ItemCondition::kUsed;
                       r.item_price.amount_minor = 33'33;
                       r.item_cost.amount_minor = 30'00;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 16'66, 16'67, D::kReturnToOrigin,
                     {"restocking_fee_used"}},
        ShippingCase{"RestockingFeePercentIsPerPolicy",
                     [](R& r, Pol& p) {
                       r.condition = ItemCondition::kUsed;
                       p.restocking_fee_percent.used = 15;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 12'00, 68'00, D::kReturnToOrigin,
                     {"restocking_fee_used"}},
        ShippingCase{"ReturnlessRefundTakesNoRestockingFee",
                     [](R& r, Pol&) {
                       r.condition = ItemCondition::kUsed;
                       r.item_cost.amount_minor = 10'00;
                     },
                     true, P::kNone, L::kNone, 0, 0, 80'00, D::kReturnlessRefund,
                     {"returnless_cost_exceeds_value"}, {"restocking_fee_used"}},
        // 3 x 40.00 line = 120.00 (insured), 50 % fee, 1.9 kg parcel to CN 40.00.
        ShippingCase{"QuantityMultipliesTheLine",
                     [](R& r, Pol&) {
                       r.condition = ItemCondition::kUsed;
                       r.item_price.amount_minor = 40'00;
                       r.item_cost.amount_minor = 20'00;
                       r.quantity = 3;
                       r.weight_grams = 1900;
                     },
                     true, P::kSeller, L::kPrepaidInsured, 40'00, 60'00, 60'00,
                     D::kReturnToOrigin, {"restocking_fee_used", "insured_label_over_threshold"}},
        // 30.00 - 15.00 fee - 40.00 label (15 kg) is below zero: the refund stops at zero.
        ShippingCase{"RefundNeverGoesBelowZero",
                     [](R& r, Pol& p) {
                       r.condition = ItemCondition::kDamaged;
                       r.item_price.amount_minor = 30'00;
                       r.item_cost.amount_minor = 30'00;
                       r.weight_grams = 15000;
                       p.local_return_countries = {"US"};
                     },
                     true, P::kBuyer, L::kPrepaid, 40'00, 15'00, 0, D::kReturnToLocalAddress,
                     {"restocking_fee_damaged"}},
        // ---- Window ----
        ShippingCase{"OutsideWindowIsIneligible", [](R& r, Pol&) { RequestedOnDay(r, 31); },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"},
                     {"within_window", "buyer_remorse_to_china_seller_pays"}},
        ShippingCase{"Day30IsInsideTheWindow", [](R& r, Pol&) { RequestedOnDay(r, 30); }, true,
                     P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"within_window"}},
        ShippingCase{"WindowDaysArePerPolicy",
                     [](R& r, Pol& p) {
                       p.return_window_days = 60;
                       RequestedOnDay(r, 45);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"within_window"}},
        ShippingCase{"LateReturnInOriginalConditionTakesLateFee",
                     [](R& r, Pol& p) {
                       p.accept_late_returns = true;
                       RequestedOnDay(r, 40);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 16'00, 64'00, D::kReturnToOrigin,
                     {"late_return_accepted", "late_return_restocking_fee"},
                     {"outside_window", "within_window"}},
        ShippingCase{"LateReturnOfUsedItemIsRefused",
                     [](R& r, Pol& p) {
                       p.accept_late_returns = true;
                       r.condition = ItemCondition::kUsed;
                       RequestedOnDay(r, 40);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"}},
        ShippingCase{"LateReturnPastTheGraceIsRefused",
                     [](R& r, Pol& p) {
                       p.accept_late_returns = true;
                       RequestedOnDay(r, 61);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"}},
        // ---- Categories with no returns or their own rules ----
        ShippingCase{"GiftCardTakesNoRemorseReturn",
                     [](R& r, Pol&) { r.category = ProductCategory::kGiftCard; }, false,
                     P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"category_excluded"}},
        ShippingCase{"HazmatTakesNoRemorseReturn",
                     [](R& r, Pol&) { r.category = ProductCategory::kHazmat; }, false, P::kNone,
                     L::kNone, 0, 0, 0, std::nullopt, {"category_excluded"}},
        ShippingCase{"ExcludedCategoryIsRefusedEvenInsideTheWindow",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kDigital;
                       RequestedOnDay(r, 1);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"category_excluded"},
                     {"within_window"}},
        ShippingCase{"ExcludedCategoryStillTakesSellerFaultReturns",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kCustomized;
                       r.reason = ReturnReason::kNotAsDescribed;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"seller_fault_prepaid_label"}, {"category_excluded"}},
        ShippingCase{"WornWatchIsNotTakenBack",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kWatches;
                       r.condition = ItemCondition::kUsed;
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt,
                     {"category_condition_not_accepted"}},
        ShippingCase{"UnwornWatchIsTakenBack",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kWatches;
                       r.condition = ItemCondition::kOpenedUnused;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin, {},
                     {"category_condition_not_accepted"}},
        ShippingCase{"OpenedCollectibleIsNotTakenBack",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kCollectibles;
                       r.condition = ItemCondition::kOpenedUnused;
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt,
                     {"category_condition_not_accepted"}},
        ShippingCase{"BabyItemsHaveANinetyDayWindow",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kBaby;
                       RequestedOnDay(r, 60);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"category_own_window", "within_window"}},
        ShippingCase{"BabyItemsAfterNinetyDaysAreRefused",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kBaby;
                       RequestedOnDay(r, 91);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"}},
        // ---- EU: withdrawal, direct cost, refund with outbound delivery ----
        ShippingCase{"EuWithdrawalGivesFourteenDaysOverAShorterWindow",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       p.return_window_days = 7;
                       RequestedOnDay(r, 12);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"eu_withdrawal_14_days", "within_window", "eu_refund_within_14_days"}},
        ShippingCase{"EuWithdrawalEndsAfterFourteenDays",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       p.return_window_days = 7;
                       RequestedOnDay(r, 15);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt,
                     {"eu_withdrawal_14_days", "outside_window"}},
        ShippingCase{"AmazonEuThirtyDaysApplyOnTopOfWithdrawal",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "FR", "FR");
                       RequestedOnDay(r, 25);
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin,
                     {"eu_withdrawal_14_days", "within_window"}},
        ShippingCase{"EuBuyerPaysDirectCostWhenToldBeforeSale",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       p.local_return_countries = {"DE"};
                     },
                     true, P::kBuyer, L::kPrepaid, 8'00, 0, 72'00, D::kReturnToLocalAddress,
                     {"eu_buyer_pays_direct_cost", "buyer_remorse_local_buyer_pays"}},
        ShippingCase{"EuSellerPaysWhenBuyerWasNotTold",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       p.local_return_countries = {"DE"};
                       p.eu_buyer_told_return_cost = false;
                     },
                     true, P::kSeller, L::kPrepaid, 8'00, 0, 80'00, D::kReturnToLocalAddress,
                     {"eu_return_cost_not_disclosed"},
                     {"buyer_remorse_local_buyer_pays", "eu_buyer_pays_direct_cost"}},
        ShippingCase{"EuSellerPaysWhenItAgreedTo",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "IT", "IT");
                       p.local_return_countries = {"IT"};
                       p.eu_seller_pays_return_cost = true;
                     },
                     true, P::kSeller, L::kPrepaid, 8'00, 0, 80'00, D::kReturnToLocalAddress,
                     {"eu_seller_agreed_to_pay"}},
        ShippingCase{"EuRefundIncludesOutboundDelivery",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       r.outbound_shipping = Money{4'99, ""};
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 84'99, D::kReturnToOrigin,
                     {"eu_refund_within_14_days"}},
        ShippingCase{"RemorseOutsideEuDoesNotRefundOutboundDelivery",
                     [](R& r, Pol&) { r.outbound_shipping = Money{4'99, ""}; }, true, P::kSeller,
                     L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin, {},
                     {"eu_refund_within_14_days"}},
        ShippingCase{"EuBuyerOnASiteWithoutEuRulesStillGetsWithdrawal",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kShopify, "", "FR");
                       p.return_window_days = 7;
                       RequestedOnDay(r, 12);
                     },
                     true, P::kSeller, L::kPrepaid, 0, 0, 80'00, D::kReturnToOrigin,
                     {"eu_withdrawal_14_days", "no_carrier_rate"}},
        ShippingCase{"UkIsNotEu",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "UK", "GB");
                       p.return_window_days = 7;
                       RequestedOnDay(r, 12);
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"outside_window"},
                     {"eu_withdrawal_14_days"}},
        ShippingCase{"EuUnsealedHygieneItemIsNotWithdrawable",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       r.category = ProductCategory::kBeauty;
                       r.condition = ItemCondition::kOpenedUnused;
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"eu_not_withdrawable"}},
        ShippingCase{"EuSealedHygieneItemIsWithdrawable",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "DE", "DE");
                       r.category = ProductCategory::kBeauty;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin, {},
                     {"eu_not_withdrawable"}},
        ShippingCase{"OpenedBeautyOutsideEuIsReturnable",
                     [](R& r, Pol&) {
                       r.category = ProductCategory::kBeauty;
                       r.condition = ItemCondition::kOpenedUnused;
                     },
                     true, P::kSeller, L::kPrepaid, 26'00, 0, 80'00, D::kReturnToOrigin, {},
                     {"eu_not_withdrawable"}},
        ShippingCase{"EuCustomizedItemIsNotWithdrawableEvenWhenStoreTakesThem",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "ES", "ES");
                       r.category = ProductCategory::kCustomized;
                       std::erase_if(p.category_rules, [](const CategoryRule& rule) {
                         return rule.category == ProductCategory::kCustomized;
                       });
                     },
                     false, P::kNone, L::kNone, 0, 0, 0, std::nullopt, {"eu_not_withdrawable"},
                     {"category_excluded"}},
        // ---- Platform fulfilment and missing rates ----
        ShippingCase{"PlatformFulfilledReturnIsHandledByThePlatform",
                     [](R& r, Pol&) { r.fulfillment = Fulfillment::kPlatform; }, true, P::kNone,
                     L::kNone, 0, 0, 0, std::nullopt, {"platform_fulfilled"},
                     {"within_window", "buyer_remorse_to_china_seller_pays"}},
        ShippingCase{"NoCarrierRateIsFlaggedForAManualPrice",
                     [](R& r, Pol&) { r.buyer_country = "CA"; }, true, P::kSeller, L::kPrepaid, 0,
                     0, 80'00, D::kReturnToOrigin,
                     {"no_carrier_rate", "buyer_remorse_to_china_seller_pays"}},
        ShippingCase{"ParcelAboveTheLastBracketHasNoRate",
                     [](R& r, Pol&) { r.weight_grams = 20001; }, true, P::kSeller, L::kPrepaid, 0,
                     0, 80'00, D::kReturnToOrigin, {"no_carrier_rate"}},
        ShippingCase{"JapanSitePricesInYen",
                     [](R& r, Pol& p) {
                       Site(r, p, Marketplace::kAmazon, "JP", "JP");
                       r.item_price.amount_minor = 12000;
                       r.item_cost.amount_minor = 6000;
                     },
                     true, P::kSeller, L::kPrepaid, 3900, 0, 12000, D::kReturnToOrigin,
                     {"buyer_remorse_to_china_seller_pays"}, {"insured_label_over_threshold"}}),
    [](const ::testing::TestParamInfo<ShippingCase>& info) { return info.param.name; });

// ---- Deadlines and sentences ----

ReturnShippingDecision Decide(const ReturnRequest& r, const ReturnPolicy& p) {
  absl::StatusOr<ReturnShippingDecision> d = QuoteReturnShipping(r, p);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : ReturnShippingDecision{};
}

ReturnRequest UsdRequest() {
  ReturnRequest r = BaseRequest();
  r.item_price.currency_code = "USD";
  r.item_cost.currency_code = "USD";
  return r;
}

TEST(ReturnShipping, RespondByIs48HoursAfterTheRequestByDefault) {
  const ReturnRequest r = UsdRequest();
  ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  EXPECT_EQ(Decide(r, p).respond_by, r.requested_at + absl::Hours(48));
  p.respond_within = absl::Hours(24);
  EXPECT_EQ(Decide(r, p).respond_by, r.requested_at + absl::Hours(24));
}

TEST(ReturnShipping, RespondByIsSetEvenWhenIneligible) {
  ReturnRequest r = UsdRequest();
  RequestedOnDay(r, 60);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_FALSE(d.eligible);
  EXPECT_EQ(d.respond_by, r.requested_at + absl::Hours(48));
  EXPECT_FALSE(d.refund_due_by.has_value());
}

TEST(ReturnShipping, RefundWithoutReturnIsDueWithTheAnswer) {
  ReturnRequest r = UsdRequest();
  r.reason = ReturnReason::kDefective;
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  ASSERT_TRUE(d.refund_due_by.has_value());
  EXPECT_EQ(*d.refund_due_by, d.respond_by);
}

TEST(ReturnShipping, RefundAfterAReturnWaitsForTheItemOutsideEu) {
  const ReturnShippingDecision d =
      Decide(UsdRequest(), DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  ASSERT_EQ(d.disposition, Disposition::kReturnToOrigin);
  EXPECT_FALSE(d.refund_due_by.has_value());
  EXPECT_TRUE(d.Fired("refund_after_receipt"));
}

TEST(ReturnShipping, EuRefundIsDueFourteenDaysAfterTheWithdrawal) {
  ReturnRequest r = UsdRequest();
  r.site = "DE";
  r.buyer_country = "DE";
  r.item_price.currency_code = "EUR";
  r.item_cost.currency_code = "EUR";
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "DE"));
  ASSERT_TRUE(d.refund_due_by.has_value());
  EXPECT_EQ(*d.refund_due_by, r.requested_at + absl::Hours(24 * 14));
  bool found = false;
  for (const FiredRule& rule : d.fired_rules) {
    if (rule.id != "eu_refund_within_14_days") continue;
    found = true;
    EXPECT_THAT(rule.sentence, HasSubstr("2026-03-26"));  // 2026-03-12 + 14 days
  }
  EXPECT_TRUE(found);
}

std::string SentenceOf(const ReturnShippingDecision& d, absl::string_view id) {
  for (const FiredRule& rule : d.fired_rules) {
    if (rule.id == id) return rule.sentence;
  }
  return "";
}

TEST(ReturnShipping, SentencesCarryTheNumbers) {
  ReturnRequest r = UsdRequest();
  r.reason = ReturnReason::kWrongItem;
  r.item_price.amount_minor = 150'00;
  const ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  const ReturnShippingDecision d = Decide(r, p);
  EXPECT_THAT(SentenceOf(d, "seller_fault_prepaid_label"), HasSubstr("26.00 USD"));
  EXPECT_THAT(SentenceOf(d, "seller_fault_prepaid_label"), HasSubstr("US to CN"));
  EXPECT_THAT(SentenceOf(d, "insured_label_over_threshold"), HasSubstr("150.00 USD"));
  EXPECT_THAT(SentenceOf(d, "insured_label_over_threshold"), HasSubstr("100.00 USD"));
  EXPECT_THAT(SentenceOf(d, "refund_after_receipt"), HasSubstr("150.00 USD"));
}

TEST(ReturnShipping, OutsideWindowReasonNamesDaysAndClosingDate) {
  ReturnRequest r = UsdRequest();
  RequestedOnDay(r, 41);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_FALSE(d.eligible);
  EXPECT_THAT(d.ineligible_reason, HasSubstr("41 days"));
  EXPECT_THAT(d.ineligible_reason, HasSubstr("30-day"));
  EXPECT_THAT(d.ineligible_reason, HasSubstr("2026-04-01"));
  EXPECT_EQ(d.ineligible_reason, SentenceOf(d, "outside_window"));
}

TEST(ReturnShipping, DamagedOnArrivalSentenceComparesBothCosts) {
  ReturnRequest r = UsdRequest();
  r.reason = ReturnReason::kDamagedInTransit;
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  const std::string s = SentenceOf(d, "damaged_on_arrival_partial_refund");
  EXPECT_THAT(s, HasSubstr("16.00 USD"));
  EXPECT_THAT(s, HasSubstr("92.00 USD"));
}

TEST(ReturnShipping, PlatformDecisionSaysThePlatformHandlesIt) {
  ReturnRequest r = UsdRequest();
  r.fulfillment = Fulfillment::kPlatform;
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_TRUE(d.platform_handles);
  EXPECT_THAT(SentenceOf(d, "platform_fulfilled"), HasSubstr("Amazon handles the return"));
  EXPECT_EQ(d.fired_rules.size(), 1u);
}

TEST(ReturnShipping, MerchantFulfilledIsNotPlatformHandled) {
  const ReturnShippingDecision d =
      Decide(UsdRequest(), DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_FALSE(d.platform_handles);
}

TEST(ReturnShipping, IneligibleReasonIsTheFirstRefusal) {
  // A gift card 60 days after delivery: the category refuses it before the window does.
  ReturnRequest r = UsdRequest();
  r.category = ProductCategory::kGiftCard;
  RequestedOnDay(r, 60);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_FALSE(d.eligible);
  EXPECT_FALSE(d.Fired("outside_window"));
  EXPECT_EQ(d.ineligible_reason, SentenceOf(d, "category_excluded"));
}

// A German buyer on amazon.de, 10 days after delivery, with an item the store's own rules
// would refuse.
ReturnRequest EuRequest() {
  ReturnRequest r = BaseRequest();
  r.site = "DE";
  r.buyer_country = "DE";
  r.item_price = Money{80'00, "EUR"};
  r.item_cost = Money{40'00, "EUR"};
  return r;
}

TEST(ReturnWindow, EndsAtTheEndOfTheBuyersDayNotDeliveryTimePlusDays) {
  // Delivered 2026-03-02 10:00 UTC; day 30 ends at midnight 2026-04-01/02 where the buyer is.
  ReturnRequest r = UsdRequest();
  r.requested_at = Utc(2026, 4, 1, 20);  // 13:00 in Los Angeles, the US site's last zone
  EXPECT_TRUE(Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US")).eligible)
      << "still the 30th day in Los Angeles: delivery time + 30 x 24 h was 10:00 UTC";
  r.buyer_time_zone = "Asia/Tokyo";  // already 2 April there
  const ReturnShippingDecision tokyo = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_FALSE(tokyo.eligible);
  EXPECT_THAT(SentenceOf(tokyo, "outside_window"), HasSubstr("end of 2026-04-01 (Asia/Tokyo)"));
}

TEST(ReturnWindow, AnUnknownTimeZoneIsRefusedByName) {
  ReturnRequest r = UsdRequest();
  r.buyer_time_zone = "Mars/Olympus";
  const absl::StatusOr<ReturnShippingDecision> d =
      QuoteReturnShipping(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("buyer_time_zone"));
}

TEST(EuWithdrawal, AStoreCategoryRuleCannotTakeItAway) {
  ReturnRequest r = EuRequest();
  r.category = ProductCategory::kWatches;  // the store takes watches back unworn only
  r.condition = ItemCondition::kUsed;
  RequestedOnDay(r, 10);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "DE"));
  EXPECT_TRUE(d.eligible) << d.ineligible_reason;
  EXPECT_TRUE(d.Fired("eu_withdrawal_overrides_store_rule"));
  EXPECT_GT(d.restocking_fee.amount_minor, 0) << "used: refunded less for the loss in value";
  // After the 14 days the store's rule stands again (Amazon's 30-day window still runs).
  RequestedOnDay(r, 20);
  const ReturnShippingDecision later = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "DE"));
  EXPECT_FALSE(later.eligible);
  EXPECT_TRUE(later.Fired("category_condition_not_accepted"));
}

TEST(EuWithdrawal, AnExcludedCategoryOfTheStoreIsStillWithdrawable) {
  ReturnRequest r = EuRequest();
  r.category = ProductCategory::kGiftCard;  // no change-of-mind returns in the store's rules
  r.weight_grams = 0;
  RequestedOnDay(r, 5);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "DE"));
  EXPECT_TRUE(d.eligible) << d.ineligible_reason;
  EXPECT_TRUE(d.Fired("nothing_to_ship_back"));
  EXPECT_EQ(d.label, LabelType::kNone);
  EXPECT_EQ(d.refund_amount.amount_minor, 80'00);
}

TEST(EuWithdrawal, TheLawsOwnExclusionsStillRefuse) {
  ReturnRequest r = EuRequest();
  r.category = ProductCategory::kCustomized;
  RequestedOnDay(r, 3);
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "DE"));
  EXPECT_FALSE(d.eligible);
  EXPECT_TRUE(d.Fired("eu_not_withdrawable"));
}

TEST(NotShippedGoods, NeedNoWeightAndNothingTravelsBack) {
  ReturnRequest r = UsdRequest();
  r.category = ProductCategory::kDigital;
  r.weight_grams = 0;
  r.reason = ReturnReason::kNotAsDescribed;
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_TRUE(d.eligible);
  EXPECT_TRUE(d.Fired("nothing_to_ship_back"));
  EXPECT_EQ(d.label, LabelType::kNone);
  EXPECT_EQ(d.refund_amount.amount_minor, 80'00);
  // A shipped item still needs its weight.
  r.category = ProductCategory::kElectronics;
  EXPECT_EQ(ValidateReturnRequest(r).code(), absl::StatusCode::kInvalidArgument);
}

TEST(AmazonReturnless, TheThresholdIsPerItemNotPerLine) {
  // Three 20.00 items: a 60.00 line, each item under Amazon's 25.00.
  ReturnRequest r = UsdRequest();
  r.item_price = Money{20'00, "USD"};
  r.item_cost = Money{10'00, "USD"};
  r.quantity = 3;
  r.weight_grams = 900;
  const ReturnShippingDecision d = Decide(r, DefaultReturnPolicy(Marketplace::kAmazon, "US"));
  EXPECT_TRUE(d.Fired("amazon_returnless_low_value"));
  EXPECT_EQ(d.refund_amount.amount_minor, 60'00);
}

TEST(CarrierRates, AMissingRateSaysWhatTheSellerMayPay) {
  ReturnRequest r = UsdRequest();
  r.reason = ReturnReason::kWrongItem;
  ReturnPolicy p = DefaultReturnPolicy(Marketplace::kAmazon, "US");
  p.carrier_rates.clear();
  const ReturnShippingDecision d = Decide(r, p);
  ASSERT_TRUE(d.Fired("no_carrier_rate"));
  EXPECT_THAT(SentenceOf(d, "no_carrier_rate"), HasSubstr("may pay up to 40.00"));
  EXPECT_THAT(SentenceOf(d, "no_carrier_rate"), HasSubstr("unknown"));
}

struct ReceiptTableCase {
  std::string name;
  ReturnReason reason;
  ItemCondition claimed;
  ItemCondition found;
  int64_t quoted_fee;
  FeeChoice choice;
  int64_t want_fee;
  int64_t want_refund;
  std::vector<std::string> fires;
};

class ReceiptTable : public ::testing::TestWithParam<ReceiptTableCase> {};

TEST_P(ReceiptTable, TheQuoteHoldsAndTheFeeIsAskedNotTaken) {
  const ReceiptTableCase& c = GetParam();
  ReturnRequest quoted = UsdRequest();  // 80.00 USD
  quoted.reason = c.reason;
  quoted.condition = c.claimed;
  ReceiptCase receipt;
  receipt.quoted = &quoted;
  receipt.quoted_fee = Money{c.quoted_fee, "USD"};
  receipt.quoted_refund = Money{80'00 - c.quoted_fee, "USD"};
  // The quote's fee table: 10 % opened, 50 % used or damaged.
  receipt.quoted_fee_percents = RestockingFeePercents{
      .unopened = 0, .opened_unused = 10, .used = 50, .damaged = 50, .late_original_condition = 20};
  receipt.found = c.found;
  receipt.choice = c.choice;
  const ReceiptDecision d = DecideOnReceipt(receipt);
  EXPECT_EQ(d.fee.amount_minor, c.want_fee);
  EXPECT_EQ(d.refund_due.amount_minor, c.want_refund);
  for (const std::string& id : c.fires) {
    EXPECT_TRUE(std::any_of(d.fired_rules.begin(), d.fired_rules.end(),
                            [&](const FiredRule& f) { return f.id == id; }))
        << id;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Receipt, ReceiptTable,
    ::testing::Values(
        ReceiptTableCase{.name = "AsClaimedTheProposedFeeIsKept",
                         .reason = ReturnReason::kNoLongerNeeded,
                         .claimed = ItemCondition::kOpenedUnused,
                         .found = ItemCondition::kOpenedUnused,
                         .quoted_fee = 8'00,
                         .choice = FeeChoice::kConfirm,
                         .want_fee = 8'00,
                         .want_refund = 72'00,
                         .fires = {"quote_holds", "restocking_fee_confirmed"}},
        ReceiptTableCase{.name = "TheBuyerRefusedTheFeeSoTheSellerPays",
                         .reason = ReturnReason::kNoLongerNeeded,
                         .claimed = ItemCondition::kOpenedUnused,
                         .found = ItemCondition::kOpenedUnused,
                         .quoted_fee = 8'00,
                         .choice = FeeChoice::kPolicyDefault,
                         .want_fee = 0,
                         .want_refund = 80'00,
                         .fires = {"restocking_fee_waived"}},
        ReceiptTableCase{.name = "WorseThanClaimedTakesThatConditionsFeeOfTheQuotedTable",
                         .reason = ReturnReason::kNoLongerNeeded,
                         .claimed = ItemCondition::kOpenedUnused,
                         .found = ItemCondition::kUsed,
                         .quoted_fee = 8'00,
                         .choice = FeeChoice::kConfirm,
                         .want_fee = 40'00,
                         .want_refund = 40'00,
                         .fires = {"condition_worse_than_claimed"}},
        ReceiptTableCase{.name = "BetterThanClaimedKeepsTheQuote",
                         .reason = ReturnReason::kNoLongerNeeded,
                         .claimed = ItemCondition::kUsed,
                         .found = ItemCondition::kUnopened,
                         .quoted_fee = 40'00,
                         .choice = FeeChoice::kConfirm,
                         .want_fee = 40'00,
                         .want_refund = 40'00,
                         .fires = {"quote_holds"}},
        ReceiptTableCase{.name = "SellerFaultNeverPaysAFee",
                         .reason = ReturnReason::kWrongItem,
                         .claimed = ItemCondition::kUnopened,
                         .found = ItemCondition::kUsed,
                         .quoted_fee = 0,
                         .choice = FeeChoice::kConfirm,
                         .want_fee = 0,
                         .want_refund = 80'00,
                         .fires = {"quote_holds"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace aftersales::returns
