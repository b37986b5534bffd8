#include "services/returns/returns_service.h"

#include "common/server.h"

namespace aftersales::returns {

grpc::ServerUnaryReactor* ReturnsService::QuoteReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::QuoteReturnRequest* req, v1::QuoteReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.QuoteReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::CreateReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateReturnRequest* req, v1::CreateReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    bool replayed = false;
    const absl::Status status = desk_.CreateReturn(
        caller, MetadataValue(*ctx, kIdempotencyKeyHeader), *req, resp, &replayed);
    MarkReplayed(*ctx, replayed);
    return status;
  });
}

grpc::ServerUnaryReactor* ReturnsService::GetReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::GetReturnRequest* req, v1::GetReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::ListReturns(grpc::CallbackServerContext* ctx,
                                                  const v1::ListReturnsRequest* req, v1::ListReturnsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.ListReturns(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::AuthorizeReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::AuthorizeReturnRequest* req, v1::AuthorizeReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.AuthorizeReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::IssueLabel(grpc::CallbackServerContext* ctx,
                                                  const v1::IssueLabelRequest* req, v1::IssueLabelResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.IssueLabel(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::RecordTracking(grpc::CallbackServerContext* ctx,
                                                  const v1::RecordTrackingRequest* req, v1::RecordTrackingResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RecordTracking(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::MarkReceived(grpc::CallbackServerContext* ctx,
                                                  const v1::MarkReceivedRequest* req, v1::MarkReceivedResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.MarkReceived(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::RefundReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::RefundReturnRequest* req, v1::RefundReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RefundReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::RejectReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::RejectReturnRequest* req, v1::RejectReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RejectReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::GetSiteHolidays(grpc::CallbackServerContext* ctx,
                                                          const v1::GetSiteHolidaysRequest* req,
                                                          v1::GetSiteHolidaysResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetSiteHolidays(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::PutSiteHolidays(grpc::CallbackServerContext* ctx,
                                                          const v1::PutSiteHolidaysRequest* req,
                                                          v1::PutSiteHolidaysResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.PutSiteHolidays(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::GetTicketOutbox(grpc::CallbackServerContext* ctx,
                                                          const v1::GetTicketOutboxRequest* req,
                                                          v1::GetTicketOutboxResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetTicketOutbox(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::RequeueTicketOutbox(
    grpc::CallbackServerContext* ctx, const v1::RequeueTicketOutboxRequest* req,
    v1::RequeueTicketOutboxResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.RequeueTicketOutbox(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::AcceptReturnAsGoodwill(
    grpc::CallbackServerContext* ctx, const v1::AcceptReturnAsGoodwillRequest* req,
    v1::AcceptReturnAsGoodwillResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.AcceptReturnAsGoodwill(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::CloseReturn(grpc::CallbackServerContext* ctx,
                                                  const v1::CloseReturnRequest* req, v1::CloseReturnResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.CloseReturn(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::GetOrderReturns(grpc::CallbackServerContext* ctx,
                                                  const v1::GetOrderReturnsRequest* req, v1::GetOrderReturnsResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetOrderReturns(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::GetReturnPolicy(grpc::CallbackServerContext* ctx,
                                                  const v1::GetReturnPolicyRequest* req, v1::GetReturnPolicyResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.GetReturnPolicy(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::PutReturnPolicy(grpc::CallbackServerContext* ctx,
                                                  const v1::PutReturnPolicyRequest* req, v1::PutReturnPolicyResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.PutReturnPolicy(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::DecideDuty(grpc::CallbackServerContext* ctx,
                                                  const v1::DecideDutyRequest* req, v1::DecideDutyResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.DecideDuty(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::DecideReturnedParcel(grpc::CallbackServerContext* ctx,
                                                  const v1::DecideReturnedParcelRequest* req, v1::DecideReturnedParcelResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.DecideReturnedParcel(caller, *req, resp);
  });
}

grpc::ServerUnaryReactor* ReturnsService::DecideCancellation(grpc::CallbackServerContext* ctx,
                                                  const v1::DecideCancellationRequest* req, v1::DecideCancellationResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    return desk_.DecideCancellation(caller, *req, resp);
  });
}

}  // namespace aftersales::returns
