#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/mysql.h"
#include "common/page_token.h"

namespace aftersales::tickets {

// How long a list's page tokens stay good: long enough to page through a queue, short enough
// that the due-time history they need stays small.
inline constexpr absl::Duration kPageTokenLifetime = absl::Hours(1);

// A page of a ticket list and where the next one starts.
struct TicketPage {
  std::vector<v1::Ticket> tickets;
  std::string next_page_token;
};

// The SQL of the tickets database. Every call runs inside the caller's transaction; the caller
// decides what commits together. Reads that precede a change lock the row (FOR UPDATE).
namespace store {

// What a read of a missing ticket or order answers, and what one of a store the caller may not
// see answers too.
std::string TicketNotFound(absl::string_view ticket_id);
std::string OrderNotFound(absl::string_view order_id);

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
// A page of the store's tickets, soonest due first, under the request's filters. The page
// token is signed (PageTokenSigner) and bound to the filters; paging is correct across changes
// of due times between pages: a ticket keeps the place it had when the list began (see
// ticket_due_changes), so none is skipped or shown twice. Tokens live kPageTokenLifetime.
absl::StatusOr<TicketPage> ListTickets(Transaction& tx, const v1::ListTicketsRequest& request,
                                       absl::Time now, const PageTokenSigner& signer);

// The statement that reads a page of ListTickets in the due order: exposed so a test can
// EXPLAIN every list shape the API offers and see an index range, not a scan of the store.
struct TicketListQuery {
  std::string sql;
  std::vector<SqlParam> params;
};
TicketListQuery BuildTicketListQuery(const v1::ListTicketsRequest& request, absl::Time now,
                                     std::optional<absl::Time> after_due,
                                     const std::string& after_id, int limit);

// Forgets due-time changes older than `keep` by the database's clock (a batch at a time):
// no live token needs them.
absl::StatusOr<uint64_t> PurgeDueChanges(Transaction& tx, absl::Duration keep);

// When the ticket's latest message was written, and its latest out-of-hours reply (author
// "auto-reply"); nullopt where there is none.
struct MessageTimes {
  std::optional<absl::Time> latest;
  std::optional<absl::Time> latest_auto_reply;
};
absl::StatusOr<MessageTimes> ReadMessageTimes(Transaction& tx, const std::string& ticket_id);
// Orders are keyed by (store_id, order_id): every order read names its store.
absl::StatusOr<std::vector<v1::Ticket>> TicketsOfOrder(Transaction& tx, const std::string& store_id,
                                                       const std::string& order_id);

// Up to `limit` tickets whose follow-up is due, soonest first, read without locking.
absl::StatusOr<std::vector<std::string>> DueFollowUps(Transaction& tx, absl::Time now, int limit);
// Locks the ticket's follow-up row when it is still pending and due, skipping it when another
// sweeper holds it: true when this transaction has it. Lock the ticket row first.
absl::StatusOr<bool> ClaimFollowUp(Transaction& tx, const std::string& ticket_id, absl::Time now);
absl::Status FinishFollowUp(Transaction& tx, const std::string& ticket_id, bool sent, absl::Time now);
// The attempts recorded on the ticket's follow-up row (0 when there is none).
absl::StatusOr<int> ReadFollowUpAttempts(Transaction& tx, const std::string& ticket_id);
// A pending follow-up's failed attempt: `attempts` so far with this one, the error, and when to
// try again; nullopt sets the row aside (FAILED).
absl::Status RecordFollowUpFailure(Transaction& tx, const std::string& ticket_id, int attempts,
                                   std::optional<absl::Time> retry_at, const absl::Status& error,
                                   absl::Time now);
// The ticket, locked, unless another transaction holds it (nullopt: try later).
// NOT_FOUND when there is no such ticket.
absl::StatusOr<std::optional<v1::Ticket>> LockTicketIfFree(Transaction& tx,
                                                          const std::string& ticket_id);

// Who writes the out-of-hours reply: how the next one in the same closed stretch is held back.
inline constexpr char kAutoReplyAuthor[] = "auto-reply";

// Orders, shipments, tracking.
absl::Status PutOrder(Transaction& tx, const v1::Order& order, absl::Time now);
// The store's orders placed in [from, to).
absl::StatusOr<int64_t> CountOrders(Transaction& tx, const std::string& store_id, absl::Time from,
                                    absl::Time to);
absl::StatusOr<v1::Order> ReadOrder(Transaction& tx, const std::string& store_id,
                                    const std::string& order_id, bool for_update);
// The shipment with this carrier and tracking number, or a new one: automation may push twice.
absl::StatusOr<v1::Shipment> InsertShipment(Transaction& tx, const v1::Shipment& shipment);
absl::StatusOr<v1::Shipment> ReadShipment(Transaction& tx, const std::string& store_id,
                                          const std::string& order_id,
                                          const std::string& shipment_id);
// A scan pushed twice (same time and code) is stored once.
absl::Status InsertTrackingEvent(Transaction& tx, const std::string& shipment_id,
                                 const v1::TrackingEvent& event);
// Oldest first, each with its events.
absl::StatusOr<std::vector<v1::Shipment>> ReadShipments(Transaction& tx, const std::string& store_id,
                                                        const std::string& order_id);

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
