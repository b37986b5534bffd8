#include "services/tickets/tickets_service.h"

#include "common/server.h"

namespace aftersales::tickets {

TicketsService::TicketsService(TicketDesk& desk, BoundedExecutor& executor,
                               WriteBatcherOptions create_batches)
    : desk_(desk),
      executor_(executor),
      creates_(create_batches, [this](std::vector<PendingCreate>& batch) { WriteCreates(batch); }) {
}

grpc::ServerUnaryReactor* TicketsService::CreateTicket(grpc::CallbackServerContext* ctx,
                                                       const v1::CreateTicketRequest* req,
                                                       v1::CreateTicketResponse* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Caller> caller = CallerFromContext(*ctx);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  PendingCreate pending{*std::move(caller), MetadataValue(*ctx, kIdempotencyKeyHeader), req, resp,
                        ctx, reactor};
  if (!creates_.TrySubmit(std::move(pending))) reactor->Finish(AtCapacity());
  return reactor;
}

void TicketsService::WriteCreates(std::vector<PendingCreate>& batch) {
  std::vector<CreateTicketCall> calls;
  std::vector<PendingCreate*> live;
  calls.reserve(batch.size());
  live.reserve(batch.size());
  for (PendingCreate& p : batch) {
    if (std::optional<grpc::Status> gave_up = CallerGaveUp(*p.context)) {
      p.reactor->Finish(*std::move(gave_up));
      continue;
    }
    calls.push_back({&p.caller, p.idempotency_key, p.request, p.response, &p.replayed,
                     CallScopeOf(*p.context)});
    live.push_back(&p);
  }
  if (calls.empty()) return;
  // The batch is written while any of its callers waits: the latest deadline bounds it. SQL
  // errors name the first request of the batch.
  CallScope scope = calls.front().scope;
  for (const CreateTicketCall& c : calls) scope.deadline = std::max(scope.deadline, c.scope.deadline);
  const ScopedCall call(std::move(scope));
  const std::vector<absl::Status> statuses = desk_.CreateTickets(calls);
  for (size_t i = 0; i < live.size(); ++i) {
    MarkReplayed(*live[i]->context, live[i]->replayed);
    live[i]->reactor->Finish(ToGrpcStatus(statuses[i]));
  }
}

grpc::ServerUnaryReactor* TicketsService::GetTicket(grpc::CallbackServerContext* ctx,
                                                  const v1::GetTicketRequest* req, v1::GetTicketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetTicket(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::ListTickets(grpc::CallbackServerContext* ctx,
                                                  const v1::ListTicketsRequest* req, v1::ListTicketsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ListTickets(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::AddMessage(grpc::CallbackServerContext* ctx,
                                                  const v1::AddMessageRequest* req, v1::AddMessageResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    bool replayed = false;
    const absl::Status status =
        desk_.AddMessage(caller, MetadataValue(*ctx, kIdempotencyKeyHeader), *req, resp, &replayed);
    MarkReplayed(*ctx, replayed);
    return status;
  });
}

grpc::ServerUnaryReactor* TicketsService::AssignTicket(grpc::CallbackServerContext* ctx,
                                                  const v1::AssignTicketRequest* req, v1::AssignTicketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.AssignTicket(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::MarkNoResponseNeeded(grpc::CallbackServerContext* ctx,
                                                  const v1::MarkNoResponseNeededRequest* req, v1::MarkNoResponseNeededResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.MarkNoResponseNeeded(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::ResolveTicket(grpc::CallbackServerContext* ctx,
                                                  const v1::ResolveTicketRequest* req, v1::ResolveTicketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ResolveTicket(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::ReopenTicket(grpc::CallbackServerContext* ctx,
                                                  const v1::ReopenTicketRequest* req, v1::ReopenTicketResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ReopenTicket(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::PutOrder(grpc::CallbackServerContext* ctx,
                                                  const v1::PutOrderRequest* req, v1::PutOrderResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.PutOrder(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::CountOrders(grpc::CallbackServerContext* ctx,
                                                     const v1::CountOrdersRequest* req,
                                                     v1::CountOrdersResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) { return desk_.CountOrders(caller, *req, resp); });
}

grpc::ServerUnaryReactor* TicketsService::GetOrder(grpc::CallbackServerContext* ctx,
                                                  const v1::GetOrderRequest* req, v1::GetOrderResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetOrder(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::AddShipment(grpc::CallbackServerContext* ctx,
                                                  const v1::AddShipmentRequest* req, v1::AddShipmentResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.AddShipment(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::AddTrackingEvent(grpc::CallbackServerContext* ctx,
                                                  const v1::AddTrackingEventRequest* req, v1::AddTrackingEventResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.AddTrackingEvent(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::GetOrderHistory(grpc::CallbackServerContext* ctx,
                                                  const v1::GetOrderHistoryRequest* req, v1::GetOrderHistoryResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetOrderHistory(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::CreateReplyTemplate(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateReplyTemplateRequest* req, v1::CreateReplyTemplateResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.CreateReplyTemplate(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::ListReplyTemplates(grpc::CallbackServerContext* ctx,
                                                  const v1::ListReplyTemplatesRequest* req, v1::ListReplyTemplatesResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ListReplyTemplates(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::PutReplyTemplate(grpc::CallbackServerContext* ctx,
                                                           const v1::PutReplyTemplateRequest* req,
                                                           v1::PutReplyTemplateResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.PutReplyTemplate(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::DeleteReplyTemplate(
    grpc::CallbackServerContext* ctx, const v1::DeleteReplyTemplateRequest* req,
    v1::DeleteReplyTemplateResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.DeleteReplyTemplate(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::RenderReplyTemplate(grpc::CallbackServerContext* ctx,
                                                  const v1::RenderReplyTemplateRequest* req, v1::RenderReplyTemplateResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RenderReplyTemplate(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::GetBusinessHours(grpc::CallbackServerContext* ctx,
                                                  const v1::GetBusinessHoursRequest* req, v1::GetBusinessHoursResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetBusinessHours(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* TicketsService::PutBusinessHours(grpc::CallbackServerContext* ctx,
                                                  const v1::PutBusinessHoursRequest* req, v1::PutBusinessHoursResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.PutBusinessHours(caller, *req, resp);
  });
}

}  // namespace aftersales::tickets
