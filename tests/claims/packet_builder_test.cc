// BuildEvidencePacket: the checklist and recommendation per claim reason, the timeline merged
// from every source, and a statement that holds only what the evidence shows.
#include "services/claims/packet_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace aftersales::claims {
namespace {

using returns::v1::Return;
using ::testing::HasSubstr;
using ::testing::Not;
using tickets::v1::Message;
using v1::ChecklistItem;
using v1::Packet;

google::protobuf::Timestamp At(absl::string_view rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, std::string(rfc3339), &t, &err)) << err;
  return ToProtoTime(t);
}

common::v1::Money Usd(int64_t minor) {
  common::v1::Money m;
  m.set_currency_code("USD");
  m.set_amount_minor(minor);
  return m;
}

size_t CodePoints(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The buyer's contact details: none of them may reach the statement.
constexpr absl::string_view kBuyerName = "Jane Doe";
constexpr absl::string_view kBuyerEmail = "jane.doe@example.com";
constexpr absl::string_view kBuyerPhone = "+1 217 555 0199";
constexpr absl::string_view kStreet = "12 Elm Street";

v1::Claim BaseClaim(v1::ClaimReason reason) {
  v1::Claim c;
  c.set_claim_id("c1");
  c.set_store_id("store-1");
  c.set_marketplace_claim_id("AZ-77");
  c.mutable_order()->set_order_id("111-222");
  c.set_kind(reason == v1::UNAUTHORIZED_TRANSACTION || reason == v1::DUPLICATE_CHARGE
                 ? v1::CHARGEBACK
                 : v1::A_TO_Z);
  c.set_reason(reason);
  *c.mutable_amount() = Usd(59'98);
  *c.mutable_opened_at() = At("2026-11-10T09:00:00Z");
  *c.mutable_promised_delivery_by() = At("2026-11-05T23:59:59Z");
  return c;
}

Message* AddMessage(tickets::v1::Ticket* t, absl::string_view id, Message::Direction dir,
                    absl::string_view body, absl::string_view at, bool automatic = false) {
  Message* m = t->add_messages();
  m->set_message_id(std::string(id));
  m->set_ticket_id(t->ticket_id());
  m->set_direction(dir);
  m->set_body(std::string(body));
  m->set_automatic(automatic);
  m->set_author(dir == Message::INBOUND ? "buyer-9" : "agent@store");
  *m->mutable_created_at() = At(at);
  return m;
}

// An order shipped with UPS, delivered at the ship-to postcode before the promised date, with
// the tracking number sent to the buyer and a reply to the buyer's question.
tickets::v1::GetOrderHistoryResponse BaseHistory() {
  tickets::v1::GetOrderHistoryResponse h;
  auto* o = h.mutable_order();
  o->set_order_id("111-222");
  o->set_store_id("store-1");
  o->mutable_buyer()->set_name(std::string(kBuyerName));
  o->mutable_buyer()->set_email(std::string(kBuyerEmail));
  auto* item = o->add_items();
  item->set_sku("W-1");
  item->set_title("Widget");
  item->set_quantity(2);
  *item->mutable_price() = Usd(29'99);
  auto* to = o->mutable_ship_to();
  to->set_name(std::string(kBuyerName));
  to->set_line1(std::string(kStreet));
  to->set_city("Springfield");
  to->set_postcode("62701");
  to->set_country("US");
  to->set_phone(std::string(kBuyerPhone));
  *o->mutable_ordered_at() = At("2026-10-28T12:00:00Z");

  auto* s = h.add_shipments();
  s->set_shipment_id("s1");
  s->set_order_id("111-222");
  s->set_carrier("UPS");
  s->set_tracking_number("1Z999");
  *s->mutable_created_at() = At("2026-10-29T08:00:00Z");
  auto add_scan = [s](absl::string_view code, absl::string_view at, absl::string_view city,
                      absl::string_view postcode) {
    auto* e = s->add_events();
    e->set_code(std::string(code));
    e->set_description(absl::AsciiStrToLower(code));
    *e->mutable_occurred_at() = At(at);
    e->set_city(std::string(city));
    e->set_postcode(std::string(postcode));
    e->set_country("US");
  };
  add_scan("IN_TRANSIT", "2026-10-30T10:00:00Z", "Chicago", "60601");
  add_scan("OUT_FOR_DELIVERY", "2026-11-02T07:00:00Z", "Springfield", "62701");
  // The carrier's own spelling: lower case and a space, the same place once normalized.
  add_scan("DELIVERED", "2026-11-02T15:00:00Z", "SPRINGFIELD", "62 701");

  auto* t = h.add_tickets();
  t->set_ticket_id("t1");
  t->mutable_buyer()->set_email(std::string(kBuyerEmail));
  AddMessage(t, "m1", Message::OUTBOUND, "Your order shipped with UPS, tracking 1Z999.",
             "2026-10-29T09:00:00Z");
  AddMessage(t, "m2", Message::INBOUND,
             absl::StrCat("Where is my parcel? Write to ", kBuyerEmail, " or call ", kBuyerPhone),
             "2026-11-06T10:00:00Z");
  AddMessage(t, "m3", Message::OUTBOUND, "The carrier shows it left at your door on Nov 2.",
             "2026-11-06T12:00:00Z");
  return h;
}

Return::Event* AddReturnEvent(Return* r, absl::string_view action, absl::string_view at,
                              Return::Status to) {
  Return::Event* e = r->add_history();
  e->set_action(std::string(action));
  *e->mutable_at() = At(at);
  e->set_to_status(to);
  return e;
}

// A return requested on 2026-11-03; each test moves it as far as it needs.
Return BaseReturn() {
  Return r;
  r.set_return_id("r1");
  r.set_store_id("store-1");
  r.set_status(Return::REQUESTED);
  *r.mutable_created_at() = At("2026-11-03T10:00:00Z");
  *r.mutable_updated_at() = At("2026-11-03T10:00:00Z");
  AddReturnEvent(&r, "create", "2026-11-03T10:00:00Z", Return::REQUESTED);
  return r;
}

void Authorize(Return* r) {
  r->set_status(Return::AUTHORIZED);
  AddReturnEvent(r, "authorize", "2026-11-03T12:00:00Z", Return::AUTHORIZED);
}
void IssueLabel(Return* r) {
  r->set_status(Return::LABEL_ISSUED);
  r->set_label_carrier("USPS");
  r->set_label_tracking_number("9400RET");
  AddReturnEvent(r, "issueLabel", "2026-11-03T13:00:00Z", Return::LABEL_ISSUED);
}
void Receive(Return* r, absl::string_view at) {
  r->set_status(Return::RECEIVED);
  r->set_received_condition(returns::v1::OPENED_UNUSED);
  AddReturnEvent(r, "markReceived", at, Return::RECEIVED);
}
void Refund(Return* r, absl::string_view at) {
  r->set_status(Return::REFUNDED);
  *r->mutable_refunded() = Usd(59'98);
  AddReturnEvent(r, "refund", at, Return::REFUNDED)->mutable_amount()->CopyFrom(Usd(59'98));
}
void Reject(Return* r, absl::string_view note) {
  r->set_status(Return::REJECTED);
  AddReturnEvent(r, "reject", "2026-11-04T09:00:00Z", Return::REJECTED)
      ->set_note(std::string(note));
}

EvidenceSources BaseSources() {
  EvidenceSources s;
  s.order = BaseHistory();
  s.returns = std::vector<Return>{};
  return s;
}

const absl::Time kBuiltAt = absl::FromUnixSeconds(1'796'000'000);

Packet Build(const v1::Claim& claim, const EvidenceSources& sources, int max_chars = 4000) {
  return BuildEvidencePacket(claim, sources, kBuiltAt,
                             PacketOptions{.statement_max_chars = max_chars});
}

const ChecklistItem* Item(const Packet& p, absl::string_view id) {
  for (const ChecklistItem& item : p.checklist()) {
    if (item.id() == id) return &item;
  }
  return nullptr;
}

std::string Describe(const Packet& p) {
  std::string out =
      absl::StrCat("recommendation ", Packet::Recommendation_Name(p.recommendation()), "\n");
  for (const ChecklistItem& i : p.checklist()) {
    absl::StrAppend(&out, "  ", i.id(), " ", ChecklistItem::State_Name(i.state()), ": ", i.detail(),
                    "\n");
  }
  for (const std::string& r : p.recommendation_reasons()) absl::StrAppend(&out, "  why: ", r, "\n");
  return out;
}

void ClearDeliveryScan(EvidenceSources& s) {
  s.order->mutable_shipments(0)->mutable_events()->RemoveLast();
}

void AddScan(EvidenceSources& s, absl::string_view code, absl::string_view at) {
  auto* e = s.order->mutable_shipments(0)->add_events();
  e->set_code(std::string(code));
  *e->mutable_occurred_at() = At(at);
  e->set_city("Chicago");
  e->set_postcode("60601");
}

void AddReturn(EvidenceSources& s, const std::function<void(Return*)>& shape) {
  Return r = BaseReturn();
  shape(&r);
  s.returns->push_back(r);
}

// ---------------------------------------------------------------------------------------------
// Every reason: a strong, a weak and a contradicting case, and the rules that pick the answer.
// ---------------------------------------------------------------------------------------------

struct ReasonRow {
  std::string name;
  v1::ClaimReason reason;
  std::function<void(EvidenceSources&, v1::Claim&)> shape = nullptr;
  Packet::Recommendation want;
  std::map<std::string, ChecklistItem::State> want_states;
};

void PrintTo(const ReasonRow& row, std::ostream* os) { *os << row.name; }

class ReasonTable : public ::testing::TestWithParam<ReasonRow> {};

TEST_P(ReasonTable, JudgesTheChecklistAndRecommends) {
  const ReasonRow& row = GetParam();
  v1::Claim claim = BaseClaim(row.reason);
  EvidenceSources sources = BaseSources();
  if (row.shape) row.shape(sources, claim);
  const Packet p = Build(claim, sources);
  EXPECT_EQ(Packet::Recommendation_Name(p.recommendation()), Packet::Recommendation_Name(row.want))
      << Describe(p);
  for (const auto& [id, state] : row.want_states) {
    const ChecklistItem* item = Item(p, id);
    ASSERT_NE(item, nullptr) << id << "\n" << Describe(p);
    EXPECT_EQ(ChecklistItem::State_Name(item->state()), ChecklistItem::State_Name(state))
        << id << "\n"
        << Describe(p);
    EXPECT_FALSE(item->requirement().empty()) << id;
    EXPECT_FALSE(item->detail().empty()) << id;
  }
  EXPECT_FALSE(p.recommendation_reasons().empty());
  EXPECT_FALSE(p.partial());
}

constexpr auto P = ChecklistItem::PRESENT;
constexpr auto M = ChecklistItem::MISSING;
constexpr auto C = ChecklistItem::CONTRADICTING;

INSTANTIATE_TEST_SUITE_P(
    Reasons, ReasonTable,
    ::testing::Values(
        // NOT_RECEIVED.
        ReasonRow{.name = "NotReceivedDeliveredAtTheAddressWithUpdatesIsRepresented",
                  .reason = v1::NOT_RECEIVED,
                  .want = Packet::REPRESENT,
                  .want_states = {{"carrier_and_tracking", P},
                                  {"scan_history", P},
                                  {"delivery_scan", P},
                                  {"delivery_address_match", P},
                                  {"delivered_on_time", P},
                                  {"buyer_updates", P},
                                  {"buyer_contacted_first", P}}},
        ReasonRow{.name = "NotReceivedWithoutADeliveryScanGathersMore",
                  .reason = v1::NOT_RECEIVED,
                  .shape = [](EvidenceSources& s, v1::Claim&) { ClearDeliveryScan(s); },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"carrier_and_tracking", P},
                                  {"delivery_scan", M},
                                  {"delivery_address_match", M},
                                  {"delivered_on_time", M}}},
        ReasonRow{.name = "NotReceivedWithNoTrackingAtAllIsRefunded",
                  .reason = v1::NOT_RECEIVED,
                  .shape = [](EvidenceSources& s, v1::Claim&) { s.order->clear_shipments(); },
                  .want = Packet::REFUND,
                  .want_states = {{"carrier_and_tracking", M},
                                  {"scan_history", M},
                                  {"delivery_scan", M}}},
        ReasonRow{.name = "NotReceivedDeliveredToAnotherPostcodeIsRefunded",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        s.order->mutable_shipments(0)->mutable_events(2)->set_postcode("90210");
                      },
                  .want = Packet::REFUND,
                  .want_states = {{"delivery_scan", P}, {"delivery_address_match", C}}},
        ReasonRow{.name = "NotReceivedDeliveredToAnotherCityIsRefunded",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        s.order->mutable_shipments(0)->mutable_events(2)->set_city("Shelbyville");
                      },
                  .want = Packet::REFUND,
                  .want_states = {{"delivery_address_match", C}}},
        ReasonRow{
            .name = "NotReceivedReturnedToSenderAfterDeliveryIsRefunded",
            .reason = v1::NOT_RECEIVED,
            .shape = [](EvidenceSources& s,
                        v1::Claim&) { AddScan(s, "RETURNED_TO_SENDER", "2026-11-04T10:00:00Z"); },
            .want = Packet::REFUND,
            .want_states = {{"delivery_scan", C}}},
        ReasonRow{.name = "NotReceivedDeliveredLateIsNeverRepresented",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources&, v1::Claim& c) {
                        *c.mutable_promised_delivery_by() = At("2026-11-01T23:59:59Z");
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"delivery_scan", P}, {"delivered_on_time", C}}},
        ReasonRow{.name = "NotReceivedWithoutAPromisedDateStillRepresents",
                  .reason = v1::NOT_RECEIVED,
                  .shape = [](EvidenceSources&, v1::Claim& c) { c.clear_promised_delivery_by(); },
                  .want = Packet::REPRESENT,
                  .want_states = {{"delivered_on_time", M}}},
        ReasonRow{.name = "NotReceivedWithNoMessageSentGathersMore",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        auto* msgs = s.order->mutable_tickets(0)->mutable_messages();
                        msgs->erase(msgs->begin() + 2);
                        msgs->erase(msgs->begin());
                        // A follow-up without the tracking number is not an update.
                        AddMessage(s.order->mutable_tickets(0), "m9", Message::OUTBOUND,
                                   "Are you still there?", "2026-11-08T10:00:00Z", true);
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"delivery_address_match", P}, {"buyer_updates", M}}},
        ReasonRow{.name = "NotReceivedAutomaticShippingNoticeWithTrackingIsAnUpdate",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        auto* msgs = s.order->mutable_tickets(0)->mutable_messages();
                        msgs->erase(msgs->begin() + 2);
                        msgs->Mutable(0)->set_automatic(true);
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"buyer_updates", P}}},
        ReasonRow{.name = "NotReceivedScanWithoutPostcodeCannotBeMatched",
                  .reason = v1::NOT_RECEIVED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        s.order->mutable_shipments(0)->mutable_events(2)->clear_postcode();
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"delivery_address_match", M}}},

        // NOT_AS_DESCRIBED.
        ReasonRow{.name = "NotAsDescribedWithAReturnInspectedIsRepresented",
                  .reason = v1::NOT_AS_DESCRIBED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) {
                          Authorize(r);
                          IssueLabel(r);
                          Receive(r, "2026-11-06T10:00:00Z");
                        });
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"order_items", P},
                                  {"return_offered", P},
                                  {"inspection", P},
                                  {"buyer_messages", P}}},
        ReasonRow{.name = "NotAsDescribedWithNoReturnOfferedGathersMore",
                  .reason = v1::NOT_AS_DESCRIBED,
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"order_items", P}, {"return_offered", M}, {"inspection", M}}},
        ReasonRow{.name = "NotAsDescribedReturnOfferedByMessageIsEnough",
                  .reason = v1::NOT_AS_DESCRIBED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddMessage(s.order->mutable_tickets(0), "m4", Message::OUTBOUND,
                                   "Sorry! You can Return it for a full refund.",
                                   "2026-11-07T10:00:00Z");
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"return_offered", P}, {"inspection", M}}},
        ReasonRow{.name = "NotAsDescribedWithTheReturnRejectedIsNeverRepresented",
                  .reason = v1::NOT_AS_DESCRIBED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) { Reject(r, "outside the window"); });
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"return_offered", C}}},

        // RETURNED_NOT_REFUNDED.
        ReasonRow{
            .name = "ReturnedNotRefundedWithTheRefundRecordIsRepresented",
            .reason = v1::RETURNED_NOT_REFUNDED,
            .shape =
                [](EvidenceSources& s, v1::Claim&) {
                  AddReturn(s, [](Return* r) {
                    Authorize(r);
                    IssueLabel(r);
                    Receive(r, "2026-11-06T10:00:00Z");
                    Refund(r, "2026-11-07T10:00:00Z");
                  });
                },
            .want = Packet::REPRESENT,
            .want_states = {{"return_tracking", P}, {"return_received", P}, {"refund_record", P}}},
        ReasonRow{
            .name = "ReturnedNotRefundedStillInTransitGathersMore",
            .reason = v1::RETURNED_NOT_REFUNDED,
            .shape =
                [](EvidenceSources& s, v1::Claim&) {
                  AddReturn(s, [](Return* r) {
                    Authorize(r);
                    r->set_status(Return::IN_TRANSIT);
                    r->set_return_carrier("DHL");
                    r->set_return_tracking_number("JD0001");
                  });
                },
            .want = Packet::GATHER_MORE,
            .want_states = {{"return_tracking", P}, {"return_received", M}, {"refund_record", M}}},
        ReasonRow{.name = "ReturnedNotRefundedReceivedDaysBeforeTheClaimIsRefunded",
                  .reason = v1::RETURNED_NOT_REFUNDED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) {
                          Authorize(r);
                          IssueLabel(r);
                          Receive(r, "2026-11-05T10:00:00Z");
                        });
                      },
                  .want = Packet::REFUND,
                  .want_states = {{"return_received", P}, {"refund_record", C}}},
        ReasonRow{.name = "ReturnedNotRefundedReceivedTheDayBeforeTheClaimIsOnlyMissing",
                  .reason = v1::RETURNED_NOT_REFUNDED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) {
                          Authorize(r);
                          IssueLabel(r);
                          Receive(r, "2026-11-09T10:00:00Z");
                        });
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"refund_record", M}}},

        // RETURN_REFUSED.
        ReasonRow{.name = "ReturnRefusedAuthorizedWithALabelIsRepresented",
                  .reason = v1::RETURN_REFUSED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) {
                          Authorize(r);
                          IssueLabel(r);
                        });
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"return_authorized", P}, {"label_offered", P}}},
        ReasonRow{.name = "ReturnRefusedStillOnlyRequestedGathersMore",
                  .reason = v1::RETURN_REFUSED,
                  .shape = [](EvidenceSources& s, v1::Claim&) { AddReturn(s, [](Return*) {}); },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"return_authorized", M}, {"label_offered", M}}},
        ReasonRow{.name = "ReturnRefusedRejectedWithoutAReasonIsRefunded",
                  .reason = v1::RETURN_REFUSED,
                  .shape = [](EvidenceSources& s,
                              v1::Claim&) { AddReturn(s, [](Return* r) { Reject(r, ""); }); },
                  .want = Packet::REFUND,
                  .want_states = {{"return_authorized", C}}},
        ReasonRow{.name = "ReturnRefusedRejectedWithAReasonStillContradicts",
                  .reason = v1::RETURN_REFUSED,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) { Reject(r, "requested after 45 days"); });
                      },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"return_authorized", C}}},

        // NO_LOCAL_RETURN_OPTION.
        ReasonRow{.name = "NoLocalReturnOptionSettledReturnlessIsRepresented",
                  .reason = v1::NO_LOCAL_RETURN_OPTION,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddReturn(s, [](Return* r) {
                          Authorize(r);
                          r->mutable_decision()->set_disposition(returns::v1::RETURNLESS_REFUND);
                          r->set_status(Return::RETURNLESS_REFUNDED);
                          *r->mutable_refunded() = Usd(59'98);
                        });
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"label_offered", P}, {"return_authorized", P}}},
        ReasonRow{.name = "NoLocalReturnOptionWithoutALabelGathersMore",
                  .reason = v1::NO_LOCAL_RETURN_OPTION,
                  .shape = [](EvidenceSources& s, v1::Claim&) { AddReturn(s, Authorize); },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"label_offered", M}, {"return_authorized", P}}},
        ReasonRow{.name = "NoLocalReturnOptionRejectedIsRefunded",
                  .reason = v1::NO_LOCAL_RETURN_OPTION,
                  .shape = [](EvidenceSources& s,
                              v1::Claim&) { AddReturn(s, [](Return* r) { Reject(r, ""); }); },
                  .want = Packet::REFUND,
                  .want_states = {{"label_offered", M}, {"return_authorized", C}}},

        // EXTRA_CUSTOMS_FEES.
        ReasonRow{.name = "ExtraCustomsFeesWithTheBuyerToldIsRepresented",
                  .reason = v1::EXTRA_CUSTOMS_FEES,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        AddMessage(s.order->mutable_tickets(0), "m0", Message::OUTBOUND,
                                   "Import DUTIES and VAT are collected on delivery.",
                                   "2026-10-28T13:00:00Z");
                      },
                  .want = Packet::REPRESENT,
                  .want_states = {{"carrier_and_tracking", P}, {"duties_disclosed", P}}},
        ReasonRow{.name = "ExtraCustomsFeesWithTheBuyerNeverToldGathersMore",
                  .reason = v1::EXTRA_CUSTOMS_FEES,
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"carrier_and_tracking", P}, {"duties_disclosed", M}}},
        ReasonRow{.name = "ExtraCustomsFeesRefusedAndReturnedToSenderIsRefunded",
                  .reason = v1::EXTRA_CUSTOMS_FEES,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        ClearDeliveryScan(s);
                        AddScan(s, "CUSTOMS_HOLD", "2026-11-01T10:00:00Z");
                        AddScan(s, "RETURNED_TO_SENDER", "2026-11-04T10:00:00Z");
                      },
                  .want = Packet::REFUND,
                  .want_states = {{"delivery_scan", C}}},

        // UNAUTHORIZED_TRANSACTION.
        ReasonRow{.name = "UnauthorizedDeliveredToTheCardholderAddressIsRepresented",
                  .reason = v1::UNAUTHORIZED_TRANSACTION,
                  .want = Packet::REPRESENT,
                  .want_states = {{"order_record", P},
                                  {"delivery_scan", P},
                                  {"delivery_address_match", P},
                                  {"buyer_knows_order", P}}},
        ReasonRow{.name = "UnauthorizedWithoutADeliveryScanGathersMore",
                  .reason = v1::UNAUTHORIZED_TRANSACTION,
                  .shape = [](EvidenceSources& s, v1::Claim&) { ClearDeliveryScan(s); },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"order_record", P}, {"delivery_scan", M}}},
        ReasonRow{.name = "UnauthorizedDeliveredElsewhereIsRefunded",
                  .reason = v1::UNAUTHORIZED_TRANSACTION,
                  .shape =
                      [](EvidenceSources& s, v1::Claim&) {
                        auto* e = s.order->mutable_shipments(0)->mutable_events(2);
                        e->set_city("Shelbyville");
                        e->set_postcode("62565");
                      },
                  .want = Packet::REFUND,
                  .want_states = {{"delivery_address_match", C}}},

        // DUPLICATE_CHARGE.
        ReasonRow{
            .name = "DuplicateChargeWithTheOrderRecordIsRepresented",
            .reason = v1::DUPLICATE_CHARGE,
            .want = Packet::REPRESENT,
            .want_states = {{"order_record", P}, {"payment_record", M}, {"delivery_scan", P}}},
        ReasonRow{.name = "DuplicateChargeWithoutAnOrderRecordGathersMore",
                  .reason = v1::DUPLICATE_CHARGE,
                  .shape = [](EvidenceSources& s,
                              v1::Claim&) { s.order->mutable_order()->clear_items(); },
                  .want = Packet::GATHER_MORE,
                  .want_states = {{"order_record", M}}},
        ReasonRow{
            .name = "DuplicateChargeForAParcelReturnedToSenderIsRefunded",
            .reason = v1::DUPLICATE_CHARGE,
            .shape = [](EvidenceSources& s,
                        v1::Claim&) { AddScan(s, "RETURNED_TO_SENDER", "2026-11-04T10:00:00Z"); },
            .want = Packet::REFUND,
            .want_states = {{"order_record", P}, {"delivery_scan", C}}}),
    [](const ::testing::TestParamInfo<ReasonRow>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Checklist details, weights and references.
// ---------------------------------------------------------------------------------------------

TEST(EvidencePacket, ChecklistPointsAtTheEvidence) {
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), BaseSources());
  EXPECT_THAT(Item(p, "carrier_and_tracking")->evidence(), ::testing::ElementsAre("shipment/s1"));
  EXPECT_THAT(Item(p, "delivery_scan")->evidence(), ::testing::Contains("tracking/1Z999/2"));
  EXPECT_THAT(Item(p, "delivery_scan")->detail(), HasSubstr("2026-11-02"));
  EXPECT_THAT(Item(p, "delivery_scan")->detail(), HasSubstr("1Z999"));
  EXPECT_THAT(Item(p, "delivery_address_match")->evidence(),
              ::testing::ElementsAre("tracking/1Z999/2"));
  EXPECT_THAT(Item(p, "buyer_updates")->evidence(),
              ::testing::ElementsAre("ticket/t1/message/m1", "ticket/t1/message/m3"));
  EXPECT_THAT(Item(p, "buyer_updates")->detail(),
              HasSubstr("2 message(s) sent to the buyer, on 2026-10-29, 2026-11-06"));
  EXPECT_THAT(Item(p, "scan_history")->evidence(),
              ::testing::ElementsAre("tracking/1Z999/0", "tracking/1Z999/1", "tracking/1Z999/2"));
}

TEST(EvidencePacket, ReturnEvidenceIsReferencedByReturnId) {
  EvidenceSources s = BaseSources();
  AddReturn(s, [](Return* r) { Reject(r, "used and scratched"); });
  const Packet p = Build(BaseClaim(v1::RETURN_REFUSED), s);
  const ChecklistItem* item = Item(p, "return_authorized");
  ASSERT_NE(item, nullptr);
  EXPECT_THAT(item->evidence(), ::testing::ElementsAre("return/r1"));
  // The note is shown so that a person can judge whether the rejection stands.
  EXPECT_THAT(item->detail(), HasSubstr("used and scratched"));
  EXPECT_THAT(item->detail(), HasSubstr("2026-11-04"));
}

TEST(EvidencePacket, ChecklistIdsAreStablePerReason) {
  const std::map<v1::ClaimReason, std::vector<std::string>> want = {
      {v1::NOT_RECEIVED,
       {"carrier_and_tracking", "scan_history", "delivery_scan", "delivery_address_match",
        "delivered_on_time", "buyer_updates", "buyer_contacted_first"}},
      {v1::NOT_AS_DESCRIBED, {"order_items", "return_offered", "inspection", "buyer_messages"}},
      {v1::RETURNED_NOT_REFUNDED,
       {"return_tracking", "return_received", "refund_record", "buyer_messages"}},
      {v1::RETURN_REFUSED, {"return_authorized", "label_offered", "buyer_messages"}},
      {v1::NO_LOCAL_RETURN_OPTION, {"label_offered", "return_authorized", "buyer_messages"}},
      {v1::EXTRA_CUSTOMS_FEES,
       {"carrier_and_tracking", "scan_history", "delivery_scan", "duties_disclosed",
        "buyer_messages"}},
      {v1::UNAUTHORIZED_TRANSACTION,
       {"order_record", "carrier_and_tracking", "delivery_scan", "delivery_address_match",
        "buyer_knows_order"}},
      {v1::DUPLICATE_CHARGE,
       {"order_record", "payment_record", "delivery_scan", "delivery_address_match",
        "buyer_knows_order"}},
  };
  for (const auto& [reason, ids] : want) {
    const Packet p = Build(BaseClaim(reason), BaseSources());
    std::vector<std::string> got;
    for (const ChecklistItem& i : p.checklist()) got.push_back(i.id());
    EXPECT_EQ(got, ids) << v1::ClaimReason_Name(reason);
  }
}

TEST(EvidencePacket, CompletenessWeighsEssentialItemsMore) {
  EXPECT_EQ(Build(BaseClaim(v1::NOT_RECEIVED), BaseSources()).completeness(), 100);
  // Without the delivery scan: tracking (3), scans (1) and updates (3) of 3+1+3+3+1+3 = 14;
  // the informational buyer_contacted_first (0) weighs nothing.
  EvidenceSources s = BaseSources();
  ClearDeliveryScan(s);
  EXPECT_EQ(Build(BaseClaim(v1::NOT_RECEIVED), s).completeness(), 7 * 100 / 14);
  // No promised date: only delivered_on_time (1) is missing, 13 of 14.
  v1::Claim no_promise = BaseClaim(v1::NOT_RECEIVED);
  no_promise.clear_promised_delivery_by();
  EXPECT_EQ(Build(no_promise, BaseSources()).completeness(), 13 * 100 / 14);
  s.order->clear_shipments();
  s.order->clear_tickets();
  EXPECT_EQ(Build(BaseClaim(v1::NOT_RECEIVED), s).completeness(), 0);
}

TEST(EvidencePacket, RecommendationReasonsSayWhatToDo) {
  EvidenceSources weak = BaseSources();
  ClearDeliveryScan(weak);
  EXPECT_THAT(Build(BaseClaim(v1::NOT_RECEIVED), weak).recommendation_reasons(),
              ::testing::Contains(HasSubstr("Ask UPS for proof of delivery")));

  EvidenceSources untracked = BaseSources();
  untracked.order->clear_shipments();
  EXPECT_THAT(Build(BaseClaim(v1::NOT_RECEIVED), untracked).recommendation_reasons(),
              ::testing::ElementsAre(HasSubstr("Refund 59.98 USD")));

  EvidenceSources elsewhere = BaseSources();
  elsewhere.order->mutable_shipments(0)->mutable_events(2)->set_postcode("90210");
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), elsewhere);
  EXPECT_THAT(p.recommendation_reasons(), ::testing::ElementsAre(HasSubstr("90210")));
  EXPECT_THAT(Item(p, "delivery_address_match")->detail(), HasSubstr("Springfield 62701 US"));

  const Packet strong = Build(BaseClaim(v1::NOT_RECEIVED), BaseSources());
  EXPECT_THAT(strong.recommendation_reasons(),
              ::testing::ElementsAre(HasSubstr("a delivery scan with its date")));
}

// That the buyer did not write first argues for the seller: shown, stated, never scored.
TEST(EvidencePacket, NoContactBeforeTheClaimIsInformational) {
  EvidenceSources s = BaseSources();
  auto* msgs = s.order->mutable_tickets(0)->mutable_messages();
  msgs->erase(msgs->begin() + 1);
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  EXPECT_EQ(Item(p, "buyer_contacted_first")->state(), ChecklistItem::MISSING);
  EXPECT_EQ(p.completeness(), 100);
  EXPECT_EQ(p.recommendation(), Packet::REPRESENT);
  EXPECT_THAT(p.statement(),
              HasSubstr("Our records hold no message from the buyer before the claim was opened."));
}

// ---------------------------------------------------------------------------------------------
// Sources that could not be read.
// ---------------------------------------------------------------------------------------------

TEST(EvidencePacket, MissingReturnsIsPartialAndNamed) {
  EvidenceSources s = BaseSources();
  s.returns.reset();
  s.returns_unavailable = "returns: deadline exceeded after 800 ms";
  const Packet p = Build(BaseClaim(v1::RETURNED_NOT_REFUNDED), s);
  EXPECT_TRUE(p.partial());
  ASSERT_EQ(p.missing_sections_size(), 1);
  EXPECT_EQ(p.missing_sections(0).source(), "returns");
  EXPECT_EQ(p.missing_sections(0).reason(), "returns: deadline exceeded after 800 ms");
  const ChecklistItem* refund = Item(p, "refund_record");
  ASSERT_NE(refund, nullptr);
  EXPECT_EQ(refund->state(), ChecklistItem::MISSING);
  EXPECT_THAT(refund->detail(), HasSubstr("could not be read"));
  EXPECT_THAT(refund->detail(), HasSubstr("deadline exceeded"));
  EXPECT_THAT(refund->detail(), Not(HasSubstr("No refund")));
  EXPECT_EQ(p.recommendation(), Packet::GATHER_MORE);
  EXPECT_THAT(p.recommendation_reasons(), ::testing::Contains(HasSubstr("rebuild")));
  // What tickets answered is still there.
  EXPECT_EQ(Item(p, "buyer_messages")->state(), ChecklistItem::PRESENT);
  EXPECT_EQ(p.order().order_id(), "111-222");
}

TEST(EvidencePacket, MissingReturnsNeverRepresentsOnAbsenceOfEvidence) {
  EvidenceSources s = BaseSources();
  s.returns.reset();
  s.returns_unavailable = "unavailable";
  // Everything NOT_RECEIVED needs comes from tickets, yet returns may hold a contradiction.
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  EXPECT_TRUE(p.partial());
  EXPECT_EQ(p.recommendation(), Packet::GATHER_MORE) << Describe(p);
  EXPECT_THAT(p.recommendation_reasons(), ::testing::Contains(HasSubstr("returns service")));
}

TEST(EvidencePacket, MissingTicketsIsNotNoTracking) {
  EvidenceSources s = BaseSources();
  s.order.reset();
  s.order_unavailable = "tickets: connection refused";
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  EXPECT_TRUE(p.partial());
  ASSERT_EQ(p.missing_sections_size(), 1);
  EXPECT_EQ(p.missing_sections(0).source(), "tickets");
  // No tracking because tickets was not read is no reason to refund.
  EXPECT_EQ(p.recommendation(), Packet::GATHER_MORE) << Describe(p);
  for (const ChecklistItem& item : p.checklist()) {
    EXPECT_EQ(item.state(), ChecklistItem::MISSING) << item.id();
    EXPECT_THAT(item.detail(), HasSubstr("tickets service could not be read")) << item.id();
  }
  EXPECT_FALSE(p.has_order());
  EXPECT_TRUE(absl::StartsWith(p.statement(), "Order 111-222, claim AZ-77")) << p.statement();
  EXPECT_THAT(p.statement(), Not(HasSubstr("1Z999")));
}

TEST(EvidencePacket, BothSourcesMissingAreBothNamed) {
  EvidenceSources s;
  s.order_unavailable = "tickets down";
  s.returns_unavailable = "returns slow";
  const Packet p = Build(BaseClaim(v1::NOT_AS_DESCRIBED), s);
  ASSERT_EQ(p.missing_sections_size(), 2);
  EXPECT_EQ(p.missing_sections(0).source(), "tickets");
  EXPECT_EQ(p.missing_sections(1).source(), "returns");
  EXPECT_EQ(p.completeness(), 0);
  EXPECT_EQ(p.recommendation(), Packet::GATHER_MORE);
}

TEST(EvidencePacket, AReturnFoundWhileTicketsIsDownStillCounts) {
  EvidenceSources s = BaseSources();
  s.order.reset();
  AddReturn(s, Authorize);
  const Packet p = Build(BaseClaim(v1::NOT_AS_DESCRIBED), s);
  EXPECT_EQ(Item(p, "return_offered")->state(), ChecklistItem::PRESENT);
  EXPECT_EQ(Item(p, "order_items")->state(), ChecklistItem::MISSING);
  EXPECT_EQ(p.recommendation(), Packet::GATHER_MORE);
}

TEST(EvidencePacket, CopiesTheClaimAndSummarizesTheOrderWithoutContactDetails) {
  const v1::Claim claim = BaseClaim(v1::NOT_RECEIVED);
  const Packet p = Build(claim, BaseSources());
  EXPECT_EQ(p.claim_id(), "c1");
  EXPECT_EQ(p.claim().marketplace_claim_id(), "AZ-77");
  EXPECT_EQ(FromProtoTime(p.built_at()), kBuiltAt);
  EXPECT_EQ(p.order().order_id(), "111-222");
  EXPECT_EQ(p.order().ship_to_city(), "Springfield");
  EXPECT_EQ(p.order().ship_to_postcode(), "62701");
  EXPECT_EQ(p.order().ship_to_country(), "US");
  EXPECT_THAT(p.order().items(), ::testing::ElementsAre("2 x Widget (W-1)"));
  const std::string summary = p.order().DebugString();
  EXPECT_THAT(summary, Not(HasSubstr(std::string(kBuyerName))));
  EXPECT_THAT(summary, Not(HasSubstr(std::string(kStreet))));
  EXPECT_THAT(summary, Not(HasSubstr(std::string(kBuyerPhone))));
}

// ---------------------------------------------------------------------------------------------
// Timeline.
// ---------------------------------------------------------------------------------------------

TEST(EvidencePacket, TimelineMergesEverySourceInTimeOrder) {
  EvidenceSources s = BaseSources();
  AddReturn(s, [](Return* r) {
    Authorize(r);
    Receive(r, "2026-11-06T12:00:00Z");  // the same instant as the seller's reply m3
    Refund(r, "2026-11-07T10:00:00Z");
  });
  v1::Claim claim = BaseClaim(v1::RETURNED_NOT_REFUNDED);
  // The claim opens at the instant of the receipt and the reply: tickets, returns, claims.
  *claim.mutable_opened_at() = At("2026-11-06T12:00:00Z");
  // Two scans at one instant keep the carrier's order.
  AddScan(s, "INFO", "2026-11-02T15:00:00Z");
  const Packet p = Build(claim, s);

  // 1 order + 1 shipment + 4 scans + 3 messages + 4 return events + claim + promised date.
  ASSERT_EQ(p.timeline_size(), 15);
  for (int i = 1; i < p.timeline_size(); ++i) {
    EXPECT_LE(FromProtoTime(p.timeline(i - 1).at()), FromProtoTime(p.timeline(i).at())) << i;
  }
  std::vector<std::string> kinds;
  for (const auto& e : p.timeline()) kinds.push_back(e.kind());
  EXPECT_THAT(kinds,
              ::testing::ElementsAre("order_placed", "shipped", "message_out", "tracking",
                                     "tracking", "tracking", "tracking", "return_requested",
                                     "return_authorized", "promised_delivery", "message_in",
                                     "message_out", "return_received", "claim_opened", "refund"));
  EXPECT_EQ(p.timeline(0).source(), "tickets");
  EXPECT_EQ(p.timeline(0).ref(), "order/111-222");
  EXPECT_EQ(p.timeline(5).ref(), "tracking/1Z999/2");  // DELIVERED listed first
  EXPECT_EQ(p.timeline(6).ref(), "tracking/1Z999/3");  // then INFO at the same instant
  EXPECT_EQ(p.timeline(11).source(), "tickets");
  EXPECT_EQ(p.timeline(11).ref(), "ticket/t1/message/m3");
  EXPECT_EQ(p.timeline(12).source(), "returns");
  EXPECT_EQ(p.timeline(12).ref(), "return/r1");
  EXPECT_EQ(p.timeline(13).source(), "claims");
  EXPECT_THAT(p.timeline(14).text(), HasSubstr("59.98 USD"));
  for (const auto& e : p.timeline()) EXPECT_FALSE(e.text().empty()) << e.kind();
}

TEST(EvidencePacket, TimelineIsStableForEqualTimesWithinASource) {
  EvidenceSources s = BaseSources();
  auto* t = s.order->mutable_tickets(0);
  AddMessage(t, "a", Message::OUTBOUND, "first", "2026-11-08T10:00:00Z");
  AddMessage(t, "b", Message::INBOUND, "second", "2026-11-08T10:00:00Z");
  AddMessage(t, "c", Message::OUTBOUND, "third", "2026-11-08T10:00:00Z");
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  std::vector<std::string> refs;
  for (const auto& e : p.timeline()) {
    if (e.ref() == "ticket/t1/message/a" || e.ref() == "ticket/t1/message/b" ||
        e.ref() == "ticket/t1/message/c") {
      refs.push_back(e.ref());
    }
  }
  EXPECT_THAT(refs, ::testing::ElementsAre("ticket/t1/message/a", "ticket/t1/message/b",
                                           "ticket/t1/message/c"));
}

// ---------------------------------------------------------------------------------------------
// Statement.
// ---------------------------------------------------------------------------------------------

void ExpectNoContactDetails(const std::string& statement) {
  EXPECT_THAT(statement, Not(HasSubstr("Jane")));
  EXPECT_THAT(statement, Not(HasSubstr("Doe")));
  EXPECT_THAT(statement, Not(HasSubstr("example.com")));
  EXPECT_THAT(statement, Not(HasSubstr("555")));
  EXPECT_THAT(statement, Not(HasSubstr("Elm")));
}

TEST(EvidencePacket, StatementStatesTheDeliveryFacts) {
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), BaseSources());
  const std::string& st = p.statement();
  EXPECT_TRUE(absl::StartsWith(st, "Order 111-222, claim AZ-77")) << st;
  EXPECT_THAT(st, HasSubstr("A-to-z Guarantee claim"));
  EXPECT_THAT(st, HasSubstr("UPS under tracking number 1Z999"));
  EXPECT_THAT(st, HasSubstr("delivery scan on 2026-11-02"));
  EXPECT_THAT(st, HasSubstr("62 701"));
  EXPECT_THAT(st, HasSubstr("which is the ship-to city and postcode"));
  EXPECT_THAT(st, HasSubstr("by the promised date of 2026-11-05"));
  EXPECT_THAT(st, HasSubstr("We sent the buyer 2 message(s), on 2026-10-29, 2026-11-06."));
  EXPECT_THAT(st, HasSubstr("The tracking number was sent to the buyer on 2026-10-29."));
  EXPECT_THAT(st, HasSubstr("The buyer first wrote to us on 2026-11-06."));
  ExpectNoContactDetails(st);
  EXPECT_LE(CodePoints(st), 4000u);
}

TEST(EvidencePacket, StatementNeverSaysDeliveredWithoutADeliveryScan) {
  EvidenceSources s = BaseSources();
  ClearDeliveryScan(s);
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  const std::string lower = absl::AsciiStrToLower(p.statement());
  EXPECT_THAT(lower, Not(HasSubstr("delivered")));
  EXPECT_THAT(lower, Not(HasSubstr("delivery scan")));
  EXPECT_THAT(lower, Not(HasSubstr("delivery in")));
  // What the carrier did record is stated.
  EXPECT_THAT(p.statement(),
              HasSubstr("The latest carrier scan for 1Z999, on 2026-11-02, is out_for_delivery."));
}

TEST(EvidencePacket, StatementDoesNotClaimADeliveryUndoneByAReturnToSender) {
  EvidenceSources s = BaseSources();
  AddScan(s, "RETURNED_TO_SENDER", "2026-11-04T10:00:00Z");
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  EXPECT_THAT(p.statement(), Not(HasSubstr("delivery scan")));
  EXPECT_THAT(p.statement(), HasSubstr("returned_to_sender"));
}

TEST(EvidencePacket, StatementNamesATrackingNumberOnlyWhenThereIsOne) {
  EvidenceSources s = BaseSources();
  s.order->clear_shipments();
  const Packet p = Build(BaseClaim(v1::NOT_RECEIVED), s);
  EXPECT_THAT(p.statement(), Not(HasSubstr("tracking number")));
  EXPECT_THAT(p.statement(), Not(HasSubstr("1Z999")));
  EXPECT_THAT(p.statement(), Not(HasSubstr("shipped")));
  ExpectNoContactDetails(p.statement());
}

TEST(EvidencePacket, StatementStatesTheRefundWithItsCurrencyAndDate) {
  EvidenceSources s = BaseSources();
  AddReturn(s, [](Return* r) {
    Authorize(r);
    IssueLabel(r);
    Receive(r, "2026-11-06T10:00:00Z");
    Refund(r, "2026-11-07T10:00:00Z");
  });
  const Packet p = Build(BaseClaim(v1::RETURNED_NOT_REFUNDED), s);
  const std::string& st = p.statement();
  EXPECT_THAT(st, HasSubstr("We refunded 59.98 USD on 2026-11-07."));
  EXPECT_THAT(st, HasSubstr("We received return r1 on 2026-11-06 in opened unused condition."));
  EXPECT_THAT(st, HasSubstr("USPS under tracking number 9400RET"));
  EXPECT_THAT(st, HasSubstr("We authorized return r1 on 2026-11-03."));
  ExpectNoContactDetails(st);
}

TEST(EvidencePacket, StatementSaysNoRefundItDoesNotHave) {
  EvidenceSources s = BaseSources();
  AddReturn(s, Authorize);
  const Packet p = Build(BaseClaim(v1::RETURNED_NOT_REFUNDED), s);
  EXPECT_THAT(p.statement(), Not(HasSubstr("We refunded")));
  EXPECT_THAT(p.statement(), Not(HasSubstr("received return")));
}

TEST(EvidencePacket, StatementForADuplicateNamesTheOrderAndAmounts) {
  const Packet p = Build(BaseClaim(v1::DUPLICATE_CHARGE), BaseSources());
  EXPECT_THAT(p.statement(), HasSubstr("chargeback"));
  EXPECT_THAT(p.statement(),
              HasSubstr("The order total is 59.98 USD and the claim is for 59.98 USD."));
  EXPECT_THAT(p.statement(),
              HasSubstr("The buyer wrote to us about this order 1 time(s), first on 2026-11-06."));
  EXPECT_THAT(Item(p, "buyer_knows_order")->detail(), HasSubstr("1 time(s), first on 2026-11-06"));
  EXPECT_THAT(Item(p, "buyer_knows_order")->evidence(),
              ::testing::ElementsAre("ticket/t1/message/m2"));
  EXPECT_THAT(Item(p, "order_record")->detail(), HasSubstr("111-222"));
  EXPECT_THAT(Item(p, "order_record")->detail(), HasSubstr("59.98 USD"));
}

TEST(EvidencePacket, StatementForDutiesSaysWhenTheBuyerWasTold) {
  EvidenceSources s = BaseSources();
  AddMessage(s.order->mutable_tickets(0), "m0", Message::OUTBOUND, "Customs duties are yours.",
             "2026-10-28T13:00:00Z");
  const Packet p = Build(BaseClaim(v1::EXTRA_CUSTOMS_FEES), s);
  EXPECT_THAT(p.statement(),
              HasSubstr("We told the buyer about import duties and taxes on 2026-10-28."));
  const Packet untold = Build(BaseClaim(v1::EXTRA_CUSTOMS_FEES), BaseSources());
  EXPECT_THAT(untold.statement(), Not(HasSubstr("duties")));
}

// Chinese titles and a German city: the limit counts characters, not bytes.
EvidenceSources MultiByteSources() {
  EvidenceSources s = BaseSources();
  auto* o = s.order->mutable_order();
  o->mutable_items(0)->set_title("无线蓝牙耳机");
  auto* item = o->add_items();
  item->set_sku("K-2");
  item->set_title("机械键盘");
  item->set_quantity(1);
  *item->mutable_price() = Usd(0);
  o->mutable_ship_to()->set_city("München");
  o->mutable_ship_to()->set_postcode("80331");
  o->mutable_ship_to()->set_country("DE");
  return s;
}

TEST(EvidencePacket, StatementFitsTheLimitInCharactersAtASentence) {
  const EvidenceSources s = MultiByteSources();
  const v1::Claim claim = BaseClaim(v1::NOT_RECEIVED);
  const std::string full = Build(claim, s).statement();
  const size_t first_end = full.find(". ");
  const size_t second_end = full.find(". ", first_end + 2);
  ASSERT_NE(second_end, std::string::npos);
  const std::string two = full.substr(0, second_end + 1);
  ASSERT_THAT(two, HasSubstr("无线蓝牙耳机"));
  ASSERT_GT(two.size(), CodePoints(two));  // multi-byte: bytes would not fit

  // Exactly the two sentences' characters: both fit.
  const int limit = static_cast<int>(CodePoints(two));
  EXPECT_EQ(Build(claim, s, limit).statement(), two);
  // One character less: the second sentence is dropped whole.
  EXPECT_EQ(Build(claim, s, limit - 1).statement(), full.substr(0, first_end + 1));

  for (int max : {150, 233, 400}) {
    const std::string cut = Build(claim, s, max).statement();
    EXPECT_LE(CodePoints(cut), static_cast<size_t>(max)) << max;
    EXPECT_TRUE(IsValidUtf8(cut)) << max;
    EXPECT_TRUE(absl::StartsWith(full, cut)) << max;
    EXPECT_TRUE(absl::EndsWith(cut, ".")) << max << ": " << cut;
  }
}

TEST(EvidencePacket, StatementShorterThanItsFirstSentenceIsCutAtACharacter) {
  const std::string cut = Build(BaseClaim(v1::NOT_RECEIVED), MultiByteSources(), 10).statement();
  EXPECT_EQ(CodePoints(cut), 10u);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_EQ(cut, "Order 111-");
}

}  // namespace
}  // namespace aftersales::claims
