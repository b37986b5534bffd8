#include "services/tickets/ticket_desk.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/idempotency.h"
#include "common/call_scope.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "services/tickets/reply_template.h"
#include "services/tickets/ticket_store.h"
#include "services/tickets/ticket_validation.h"

namespace aftersales::tickets {
namespace {

using v1::Ticket;

// The answer to a change: the changed ticket, or why there is none.
template <typename Response>
absl::Status AnswerWithTicket(absl::StatusOr<Ticket> ticket, Response* response) {
  if (!ticket.ok()) return ticket.status();
  *response->mutable_ticket() = *std::move(ticket);
  return absl::OkStatus();
}

// The store team's hours, when it keeps any.
absl::StatusOr<std::optional<WeeklyHours>> TeamHours(Transaction& tx, const std::string& store_id) {
  absl::StatusOr<std::optional<v1::BusinessHours>> stored = store::ReadBusinessHours(tx, store_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<WeeklyHours>();
  absl::StatusOr<WeeklyHours> parsed = ParseBusinessHours(**stored);
  if (!parsed.ok()) return parsed.status();
  return std::optional<WeeklyHours>(*std::move(parsed));
}

// The store team's hours, read only when a clock on this channel counts them.
absl::StatusOr<std::optional<WeeklyHours>> StoreHours(Transaction& tx, const std::string& store_id,
                                                      v1::Channel channel) {
  if (!CountsBusinessHours(channel)) return std::optional<WeeklyHours>();
  return TeamHours(tx, store_id);
}

// The latest shipment of the ticket's order, read through the ticket's own store.
absl::StatusOr<std::optional<v1::Shipment>> LatestShipment(Transaction& tx, const Ticket& ticket) {
  if (ticket.order().order_id().empty()) return std::optional<v1::Shipment>();
  absl::StatusOr<std::vector<v1::Shipment>> shipments =
      store::ReadShipments(tx, ticket.store_id(), ticket.order().order_id());
  if (!shipments.ok()) return shipments.status();
  if (shipments->empty()) return std::optional<v1::Shipment>();
  return std::optional<v1::Shipment>(std::move(shipments->back()));
}

// The store's template `name` in the language ChooseLanguage picks; nullopt when the store
// keeps none of that name.
absl::StatusOr<std::optional<v1::ReplyTemplate>> ChooseTemplate(Transaction& tx,
                                                                const std::string& store_id,
                                                                const std::string& name,
                                                                absl::string_view requested,
                                                                absl::string_view buyer_language) {
  absl::StatusOr<std::vector<v1::ReplyTemplate>> versions =
      store::ListTemplates(tx, store_id, name, "");
  if (!versions.ok()) return versions.status();
  std::vector<std::string> languages;
  for (const auto& v : *versions) languages.push_back(v.language());
  const std::string language = ChooseLanguage(languages, requested, buyer_language);
  for (auto& v : *versions) {
    if (v.language() == language) return std::optional<v1::ReplyTemplate>(std::move(v));
  }
  return std::optional<v1::ReplyTemplate>();
}

// An automatic reply on `ticket`: the store's template `name` in the buyer's language, or our
// own text when the store keeps none (or its template needs a value this reply lacks).
absl::StatusOr<v1::Message> AutomaticReply(Transaction& tx, const Ticket& ticket,
                                           const std::string& name, ReplyContext context,
                                           absl::string_view author) {
  absl::StatusOr<std::optional<v1::ReplyTemplate>> chosen =
      ChooseTemplate(tx, ticket.store_id(), name, "", ticket.buyer().language());
  if (!chosen.ok()) return chosen.status();
  absl::StatusOr<std::optional<v1::Shipment>> shipment = LatestShipment(tx, ticket);
  if (!shipment.ok()) return shipment.status();
  context.ticket = &ticket;
  context.store_id = ticket.store_id();
  if (shipment->has_value()) context.latest_shipment = &**shipment;
  std::map<std::string, std::string> values = ReplyValues(context);
  // A greeting needs a name: the buyer's own word for a customer when we know no name.
  if (values["buyer_name"].empty()) {
    values["buyer_name"] = std::string(AnonymousBuyerName(ticket.buyer().language()));
  }
  absl::StatusOr<std::string> body = absl::NotFoundError("no template");
  if (chosen->has_value()) body = RenderTemplateText((*chosen)->body(), values);
  if (!body.ok()) {
    body = RenderTemplateText(DefaultReplyText(name, ticket.buyer().language()), values);
  }
  if (!body.ok()) return body.status();
  v1::Message message;
  message.set_message_id(NewId("msg"));
  message.set_ticket_id(ticket.ticket_id());
  message.set_direction(v1::Message::OUTBOUND);
  message.set_body(*std::move(body));
  message.set_author(std::string(author));
  message.set_automatic(true);
  *message.mutable_created_at() = ToProtoTime(context.now);
  return message;
}

// The out-of-hours reply to a buyer message received at `received`, when one is due.
absl::StatusOr<std::optional<v1::Message>> OutOfHoursReply(
    Transaction& tx, const Ticket& ticket, absl::Time received, absl::Time now,
    const std::optional<WeeklyHours>& hours, std::optional<absl::Time> last_auto_reply) {
  const std::optional<absl::Time> back = OutOfHoursReplyDue(received, now, hours, last_auto_reply);
  if (!back.has_value()) return std::optional<v1::Message>();
  ReplyContext context;
  context.now = now;
  context.reply_by = *back;
  absl::StatusOr<v1::Message> reply =
      AutomaticReply(tx, ticket, "out_of_hours", context, store::kAutoReplyAuthor);
  if (!reply.ok()) return reply.status();
  return std::optional<v1::Message>(*std::move(reply));
}

// A ticket's order, when the store has it, must be the order the ticket names: the same
// marketplace and site. Missing ones are taken from the order. An order the store does not
// have yet is taken as named: order sync may push it later. Automation (another service's
// outbox, an import) is not refused, since it could not fix the request and retrying would
// not help: its ticket takes the store's order as the truth, and the mismatch is logged.
absl::Status MatchStoreOrder(Transaction& tx, const Caller& caller, const std::string& store_id,
                             common::v1::OrderRef& ref) {
  if (ref.order_id().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Order> order = store::ReadOrder(tx, store_id, ref.order_id(), false);
  if (absl::IsNotFound(order.status())) return absl::OkStatus();
  if (!order.ok()) return order.status();
  if (caller.role == Role::kService &&
      (ref.marketplace() != order->marketplace() || ref.site() != order->site())) {
    LogWarning("ticket's order reference differs from the store's order; the order's is kept",
               {{"store_id", store_id},
                {"order_id", ref.order_id()},
                {"named", absl::StrCat(common::v1::Marketplace_Name(ref.marketplace()), "/", ref.site())},
                {"request_id", CurrentCall().request_id}});
    ref.set_marketplace(order->marketplace());
    ref.set_site(order->site());
    return absl::OkStatus();
  }
  if (ref.marketplace() == common::v1::MARKETPLACE_UNSPECIFIED) {
    ref.set_marketplace(order->marketplace());
  } else if (ref.marketplace() != order->marketplace()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "order.marketplace: order ", ref.order_id(), " of store ", store_id, " is on ",
        common::v1::Marketplace_Name(order->marketplace()), ", not ",
        common::v1::Marketplace_Name(ref.marketplace())));
  }
  if (ref.site().empty()) {
    ref.set_site(order->site());
  } else if (!order->site().empty() && ref.site() != order->site()) {
    return absl::InvalidArgumentError(absl::StrCat("order.site: order ", ref.order_id(),
                                                   " of store ", store_id, " is on site ",
                                                   order->site(), ", not ", ref.site()));
  }
  return absl::OkStatus();
}

absl::Status AttachMessages(Transaction& tx, Ticket& ticket) {
  absl::StatusOr<std::vector<v1::Message>> messages = store::ReadMessages(tx, ticket.ticket_id());
  if (!messages.ok()) return messages.status();
  for (auto& m : *messages) *ticket.add_messages() = std::move(m);
  return absl::OkStatus();
}

// An order of a store the caller may not see is not found, like one that does not exist.
absl::StatusOr<v1::Order> ReadOrderFor(Transaction& tx, const Caller& caller,
                                       const std::string& store_id, const std::string& order_id,
                                       bool for_update) {
  RETURN_IF_ERROR(CheckCanSee(caller, store_id, store::OrderNotFound(order_id)));
  return store::ReadOrder(tx, store_id, order_id, for_update);
}

// A ticket read by its id: one of a store the caller may not see is not found. The lock, when
// asked for, is taken only once the caller may see it: nobody holds or waits on another
// store's tickets.
absl::StatusOr<Ticket> ReadTicketFor(Transaction& tx, const Caller& caller,
                                     const std::string& ticket_id, bool for_update) {
  absl::StatusOr<Ticket> ticket = store::ReadTicket(tx, ticket_id, /*for_update=*/false);
  if (!ticket.ok()) return ticket.status();
  RETURN_IF_ERROR(CheckCanSee(caller, ticket->store_id(), store::TicketNotFound(ticket_id)));
  if (!for_update) return ticket;
  return store::ReadTicket(tx, ticket_id, /*for_update=*/true);
}

}  // namespace

TicketDesk::TicketDesk(Database& db, TicketDeskOptions options)
    : db_(db), options_(std::move(options)), page_tokens_(options_.page_token_key) {}

absl::Status TicketDesk::CreateTicket(const Caller& caller, const std::string& idempotency_key,
                                      const v1::CreateTicketRequest& request,
                                      v1::CreateTicketResponse* response, bool* replayed) {
  RETURN_IF_ERROR(CheckCreateTicket(caller, idempotency_key, request));
  return WriteCheckedTicket(caller, idempotency_key, request, response, replayed);
}

absl::Status TicketDesk::WriteCheckedTicket(const Caller& caller, absl::string_view idempotency_key,
                                            const v1::CreateTicketRequest& request,
                                            v1::CreateTicketResponse* response, bool* replayed) {
  return RunIdempotent(
      db_, CreateTicketScope(caller), idempotency_key, request, response,
      [&](Transaction& tx, google::protobuf::Message* out) -> absl::Status {
        const Caller* callers[] = {&caller};
        const v1::CreateTicketRequest* requests[] = {&request};
        v1::CreateTicketResponse* responses[] = {static_cast<v1::CreateTicketResponse*>(out)};
        return WriteNewTickets(tx, callers, requests, responses);
      },
      replayed);
}

std::vector<absl::Status> TicketDesk::CreateTickets(absl::Span<const CreateTicketCall> calls) {
  std::vector<absl::Status> statuses(calls.size());
  // A call that fails its checks gets that answer and stays out of the transaction.
  std::vector<size_t> batch;
  for (size_t i = 0; i < calls.size(); ++i) {
    const CreateTicketCall& call = calls[i];
    statuses[i] = CheckCreateTicket(*call.caller, call.idempotency_key, *call.request);
    if (statuses[i].ok()) batch.push_back(i);
  }
  auto each_alone = [&] {
    for (const size_t i : batch) {
      const CreateTicketCall& call = calls[i];
      // Alone, each call's SQL errors name its own request. Checked (and screened) above once.
      const ScopedCall scope(call.scope);
      statuses[i] = WriteCheckedTicket(*call.caller, call.idempotency_key, *call.request, call.response, call.replayed);
    }
  };
  if (batch.size() <= 1) {
    each_alone();
    return statuses;
  }

  std::vector<const Caller*> callers;
  std::vector<const v1::CreateTicketRequest*> requests;
  std::vector<v1::CreateTicketResponse*> responses;
  std::vector<std::string> scopes;  // the records below point into it: sized once, never grown
  scopes.reserve(batch.size());
  std::vector<IdempotencyRecord> keys;
  for (const size_t i : batch) {
    const CreateTicketCall& call = calls[i];
    callers.push_back(call.caller);
    requests.push_back(call.request);
    responses.push_back(call.response);
    if (call.idempotency_key.empty()) continue;
    scopes.push_back(CreateTicketScope(*call.caller));
    keys.push_back(
        {scopes.back(), call.idempotency_key, RequestFingerprint(*call.request), call.response});
  }
  const absl::Status together = db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(WriteNewTickets(tx, callers, requests, responses));
    return StoreIdempotencyRecords(tx, keys);
  });
  if (together.ok() || together.code() == absl::StatusCode::kUnavailable ||
      together.code() == absl::StatusCode::kResourceExhausted) {
    // UNAVAILABLE: the database is out of reach or the commit's outcome is unknown; each call
    // alone would meet the same, and a create that may have landed must not run twice.
    // RESOURCE_EXHAUSTED: every connection was busy; one by one would wait that long again each.
    for (const size_t i : batch) statuses[i] = together;
    return statuses;
  }
  // Something in one call failed the whole transaction (most often a retry whose key is stored
  // already): each alone gets its own answer, a replay or its own error.
  each_alone();
  return statuses;
}

absl::Status TicketDesk::CheckCreateTicket(const Caller& caller, absl::string_view idempotency_key,
                                           const v1::CreateTicketRequest& request) const {
  RETURN_IF_ERROR(ValidateCreateTicket(request));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  if (request.first_message_direction() == v1::Message::OUTBOUND) {
    RETURN_IF_ERROR(ScreenOutbound(caller, request.body()));
  }
  if (request.has_received_at()) {
    // The buyer's first message follows the rules of every message: not from the future (a
    // clock that would start late), backdated only by automation importing it.
    RETURN_IF_ERROR(CheckMessageTime(FromProtoTime(request.received_at()), options_.clock(),
                                     std::nullopt, caller.role == Role::kService));
  }
  return ValidateIdempotencyKey(idempotency_key);
}

absl::Status TicketDesk::ScreenOutbound(const Caller& caller, absl::string_view text) const {
  if (!options_.screen_outbound) return absl::OkStatus();
  return options_.screen_outbound(caller, text);
}

std::string TicketDesk::CreateTicketScope(const Caller& caller) {
  return absl::StrCat(caller.principal, ":CreateTicket");
}

absl::Status TicketDesk::WriteNewTickets(Transaction& tx, absl::Span<const Caller* const> callers,
                                         absl::Span<const v1::CreateTicketRequest* const> requests,
                                         absl::Span<v1::CreateTicketResponse* const> responses) {
  const absl::Time now = options_.clock();
  std::map<std::string, std::optional<WeeklyHours>> hours_by_store;
  std::vector<Ticket> tickets;
  std::vector<v1::Message> messages;  // each ticket's first message, then any auto-reply
  tickets.reserve(requests.size());
  messages.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const v1::CreateTicketRequest* request = requests[i];
    const absl::Time received =
        request->has_received_at() ? FromProtoTime(request->received_at()) : now;
    auto hours = hours_by_store.find(request->store_id());
    if (hours == hours_by_store.end()) {
      absl::StatusOr<std::optional<WeeklyHours>> read = TeamHours(tx, request->store_id());
      if (!read.ok()) return read.status();
      hours = hours_by_store.emplace(request->store_id(), *std::move(read)).first;
    }
    const WorkflowContext ctx{
        now, options_.targets,
        CountsBusinessHours(request->channel()) ? hours->second : std::nullopt};
    Ticket& ticket = tickets.emplace_back();
    ticket.set_ticket_id(NewId("tkt"));
    ticket.set_store_id(request->store_id());
    if (!request->order().order_id().empty()) {
      *ticket.mutable_order() = request->order();
      RETURN_IF_ERROR(MatchStoreOrder(tx, *callers[i], ticket.store_id(), *ticket.mutable_order()));
    }
    *ticket.mutable_buyer() = request->buyer();
    if (ticket.buyer().tier() == v1::Buyer::TIER_UNSPECIFIED) {
      ticket.mutable_buyer()->set_tier(v1::Buyer::REGULAR);
    }
    ticket.set_category(request->category());
    ticket.set_channel(request->channel());
    ticket.set_subject(request->subject());
    OpenTicket(ticket, received, ctx);
    const bool seller_first = request->first_message_direction() == v1::Message::OUTBOUND;
    // The seller wrote first: nobody waits on a reply from us; the ticket waits on the buyer.
    if (seller_first) RETURN_IF_ERROR(ApplyOutboundMessage(ticket, received, /*automatic=*/false, ctx));

    v1::Message& first = messages.emplace_back();
    first.set_message_id(NewId("msg"));
    first.set_ticket_id(ticket.ticket_id());
    first.set_direction(seller_first ? v1::Message::OUTBOUND : v1::Message::INBOUND);
    first.set_body(request->body());
    first.set_author(seller_first ? callers[i]->principal : request->buyer().buyer_id());
    *first.mutable_created_at() = ToProtoTime(received);
    if (seller_first) continue;
    absl::StatusOr<std::optional<v1::Message>> auto_reply =
        OutOfHoursReply(tx, ticket, received, now, hours->second, std::nullopt);
    if (!auto_reply.ok()) return auto_reply.status();
    if (auto_reply->has_value()) messages.push_back(**std::move(auto_reply));
  }
  RETURN_IF_ERROR(store::InsertTickets(tx, tickets));
  RETURN_IF_ERROR(store::InsertMessages(tx, messages));
  size_t next = 0;
  for (size_t i = 0; i < tickets.size(); ++i) {
    // Messages stand in ticket order, each ticket's first message before its auto-reply.
    while (next < messages.size() && messages[next].ticket_id() == tickets[i].ticket_id()) {
      *tickets[i].add_messages() = std::move(messages[next++]);
    }
    *responses[i]->mutable_ticket() = std::move(tickets[i]);
  }
  return absl::OkStatus();
}

absl::Status TicketDesk::GetTicket(const Caller& caller, const v1::GetTicketRequest& request,
                                   v1::GetTicketResponse* response) {
  RETURN_IF_ERROR(ValidateId("ticket_id", request.ticket_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<Ticket> ticket = ReadTicketFor(tx, caller, request.ticket_id(), false);
    if (!ticket.ok()) return ticket.status();
    RETURN_IF_ERROR(AttachMessages(tx, *ticket));
    RefreshBreached(*ticket, options_.clock());
    *response->mutable_ticket() = *std::move(ticket);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::ListTickets(const Caller& caller, const v1::ListTicketsRequest& request,
                                     v1::ListTicketsResponse* response) {
  RETURN_IF_ERROR(ValidateListTickets(request));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  const absl::Time now = options_.clock();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<TicketPage> page = store::ListTickets(tx, request, now, page_tokens_);
    if (!page.ok()) return page.status();
    response->Clear();
    for (Ticket& t : page->tickets) {
      RefreshBreached(t, now);
      *response->add_tickets() = std::move(t);
    }
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::ChangeTicket(
    const Caller& caller, const std::string& ticket_id,
    const std::function<absl::Status(Ticket&, const WorkflowContext&)>& change) {
  RETURN_IF_ERROR(ValidateId("ticket_id", ticket_id));
  return db_.InTransaction<Ticket>([&](Transaction& tx) -> absl::StatusOr<Ticket> {
    absl::StatusOr<Ticket> ticket = ReadTicketFor(tx, caller, ticket_id, /*for_update=*/true);
    if (!ticket.ok()) return ticket.status();
    absl::StatusOr<std::optional<WeeklyHours>> hours =
        StoreHours(tx, ticket->store_id(), ticket->channel());
    if (!hours.ok()) return hours.status();
    const WorkflowContext ctx{options_.clock(), options_.targets, *hours};
    const bool had_follow_up = ticket->has_follow_up_at();
    const google::protobuf::Timestamp old_follow_up = ticket->follow_up_at();
    RETURN_IF_ERROR(change(*ticket, ctx));
    RETURN_IF_ERROR(store::UpdateTicket(tx, *ticket));
    if (had_follow_up != ticket->has_follow_up_at() ||
        old_follow_up.SerializeAsString() != ticket->follow_up_at().SerializeAsString()) {
      RETURN_IF_ERROR(store::SyncFollowUp(tx, *ticket, ctx.now));
    }
    RefreshBreached(*ticket, ctx.now);
    // The answer shows the whole ticket: a client must not take an empty list for a lost
    // conversation. One more read, on calls people make, not machines.
    RETURN_IF_ERROR(AttachMessages(tx, *ticket));
    return ticket;
  });
}

absl::Status TicketDesk::AddMessage(const Caller& caller, const std::string& idempotency_key,
                                    const v1::AddMessageRequest& request,
                                    v1::AddMessageResponse* response, bool* replayed) {
  RETURN_IF_ERROR(ValidateAddMessage(request));
  if (request.direction() == v1::Message::OUTBOUND) RETURN_IF_ERROR(ScreenOutbound(caller, request.body()));
  const std::string scope = absl::StrCat(caller.principal, ":AddMessage");
  // The stored response holds the ticket's head and the new message; the conversation, which
  // only grows, is read again for every answer (AttachMessages below).
  const IdempotentStep attach_conversation = [&](Transaction& tx,
                                                 google::protobuf::Message* out) -> absl::Status {
    return AttachMessages(tx, *static_cast<v1::AddMessageResponse*>(out)->mutable_ticket());
  };
  return RunIdempotent(
      db_, scope, idempotency_key, request, response,
      [&](Transaction& tx, google::protobuf::Message* out) -> absl::Status {
        absl::StatusOr<Ticket> ticket = ReadTicketFor(tx, caller, request.ticket_id(), true);
        if (!ticket.ok()) return ticket.status();
        const absl::Time now = options_.clock();
        absl::StatusOr<store::MessageTimes> times = store::ReadMessageTimes(tx, ticket->ticket_id());
        if (!times.ok()) return times.status();
        const absl::Time sent = request.has_sent_at() ? FromProtoTime(request.sent_at()) : now;
        RETURN_IF_ERROR(
            CheckMessageTime(sent, now, times->latest, caller.role == Role::kService));
        const bool inbound = request.direction() == v1::Message::INBOUND;
        // Inbound messages read the hours for the out-of-hours reply whatever the channel.
        absl::StatusOr<std::optional<WeeklyHours>> hours =
            inbound ? TeamHours(tx, ticket->store_id())
                    : StoreHours(tx, ticket->store_id(), ticket->channel());
        if (!hours.ok()) return hours.status();
        const WorkflowContext ctx{
            now, options_.targets,
            CountsBusinessHours(ticket->channel()) ? *hours : std::nullopt};
        RETURN_IF_ERROR(inbound ? ApplyInboundMessage(*ticket, sent, ctx)
                                : ApplyOutboundMessage(*ticket, sent, request.automatic(), ctx));
        v1::Message message;
        message.set_message_id(NewId("msg"));
        message.set_ticket_id(ticket->ticket_id());
        message.set_direction(request.direction());
        message.set_body(request.body());
        message.set_author(inbound ? ticket->buyer().buyer_id() : caller.principal);
        message.set_automatic(request.automatic());
        *message.mutable_created_at() = ToProtoTime(sent);
        RETURN_IF_ERROR(store::InsertMessage(tx, message));
        if (inbound) {
          absl::StatusOr<std::optional<v1::Message>> auto_reply =
              OutOfHoursReply(tx, *ticket, sent, now, *hours, times->latest_auto_reply);
          if (!auto_reply.ok()) return auto_reply.status();
          if (auto_reply->has_value()) RETURN_IF_ERROR(store::InsertMessage(tx, **auto_reply));
        }
        RETURN_IF_ERROR(store::UpdateTicket(tx, *ticket));
        RETURN_IF_ERROR(store::SyncFollowUp(tx, *ticket, ctx.now));
        auto* typed = static_cast<v1::AddMessageResponse*>(out);
        *typed->mutable_ticket() = *std::move(ticket);
        *typed->mutable_message() = std::move(message);
        return absl::OkStatus();
      },
      replayed, attach_conversation);
}

absl::Status TicketDesk::AssignTicket(const Caller& caller, const v1::AssignTicketRequest& request,
                                      v1::AssignTicketResponse* response) {
  RETURN_IF_ERROR(ValidateOptionalId("assignee", request.assignee()));
  return AnswerWithTicket(ChangeTicket(caller, request.ticket_id(),
                                       [&](Ticket& t, const WorkflowContext& ctx) {
                                         return Assign(t, request.assignee(), ctx);
                                       }),
                          response);
}

absl::Status TicketDesk::MarkNoResponseNeeded(const Caller& caller,
                                              const v1::MarkNoResponseNeededRequest& request,
                                              v1::MarkNoResponseNeededResponse* response) {
  return AnswerWithTicket(ChangeTicket(caller, request.ticket_id(),
                                       [](Ticket& t, const WorkflowContext& ctx) {
                                         return tickets::MarkNoResponseNeeded(t, ctx);
                                       }),
                          response);
}

absl::Status TicketDesk::ResolveTicket(const Caller& caller,
                                       const v1::ResolveTicketRequest& request,
                                       v1::ResolveTicketResponse* response) {
  return AnswerWithTicket(
      ChangeTicket(caller, request.ticket_id(),
                   [](Ticket& t, const WorkflowContext& ctx) { return Resolve(t, ctx); }),
      response);
}

absl::Status TicketDesk::ReopenTicket(const Caller& caller, const v1::ReopenTicketRequest& request,
                                      v1::ReopenTicketResponse* response) {
  return AnswerWithTicket(
      ChangeTicket(caller, request.ticket_id(),
                   [](Ticket& t, const WorkflowContext& ctx) { return Reopen(t, ctx); }),
      response);
}

absl::Status TicketDesk::PutOrder(const Caller& caller, const v1::PutOrderRequest& request,
                                  v1::PutOrderResponse* response) {
  RETURN_IF_ERROR(ValidatePutOrder(request));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    const absl::Time now = options_.clock();
    v1::Order order = request.order();
    order.set_order_id(request.order_id());
    order.set_store_id(request.store_id());
    order.clear_updated_at();
    RETURN_IF_ERROR(store::PutOrder(tx, order, now));
    *order.mutable_updated_at() = ToProtoTime(now);
    *response->mutable_order() = std::move(order);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::CountOrders(const Caller& caller, const v1::CountOrdersRequest& request,
                                     v1::CountOrdersResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  if (!request.has_from() || !request.has_to()) {
    return absl::InvalidArgumentError("from and to: both required (RFC 3339 times)");
  }
  const absl::Time from = FromProtoTime(request.from());
  const absl::Time to = FromProtoTime(request.to());
  if (from >= to) return absl::InvalidArgumentError("from: must be before to");
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<int64_t> orders = store::CountOrders(tx, request.store_id(), from, to);
    if (!orders.ok()) return orders.status();
    response->set_orders(*orders);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::GetOrder(const Caller& caller, const v1::GetOrderRequest& request,
                                  v1::GetOrderResponse* response) {
  RETURN_IF_ERROR(ValidateOrderKey(request.store_id(), request.order_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Order> order =
        ReadOrderFor(tx, caller, request.store_id(), request.order_id(), false);
    if (!order.ok()) return order.status();
    absl::StatusOr<std::vector<v1::Shipment>> shipments =
        store::ReadShipments(tx, request.store_id(), request.order_id());
    if (!shipments.ok()) return shipments.status();
    response->Clear();
    *response->mutable_order() = *std::move(order);
    for (auto& s : *shipments) *response->add_shipments() = std::move(s);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::AddShipment(const Caller& caller, const v1::AddShipmentRequest& request,
                                     v1::AddShipmentResponse* response) {
  RETURN_IF_ERROR(ValidateAddShipment(request));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Order> order =
        ReadOrderFor(tx, caller, request.store_id(), request.order_id(), true);
    if (!order.ok()) return order.status();
    v1::Shipment shipment;
    shipment.set_shipment_id(NewId("shp"));
    shipment.set_store_id(request.store_id());
    shipment.set_order_id(request.order_id());
    shipment.set_carrier(request.carrier());
    shipment.set_tracking_number(request.tracking_number());
    shipment.set_tracking_url(request.tracking_url());
    *shipment.mutable_created_at() = ToProtoTime(options_.clock());
    absl::StatusOr<v1::Shipment> stored = store::InsertShipment(tx, shipment);
    if (!stored.ok()) return stored.status();
    *response->mutable_shipment() = *std::move(stored);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::AddTrackingEvent(const Caller& caller,
                                          const v1::AddTrackingEventRequest& request,
                                          v1::AddTrackingEventResponse* response) {
  RETURN_IF_ERROR(ValidateAddTrackingEvent(request));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Order> order =
        ReadOrderFor(tx, caller, request.store_id(), request.order_id(), true);
    if (!order.ok()) return order.status();
    // Read through the order's key: a shipment id of another order or store is not found.
    absl::StatusOr<v1::Shipment> shipment =
        store::ReadShipment(tx, request.store_id(), request.order_id(), request.shipment_id());
    if (!shipment.ok()) return shipment.status();
    RETURN_IF_ERROR(store::InsertTrackingEvent(tx, request.shipment_id(), request.event()));
    shipment =
        store::ReadShipment(tx, request.store_id(), request.order_id(), request.shipment_id());
    if (!shipment.ok()) return shipment.status();
    *response->mutable_shipment() = *std::move(shipment);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::GetOrderHistory(const Caller& caller,
                                         const v1::GetOrderHistoryRequest& request,
                                         v1::GetOrderHistoryResponse* response) {
  RETURN_IF_ERROR(ValidateOrderKey(request.store_id(), request.order_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Order> order =
        ReadOrderFor(tx, caller, request.store_id(), request.order_id(), false);
    if (!order.ok()) return order.status();
    absl::StatusOr<std::vector<v1::Shipment>> shipments =
        store::ReadShipments(tx, request.store_id(), request.order_id());
    if (!shipments.ok()) return shipments.status();
    absl::StatusOr<std::vector<Ticket>> tickets =
        store::TicketsOfOrder(tx, request.store_id(), request.order_id());
    if (!tickets.ok()) return tickets.status();
    response->Clear();
    *response->mutable_order() = *std::move(order);
    for (auto& s : *shipments) *response->add_shipments() = std::move(s);
    const absl::Time now = options_.clock();
    for (auto& t : *tickets) {
      RefreshBreached(t, now);
      *response->add_tickets() = std::move(t);
    }
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::CreateReplyTemplate(const Caller& caller,
                                             const v1::CreateReplyTemplateRequest& request,
                                             v1::CreateReplyTemplateResponse* response) {
  RETURN_IF_ERROR(ValidateReplyTemplate(request));
  RETURN_IF_ERROR(CheckTemplateAdmin(caller, request.store_id()));
  // A template is the text of replies and automatic messages (out-of-hours replies,
  // follow-ups): screened once here, so what it sends is screened text.
  RETURN_IF_ERROR(ScreenOutbound(caller, request.template_().body()));
  v1::ReplyTemplate t = request.template_();
  t.set_store_id(request.store_id());
  *t.mutable_created_at() = ToProtoTime(options_.clock());
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(store::InsertTemplate(tx, t));
    *response->mutable_template_() = t;
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::PutReplyTemplate(const Caller& caller,
                                          const v1::PutReplyTemplateRequest& request,
                                          v1::PutReplyTemplateResponse* response) {
  RETURN_IF_ERROR(ValidateId("name", request.name()));
  if (!request.template_().name().empty() && request.template_().name() != request.name()) {
    return absl::InvalidArgumentError(absl::StrCat("template.name: '", request.template_().name(),
                                                   "' differs from the path's '", request.name(),
                                                   "'"));
  }
  // The same checks as a create, on the template as it will be stored.
  v1::CreateReplyTemplateRequest as_create;
  as_create.set_store_id(request.store_id());
  *as_create.mutable_template_() = request.template_();
  as_create.mutable_template_()->set_name(request.name());
  RETURN_IF_ERROR(ValidateReplyTemplate(as_create));
  RETURN_IF_ERROR(CheckTemplateAdmin(caller, request.store_id()));
  RETURN_IF_ERROR(ScreenOutbound(caller, as_create.template_().body()));
  v1::ReplyTemplate t = as_create.template_();
  t.set_store_id(request.store_id());
  // Stored as DATETIME(6): answer a new version with the time a later read will show.
  *t.mutable_created_at() = ToProtoTime(absl::FromUnixMicros(absl::ToUnixMicros(options_.clock())));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<bool> created = store::UpsertTemplate(tx, t);
    if (!created.ok()) return created.status();
    *response->mutable_template_() = t;
    response->set_created(*created);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::DeleteReplyTemplate(const Caller& caller,
                                             const v1::DeleteReplyTemplateRequest& request,
                                             v1::DeleteReplyTemplateResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateId("name", request.name()));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  RETURN_IF_ERROR(CheckTemplateAdmin(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<uint64_t> deleted =
        store::DeleteTemplates(tx, request.store_id(), request.name(), request.language());
    if (!deleted.ok()) return deleted.status();
    if (*deleted == 0) {
      return absl::NotFoundError(absl::StrCat(
          "store ", request.store_id(), " has no template '", request.name(), "'",
          request.language().empty() ? "" : absl::StrCat(" in language ", request.language())));
    }
    response->set_deleted(static_cast<int32_t>(*deleted));
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::CheckTemplateAdmin(const Caller& caller, const std::string& store_id) {
  // Only admins reach here (the proto's access declaration); the store is theirs to check.
  return CheckStoreAccess(caller, store_id);
}

absl::Status TicketDesk::ListReplyTemplates(const Caller& caller,
                                            const v1::ListReplyTemplatesRequest& request,
                                            v1::ListReplyTemplatesResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<v1::ReplyTemplate>> all =
        store::ListTemplates(tx, request.store_id(), "", request.language());
    if (!all.ok()) return all.status();
    response->Clear();
    for (auto& t : *all) *response->add_templates() = std::move(t);
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::RenderReplyTemplate(const Caller& caller,
                                             const v1::RenderReplyTemplateRequest& request,
                                             v1::RenderReplyTemplateResponse* response) {
  RETURN_IF_ERROR(ValidateRenderReplyTemplate(request));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    ReplyContext context;
    context.store_id = request.store_id();
    context.agent_name = caller.principal;
    context.now = options_.clock();
    std::optional<Ticket> ticket;
    std::optional<v1::Shipment> shipment;
    if (!request.ticket_id().empty()) {
      absl::StatusOr<Ticket> read = ReadTicketFor(tx, caller, request.ticket_id(), false);
      if (!read.ok()) return read.status();
      if (read->store_id() != request.store_id()) {
        return absl::InvalidArgumentError(
            absl::StrCat("ticket_id: ticket ", request.ticket_id(), " belongs to another store"));
      }
      ticket = *std::move(read);
      absl::StatusOr<std::optional<v1::Shipment>> latest = LatestShipment(tx, *ticket);
      if (!latest.ok()) return latest.status();
      shipment = *std::move(latest);
      context.ticket = &*ticket;
      if (shipment.has_value()) context.latest_shipment = &*shipment;
    }
    std::map<std::string, std::string> values = ReplyValues(context);
    const std::string buyer_language = ticket.has_value() ? ticket->buyer().language() : "";
    std::string order_id = values["order_id"];
    for (const auto& [key, value] : request.values()) values[key] = value;
    if (order_id.empty()) order_id = values["order_id"];

    absl::StatusOr<std::optional<v1::ReplyTemplate>> chosen = ChooseTemplate(
        tx, request.store_id(), request.name(), request.language(), buyer_language);
    if (!chosen.ok()) return chosen.status();
    if (!chosen->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("template '", request.name(), "' not found for store ", request.store_id()));
    }
    const v1::ReplyTemplate& v = **chosen;
    absl::StatusOr<std::string> topic = RenderTemplateText(v.topic(), values);
    if (!topic.ok()) return topic.status();
    absl::StatusOr<std::string> body = RenderTemplateText(v.body(), values);
    if (!body.ok()) return body.status();
    response->set_subject(FormalSubject(order_id, *topic));
    response->set_body(*std::move(body));
    response->set_language(v.language());
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::GetBusinessHours(const Caller& caller,
                                          const v1::GetBusinessHoursRequest& request,
                                          v1::GetBusinessHoursResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::BusinessHours>> hours =
        store::ReadBusinessHours(tx, request.store_id());
    if (!hours.ok()) return hours.status();
    response->Clear();
    if (hours->has_value()) *response->mutable_business_hours() = **hours;
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::PutBusinessHours(const Caller& caller,
                                          const v1::PutBusinessHoursRequest& request,
                                          v1::PutBusinessHoursResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  // Only admins reach here (the proto's access declaration).
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  RETURN_IF_ERROR(ParseBusinessHours(request.business_hours()).status());
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(store::PutBusinessHours(tx, request.store_id(), request.business_hours(),
                                            options_.clock()));
    *response->mutable_business_hours() = request.business_hours();
    return absl::OkStatus();
  });
}

absl::StatusOr<FollowUpSweep> TicketDesk::SendDueFollowUps(int batch_size) {
  const absl::Time now = options_.clock();
  // Which follow-ups are due, read without locks: each is then taken in a transaction of its
  // own, so one ticket's trouble holds no other and a sweep holds one ticket's locks at a time.
  absl::StatusOr<std::vector<std::string>> due =
      db_.InTransaction<std::vector<std::string>>([&](Transaction& tx) {
        return store::DueFollowUps(tx, now, batch_size);
      });
  if (!due.ok()) return due.status();
  FollowUpSweep sweep{.due = static_cast<int>(due->size())};
  for (const std::string& ticket_id : *due) {
    absl::StatusOr<bool> sent = db_.InTransaction<bool>([&](Transaction& tx) -> absl::StatusOr<bool> {
      // The ticket first, then its follow-up row: the order AddMessage and the ticket changes
      // take them in. A ticket an agent is working on right now is left for the next sweep
      // rather than waited for.
      absl::StatusOr<std::optional<Ticket>> ticket = store::LockTicketIfFree(tx, ticket_id);
      if (!ticket.ok()) return ticket.status();
      if (!ticket->has_value()) return false;
      absl::StatusOr<bool> claimed = store::ClaimFollowUp(tx, ticket_id, now);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) return false;  // another sweeper took it, or a reply cancelled it
      const WorkflowContext ctx{now, options_.targets, std::nullopt};
      if (!TakeDueFollowUp(**ticket, ctx)) {
        RETURN_IF_ERROR(store::FinishFollowUp(tx, ticket_id, /*sent=*/false, now));
        return false;
      }
      ReplyContext context;
      context.now = now;
      absl::StatusOr<v1::Message> message =
          AutomaticReply(tx, **ticket, "follow_up", context, "system");
      if (!message.ok()) return message.status();
      // Screened as it goes, like every message to a buyer: the filter out of reach defers it
      // to the next sweep (UNAVAILABLE), a blocked text is the row's own failure, set aside
      // with the findings for a person.
      RETURN_IF_ERROR(ScreenOutbound(Caller{"system", Role::kService, true, {}}, message->body()));
      RETURN_IF_ERROR(store::InsertMessage(tx, *message));
      RETURN_IF_ERROR(store::UpdateTicket(tx, **ticket));
      RETURN_IF_ERROR(store::FinishFollowUp(tx, ticket_id, /*sent=*/true, now));
      return true;
    });
    if (sent.ok()) {
      sweep.sent += *sent ? 1 : 0;
      continue;
    }
    // A conflict or an outage passes: the row stays due for the next sweep, uncounted.
    if (absl::IsAborted(sent.status()) || absl::IsUnavailable(sent.status()) ||
        absl::IsResourceExhausted(sent.status()) || absl::IsDeadlineExceeded(sent.status())) {
      ++sweep.deferred;
      continue;
    }
    ++sweep.failed;
    // Anything else is the row's own trouble: recorded on it, retried after a backoff, and set
    // aside after a few attempts instead of failing every sweep for ever.
    const absl::Status recorded = db_.InTransaction([&](Transaction& tx) -> absl::Status {
      absl::StatusOr<int> attempts = store::ReadFollowUpAttempts(tx, ticket_id);
      if (!attempts.ok()) return attempts.status();
      const std::optional<absl::Time> retry_at = NextFollowUpAttempt(*attempts + 1, now);
      return store::RecordFollowUpFailure(tx, ticket_id, *attempts + 1, retry_at, sent.status(),
                                          now);
    });
    if (!recorded.ok()) return recorded;
  }
  if (sweep.due < batch_size) {
    // A quiet sweep also prunes expired idempotency keys and page-token history, a batch at a time.
    RETURN_IF_ERROR(db_.InTransaction([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(PurgeExpiredIdempotencyKeys(tx, now).status());
      // A little past the tokens' life: the service's and the database's clocks may differ.
      return store::PurgeDueChanges(tx, kPageTokenLifetime + absl::Minutes(10)).status();
    }));
  }
  return sweep;
}

}  // namespace aftersales::tickets
