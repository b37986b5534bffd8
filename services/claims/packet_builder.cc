#include "services/claims/packet_builder.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/substitute.h"
#include "absl/types/span.h"
#include "common/money.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace aftersales::claims {
namespace {

using common::v1::Money;
using returns::v1::Return;
using tickets::v1::Message;
using tickets::v1::Shipment;
using tickets::v1::Ticket;
using tickets::v1::TrackingEvent;
using v1::ChecklistItem;
using v1::Claim;
using v1::Packet;
using v1::TimelineEvent;
using State = v1::ChecklistItem::State;

// ---------------------------------------------------------------------------------------------
// Sentences, kept apart from the rules that choose them ($n are absl::Substitute arguments).
// ---------------------------------------------------------------------------------------------

// Checklist details.
constexpr absl::string_view kSourceUnread =
    "Could not be checked: the $0 service could not be read ($1). Rebuild the packet when it "
    "answers.";
constexpr absl::string_view kTrackingPresent = "Shipped with $0.";
constexpr absl::string_view kTrackingMissing =
    "No shipment with a carrier and tracking number is on record for order $0. Add it in the "
    "tickets service (AddShipment) from the carrier's booking.";
constexpr absl::string_view kScansPresent = "$0 carrier scans from $1 to $2 ($3).";
constexpr absl::string_view kScansMissing =
    "The carrier has sent no scans for $0. Get the scan history from the carrier's site.";
constexpr absl::string_view kDeliveredPresent = "Delivery scan on $0 for $1 tracking $2, in $3.";
constexpr absl::string_view kDeliveredThenReturned =
    "A delivery scan on $0 for tracking $1 is followed by RETURNED_TO_SENDER on $2: the parcel "
    "went back to the sender.";
constexpr absl::string_view kReturnedToSender =
    "The latest scan of tracking $0, on $1, is RETURNED_TO_SENDER: the parcel was not "
    "delivered.";
constexpr absl::string_view kNoDeliveryScan =
    "No DELIVERED scan for $0; the latest is $1 on $2. Ask $3 for proof of delivery or a trace.";
constexpr absl::string_view kNoShipmentToScan =
    "No shipment is on record, so there is no delivery scan. Add the shipment and its tracking.";
constexpr absl::string_view kAddressMatches =
    "The delivery scan on $0 ($1) matches the ship-to city and postcode ($2).";
constexpr absl::string_view kAddressDiffers =
    "The delivery scan on $0 places delivery in $1, but the order ships to $2: delivered "
    "elsewhere.";
constexpr absl::string_view kAddressUnknown =
    "The delivery scan on $0 gives $1 and the order ships to $2: the postcode cannot be "
    "compared. Ask the carrier for the proof of delivery with the address.";
constexpr absl::string_view kAddressNoScan =
    "No delivery scan to compare with the ship-to address ($0).";
constexpr absl::string_view kOnTime = "Delivered on $0, by the promised date $1.";
constexpr absl::string_view kLate = "Delivered on $0, after the promised date $1.";
constexpr absl::string_view kNoPromise =
    "The claim has no promised delivery date. Copy it from the marketplace's order page.";
constexpr absl::string_view kOnTimeNoScan =
    "No delivery scan to compare with the promised date $0.";
constexpr absl::string_view kUpdatesPresent = "$0 message(s) sent to the buyer, on $1$2.";
constexpr absl::string_view kUpdatesTracking = "; the tracking number went out on $0";
constexpr absl::string_view kUpdatesMissing =
    "No message to the buyer is on record ($0 automatic without the tracking number). Send the "
    "tracking details and rebuild the packet.";
constexpr absl::string_view kContactedEarly =
    "The buyer first wrote on $0, $1 h before the claim opened$2.";
constexpr absl::string_view kContactedShort = " (less than the 48 h the marketplace asks for)";
constexpr absl::string_view kNotContactedFirst =
    "No message from the buyer before the claim opened: the marketplace asks buyers to contact "
    "the seller and wait 48 h first. Point this out in the response.";
constexpr absl::string_view kMessagesPresent =
    "$0 message(s) from the buyer and $1 reply(ies) from the seller, the last on $2.";
constexpr absl::string_view kMessagesMissing =
    "No reply from the seller to the buyer is on record ($0 message(s) from the buyer).";
constexpr absl::string_view kItemsPresent =
    "Ordered on $0: $1. Attach the listing as it was then if it has changed since.";
constexpr absl::string_view kItemsMissing =
    "The order has no items on record. Get the listing as ordered from the marketplace.";
constexpr absl::string_view kOrderPresent = "Order $0 placed on $1: $2; total $3$4.";
constexpr absl::string_view kOrderClaimAmount = "; the claim is for $0";
constexpr absl::string_view kOrderMissing = "Order $0 has no order date or items on record.";
constexpr absl::string_view kReturnOfferedRecord = "Return $0 is $1.";
constexpr absl::string_view kReturnOfferedMessage = "A return was offered by message on $0.";
constexpr absl::string_view kReturnOnlyRejected = "Return $0 was rejected on $1$2.";
constexpr absl::string_view kReturnRequestedOnly =
    "Return $0 was requested on $1 and is not authorized yet. Authorize it in the returns "
    "service.";
constexpr absl::string_view kReturnNotOffered =
    "No return was offered: no return record and no message offering one. Authorize a return "
    "or offer one by message.";
constexpr absl::string_view kInspected = "Return $0 was received on $1; condition found: $2.";
constexpr absl::string_view kNotInspected =
    "No returned item has been inspected. Add photos of the item or the inspection report.";
constexpr absl::string_view kReturnTracked = "Return $0 travels with $1.";
constexpr absl::string_view kNoReturns = "No return of this order is on record in returns.";
constexpr absl::string_view kReturnNotTracked =
    "No return tracking for $0. Ask the buyer for the carrier and tracking number.";
constexpr absl::string_view kReceived = "Return $0 was received on $1.";
constexpr absl::string_view kNotReceived =
    "No return is marked received ($0). Check the return tracking and mark it received.";
constexpr absl::string_view kRefunded = "Return $0: refunded $1 on $2.";
constexpr absl::string_view kRefundOverdue =
    "Return $0 was received on $1 and had not been refunded when the claim opened on $2.";
constexpr absl::string_view kNoRefund =
    "No refund is recorded for $0. Refund it, or record the refund, and rebuild.";
constexpr absl::string_view kAuthorized = "Return $0 was authorized on $1.";
constexpr absl::string_view kRejectedNote = ": \"$0\"";
constexpr absl::string_view kRejectedNoNote = " with no reason recorded";
constexpr absl::string_view kNotAuthorized =
    "No return request is on record in returns. If the buyer asked by message, authorize a "
    "return now.";
constexpr absl::string_view kLabelIssued = "Return $0: a label with $1 was issued.";
constexpr absl::string_view kReturnless = "Return $0 was settled as a returnless refund.";
constexpr absl::string_view kNoLabel =
    "No return label was issued and no returnless refund made ($0). Issue a label in the "
    "returns service.";
constexpr absl::string_view kDutiesTold = "The buyer was told about duties or taxes on $0.";
constexpr absl::string_view kDutiesNotTold =
    "No message to the buyer mentions duties, customs, VAT or tax. Show the listing's import "
    "terms, or message the buyer.";
constexpr absl::string_view kBuyerKnows =
    "The buyer wrote about this order $0 time(s), first on $1.";
constexpr absl::string_view kBuyerSilent = "No message from the buyer about this order.";
constexpr absl::string_view kPaymentElsewhere =
    "Tickets and returns hold no payments. Get the payment processor's record of the charges "
    "for order $0 ($1).";

// Recommendation reasons.
constexpr absl::string_view kWhyNoTracking =
    "No shipment with tracking is on record: without tracking the marketplace decides for the "
    "buyer. Refund $0.";
constexpr absl::string_view kWhyDecisive = "$0 Refund: this evidence decides against the seller.";
constexpr absl::string_view kWhyContradiction = "Resolve before answering ($0): $1";
constexpr absl::string_view kWhySourceMissing =
    "The $0 service could not be read ($1): rebuild the packet when it is back before deciding.";
constexpr absl::string_view kWhyMissing = "Missing: $0. $1";
constexpr absl::string_view kWhyRepresent = "Answer with this packet: $0.";

// Statement sentences.
constexpr absl::string_view kSayOpening = "Order $0, claim $1: our response to the $2 ($3)$4.";
constexpr absl::string_view kSayOpenedOn = " opened on $0";
constexpr absl::string_view kSayOrder = "The order was placed on $0 for $1, shipping to $2.";
constexpr absl::string_view kSayShipped = "It was shipped with $0 under tracking number $1$2.";
constexpr absl::string_view kSayShippedOn = " on $0";
constexpr absl::string_view kSayScans = "The carrier recorded $0 scan(s) for $1 between $2 and $3.";
constexpr absl::string_view kSayDelivered =
    "The carrier's delivery scan on $0 shows delivery in $1$2.";
constexpr absl::string_view kSayMatches = ", which is the ship-to city and postcode";
constexpr absl::string_view kSayOnTime = ", by the promised date of $0";
constexpr absl::string_view kSayLatestScan = "The latest carrier scan for $0, on $1, is $2.";
constexpr absl::string_view kSayMessages = "We sent the buyer $0 message(s), on $1.";
constexpr absl::string_view kSayTrackingSent = "The tracking number was sent to the buyer on $0.";
constexpr absl::string_view kSayNoContactFirst =
    "Our records hold no message from the buyer before the claim was opened.";
constexpr absl::string_view kSayContactFirst = "The buyer first wrote to us on $0.";
constexpr absl::string_view kSayBuyerWrote =
    "The buyer wrote to us about this order $0 time(s), first on $1.";
constexpr absl::string_view kSayDuties = "We told the buyer about import duties and taxes on $0.";
constexpr absl::string_view kSayReturnRequested = "Return $0 was requested on $1.";
constexpr absl::string_view kSayReturnAuthorized = "We authorized return $0 on $1.";
constexpr absl::string_view kSayReturnLabel = "We issued a return label for return $0 with $1$2.";
constexpr absl::string_view kSayReturnShipped = "The buyer sent return $0 back with $1.";
constexpr absl::string_view kSayReturnReceived = "We received return $0 on $1$2.";
constexpr absl::string_view kSayReturnCondition = " in $0 condition";
constexpr absl::string_view kSayRefund = "We refunded $0 on $1.";
constexpr absl::string_view kSayReturnRejected = "Return $0 was declined on $1.";
constexpr absl::string_view kSayTotal = "The order total is $0 and the claim is for $1.";

// ---------------------------------------------------------------------------------------------
// Small helpers.
// ---------------------------------------------------------------------------------------------


std::string Day(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d", FromProtoTime(ts), absl::UTCTimeZone());
}

bool Before(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return FromProtoTime(a) < FromProtoTime(b);
}

// Case-insensitive, spaces removed: "sw1a 1aa" and "SW1A1AA" are one postcode.
std::string Normalized(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) out.push_back(absl::ascii_tolower(c));
  }
  return out;
}

bool ContainsFolded(absl::string_view haystack, absl::string_view needle) {
  return !needle.empty() &&
         absl::StrContains(absl::AsciiStrToLower(haystack), absl::AsciiStrToLower(needle));
}

bool CodeIs(const TrackingEvent& e, absl::string_view code) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(e.code()), code);
}

// Amounts as "25.00 USD", "1500 JPY".
std::string FormatMoney(const Money& money) { return FormatAmount(money.amount_minor(), money.currency_code()); }

size_t CodePoints(absl::string_view text) {
  size_t n = 0;
  while (!text.empty()) {
    const size_t len = std::max<size_t>(1, Utf8SequenceLength(text));
    text.remove_prefix(std::min(len, text.size()));
    ++n;
  }
  return n;
}

// The first max code points of text.
std::string FirstCodePoints(absl::string_view text, size_t max) {
  size_t bytes = 0;
  for (size_t n = 0; n < max && bytes < text.size(); ++n) {
    bytes += std::max<size_t>(1, Utf8SequenceLength(text.substr(bytes)));
  }
  return std::string(text.substr(0, std::min(bytes, text.size())));
}

std::string Place(absl::string_view city, absl::string_view postcode, absl::string_view country) {
  std::vector<std::string> parts;
  for (absl::string_view p : {city, postcode, country}) {
    if (!p.empty()) parts.emplace_back(p);
  }
  return parts.empty() ? "an unnamed place" : absl::StrJoin(parts, " ");
}

std::string JoinDays(const std::vector<google::protobuf::Timestamp>& times) {
  std::vector<std::string> days;
  for (const auto& t : times) {
    std::string d = Day(t);
    if (days.empty() || days.back() != d) days.push_back(std::move(d));
  }
  return absl::StrJoin(days, ", ");
}

// Evidence references, in the forms ChecklistItem.evidence documents.
std::string ShipmentRef(const Shipment& s) { return absl::StrCat("shipment/", s.shipment_id()); }
std::string ScanRef(const Shipment& s, int index) {
  if (s.tracking_number().empty()) return ShipmentRef(s);
  return absl::StrCat("tracking/", s.tracking_number(), "/", index);
}
std::string MessageRef(const Ticket& t, const Message& m) {
  return absl::StrCat("ticket/", t.ticket_id(), "/message/", m.message_id());
}
std::string ReturnRef(const Return& r) { return absl::StrCat("return/", r.return_id()); }
std::string OrderRefText(const tickets::v1::Order& o) {
  return absl::StrCat("order/", o.order_id());
}
std::string ClaimRef(const Claim& c) { return absl::StrCat("claim/", c.claim_id()); }

std::string CarrierAndNumber(const Shipment& s) {
  return absl::StrCat(s.carrier().empty() ? "an unnamed carrier" : s.carrier(), ", tracking ",
                      s.tracking_number());
}

std::string ItemLine(const tickets::v1::OrderItem& item) {
  return absl::StrCat(item.quantity(), " x ", item.title(), " (", item.sku(), ")");
}

// ---------------------------------------------------------------------------------------------
// What the sources hold, indexed once for every check.
// ---------------------------------------------------------------------------------------------

struct Scan {
  const Shipment* shipment = nullptr;
  int index = 0;
  const TrackingEvent& event() const { return shipment->events(index); }
};

struct SentMessage {
  const Ticket* ticket;
  const Message* message;
};

enum SourceBit : unsigned { kNoSource = 0, kTickets = 1, kReturns = 2 };

struct Facts {
  const Claim* claim = nullptr;
  // Null when the source could not be read.
  const tickets::v1::GetOrderHistoryResponse* history = nullptr;
  const std::vector<Return>* returns = nullptr;
  std::string tickets_why;
  std::string returns_why;

  // The latest DELIVERED scan of any shipment.
  std::optional<Scan> delivery;
  // Each shipment's latest scan, in shipment order.
  std::vector<Scan> latest_scans;
  // Every message, oldest first (stable for equal times).
  std::vector<SentMessage> messages;

  const google::protobuf::RepeatedPtrField<Shipment>& shipments() const {
    if (history == nullptr)
      return tickets::v1::GetOrderHistoryResponse::default_instance().shipments();
    return history->shipments();
  }
  absl::Span<const Return> all_returns() const {
    if (returns == nullptr) return {};
    return absl::MakeConstSpan(*returns);
  }
};

Facts IndexSources(const Claim& claim, const EvidenceSources& sources) {
  Facts f;
  f.claim = &claim;
  if (sources.order.has_value()) f.history = &*sources.order;
  if (sources.returns.has_value()) f.returns = &*sources.returns;
  f.tickets_why = sources.order_unavailable.empty() ? "no answer" : sources.order_unavailable;
  f.returns_why = sources.returns_unavailable.empty() ? "no answer" : sources.returns_unavailable;
  for (const Shipment& s : f.shipments()) {
    std::optional<Scan> latest;
    for (int i = 0; i < s.events_size(); ++i) {
      const Scan scan{&s, i};
      // ">=": of two scans at one instant the later listed is the later one.
      if (!latest || !Before(s.events(i).occurred_at(), latest->event().occurred_at())) {
        latest = scan;
      }
      if (CodeIs(s.events(i), "DELIVERED") &&
          (!f.delivery || Before(f.delivery->event().occurred_at(), s.events(i).occurred_at()))) {
        f.delivery = scan;
      }
    }
    if (latest) f.latest_scans.push_back(*latest);
  }
  if (f.history != nullptr) {
    for (const Ticket& t : f.history->tickets()) {
      for (const Message& m : t.messages()) f.messages.push_back({&t, &m});
    }
    std::stable_sort(f.messages.begin(), f.messages.end(),
                     [](const SentMessage& a, const SentMessage& b) {
                       return Before(a.message->created_at(), b.message->created_at());
                     });
  }
  return f;
}

bool IsOutbound(const Message& m) { return m.direction() == Message::OUTBOUND; }
bool IsInbound(const Message& m) { return m.direction() == Message::INBOUND; }

bool MentionsTracking(const Facts& f, const Message& m) {
  for (const Shipment& s : f.shipments()) {
    if (!s.tracking_number().empty() && absl::StrContains(m.body(), s.tracking_number())) {
      return true;
    }
  }
  return false;
}

// A message that tells the buyer something: written by a person, or automatic but carrying the
// tracking number (an automatic shipping notice is still an update).
bool IsUpdate(const Facts& f, const Message& m) {
  return IsOutbound(m) && (!m.automatic() || MentionsTracking(f, m));
}

const Return::Event* LastEvent(const Return& r, absl::string_view action) {
  const Return::Event* found = nullptr;
  for (const Return::Event& e : r.history()) {
    if (e.action() == action) found = &e;
  }
  return found;
}

// When a return reached a state: its history event, else the last update.
google::protobuf::Timestamp WhenAction(const Return& r, absl::string_view action) {
  const Return::Event* e = LastEvent(r, action);
  return e != nullptr ? e->at() : r.updated_at();
}

bool WasAuthorized(const Return& r) {
  switch (r.status()) {
    case Return::AUTHORIZED:
    case Return::LABEL_ISSUED:
    case Return::IN_TRANSIT:
    case Return::RECEIVED:
    case Return::REFUNDED:
    case Return::RETURNLESS_REFUNDED:
      return true;
    default:
      return LastEvent(r, "authorize") != nullptr;
  }
}

bool WasReceived(const Return& r) {
  return r.received_condition() != returns::v1::CONDITION_UNSPECIFIED ||
         LastEvent(r, "markReceived") != nullptr || r.status() == Return::RECEIVED ||
         r.status() == Return::REFUNDED;
}

bool IsReturnless(const Return& r) {
  if (r.status() == Return::RETURNLESS_REFUNDED) return true;
  const auto d = r.decision().disposition();
  const bool returnless = d == returns::v1::RETURNLESS_REFUND ||
                          d == returns::v1::ABANDON_AND_REFUND ||
                          d == returns::v1::PARTIAL_REFUND_KEEP;
  return returnless && r.refunded().amount_minor() > 0;
}

std::string ConditionName(returns::v1::ItemCondition c) {
  return absl::AsciiStrToLower(returns::v1::ItemCondition_Name(c));
}

std::string StatusName(Return::Status s) { return absl::AsciiStrToLower(Return::Status_Name(s)); }

// ---------------------------------------------------------------------------------------------
// Checks: one per checklist id, each reading the Facts and saying what it found.
// ---------------------------------------------------------------------------------------------

struct Finding {
  State state = ChecklistItem::MISSING;
  std::string detail;
  std::vector<std::string> evidence;
  // A contradiction that settles the claim for the buyer (delivered elsewhere, returned to the
  // sender, a received return never refunded, a return refused without a reason).
  bool decisive = false;
};

Finding Present(std::string detail, std::vector<std::string> evidence) {
  return {ChecklistItem::PRESENT, std::move(detail), std::move(evidence), false};
}
Finding Missing(std::string detail, std::vector<std::string> evidence = {}) {
  return {ChecklistItem::MISSING, std::move(detail), std::move(evidence), false};
}
Finding Contradicting(std::string detail, std::vector<std::string> evidence, bool decisive) {
  return {ChecklistItem::CONTRADICTING, std::move(detail), std::move(evidence), decisive};
}

Finding CheckCarrierAndTracking(const Facts& f) {
  std::vector<std::string> found;
  std::vector<std::string> refs;
  for (const Shipment& s : f.shipments()) {
    if (s.tracking_number().empty()) continue;
    found.push_back(CarrierAndNumber(s));
    refs.push_back(ShipmentRef(s));
  }
  if (found.empty()) {
    return Missing(absl::Substitute(kTrackingMissing, f.history->order().order_id()));
  }
  return Present(absl::Substitute(kTrackingPresent, absl::StrJoin(found, "; ")), refs);
}

Finding CheckScanHistory(const Facts& f) {
  std::vector<std::string> refs;
  std::vector<std::string> numbers;
  google::protobuf::Timestamp first;
  google::protobuf::Timestamp last;
  for (const Shipment& s : f.shipments()) {
    for (int i = 0; i < s.events_size(); ++i) {
      const auto& at = s.events(i).occurred_at();
      if (refs.empty() || Before(at, first)) first = at;
      if (refs.empty() || Before(last, at)) last = at;
      refs.push_back(ScanRef(s, i));
    }
    if (s.events_size() > 0) numbers.push_back(s.tracking_number());
  }
  if (refs.empty()) {
    std::vector<std::string> all;
    for (const Shipment& s : f.shipments()) all.push_back(s.tracking_number());
    return Missing(absl::Substitute(
        kScansMissing,
        all.empty() ? "the order" : absl::StrCat("tracking ", absl::StrJoin(all, ", "))));
  }
  const size_t count = refs.size();
  return Present(
      absl::Substitute(kScansPresent, count, Day(first), Day(last), absl::StrJoin(numbers, ", ")),
      std::move(refs));
}

Finding CheckDeliveryScan(const Facts& f) {
  if (f.delivery) {
    const Scan& d = *f.delivery;
    const Shipment& s = *d.shipment;
    for (const Scan& latest : f.latest_scans) {
      if (latest.shipment == d.shipment && CodeIs(latest.event(), "RETURNED_TO_SENDER") &&
          !Before(latest.event().occurred_at(), d.event().occurred_at())) {
        return Contradicting(
            absl::Substitute(kDeliveredThenReturned, Day(d.event().occurred_at()),
                             s.tracking_number(), Day(latest.event().occurred_at())),
            {ScanRef(s, d.index), ScanRef(s, latest.index)}, true);
      }
    }
    const TrackingEvent& e = d.event();
    return Present(
        absl::Substitute(kDeliveredPresent, Day(e.occurred_at()),
                         s.carrier().empty() ? "the carrier" : s.carrier(), s.tracking_number(),
                         Place(e.city(), e.postcode(), e.country())),
        {ScanRef(s, d.index), ShipmentRef(s)});
  }
  for (const Scan& latest : f.latest_scans) {
    if (CodeIs(latest.event(), "RETURNED_TO_SENDER")) {
      return Contradicting(absl::Substitute(kReturnedToSender, latest.shipment->tracking_number(),
                                            Day(latest.event().occurred_at())),
                           {ScanRef(*latest.shipment, latest.index)}, true);
    }
  }
  if (f.shipments().empty()) return Missing(std::string(kNoShipmentToScan));
  if (f.latest_scans.empty()) {
    const Shipment& s = f.shipments()[0];
    return Missing(absl::Substitute(kNoDeliveryScan, s.tracking_number(), "no scan at all", "-",
                                    s.carrier().empty() ? "the carrier" : s.carrier()),
                   {ShipmentRef(s)});
  }
  const Scan& latest = f.latest_scans.back();
  return Missing(absl::Substitute(kNoDeliveryScan, latest.shipment->tracking_number(),
                                  latest.event().code(), Day(latest.event().occurred_at()),
                                  latest.shipment->carrier().empty() ? "the carrier"
                                                                     : latest.shipment->carrier()),
                 {ScanRef(*latest.shipment, latest.index)});
}

// Delivered elsewhere is decided on what both sides name: a postcode, a city or a country that
// differs is a contradiction; a match needs the postcode, which is what identifies a place.
Finding CheckDeliveryAddress(const Facts& f) {
  const auto& to = f.history->order().ship_to();
  const std::string ship_to = Place(to.city(), to.postcode(), to.country());
  if (!f.delivery) return Missing(absl::Substitute(kAddressNoScan, ship_to));
  const TrackingEvent& e = f.delivery->event();
  const std::string ref = ScanRef(*f.delivery->shipment, f.delivery->index);
  const std::string scanned = Place(e.city(), e.postcode(), e.country());
  auto differs = [](absl::string_view a, absl::string_view b) {
    return !a.empty() && !b.empty() && Normalized(a) != Normalized(b);
  };
  if (differs(e.postcode(), to.postcode()) || differs(e.city(), to.city()) ||
      differs(e.country(), to.country())) {
    return Contradicting(absl::Substitute(kAddressDiffers, Day(e.occurred_at()), scanned, ship_to),
                         {ref}, true);
  }
  if (!e.postcode().empty() && !to.postcode().empty()) {
    return Present(absl::Substitute(kAddressMatches, Day(e.occurred_at()), scanned, ship_to),
                   {ref});
  }
  return Missing(absl::Substitute(kAddressUnknown, Day(e.occurred_at()), scanned, ship_to), {ref});
}

Finding CheckDeliveredOnTime(const Facts& f) {
  const Claim& c = *f.claim;
  if (!IsSetProtoTime(c.promised_delivery_by())) return Missing(std::string(kNoPromise));
  const std::string promised = Day(c.promised_delivery_by());
  if (!f.delivery) return Missing(absl::Substitute(kOnTimeNoScan, promised));
  const TrackingEvent& e = f.delivery->event();
  const std::string ref = ScanRef(*f.delivery->shipment, f.delivery->index);
  if (Before(c.promised_delivery_by(), e.occurred_at())) {
    return Contradicting(absl::Substitute(kLate, Day(e.occurred_at()), promised), {ref}, false);
  }
  return Present(absl::Substitute(kOnTime, Day(e.occurred_at()), promised), {ref});
}

Finding CheckBuyerUpdates(const Facts& f) {
  std::vector<google::protobuf::Timestamp> times;
  std::vector<std::string> refs;
  std::optional<google::protobuf::Timestamp> tracking_sent;
  int automatic = 0;
  for (const SentMessage& sm : f.messages) {
    const Message& m = *sm.message;
    if (IsOutbound(m) && !IsUpdate(f, m)) ++automatic;
    if (!IsUpdate(f, m)) continue;
    times.push_back(m.created_at());
    refs.push_back(MessageRef(*sm.ticket, m));
    if (!tracking_sent && MentionsTracking(f, m)) tracking_sent = m.created_at();
  }
  if (refs.empty()) return Missing(absl::Substitute(kUpdatesMissing, automatic));
  const std::string tracking =
      tracking_sent ? absl::Substitute(kUpdatesTracking, Day(*tracking_sent)) : "";
  std::string detail = absl::Substitute(kUpdatesPresent, refs.size(), JoinDays(times), tracking);
  return Present(std::move(detail), std::move(refs));
}

std::optional<SentMessage> FirstInboundBeforeClaim(const Facts& f) {
  for (const SentMessage& sm : f.messages) {
    if (!IsInbound(*sm.message)) continue;
    if (IsSetProtoTime(f.claim->opened_at()) && !Before(sm.message->created_at(), f.claim->opened_at())) {
      continue;
    }
    return sm;
  }
  return std::nullopt;
}

Finding CheckContactedFirst(const Facts& f) {
  const std::optional<SentMessage> first = FirstInboundBeforeClaim(f);
  if (!first) return Missing(std::string(kNotContactedFirst));
  const absl::Duration ahead =
      FromProtoTime(f.claim->opened_at()) - FromProtoTime(first->message->created_at());
  const std::string shortfall =
      IsSetProtoTime(f.claim->opened_at()) && ahead < absl::Hours(48) ? std::string(kContactedShort) : "";
  return Present(
      absl::Substitute(kContactedEarly, Day(first->message->created_at()),
                       IsSetProtoTime(f.claim->opened_at()) ? absl::ToInt64Hours(ahead) : 0, shortfall),
      {MessageRef(*first->ticket, *first->message)});
}

Finding CheckBuyerMessages(const Facts& f) {
  int in = 0;
  int out = 0;
  std::vector<std::string> refs;
  google::protobuf::Timestamp last;
  for (const SentMessage& sm : f.messages) {
    const Message& m = *sm.message;
    if (IsInbound(m)) ++in;
    if (!IsOutbound(m) || m.automatic()) continue;
    ++out;
    last = m.created_at();
    refs.push_back(MessageRef(*sm.ticket, m));
  }
  if (out == 0) return Missing(absl::Substitute(kMessagesMissing, in));
  return Present(absl::Substitute(kMessagesPresent, in, out, Day(last)), std::move(refs));
}

Finding CheckOrderItems(const Facts& f) {
  const auto& o = f.history->order();
  if (o.items().empty()) return Missing(std::string(kItemsMissing));
  std::vector<std::string> lines;
  for (const auto& item : o.items()) lines.push_back(ItemLine(item));
  return Present(absl::Substitute(kItemsPresent, IsSetProtoTime(o.ordered_at()) ? Day(o.ordered_at()) : "-",
                                  absl::StrJoin(lines, ", ")),
                 {OrderRefText(o)});
}

// Items at their unit prices times quantity, plus shipping, when all are in one currency.
std::optional<Money> OrderTotal(const tickets::v1::Order& o) {
  Money total;
  for (const auto& item : o.items()) {
    if (total.currency_code().empty()) total.set_currency_code(item.price().currency_code());
    if (item.price().currency_code() != total.currency_code()) return std::nullopt;
    total.set_amount_minor(total.amount_minor() + item.price().amount_minor() * item.quantity());
  }
  if (o.shipping().amount_minor() != 0) {
    if (o.shipping().currency_code() != total.currency_code()) return std::nullopt;
    total.set_amount_minor(total.amount_minor() + o.shipping().amount_minor());
  }
  if (total.currency_code().empty()) return std::nullopt;
  return total;
}

Finding CheckOrderRecord(const Facts& f) {
  const auto& o = f.history->order();
  if (!IsSetProtoTime(o.ordered_at()) || o.items().empty()) {
    return Missing(absl::Substitute(kOrderMissing, o.order_id()));
  }
  std::vector<std::string> lines;
  for (const auto& item : o.items()) lines.push_back(ItemLine(item));
  const std::optional<Money> total = OrderTotal(o);
  const std::string amount =
      f.claim->has_amount() ? absl::Substitute(kOrderClaimAmount, FormatMoney(f.claim->amount()))
                            : "";
  return Present(
      absl::Substitute(kOrderPresent, o.order_id(), Day(o.ordered_at()), absl::StrJoin(lines, ", "),
                       total ? FormatMoney(*total) : "unknown", amount),
      {OrderRefText(o)});
}

// A return offered is a return record past the request, or a seller's message about a return.
Finding CheckReturnOffered(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (WasAuthorized(r)) {
      return Present(absl::Substitute(kReturnOfferedRecord, r.return_id(), StatusName(r.status())),
                     {ReturnRef(r)});
    }
  }
  for (const SentMessage& sm : f.messages) {
    const Message& m = *sm.message;
    if (IsOutbound(m) && !m.automatic() && ContainsFolded(m.body(), "return")) {
      return Present(absl::Substitute(kReturnOfferedMessage, Day(m.created_at())),
                     {MessageRef(*sm.ticket, m)});
    }
  }
  for (const Return& r : f.all_returns()) {
    if (r.status() == Return::REJECTED) {
      const Return::Event* e = LastEvent(r, "reject");
      const std::string note = e != nullptr && !e->note().empty() ? e->note() : r.note();
      return Contradicting(
          absl::Substitute(
              kReturnOnlyRejected, r.return_id(), Day(WhenAction(r, "reject")),
              note.empty() ? std::string(kRejectedNoNote) : absl::Substitute(kRejectedNote, note)),
          {ReturnRef(r)}, false);
    }
  }
  for (const Return& r : f.all_returns()) {
    if (r.status() == Return::REQUESTED) {
      return Missing(absl::Substitute(kReturnRequestedOnly, r.return_id(), Day(r.created_at())),
                     {ReturnRef(r)});
    }
  }
  return Missing(std::string(kReturnNotOffered));
}

Finding CheckInspection(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (r.received_condition() == returns::v1::CONDITION_UNSPECIFIED) continue;
    return Present(absl::Substitute(kInspected, r.return_id(), Day(WhenAction(r, "markReceived")),
                                    ConditionName(r.received_condition())),
                   {ReturnRef(r)});
  }
  return Missing(std::string(kNotInspected));
}

std::string ReturnIds(const Facts& f) {
  std::vector<std::string> ids;
  for (const Return& r : f.all_returns()) {
    ids.push_back(absl::StrCat("return ", r.return_id(), " ", StatusName(r.status())));
  }
  return ids.empty() ? "no return on record" : absl::StrJoin(ids, ", ");
}

Finding CheckReturnTracking(const Facts& f) {
  if (f.all_returns().empty()) return Missing(std::string(kNoReturns));
  for (const Return& r : f.all_returns()) {
    if (!r.return_tracking_number().empty()) {
      return Present(absl::Substitute(kReturnTracked, r.return_id(),
                                      absl::StrCat(r.return_carrier(), ", tracking ",
                                                   r.return_tracking_number())),
                     {ReturnRef(r)});
    }
    if (!r.label_tracking_number().empty()) {
      return Present(absl::Substitute(kReturnTracked, r.return_id(),
                                      absl::StrCat(r.label_carrier(), " label, tracking ",
                                                   r.label_tracking_number())),
                     {ReturnRef(r)});
    }
  }
  return Missing(absl::Substitute(kReturnNotTracked, ReturnIds(f)));
}

Finding CheckReturnReceived(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (WasReceived(r)) {
      return Present(absl::Substitute(kReceived, r.return_id(), Day(WhenAction(r, "markReceived"))),
                     {ReturnRef(r)});
    }
  }
  return Missing(absl::Substitute(kNotReceived, ReturnIds(f)));
}

// Refunds are allowed two days after receipt: a return received earlier than that before the
// claim and still unrefunded is the buyer's case made.
Finding CheckRefundRecord(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (r.refunded().amount_minor() <= 0) continue;
    const Return::Event* e = LastEvent(r, "refund");
    const auto& at = e != nullptr ? e->at() : r.updated_at();
    return Present(absl::Substitute(kRefunded, r.return_id(), FormatMoney(r.refunded()), Day(at)),
                   {ReturnRef(r)});
  }
  for (const Return& r : f.all_returns()) {
    if (!WasReceived(r) || !IsSetProtoTime(f.claim->opened_at())) continue;
    const auto received = WhenAction(r, "markReceived");
    if (IsSetProtoTime(received) &&
        FromProtoTime(received) < FromProtoTime(f.claim->opened_at()) - absl::Hours(48)) {
      return Contradicting(
          absl::Substitute(kRefundOverdue, r.return_id(), Day(received), Day(f.claim->opened_at())),
          {ReturnRef(r)}, true);
    }
  }
  return Missing(absl::Substitute(kNoRefund, ReturnIds(f)));
}

// A rejection with its reason written down may still stand under the policy (outside the
// window, a used item): it blocks REPRESENT but leaves the call to a person. Without a reason
// it is the refusal the buyer claims.
Finding CheckReturnAuthorized(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (WasAuthorized(r)) {
      return Present(absl::Substitute(kAuthorized, r.return_id(), Day(WhenAction(r, "authorize"))),
                     {ReturnRef(r)});
    }
  }
  for (const Return& r : f.all_returns()) {
    if (r.status() != Return::REJECTED) continue;
    const Return::Event* e = LastEvent(r, "reject");
    const std::string note = e != nullptr && !e->note().empty() ? e->note() : r.note();
    return Contradicting(
        absl::Substitute(
            kReturnOnlyRejected, r.return_id(), Day(WhenAction(r, "reject")),
            note.empty() ? std::string(kRejectedNoNote) : absl::Substitute(kRejectedNote, note)),
        {ReturnRef(r)}, note.empty());
  }
  for (const Return& r : f.all_returns()) {
    if (r.status() == Return::REQUESTED) {
      return Missing(absl::Substitute(kReturnRequestedOnly, r.return_id(), Day(r.created_at())),
                     {ReturnRef(r)});
    }
  }
  return Missing(std::string(kNotAuthorized));
}

Finding CheckLabelOffered(const Facts& f) {
  for (const Return& r : f.all_returns()) {
    if (!r.label_tracking_number().empty() || !r.label_carrier().empty() ||
        LastEvent(r, "issueLabel") != nullptr) {
      return Present(
          absl::Substitute(kLabelIssued, r.return_id(),
                           absl::StrCat(r.label_carrier().empty() ? "a carrier" : r.label_carrier(),
                                        r.label_tracking_number().empty() ? "" : ", tracking ",
                                        r.label_tracking_number())),
          {ReturnRef(r)});
    }
    if (IsReturnless(r))
      return Present(absl::Substitute(kReturnless, r.return_id()), {ReturnRef(r)});
  }
  return Missing(absl::Substitute(kNoLabel, ReturnIds(f)));
}

Finding CheckDutiesDisclosed(const Facts& f) {
  static constexpr std::array<absl::string_view, 5> kWords = {"duty", "duties", "customs", "vat",
                                                              "tax"};
  for (const SentMessage& sm : f.messages) {
    const Message& m = *sm.message;
    if (!IsOutbound(m)) continue;
    for (absl::string_view w : kWords) {
      if (ContainsFolded(m.body(), w)) {
        return Present(absl::Substitute(kDutiesTold, Day(m.created_at())),
                       {MessageRef(*sm.ticket, m)});
      }
    }
  }
  return Missing(std::string(kDutiesNotTold));
}

Finding CheckBuyerKnowsOrder(const Facts& f) {
  std::vector<std::string> refs;
  google::protobuf::Timestamp first;
  for (const SentMessage& sm : f.messages) {
    if (!IsInbound(*sm.message)) continue;
    if (refs.empty()) first = sm.message->created_at();
    refs.push_back(MessageRef(*sm.ticket, *sm.message));
  }
  if (refs.empty()) return Missing(std::string(kBuyerSilent));
  std::string detail = absl::Substitute(kBuyerKnows, refs.size(), Day(first));
  return Present(std::move(detail), std::move(refs));
}

Finding CheckPaymentRecord(const Facts& f) {
  return Missing(
      absl::Substitute(kPaymentElsewhere, f.claim->order().order_id(),
                       f.claim->has_amount() ? FormatMoney(f.claim->amount()) : "amount unknown"));
}

// ---------------------------------------------------------------------------------------------
// The checklists, per reason.
// ---------------------------------------------------------------------------------------------

using CheckFn = Finding (*)(const Facts&);

struct Check {
  absl::string_view id;
  absl::string_view requirement;
  // The sources the check reads: when one is unread, what it did not find is not "not found".
  unsigned needs;
  CheckFn run;
};

constexpr Check kCarrierAndTracking{"carrier_and_tracking", "The carrier and tracking number",
                                    kTickets, CheckCarrierAndTracking};
constexpr Check kScanHistory{"scan_history", "The carrier's scan history", kTickets,
                             CheckScanHistory};
constexpr Check kDeliveryScan{"delivery_scan", "A delivery scan with its date", kTickets,
                              CheckDeliveryScan};
constexpr Check kDeliveryAddress{"delivery_address_match",
                                 "Delivery city and postcode matching the ship-to address",
                                 kTickets, CheckDeliveryAddress};
constexpr Check kDeliveredOnTime{"delivered_on_time", "Delivery within the promised window",
                                 kTickets, CheckDeliveredOnTime};
constexpr Check kBuyerUpdates{"buyer_updates", "Updates sent to the buyer", kTickets,
                              CheckBuyerUpdates};
constexpr Check kContactedFirst{"buyer_contacted_first",
                                "The buyer contacted the seller and waited 48 h before the claim",
                                kTickets, CheckContactedFirst};
constexpr Check kBuyerMessages{"buyer_messages", "Messages with the buyer", kTickets,
                               CheckBuyerMessages};
constexpr Check kOrderItems{"order_items", "The listing and items as ordered", kTickets,
                            CheckOrderItems};
constexpr Check kOrderRecord{"order_record", "The order record: date, items and amount", kTickets,
                             CheckOrderRecord};
constexpr Check kReturnOffered{"return_offered", "The offer of a return", kTickets | kReturns,
                               CheckReturnOffered};
constexpr Check kInspection{"inspection", "Inspection or photos of the returned item", kReturns,
                            CheckInspection};
constexpr Check kReturnTracking{"return_tracking", "Return tracking", kReturns,
                                CheckReturnTracking};
constexpr Check kReturnReceived{"return_received", "The return's receipt", kReturns,
                                CheckReturnReceived};
constexpr Check kRefundRecord{"refund_record", "The refund record", kReturns, CheckRefundRecord};
constexpr Check kReturnAuthorized{"return_authorized", "The return authorization", kReturns,
                                  CheckReturnAuthorized};
constexpr Check kLabelOffered{"label_offered", "A return label offered, or a returnless refund",
                              kReturns, CheckLabelOffered};
constexpr Check kDutiesDisclosed{"duties_disclosed", "The buyer told about import duties and taxes",
                                 kTickets, CheckDutiesDisclosed};
constexpr Check kBuyerKnowsOrder{"buyer_knows_order",
                                 "Messages from the buyer showing they know the order", kTickets,
                                 CheckBuyerKnowsOrder};
constexpr Check kPaymentRecord{"payment_record", "The payment record of the charge", kNoSource,
                               CheckPaymentRecord};

// Weights: an essential item is one the marketplace decides on (3); a supporting item helps
// (1); an informational one (0) is shown but neither scores nor decides (that the buyer did not
// write first argues for the seller, its absence is no gap in the evidence).
constexpr int kEssential = 3;
constexpr int kSupporting = 1;
constexpr int kInformational = 0;

struct Entry {
  const Check* check;
  int weight;
};

std::vector<Entry> ChecklistFor(v1::ClaimReason reason) {
  switch (reason) {
    // DOMAIN.md: carrier, tracking number, scan history, the delivery scan with date, city and
    // postcode matching, the updates sent. Tracking, the delivery scan, where it was and the
    // updates are what the marketplace decides on; the rest supports them.
    case v1::NOT_RECEIVED:
      return {{&kCarrierAndTracking, kEssential}, {&kScanHistory, kSupporting},
              {&kDeliveryScan, kEssential},       {&kDeliveryAddress, kEssential},
              {&kDeliveredOnTime, kSupporting},   {&kBuyerUpdates, kEssential},
              {&kContactedFirst, kInformational}};
    // The listing as ordered and the return offered decide it; an inspection and the
    // conversation support it.
    case v1::NOT_AS_DESCRIBED:
      return {{&kOrderItems, kEssential},
              {&kReturnOffered, kEssential},
              {&kInspection, kSupporting},
              {&kBuyerMessages, kSupporting}};
    // Return tracking and the refund record (DOMAIN.md); the receipt dates the refund.
    case v1::RETURNED_NOT_REFUNDED:
      return {{&kReturnTracking, kEssential},
              {&kReturnReceived, kSupporting},
              {&kRefundRecord, kEssential},
              {&kBuyerMessages, kSupporting}};
    // The return authorization and the label offered (DOMAIN.md).
    case v1::RETURN_REFUSED:
      return {{&kReturnAuthorized, kEssential},
              {&kLabelOffered, kEssential},
              {&kBuyerMessages, kSupporting}};
    // A way to return without a local address: a label abroad, or a returnless refund.
    case v1::NO_LOCAL_RETURN_OPTION:
      return {{&kLabelOffered, kEssential},
              {&kReturnAuthorized, kSupporting},
              {&kBuyerMessages, kSupporting}};
    // The shipment went as tracked, and the buyer was told duties were theirs.
    case v1::EXTRA_CUSTOMS_FEES:
      return {{&kCarrierAndTracking, kEssential},
              {&kScanHistory, kSupporting},
              {&kDeliveryScan, kSupporting},
              {&kDutiesDisclosed, kEssential},
              {&kBuyerMessages, kSupporting}};
    // A chargeback for fraud is answered by the order delivered where the card holder asked,
    // and by the buyer's own messages about it.
    case v1::UNAUTHORIZED_TRANSACTION:
      return {{&kOrderRecord, kEssential},
              {&kCarrierAndTracking, kSupporting},
              {&kDeliveryScan, kEssential},
              {&kDeliveryAddress, kEssential},
              {&kBuyerKnowsOrder, kSupporting}};
    // A duplicate is answered by the one order and its amount; the payment record lives with
    // the payment processor, outside these sources, so it supports rather than decides.
    case v1::DUPLICATE_CHARGE:
      return {{&kOrderRecord, kEssential},
              {&kPaymentRecord, kSupporting},
              {&kDeliveryScan, kSupporting},
              {&kDeliveryAddress, kSupporting},
              {&kBuyerKnowsOrder, kSupporting}};
    default:
      return {{&kOrderRecord, kEssential}, {&kBuyerMessages, kSupporting}};
  }
}

struct Judged {
  ChecklistItem item;
  int weight;
  bool decisive;
};

std::vector<Judged> JudgeChecklist(const Facts& f) {
  std::vector<Judged> out;
  for (const Entry& entry : ChecklistFor(f.claim->reason())) {
    const Check& check = *entry.check;
    const bool tickets_unread = (check.needs & kTickets) != 0 && f.history == nullptr;
    const bool returns_unread = (check.needs & kReturns) != 0 && f.returns == nullptr;
    // Run the check when any source it reads was read: a return record can show the offer of a
    // return while tickets is down.
    const bool tickets_read = (check.needs & kTickets) != 0 && f.history != nullptr;
    const bool returns_read = (check.needs & kReturns) != 0 && f.returns != nullptr;
    const bool all_unread = check.needs != kNoSource && !tickets_read && !returns_read;
    Finding finding = all_unread ? Finding{} : check.run(f);
    // Not found in what was read, but the other source was not read: say so, not "not found".
    if (finding.state == ChecklistItem::MISSING && (tickets_unread || returns_unread)) {
      finding.detail = tickets_unread ? absl::Substitute(kSourceUnread, "tickets", f.tickets_why)
                                      : absl::Substitute(kSourceUnread, "returns", f.returns_why);
    }
    ChecklistItem item;
    item.set_id(std::string(check.id));
    item.set_requirement(std::string(check.requirement));
    item.set_state(finding.state);
    item.set_detail(std::move(finding.detail));
    for (std::string& e : finding.evidence) item.add_evidence(std::move(e));
    out.push_back({std::move(item), entry.weight, finding.decisive});
  }
  return out;
}

int Completeness(const std::vector<Judged>& items) {
  int total = 0;
  int present = 0;
  for (const Judged& j : items) {
    total += j.weight;
    if (j.item.state() == ChecklistItem::PRESENT) present += j.weight;
  }
  return total == 0 ? 0 : present * 100 / total;
}

// ---------------------------------------------------------------------------------------------
// Recommendation.
// ---------------------------------------------------------------------------------------------

void Recommend(const Facts& f, const std::vector<Judged>& items, Packet* packet) {
  auto reason = [packet](std::string text) { packet->add_recommendation_reasons(std::move(text)); };
  const std::string amount =
      f.claim->has_amount() ? FormatMoney(f.claim->amount()) : std::string("the claim");

  bool decisive = false;
  bool contradicted = false;
  for (const Judged& j : items) {
    if (j.item.state() != ChecklistItem::CONTRADICTING) continue;
    contradicted = true;
    decisive = decisive || j.decisive;
  }
  // A decisive contradiction is evidence found, not evidence lacking: it stands even when the
  // other source could not be read.
  if (decisive) {
    packet->set_recommendation(Packet::REFUND);
    for (const Judged& j : items) {
      if (j.item.state() == ChecklistItem::CONTRADICTING && j.decisive) {
        reason(absl::Substitute(kWhyDecisive, j.item.detail()));
      }
    }
    return;
  }
  // No tracking at all for an item not received cannot be won (read, not merely unread).
  if (f.claim->reason() == v1::NOT_RECEIVED && f.history != nullptr) {
    const bool tracked =
        std::any_of(f.shipments().begin(), f.shipments().end(),
                    [](const Shipment& s) { return !s.tracking_number().empty(); });
    if (!tracked) {
      packet->set_recommendation(Packet::REFUND);
      reason(absl::Substitute(kWhyNoTracking, amount));
      return;
    }
  }
  packet->set_recommendation(Packet::GATHER_MORE);
  if (f.history == nullptr) reason(absl::Substitute(kWhySourceMissing, "tickets", f.tickets_why));
  if (f.returns == nullptr) reason(absl::Substitute(kWhySourceMissing, "returns", f.returns_why));
  for (const Judged& j : items) {
    if (j.item.state() == ChecklistItem::CONTRADICTING) {
      reason(absl::Substitute(kWhyContradiction, j.item.id(), j.item.detail()));
    }
  }
  std::vector<std::string> essentials;
  bool essential_missing = false;
  for (const Judged& j : items) {
    if (j.weight != kEssential) continue;
    if (j.item.state() == ChecklistItem::MISSING) {
      essential_missing = true;
      reason(absl::Substitute(kWhyMissing, j.item.requirement(), j.item.detail()));
    }
    if (j.item.state() == ChecklistItem::PRESENT) {
      essentials.push_back(absl::AsciiStrToLower(j.item.requirement()));
    }
  }
  if (contradicted || essential_missing || f.history == nullptr || f.returns == nullptr) return;
  packet->set_recommendation(Packet::REPRESENT);
  reason(absl::Substitute(kWhyRepresent, absl::StrJoin(essentials, "; ")));
}

// ---------------------------------------------------------------------------------------------
// Timeline.
// ---------------------------------------------------------------------------------------------

// Sources in the order equal times are listed.
enum class TimelineSource { kTickets = 0, kReturns = 1, kClaims = 2 };

struct Happening {
  google::protobuf::Timestamp at;
  TimelineSource source;
  std::string kind;
  std::string text;
  std::string ref;
};

constexpr size_t kTimelineMessageChars = 280;

std::string ReturnEventKind(absl::string_view action) {
  static constexpr std::array<std::pair<absl::string_view, absl::string_view>, 9> kKinds = {{
      {"create", "return_requested"},
      {"authorize", "return_authorized"},
      {"issueLabel", "return_label_issued"},
      {"recordTracking", "return_shipped"},
      {"markReceived", "return_received"},
      {"refund", "refund"},
      {"reject", "return_rejected"},
      {"close", "return_closed"},
      {"ticketOpened", "return_ticket_opened"},
  }};
  for (const auto& [a, kind] : kKinds) {
    if (a == action) return std::string(kind);
  }
  return absl::StrCat("return_", absl::AsciiStrToLower(action));
}

void TicketsHappenings(const Facts& f, std::vector<Happening>* out) {
  if (f.history == nullptr) return;
  const auto& o = f.history->order();
  std::vector<std::string> lines;
  for (const auto& item : o.items()) lines.push_back(ItemLine(item));
  out->push_back({o.ordered_at(), TimelineSource::kTickets, "order_placed",
                  absl::StrCat("Order ", o.order_id(), " placed: ", absl::StrJoin(lines, ", ")),
                  OrderRefText(o)});
  for (const Shipment& s : f.shipments()) {
    out->push_back({s.created_at(), TimelineSource::kTickets, "shipped",
                    absl::StrCat("Shipped with ", CarrierAndNumber(s)), ShipmentRef(s)});
    for (int i = 0; i < s.events_size(); ++i) {
      const TrackingEvent& e = s.events(i);
      out->push_back({e.occurred_at(), TimelineSource::kTickets, "tracking",
                      absl::StrCat(e.code(), e.description().empty() ? "" : ": ", e.description(),
                                   " (", Place(e.city(), e.postcode(), e.country()), ")"),
                      ScanRef(s, i)});
    }
  }
  for (const Ticket& t : f.history->tickets()) {
    for (const Message& m : t.messages()) {
      const bool in = IsInbound(m);
      const std::string who = in ? "Buyer" : (m.automatic() ? "Automatic message" : "Seller");
      std::string body = FirstCodePoints(m.body(), kTimelineMessageChars);
      if (body.size() < m.body().size()) body += "...";
      out->push_back({m.created_at(), TimelineSource::kTickets, in ? "message_in" : "message_out",
                      absl::StrCat(who, ": ", body), MessageRef(t, m)});
    }
  }
}

void ReturnsHappenings(const Facts& f, std::vector<Happening>* out) {
  for (const Return& r : f.all_returns()) {
    bool refund_seen = false;
    if (r.history().empty()) {
      out->push_back({r.created_at(), TimelineSource::kReturns, "return_requested",
                      absl::StrCat("Return ", r.return_id(), " requested"), ReturnRef(r)});
    }
    for (const Return::Event& e : r.history()) {
      const std::string kind = ReturnEventKind(e.action());
      refund_seen = refund_seen || kind == "refund";
      std::string text = absl::StrCat("Return ", r.return_id(), ": ", e.action());
      if (e.to_status() != Return::STATUS_UNSPECIFIED) {
        absl::StrAppend(&text, " (now ", StatusName(e.to_status()), ")");
      }
      if (e.has_amount() && e.amount().amount_minor() != 0) {
        absl::StrAppend(&text, ", ", FormatMoney(e.amount()));
      }
      if (!e.note().empty()) absl::StrAppend(&text, ": ", e.note());
      out->push_back({e.at(), TimelineSource::kReturns, kind, std::move(text), ReturnRef(r)});
    }
    // A refund the history does not carry is still an event, dated by the last update.
    if (!refund_seen && r.refunded().amount_minor() > 0) {
      out->push_back(
          {r.updated_at(), TimelineSource::kReturns, "refund",
           absl::StrCat("Return ", r.return_id(), ": refunded ", FormatMoney(r.refunded())),
           ReturnRef(r)});
    }
  }
}

void ClaimHappenings(const Claim& c, std::vector<Happening>* out) {
  out->push_back({c.opened_at(), TimelineSource::kClaims, "claim_opened",
                  absl::StrCat(v1::ClaimKind_Name(c.kind()), " claim ", c.marketplace_claim_id(),
                               " opened: ", v1::ClaimReason_Name(c.reason())),
                  ClaimRef(c)});
  if (IsSetProtoTime(c.promised_delivery_by())) {
    out->push_back({c.promised_delivery_by(), TimelineSource::kClaims, "promised_delivery",
                    "Latest delivery date promised to the buyer", ClaimRef(c)});
  }
}

void BuildTimeline(const Facts& f, Packet* packet) {
  std::vector<Happening> all;
  TicketsHappenings(f, &all);
  ReturnsHappenings(f, &all);
  ClaimHappenings(*f.claim, &all);
  // An event with no time cannot be placed; the checklist still reads it.
  all.erase(std::remove_if(all.begin(), all.end(), [](const Happening& h) { return !IsSetProtoTime(h.at); }),
            all.end());
  std::stable_sort(all.begin(), all.end(), [](const Happening& a, const Happening& b) {
    const absl::Time ta = FromProtoTime(a.at);
    const absl::Time tb = FromProtoTime(b.at);
    if (ta != tb) return ta < tb;
    return a.source < b.source;
  });
  static constexpr std::array<absl::string_view, 3> kSourceNames = {"tickets", "returns", "claims"};
  for (Happening& h : all) {
    TimelineEvent* e = packet->add_timeline();
    *e->mutable_at() = h.at;
    e->set_source(std::string(kSourceNames[static_cast<int>(h.source)]));
    e->set_kind(std::move(h.kind));
    e->set_text(std::move(h.text));
    e->set_ref(std::move(h.ref));
  }
}

// ---------------------------------------------------------------------------------------------
// Statement: sentences from the evidence only, most important first, cut to fit.
// ---------------------------------------------------------------------------------------------

absl::string_view KindWords(v1::ClaimKind kind) {
  switch (kind) {
    case v1::A_TO_Z:
      return "A-to-z Guarantee claim";
    case v1::CHARGEBACK:
      return "chargeback";
    case v1::ALIEXPRESS_DISPUTE:
      return "AliExpress dispute";
    case v1::EBAY_MONEY_BACK:
      return "eBay money-back request";
    default:
      return "claim";
  }
}

absl::string_view ReasonWords(v1::ClaimReason reason) {
  switch (reason) {
    case v1::NOT_RECEIVED:
      return "item not received";
    case v1::NOT_AS_DESCRIBED:
      return "item not as described";
    case v1::RETURNED_NOT_REFUNDED:
      return "returned but not refunded";
    case v1::RETURN_REFUSED:
      return "return refused";
    case v1::NO_LOCAL_RETURN_OPTION:
      return "no local return option";
    case v1::EXTRA_CUSTOMS_FEES:
      return "extra customs fees";
    case v1::UNAUTHORIZED_TRANSACTION:
      return "unauthorized transaction";
    case v1::DUPLICATE_CHARGE:
      return "duplicate charge";
    default:
      return "unspecified reason";
  }
}

using Sentences = std::vector<std::string>;

void SayOrder(const Facts& f, Sentences* out) {
  if (f.history == nullptr) return;
  const auto& o = f.history->order();
  if (!IsSetProtoTime(o.ordered_at()) || o.items().empty()) return;
  std::vector<std::string> lines;
  for (const auto& item : o.items()) lines.push_back(ItemLine(item));
  const auto& to = o.ship_to();
  out->push_back(absl::Substitute(kSayOrder, Day(o.ordered_at()), absl::StrJoin(lines, ", "),
                                  Place(to.city(), to.postcode(), to.country())));
}

void SayShipping(const Facts& f, const std::vector<Judged>& items, Sentences* out) {
  for (const Shipment& s : f.shipments()) {
    if (s.tracking_number().empty()) continue;
    out->push_back(absl::Substitute(
        kSayShipped, s.carrier().empty() ? "the carrier" : s.carrier(), s.tracking_number(),
        IsSetProtoTime(s.created_at()) ? absl::Substitute(kSayShippedOn, Day(s.created_at())) : ""));
    if (s.events_size() > 0) {
      google::protobuf::Timestamp first = s.events(0).occurred_at();
      google::protobuf::Timestamp last = first;
      for (const TrackingEvent& e : s.events()) {
        if (Before(e.occurred_at(), first)) first = e.occurred_at();
        if (Before(last, e.occurred_at())) last = e.occurred_at();
      }
      out->push_back(
          absl::Substitute(kSayScans, s.events_size(), s.tracking_number(), Day(first), Day(last)));
    }
  }
  auto state_of = [&items](absl::string_view id) {
    for (const Judged& j : items) {
      if (j.item.id() == id) return j.item.state();
    }
    return ChecklistItem::STATE_UNSPECIFIED;
  };
  // "Delivered" only on a delivery scan that no later return to the sender undoes.
  if (f.delivery && state_of("delivery_scan") != ChecklistItem::CONTRADICTING) {
    const TrackingEvent& e = f.delivery->event();
    std::string tail;
    if (CheckDeliveryAddress(f).state == ChecklistItem::PRESENT)
      absl::StrAppend(&tail, kSayMatches);
    const Claim& c = *f.claim;
    if (IsSetProtoTime(c.promised_delivery_by()) && !Before(c.promised_delivery_by(), e.occurred_at())) {
      tail += absl::Substitute(kSayOnTime, Day(c.promised_delivery_by()));
    }
    out->push_back(absl::Substitute(kSayDelivered, Day(e.occurred_at()),
                                    Place(e.city(), e.postcode(), e.country()), tail));
    return;
  }
  for (const Scan& latest : f.latest_scans) {
    out->push_back(absl::Substitute(kSayLatestScan, latest.shipment->tracking_number(),
                                    Day(latest.event().occurred_at()),
                                    absl::AsciiStrToLower(latest.event().code())));
  }
}

void SayMessages(const Facts& f, Sentences* out) {
  if (f.history == nullptr) return;
  std::vector<google::protobuf::Timestamp> sent;
  std::optional<google::protobuf::Timestamp> tracking_sent;
  for (const SentMessage& sm : f.messages) {
    if (!IsUpdate(f, *sm.message)) continue;
    sent.push_back(sm.message->created_at());
    if (!tracking_sent && MentionsTracking(f, *sm.message))
      tracking_sent = sm.message->created_at();
  }
  if (!sent.empty()) out->push_back(absl::Substitute(kSayMessages, sent.size(), JoinDays(sent)));
  if (tracking_sent) out->push_back(absl::Substitute(kSayTrackingSent, Day(*tracking_sent)));
  const std::optional<SentMessage> first = FirstInboundBeforeClaim(f);
  if (f.claim->reason() == v1::UNAUTHORIZED_TRANSACTION ||
      f.claim->reason() == v1::DUPLICATE_CHARGE) {
    // The buyer's own messages about the order, whenever written, show they know it.
    const auto inbound =
        std::count_if(f.messages.begin(), f.messages.end(),
                      [](const SentMessage& sm) { return IsInbound(*sm.message); });
    const auto earliest =
        std::find_if(f.messages.begin(), f.messages.end(),
                     [](const SentMessage& sm) { return IsInbound(*sm.message); });
    if (earliest != f.messages.end()) {
      out->push_back(
          absl::Substitute(kSayBuyerWrote, inbound, Day(earliest->message->created_at())));
    }
    return;
  }
  if (!first) {
    out->push_back(std::string(kSayNoContactFirst));
  } else {
    out->push_back(absl::Substitute(kSayContactFirst, Day(first->message->created_at())));
  }
}

void SayDuties(const Facts& f, Sentences* out) {
  const Finding told = CheckDutiesDisclosed(f);
  if (told.state != ChecklistItem::PRESENT) return;
  for (const SentMessage& sm : f.messages) {
    if (MessageRef(*sm.ticket, *sm.message) == told.evidence.front()) {
      out->push_back(absl::Substitute(kSayDuties, Day(sm.message->created_at())));
    }
  }
}

void SayReturns(const Facts& f, Sentences* out) {
  for (const Return& r : f.all_returns()) {
    if (IsSetProtoTime(r.created_at())) {
      out->push_back(absl::Substitute(kSayReturnRequested, r.return_id(), Day(r.created_at())));
    }
    if (const Return::Event* e = LastEvent(r, "authorize")) {
      out->push_back(absl::Substitute(kSayReturnAuthorized, r.return_id(), Day(e->at())));
    }
    if (!r.label_carrier().empty() || !r.label_tracking_number().empty()) {
      out->push_back(absl::Substitute(
          kSayReturnLabel, r.return_id(),
          r.label_carrier().empty() ? "a carrier" : r.label_carrier(),
          r.label_tracking_number().empty()
              ? ""
              : absl::StrCat(" under tracking number ", r.label_tracking_number())));
    }
    if (!r.return_tracking_number().empty() &&
        r.return_tracking_number() != r.label_tracking_number()) {
      out->push_back(absl::Substitute(
          kSayReturnShipped, r.return_id(),
          absl::StrCat(r.return_carrier().empty() ? "a carrier" : r.return_carrier(),
                       " under tracking number ", r.return_tracking_number())));
    }
    if (WasReceived(r)) {
      const auto at = WhenAction(r, "markReceived");
      if (IsSetProtoTime(at)) {
        out->push_back(absl::Substitute(
            kSayReturnReceived, r.return_id(), Day(at),
            r.received_condition() == returns::v1::CONDITION_UNSPECIFIED
                ? ""
                : absl::Substitute(
                      kSayReturnCondition,
                      absl::StrReplaceAll(ConditionName(r.received_condition()), {{"_", " "}}))));
      }
    }
    if (r.refunded().amount_minor() > 0) {
      const Return::Event* e = LastEvent(r, "refund");
      const auto& at = e != nullptr ? e->at() : r.updated_at();
      if (IsSetProtoTime(at))
        out->push_back(absl::Substitute(kSayRefund, FormatMoney(r.refunded()), Day(at)));
    }
    if (r.status() == Return::REJECTED) {
      out->push_back(
          absl::Substitute(kSayReturnRejected, r.return_id(), Day(WhenAction(r, "reject"))));
    }
  }
}

void SayAmounts(const Facts& f, Sentences* out) {
  if (f.history == nullptr || !f.claim->has_amount()) return;
  const std::optional<Money> total = OrderTotal(f.history->order());
  if (total)
    out->push_back(
        absl::Substitute(kSayTotal, FormatMoney(*total), FormatMoney(f.claim->amount())));
}

// Whole sentences while they fit; a first sentence longer than the limit is cut at a character.
std::string FitSentences(const Sentences& sentences, int max_chars) {
  if (max_chars <= 0) return "";
  const size_t max = static_cast<size_t>(max_chars);
  std::string out;
  size_t used = 0;
  for (const std::string& s : sentences) {
    const size_t len = CodePoints(s) + (out.empty() ? 0 : 1);
    if (used + len > max) {
      if (out.empty()) return FirstCodePoints(s, max);
      break;
    }
    if (!out.empty()) out.push_back(' ');
    out += s;
    used += len;
  }
  return out;
}

std::string Statement(const Facts& f, const std::vector<Judged>& items, int max_chars) {
  const Claim& c = *f.claim;
  Sentences s;
  const std::string order_id = f.history != nullptr && !f.history->order().order_id().empty()
                                   ? f.history->order().order_id()
                                   : c.order().order_id();
  s.push_back(absl::Substitute(
      kSayOpening, order_id,
      c.marketplace_claim_id().empty() ? c.claim_id() : c.marketplace_claim_id(),
      KindWords(c.kind()), ReasonWords(c.reason()),
      IsSetProtoTime(c.opened_at()) ? absl::Substitute(kSayOpenedOn, Day(c.opened_at())) : ""));
  // The facts that answer the reason come first, so that a cut drops the least of them.
  switch (c.reason()) {
    case v1::NOT_AS_DESCRIBED:
    case v1::RETURNED_NOT_REFUNDED:
    case v1::RETURN_REFUSED:
    case v1::NO_LOCAL_RETURN_OPTION:
      SayOrder(f, &s);
      SayReturns(f, &s);
      SayMessages(f, &s);
      SayShipping(f, items, &s);
      break;
    case v1::EXTRA_CUSTOMS_FEES:
      SayOrder(f, &s);
      SayDuties(f, &s);
      SayShipping(f, items, &s);
      SayMessages(f, &s);
      SayReturns(f, &s);
      break;
    case v1::UNAUTHORIZED_TRANSACTION:
    case v1::DUPLICATE_CHARGE:
      SayOrder(f, &s);
      SayAmounts(f, &s);
      SayShipping(f, items, &s);
      SayMessages(f, &s);
      SayReturns(f, &s);
      break;
    default:
      SayOrder(f, &s);
      SayShipping(f, items, &s);
      SayMessages(f, &s);
      SayReturns(f, &s);
      break;
  }
  return FitSentences(s, max_chars);
}

v1::OrderSummary Summarize(const tickets::v1::Order& o) {
  v1::OrderSummary summary;
  summary.set_order_id(o.order_id());
  if (o.has_ordered_at()) *summary.mutable_ordered_at() = o.ordered_at();
  summary.set_ship_to_city(o.ship_to().city());
  summary.set_ship_to_postcode(o.ship_to().postcode());
  summary.set_ship_to_country(o.ship_to().country());
  for (const auto& item : o.items()) summary.add_items(ItemLine(item));
  return summary;
}

}  // namespace

v1::Packet BuildEvidencePacket(const v1::Claim& claim, const EvidenceSources& sources,
                               absl::Time built_at, const PacketOptions& options) {
  const Facts facts = IndexSources(claim, sources);
  Packet packet;
  packet.set_claim_id(claim.claim_id());
  *packet.mutable_built_at() = ToProtoTime(built_at);
  *packet.mutable_claim() = claim;
  if (facts.history != nullptr) *packet.mutable_order() = Summarize(facts.history->order());
  if (facts.history == nullptr) {
    auto* m = packet.add_missing_sections();
    m->set_source("tickets");
    m->set_reason(facts.tickets_why);
  }
  if (facts.returns == nullptr) {
    auto* m = packet.add_missing_sections();
    m->set_source("returns");
    m->set_reason(facts.returns_why);
  }
  packet.set_partial(packet.missing_sections_size() > 0);

  const std::vector<Judged> items = JudgeChecklist(facts);
  for (const Judged& j : items) *packet.add_checklist() = j.item;
  packet.set_completeness(Completeness(items));
  Recommend(facts, items, &packet);
  BuildTimeline(facts, &packet);
  packet.set_statement(Statement(facts, items, options.statement_max_chars));
  return packet;
}

}  // namespace aftersales::claims
