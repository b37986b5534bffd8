#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/call_scope.h"
#include "common/identity.h"
#include "common/mysql.h"
#include "common/page_token.h"
#include "services/tickets/outbound_screen.h"
#include "services/tickets/sla_clock.h"
#include "services/tickets/ticket_workflow.h"

namespace aftersales::tickets {

struct TicketDeskOptions {
  SlaTargets targets;
  // Injected so tests can move time; absl::Now in production.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Signs list page tokens; every replica needs the same one. A random key serves one process.
  std::string page_token_key = RandomKey();
  // Judges every message to a buyer before it is stored (an agent's reply, a seller-first
  // ticket, a reply template's text): the reviews service's filter in production. Unset, nothing
  // is screened: only for tests of other rules.
  OutboundScreener screen_outbound;
};

// One CreateTicket call among several written together (TicketDesk::CreateTickets). The
// pointers must stay valid during the call.
struct CreateTicketCall {
  const Caller* caller;
  absl::string_view idempotency_key;
  const v1::CreateTicketRequest* request;
  v1::CreateTicketResponse* response;
  // Set when the answer replays an earlier call with the same key; may be null.
  bool* replayed = nullptr;
  // The call's deadline and request id, for when it is written alone.
  CallScope scope = {};
};

// What one sweep of due follow-ups did.
struct FollowUpSweep {
  // Follow-ups found due: a full batch means more may wait.
  int due = 0;
  int sent = 0;
  // Attempts that failed; each is recorded on its row and retried later.
  int failed = 0;
  // Left for the next sweep, uncounted: the ticket was busy, or the database was.
  int deferred = 0;
};

// The tickets use cases: each checks the request and the caller's store scope, then runs the
// workflow rules and the store calls in one transaction. No gRPC here: handlers translate.
class TicketDesk {
 public:
  TicketDesk(Database& db, TicketDeskOptions options);

  // replayed (may be null): set when the answer replays an earlier call with the same key.
  absl::Status CreateTicket(const Caller& caller, const std::string& idempotency_key,
                            const v1::CreateTicketRequest& request, v1::CreateTicketResponse* response,
                            bool* replayed = nullptr);
  // CreateTicket for many calls in one transaction with one commit (group commit): a statement
  // per table whatever their number. When that transaction fails as a whole (say, a retry whose
  // key is stored already is among them), each call runs alone through CreateTicket, so each
  // still gets exactly its own answer. Returns the calls' statuses in their order. A response is
  // meaningful only when its status is OK: a failed call's may hold a ticket that was never
  // committed (gRPC sends no message with an error status).
  std::vector<absl::Status> CreateTickets(absl::Span<const CreateTicketCall> calls);
  absl::Status GetTicket(const Caller& caller, const v1::GetTicketRequest& request,
                         v1::GetTicketResponse* response);
  absl::Status ListTickets(const Caller& caller, const v1::ListTicketsRequest& request,
                           v1::ListTicketsResponse* response);
  absl::Status AddMessage(const Caller& caller, const std::string& idempotency_key,
                          const v1::AddMessageRequest& request, v1::AddMessageResponse* response,
                          bool* replayed = nullptr);
  absl::Status AssignTicket(const Caller& caller, const v1::AssignTicketRequest& request,
                            v1::AssignTicketResponse* response);
  absl::Status MarkNoResponseNeeded(const Caller& caller, const v1::MarkNoResponseNeededRequest& request,
                                    v1::MarkNoResponseNeededResponse* response);
  absl::Status ResolveTicket(const Caller& caller, const v1::ResolveTicketRequest& request,
                             v1::ResolveTicketResponse* response);
  absl::Status ReopenTicket(const Caller& caller, const v1::ReopenTicketRequest& request,
                            v1::ReopenTicketResponse* response);

  absl::Status PutOrder(const Caller& caller, const v1::PutOrderRequest& request,
                        v1::PutOrderResponse* response);
  absl::Status CountOrders(const Caller& caller, const v1::CountOrdersRequest& request,
                           v1::CountOrdersResponse* response);
  absl::Status GetOrder(const Caller& caller, const v1::GetOrderRequest& request,
                        v1::GetOrderResponse* response);
  absl::Status AddShipment(const Caller& caller, const v1::AddShipmentRequest& request,
                           v1::AddShipmentResponse* response);
  absl::Status AddTrackingEvent(const Caller& caller, const v1::AddTrackingEventRequest& request,
                                v1::AddTrackingEventResponse* response);
  absl::Status GetOrderHistory(const Caller& caller, const v1::GetOrderHistoryRequest& request,
                               v1::GetOrderHistoryResponse* response);

  absl::Status CreateReplyTemplate(const Caller& caller, const v1::CreateReplyTemplateRequest& request,
                                   v1::CreateReplyTemplateResponse* response);
  absl::Status ListReplyTemplates(const Caller& caller, const v1::ListReplyTemplatesRequest& request,
                                  v1::ListReplyTemplatesResponse* response);
  absl::Status PutReplyTemplate(const Caller& caller, const v1::PutReplyTemplateRequest& request,
                                v1::PutReplyTemplateResponse* response);
  absl::Status DeleteReplyTemplate(const Caller& caller,
                                   const v1::DeleteReplyTemplateRequest& request,
                                   v1::DeleteReplyTemplateResponse* response);
  absl::Status RenderReplyTemplate(const Caller& caller, const v1::RenderReplyTemplateRequest& request,
                                   v1::RenderReplyTemplateResponse* response);

  absl::Status GetBusinessHours(const Caller& caller, const v1::GetBusinessHoursRequest& request,
                                v1::GetBusinessHoursResponse* response);
  absl::Status PutBusinessHours(const Caller& caller, const v1::PutBusinessHoursRequest& request,
                                v1::PutBusinessHoursResponse* response);

  // Sends up to batch_size follow-ups due now that no other sweeper holds, one ticket at a time.
  // A failing one is recorded on its row (attempts, last error), retried later, and set aside
  // after a few attempts.
  absl::StatusOr<FollowUpSweep> SendDueFollowUps(int batch_size);

 private:
  // OK when no screener is set or it allows the text.
  absl::Status ScreenOutbound(const Caller& caller, absl::string_view text) const;
  // Reads a ticket, checks the caller may see its store, applies `change`, stores it.
  absl::StatusOr<v1::Ticket> ChangeTicket(
      const Caller& caller, const std::string& ticket_id,
      const std::function<absl::Status(v1::Ticket&, const WorkflowContext&)>& change);

  // Templates are changed by admins of the store.
  static absl::Status CheckTemplateAdmin(const Caller& caller, const std::string& store_id);
  // What a create must pass before it touches the database.
  absl::Status CheckCreateTicket(const Caller& caller, absl::string_view idempotency_key,
                                 const v1::CreateTicketRequest& request) const;
  // CreateTicket after its checks passed.
  absl::Status WriteCheckedTicket(const Caller& caller, absl::string_view idempotency_key,
                                  const v1::CreateTicketRequest& request, v1::CreateTicketResponse* response,
                                  bool* replayed);
  // Idempotency keys are the caller's own, per method.
  static std::string CreateTicketScope(const Caller& caller);
  // Opens a ticket with its first message for each request, and writes them all; responses[i]
  // gets the ticket of requests[i].
  absl::Status WriteNewTickets(Transaction& tx, absl::Span<const Caller* const> callers,
                               absl::Span<const v1::CreateTicketRequest* const> requests,
                               absl::Span<v1::CreateTicketResponse* const> responses);

  Database& db_;
  const TicketDeskOptions options_;
  const PageTokenSigner page_tokens_;
};

}  // namespace aftersales::tickets
