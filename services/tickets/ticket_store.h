#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/mysql.h"

namespace aftersales::tickets {

// A page of a ticket list and where the next one starts.
struct TicketPage {
  std::vector<v1::Ticket> tickets;
  std::string next_page_token;
};

// The SQL of the tickets database. Every call runs inside the caller's transaction; the caller
// decides what commits together. Reads that precede a change lock the row (FOR UPDATE).
namespace store {

// Tickets and messages. The Insert...s calls write all their rows in one statement.
absl::Status InsertTickets(Transaction& tx, absl::Span<const v1::Ticket> tickets);
absl::Status UpdateTicket(Transaction& tx, const v1::Ticket& ticket);
// NOT_FOUND naming the id. for_update locks the row until the transaction ends.
absl::StatusOr<v1::Ticket> ReadTicket(Transaction& tx, const std::string& ticket_id, bool for_update);
absl::Status InsertMessages(Transaction& tx, absl::Span<const v1::Message> messages);
absl::Status InsertMessage(Transaction& tx, const v1::Message& message);
absl::StatusOr<std::vector<v1::Message>> ReadMessages(Transaction& tx, const std::string& ticket_id);
// Keeps the follow-up queue in step with ticket.follow_up_at: pending at that time, or cancelled.
absl::Status SyncFollowUp(Transaction& tx, const v1::Ticket& ticket, absl::Time now);
absl::StatusOr<TicketPage> ListTickets(Transaction& tx, const v1::ListTicketsRequest& request,
                                       absl::Time now);
absl::StatusOr<std::vector<v1::Ticket>> TicketsOfOrder(Transaction& tx, const std::string& order_id);

// Claims up to `limit` due follow-ups, skipping rows another sweeper holds: each due row goes
// to exactly one sweeper. The rows stay locked until the transaction ends.
absl::StatusOr<std::vector<std::string>> ClaimDueFollowUps(Transaction& tx, absl::Time now, int limit);
absl::Status FinishFollowUp(Transaction& tx, const std::string& ticket_id, bool sent, absl::Time now);

// Orders, shipments, tracking.
absl::Status PutOrder(Transaction& tx, const v1::Order& order, absl::Time now);
absl::StatusOr<v1::Order> ReadOrder(Transaction& tx, const std::string& order_id, bool for_update);
// The shipment with this carrier and tracking number, or a new one: automation may push twice.
absl::StatusOr<v1::Shipment> InsertShipment(Transaction& tx, const v1::Shipment& shipment);
absl::StatusOr<v1::Shipment> ReadShipment(Transaction& tx, const std::string& order_id,
                                          const std::string& shipment_id);
// A scan pushed twice (same time and code) is stored once.
absl::Status InsertTrackingEvent(Transaction& tx, const std::string& shipment_id,
                                 const v1::TrackingEvent& event);
// Oldest first, each with its events.
absl::StatusOr<std::vector<v1::Shipment>> ReadShipments(Transaction& tx, const std::string& order_id);

// Reply templates and business hours.
absl::Status InsertTemplate(Transaction& tx, const v1::ReplyTemplate& t);
// Inserts or replaces the template's (store, name, language) version; true when it was new.
// A replaced version keeps its creation time, which is copied into `t`.
absl::StatusOr<bool> UpsertTemplate(Transaction& tx, v1::ReplyTemplate& t);
// Deletes a template's version in `language`, or all its versions when language is empty.
absl::StatusOr<uint64_t> DeleteTemplates(Transaction& tx, const std::string& store_id,
                                         const std::string& name, const std::string& language);
absl::StatusOr<std::vector<v1::ReplyTemplate>> ListTemplates(Transaction& tx, const std::string& store_id,
                                                             const std::string& name,
                                                             const std::string& language);
absl::Status PutBusinessHours(Transaction& tx, const std::string& store_id,
                              const v1::BusinessHours& hours, absl::Time now);
absl::StatusOr<std::optional<v1::BusinessHours>> ReadBusinessHours(Transaction& tx,
                                                                   const std::string& store_id);

}  // namespace store
}  // namespace aftersales::tickets
