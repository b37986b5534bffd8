#pragma once

#include <string>

#include "absl/status/status.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::tickets {

// Request checks: INVALID_ARGUMENT naming the first field at fault (as its JSON path), before
// anything is read or written.

inline constexpr size_t kMaxSubjectBytes = 1000;
inline constexpr size_t kMaxMessageBytes = 64 * 1024;
inline constexpr size_t kMaxNameBytes = 255;

absl::Status ValidateCreateTicket(const v1::CreateTicketRequest& request);
absl::Status ValidateAddMessage(const v1::AddMessageRequest& request);
absl::Status ValidateListTickets(const v1::ListTicketsRequest& request);
// An order's key: the store it belongs to and the marketplace's order id.
absl::Status ValidateOrderKey(const std::string& store_id, const std::string& order_id);
absl::Status ValidatePutOrder(const v1::PutOrderRequest& request);
absl::Status ValidateAddShipment(const v1::AddShipmentRequest& request);
absl::Status ValidateAddTrackingEvent(const v1::AddTrackingEventRequest& request);
absl::Status ValidateReplyTemplate(const v1::CreateReplyTemplateRequest& request);
absl::Status ValidateRenderReplyTemplate(const v1::RenderReplyTemplateRequest& request);

// A timestamp the API accepts: between 2000 and 2100 with valid nanos.
absl::Status ValidateTimestamp(absl::string_view field, const google::protobuf::Timestamp& ts);

}  // namespace aftersales::tickets
