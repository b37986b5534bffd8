#pragma once

#include <string>
#include <vector>

#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "common/executor.h"
#include "common/identity.h"
#include "common/write_batcher.h"
#include "services/tickets/ticket_desk.h"

namespace aftersales::tickets {

// The gRPC face of the TicketDesk: each handler reads the caller from the metadata and runs the
// use case on the executor (SQL blocks; gRPC's own threads must not). CreateTicket calls go to a
// WriteBatcher instead, whose writers create the tickets that arrive together in one
// transaction (TicketDesk::CreateTickets). No rules live here.
class TicketsService final : public v1::TicketsService::CallbackService {
 public:
  TicketsService(TicketDesk& desk, BoundedExecutor& executor, WriteBatcherOptions create_batches);

  grpc::ServerUnaryReactor* CreateTicket(grpc::CallbackServerContext* ctx, const v1::CreateTicketRequest* req,
                                         v1::CreateTicketResponse* resp) override;
  grpc::ServerUnaryReactor* GetTicket(grpc::CallbackServerContext* ctx, const v1::GetTicketRequest* req,
                                      v1::GetTicketResponse* resp) override;
  grpc::ServerUnaryReactor* ListTickets(grpc::CallbackServerContext* ctx, const v1::ListTicketsRequest* req,
                                        v1::ListTicketsResponse* resp) override;
  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* ctx, const v1::AddMessageRequest* req,
                                       v1::AddMessageResponse* resp) override;
  grpc::ServerUnaryReactor* AssignTicket(grpc::CallbackServerContext* ctx, const v1::AssignTicketRequest* req,
                                         v1::AssignTicketResponse* resp) override;
  grpc::ServerUnaryReactor* MarkNoResponseNeeded(grpc::CallbackServerContext* ctx,
                                                 const v1::MarkNoResponseNeededRequest* req,
                                                 v1::MarkNoResponseNeededResponse* resp) override;
  grpc::ServerUnaryReactor* ResolveTicket(grpc::CallbackServerContext* ctx, const v1::ResolveTicketRequest* req,
                                          v1::ResolveTicketResponse* resp) override;
  grpc::ServerUnaryReactor* ReopenTicket(grpc::CallbackServerContext* ctx, const v1::ReopenTicketRequest* req,
                                         v1::ReopenTicketResponse* resp) override;
  grpc::ServerUnaryReactor* PutOrder(grpc::CallbackServerContext* ctx, const v1::PutOrderRequest* req,
                                     v1::PutOrderResponse* resp) override;
  grpc::ServerUnaryReactor* CountOrders(grpc::CallbackServerContext* ctx, const v1::CountOrdersRequest* req,
                                        v1::CountOrdersResponse* resp) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* ctx, const v1::GetOrderRequest* req,
                                     v1::GetOrderResponse* resp) override;
  grpc::ServerUnaryReactor* AddShipment(grpc::CallbackServerContext* ctx, const v1::AddShipmentRequest* req,
                                        v1::AddShipmentResponse* resp) override;
  grpc::ServerUnaryReactor* AddTrackingEvent(grpc::CallbackServerContext* ctx,
                                             const v1::AddTrackingEventRequest* req,
                                             v1::AddTrackingEventResponse* resp) override;
  grpc::ServerUnaryReactor* GetOrderHistory(grpc::CallbackServerContext* ctx,
                                            const v1::GetOrderHistoryRequest* req,
                                            v1::GetOrderHistoryResponse* resp) override;
  grpc::ServerUnaryReactor* CreateReplyTemplate(grpc::CallbackServerContext* ctx,
                                                const v1::CreateReplyTemplateRequest* req,
                                                v1::CreateReplyTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* ListReplyTemplates(grpc::CallbackServerContext* ctx,
                                               const v1::ListReplyTemplatesRequest* req,
                                               v1::ListReplyTemplatesResponse* resp) override;
  grpc::ServerUnaryReactor* PutReplyTemplate(grpc::CallbackServerContext* ctx,
                                             const v1::PutReplyTemplateRequest* req,
                                             v1::PutReplyTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* DeleteReplyTemplate(grpc::CallbackServerContext* ctx,
                                                const v1::DeleteReplyTemplateRequest* req,
                                                v1::DeleteReplyTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* RenderReplyTemplate(grpc::CallbackServerContext* ctx,
                                                const v1::RenderReplyTemplateRequest* req,
                                                v1::RenderReplyTemplateResponse* resp) override;
  grpc::ServerUnaryReactor* GetBusinessHours(grpc::CallbackServerContext* ctx,
                                             const v1::GetBusinessHoursRequest* req,
                                             v1::GetBusinessHoursResponse* resp) override;
  grpc::ServerUnaryReactor* PutBusinessHours(grpc::CallbackServerContext* ctx,
                                             const v1::PutBusinessHoursRequest* req,
                                             v1::PutBusinessHoursResponse* resp) override;

 private:
  // A CreateTicket call waiting for its batch.
  struct PendingCreate {
    Caller caller;
    std::string idempotency_key;
    const v1::CreateTicketRequest* request;
    v1::CreateTicketResponse* response;
    grpc::CallbackServerContext* context;
    grpc::ServerUnaryReactor* reactor;
    bool replayed = false;
  };
  void WriteCreates(std::vector<PendingCreate>& batch);

  TicketDesk& desk_;
  BoundedExecutor& executor_;
  WriteBatcher<PendingCreate> creates_;
};

}  // namespace aftersales::tickets
