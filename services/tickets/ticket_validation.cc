#include "services/tickets/ticket_validation.h"

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validation.h"
#include "services/tickets/reply_template.h"

namespace aftersales::tickets {
namespace {

absl::Status ValidateBuyer(absl::string_view prefix, const v1::Buyer& buyer) {
  auto f = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  RETURN_IF_ERROR(ValidateId(f("buyer_id"), buyer.buyer_id()));
  RETURN_IF_ERROR(ValidateText(f("name"), buyer.name(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateEmail(f("email"), buyer.email(), false));
  RETURN_IF_ERROR(ValidateCountry(f("country"), buyer.country(), false));
  RETURN_IF_ERROR(ValidateTimeZone(f("time_zone"), buyer.time_zone(), false));
  RETURN_IF_ERROR(ValidateLanguage(f("language"), buyer.language(), false));
  RETURN_IF_ERROR(ValidateEnum(f("tier"), buyer.tier(), v1::Buyer::Tier_IsValid(buyer.tier()), true));
  return absl::OkStatus();
}

absl::Status ValidateSite(absl::string_view field, absl::string_view site) {
  if (site.size() > 8) return absl::InvalidArgumentError(absl::StrCat(field, ": at most 8 characters"));
  for (const char c : site) {
    if (!(c >= 'A' && c <= 'Z')) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", site, "' is not an upper-case site code like US or DE"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOrderRef(absl::string_view prefix, const common::v1::OrderRef& order) {
  if (order.order_id().empty() && order.marketplace() == 0 && order.site().empty()) {
    return absl::OkStatus();  // no order: a pre-sale question
  }
  RETURN_IF_ERROR(ValidateId(absl::StrCat(prefix, ".order_id"), order.order_id()));
  RETURN_IF_ERROR(ValidateEnum(absl::StrCat(prefix, ".marketplace"), order.marketplace(),
                               common::v1::Marketplace_IsValid(order.marketplace()), false));
  return ValidateSite(absl::StrCat(prefix, ".site"), order.site());
}

absl::Status ValidateMoney(absl::string_view field, const common::v1::Money& money) {
  RETURN_IF_ERROR(ValidateCurrency(absl::StrCat(field, ".currency_code"), money.currency_code()));
  if (money.amount_minor() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".amount_minor: must not be negative"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateTimestamp(absl::string_view field, const google::protobuf::Timestamp& ts) {
  // 2000-01-01 .. 2100-01-01: anything else is a unit mistake (milliseconds sent as seconds).
  if (ts.seconds() < 946684800 || ts.seconds() >= 4102444800 || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be a time between 2000 and 2100"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCreateTicket(const v1::CreateTicketRequest& r) {
  RETURN_IF_ERROR(ValidateId("store_id", r.store_id()));
  RETURN_IF_ERROR(ValidateOrderRef("order", r.order()));
  if (!r.has_buyer()) return absl::InvalidArgumentError("buyer: is required");
  RETURN_IF_ERROR(ValidateBuyer("buyer", r.buyer()));
  RETURN_IF_ERROR(ValidateEnum("category", r.category(), v1::Category_IsValid(r.category()), false));
  RETURN_IF_ERROR(ValidateEnum("channel", r.channel(), v1::Channel_IsValid(r.channel()), false));
  RETURN_IF_ERROR(ValidateText("subject", r.subject(), kMaxSubjectBytes, true));
  RETURN_IF_ERROR(ValidateText("body", r.body(), kMaxMessageBytes, true));
  if (r.has_received_at()) RETURN_IF_ERROR(ValidateTimestamp("received_at", r.received_at()));
  RETURN_IF_ERROR(ValidateEnum("first_message_direction", r.first_message_direction(),
                               v1::Message::Direction_IsValid(r.first_message_direction()), true));
  return absl::OkStatus();
}

absl::Status ValidateAddMessage(const v1::AddMessageRequest& r) {
  RETURN_IF_ERROR(ValidateId("ticket_id", r.ticket_id()));
  RETURN_IF_ERROR(ValidateEnum("direction", r.direction(),
                               v1::Message::Direction_IsValid(r.direction()), false));
  RETURN_IF_ERROR(ValidateText("body", r.body(), kMaxMessageBytes, true));
  if (r.automatic() && r.direction() == v1::Message::INBOUND) {
    return absl::InvalidArgumentError("automatic: only outbound messages can be automatic");
  }
  if (r.has_sent_at()) RETURN_IF_ERROR(ValidateTimestamp("sent_at", r.sent_at()));
  return absl::OkStatus();
}

absl::Status ValidateListTickets(const v1::ListTicketsRequest& r) {
  RETURN_IF_ERROR(ValidateId("store_id", r.store_id()));
  RETURN_IF_ERROR(ValidateEnum("status", r.status(), v1::Ticket::Status_IsValid(r.status()), true));
  RETURN_IF_ERROR(ValidateEnum("category", r.category(), v1::Category_IsValid(r.category()), true));
  RETURN_IF_ERROR(ValidateOptionalId("assignee", r.assignee()));
  RETURN_IF_ERROR(ValidatePageSize(r.page_size()));
  if (r.has_due_before()) RETURN_IF_ERROR(ValidateTimestamp("due_before", r.due_before()));
  return absl::OkStatus();
}

absl::Status ValidateOrderKey(const std::string& store_id, const std::string& order_id) {
  RETURN_IF_ERROR(ValidateId("store_id", store_id));
  return ValidateId("order_id", order_id);
}

absl::Status ValidatePutOrder(const v1::PutOrderRequest& r) {
  RETURN_IF_ERROR(ValidateOrderKey(r.store_id(), r.order_id()));
  if (!r.has_order()) return absl::InvalidArgumentError("order: is required (the request body)");
  const v1::Order& o = r.order();
  if (!o.order_id().empty() && o.order_id() != r.order_id()) {
    return absl::InvalidArgumentError(absl::StrCat("order.order_id: '", o.order_id(),
                                                   "' differs from the path's '", r.order_id(), "'"));
  }
  if (!o.store_id().empty() && o.store_id() != r.store_id()) {
    return absl::InvalidArgumentError(absl::StrCat("order.store_id: '", o.store_id(),
                                                   "' differs from the path's '", r.store_id(), "'"));
  }
  RETURN_IF_ERROR(ValidateEnum("order.marketplace", o.marketplace(),
                               common::v1::Marketplace_IsValid(o.marketplace()), false));
  RETURN_IF_ERROR(ValidateSite("order.site", o.site()));
  if (o.has_buyer()) RETURN_IF_ERROR(ValidateBuyer("order.buyer", o.buyer()));
  RETURN_IF_ERROR(ValidateEnum("order.fulfillment", o.fulfillment(),
                               v1::Order::Fulfillment_IsValid(o.fulfillment()), true));
  if (o.items_size() > 500) return absl::InvalidArgumentError("order.items: at most 500 items");
  for (int i = 0; i < o.items_size(); ++i) {
    const auto& item = o.items(i);
    const std::string p = absl::StrCat("order.items[", i, "]");
    RETURN_IF_ERROR(ValidateId(p + ".sku", item.sku()));
    RETURN_IF_ERROR(ValidateText(p + ".title", item.title(), 1000, false));
    RETURN_IF_ERROR(ValidateText(p + ".category", item.category(), 128, false));
    if (item.quantity() < 1) return absl::InvalidArgumentError(p + ".quantity: must be at least 1");
    if (item.has_price()) RETURN_IF_ERROR(ValidateMoney(p + ".price", item.price()));
    if (item.has_cost()) RETURN_IF_ERROR(ValidateMoney(p + ".cost", item.cost()));
  }
  const auto& a = o.ship_to();
  RETURN_IF_ERROR(ValidateText("order.ship_to.name", a.name(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.line1", a.line1(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.line2", a.line2(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.city", a.city(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.region", a.region(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.postcode", a.postcode(), 32, false));
  RETURN_IF_ERROR(ValidateCountry("order.ship_to.country", a.country(), false));
  RETURN_IF_ERROR(ValidateText("order.ship_to.phone", a.phone(), 64, false));
  if (o.has_ordered_at()) RETURN_IF_ERROR(ValidateTimestamp("order.ordered_at", o.ordered_at()));
  if (o.has_shipping()) RETURN_IF_ERROR(ValidateMoney("order.shipping", o.shipping()));
  return absl::OkStatus();
}

absl::Status ValidateAddShipment(const v1::AddShipmentRequest& r) {
  RETURN_IF_ERROR(ValidateOrderKey(r.store_id(), r.order_id()));
  RETURN_IF_ERROR(ValidateText("carrier", r.carrier(), 64, true));
  RETURN_IF_ERROR(ValidateId("tracking_number", r.tracking_number()));
  if (r.tracking_number().size() > 64) {
    return absl::InvalidArgumentError("tracking_number: at most 64 characters");
  }
  RETURN_IF_ERROR(ValidateText("tracking_url", r.tracking_url(), 1000, false));
  return absl::OkStatus();
}

absl::Status ValidateAddTrackingEvent(const v1::AddTrackingEventRequest& r) {
  RETURN_IF_ERROR(ValidateOrderKey(r.store_id(), r.order_id()));
  RETURN_IF_ERROR(ValidateId("shipment_id", r.shipment_id()));
  if (!r.has_event()) return absl::InvalidArgumentError("event: is required");
  const auto& e = r.event();
  if (!e.has_occurred_at()) return absl::InvalidArgumentError("event.occurred_at: is required");
  RETURN_IF_ERROR(ValidateTimestamp("event.occurred_at", e.occurred_at()));
  RETURN_IF_ERROR(ValidateText("event.code", e.code(), 64, true));
  RETURN_IF_ERROR(ValidateText("event.description", e.description(), 1000, false));
  RETURN_IF_ERROR(ValidateText("event.city", e.city(), kMaxNameBytes, false));
  RETURN_IF_ERROR(ValidateText("event.postcode", e.postcode(), 32, false));
  RETURN_IF_ERROR(ValidateCountry("event.country", e.country(), false));
  return absl::OkStatus();
}

absl::Status ValidateReplyTemplate(const v1::CreateReplyTemplateRequest& r) {
  RETURN_IF_ERROR(ValidateId("store_id", r.store_id()));
  if (!r.has_template_()) return absl::InvalidArgumentError("template: is required");
  const auto& t = r.template_();
  if (!t.store_id().empty() && t.store_id() != r.store_id()) {
    return absl::InvalidArgumentError("template.store_id: differs from the path's store_id");
  }
  RETURN_IF_ERROR(ValidateId("template.name", t.name()));
  if (t.name().size() > 64) return absl::InvalidArgumentError("template.name: at most 64 characters");
  RETURN_IF_ERROR(ValidateLanguage("template.language", t.language(), true));
  RETURN_IF_ERROR(ValidateText("template.topic", t.topic(), kMaxNameBytes, true));
  RETURN_IF_ERROR(ValidateText("template.body", t.body(), 16 * 1024, true));
  RETURN_IF_ERROR(ValidateTemplateText("template.topic", t.topic()));
  return ValidateTemplateText("template.body", t.body());
}

absl::Status ValidateRenderReplyTemplate(const v1::RenderReplyTemplateRequest& r) {
  RETURN_IF_ERROR(ValidateId("store_id", r.store_id()));
  RETURN_IF_ERROR(ValidateId("name", r.name()));
  RETURN_IF_ERROR(ValidateOptionalId("ticket_id", r.ticket_id()));
  RETURN_IF_ERROR(ValidateLanguage("language", r.language(), false));
  for (const auto& [key, value] : r.values()) {
    RETURN_IF_ERROR(ValidateText(absl::StrCat("values.", key), value, 4096, false));
  }
  return absl::OkStatus();
}

}  // namespace aftersales::tickets
