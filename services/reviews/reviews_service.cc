#include "services/reviews/reviews_service.h"

#include "common/idempotency.h"
#include "common/identity.h"
#include "common/server.h"

namespace aftersales::reviews {

grpc::ServerUnaryReactor* ReviewsService::ScreenMessage(grpc::CallbackServerContext* ctx, const v1::ScreenMessageRequest* req,
                                                 v1::ScreenMessageResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.ScreenMessage(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::GetPhraseRules(grpc::CallbackServerContext* ctx, const v1::GetPhraseRulesRequest* req,
                                                 v1::GetPhraseRulesResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.GetPhraseRules(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::PutPhraseRules(grpc::CallbackServerContext* ctx, const v1::PutPhraseRulesRequest* req,
                                                 v1::PutPhraseRulesResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.PutPhraseRules(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::IngestReview(grpc::CallbackServerContext* ctx, const v1::IngestReviewRequest* req,
                                                 v1::IngestReviewResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.IngestReview(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::GetReview(grpc::CallbackServerContext* ctx, const v1::GetReviewRequest* req,
                                                 v1::GetReviewResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.GetReview(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::ListReviews(grpc::CallbackServerContext* ctx, const v1::ListReviewsRequest* req,
                                                 v1::ListReviewsResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.ListReviews(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::FlagMalicious(grpc::CallbackServerContext* ctx, const v1::FlagMaliciousRequest* req,
                                                 v1::FlagMaliciousResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.FlagMalicious(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::GetOutreachCase(grpc::CallbackServerContext* ctx, const v1::GetOutreachCaseRequest* req,
                                                 v1::GetOutreachCaseResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.GetOutreachCase(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::ListOutreachCases(grpc::CallbackServerContext* ctx, const v1::ListOutreachCasesRequest* req,
                                                 v1::ListOutreachCasesResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.ListOutreachCases(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::SetOutreachCause(grpc::CallbackServerContext* ctx, const v1::SetOutreachCauseRequest* req,
                                                 v1::SetOutreachCauseResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.SetOutreachCause(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::DraftOutreach(grpc::CallbackServerContext* ctx, const v1::DraftOutreachRequest* req,
                                                 v1::DraftOutreachResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.DraftOutreach(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::SendOutreachMessage(grpc::CallbackServerContext* ctx, const v1::SendOutreachMessageRequest* req,
                                                 v1::SendOutreachMessageResponse* resp) {
  return ServeAsCaller(ctx, executor_, [=, this](const Caller& caller) {
    bool replayed = false;
    const absl::Status status =
        desk_.SendOutreachMessage(caller, MetadataValue(*ctx, kIdempotencyKeyHeader), *req, resp, &replayed);
    MarkReplayed(*ctx, replayed);
    return status;
  });
}

grpc::ServerUnaryReactor* ReviewsService::OptOut(grpc::CallbackServerContext* ctx, const v1::OptOutRequest* req,
                                                 v1::OptOutResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.OptOut(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::RecordBuyerReply(grpc::CallbackServerContext* ctx, const v1::RecordBuyerReplyRequest* req,
                                                 v1::RecordBuyerReplyResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.RecordBuyerReply(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::CloseOutreach(grpc::CallbackServerContext* ctx, const v1::CloseOutreachRequest* req,
                                                 v1::CloseOutreachResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.CloseOutreach(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::SendFeedbackNote(grpc::CallbackServerContext* ctx, const v1::SendFeedbackNoteRequest* req,
                                                 v1::SendFeedbackNoteResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.SendFeedbackNote(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::RequestReview(grpc::CallbackServerContext* ctx, const v1::RequestReviewRequest* req,
                                                 v1::RequestReviewResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.RequestReview(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::GetReviewRequestSettings(grpc::CallbackServerContext* ctx, const v1::GetReviewRequestSettingsRequest* req,
                                                 v1::GetReviewRequestSettingsResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.GetReviewRequestSettings(caller, *req, resp); });
}

grpc::ServerUnaryReactor* ReviewsService::PutReviewRequestSettings(grpc::CallbackServerContext* ctx, const v1::PutReviewRequestSettingsRequest* req,
                                                 v1::PutReviewRequestSettingsResponse* resp) {
  return ServeAsCaller(ctx, executor_,
                       [=, this](const Caller& caller) { return desk_.PutReviewRequestSettings(caller, *req, resp); });
}

}  // namespace aftersales::reviews
