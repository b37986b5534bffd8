#pragma once

#include "aftersales/returns/v1/returns.grpc.pb.h"
#include "common/executor.h"
#include "services/returns/return_desk.h"

namespace aftersales::returns {

// The gRPC face of the ReturnDesk: each handler reads the caller from the metadata and runs the
// use case on the executor (SQL blocks; gRPC's threads must not). No rules live here.
class ReturnsService final : public v1::ReturnsService::CallbackService {
 public:
  ReturnsService(ReturnDesk& desk, BoundedExecutor& executor) : desk_(desk), executor_(executor) {}

  grpc::ServerUnaryReactor* QuoteReturn(grpc::CallbackServerContext* ctx, const v1::QuoteReturnRequest* req,
      v1::QuoteReturnResponse* resp) override;
  grpc::ServerUnaryReactor* CreateReturn(grpc::CallbackServerContext* ctx, const v1::CreateReturnRequest* req,
      v1::CreateReturnResponse* resp) override;
  grpc::ServerUnaryReactor* GetReturn(grpc::CallbackServerContext* ctx, const v1::GetReturnRequest* req,
      v1::GetReturnResponse* resp) override;
  grpc::ServerUnaryReactor* ListReturns(grpc::CallbackServerContext* ctx, const v1::ListReturnsRequest* req,
      v1::ListReturnsResponse* resp) override;
  grpc::ServerUnaryReactor* AuthorizeReturn(grpc::CallbackServerContext* ctx, const v1::AuthorizeReturnRequest* req,
      v1::AuthorizeReturnResponse* resp) override;
  grpc::ServerUnaryReactor* IssueLabel(grpc::CallbackServerContext* ctx, const v1::IssueLabelRequest* req,
      v1::IssueLabelResponse* resp) override;
  grpc::ServerUnaryReactor* RecordTracking(grpc::CallbackServerContext* ctx, const v1::RecordTrackingRequest* req,
      v1::RecordTrackingResponse* resp) override;
  grpc::ServerUnaryReactor* MarkReceived(grpc::CallbackServerContext* ctx, const v1::MarkReceivedRequest* req,
      v1::MarkReceivedResponse* resp) override;
  grpc::ServerUnaryReactor* RefundReturn(grpc::CallbackServerContext* ctx, const v1::RefundReturnRequest* req,
      v1::RefundReturnResponse* resp) override;
  grpc::ServerUnaryReactor* RejectReturn(grpc::CallbackServerContext* ctx, const v1::RejectReturnRequest* req,
      v1::RejectReturnResponse* resp) override;
  grpc::ServerUnaryReactor* GetSiteHolidays(grpc::CallbackServerContext* ctx,
                                            const v1::GetSiteHolidaysRequest* req,
                                            v1::GetSiteHolidaysResponse* resp) override;
  grpc::ServerUnaryReactor* PutSiteHolidays(grpc::CallbackServerContext* ctx,
                                            const v1::PutSiteHolidaysRequest* req,
                                            v1::PutSiteHolidaysResponse* resp) override;
  grpc::ServerUnaryReactor* GetTicketOutbox(grpc::CallbackServerContext* ctx,
                                            const v1::GetTicketOutboxRequest* req,
                                            v1::GetTicketOutboxResponse* resp) override;
  grpc::ServerUnaryReactor* RequeueTicketOutbox(grpc::CallbackServerContext* ctx,
                                                const v1::RequeueTicketOutboxRequest* req,
                                                v1::RequeueTicketOutboxResponse* resp) override;
  grpc::ServerUnaryReactor* AcceptReturnAsGoodwill(grpc::CallbackServerContext* ctx,
                                                   const v1::AcceptReturnAsGoodwillRequest* req,
                                                   v1::AcceptReturnAsGoodwillResponse* resp) override;
  grpc::ServerUnaryReactor* CloseReturn(grpc::CallbackServerContext* ctx, const v1::CloseReturnRequest* req,
      v1::CloseReturnResponse* resp) override;
  grpc::ServerUnaryReactor* GetOrderReturns(grpc::CallbackServerContext* ctx, const v1::GetOrderReturnsRequest* req,
      v1::GetOrderReturnsResponse* resp) override;
  grpc::ServerUnaryReactor* GetReturnPolicy(grpc::CallbackServerContext* ctx, const v1::GetReturnPolicyRequest* req,
      v1::GetReturnPolicyResponse* resp) override;
  grpc::ServerUnaryReactor* PutReturnPolicy(grpc::CallbackServerContext* ctx, const v1::PutReturnPolicyRequest* req,
      v1::PutReturnPolicyResponse* resp) override;
  grpc::ServerUnaryReactor* DecideDuty(grpc::CallbackServerContext* ctx, const v1::DecideDutyRequest* req,
      v1::DecideDutyResponse* resp) override;
  grpc::ServerUnaryReactor* DecideReturnedParcel(grpc::CallbackServerContext* ctx, const v1::DecideReturnedParcelRequest* req,
      v1::DecideReturnedParcelResponse* resp) override;
  grpc::ServerUnaryReactor* DecideCancellation(grpc::CallbackServerContext* ctx, const v1::DecideCancellationRequest* req,
      v1::DecideCancellationResponse* resp) override;

 private:
  ReturnDesk& desk_;
  BoundedExecutor& executor_;
};

}  // namespace aftersales::returns
