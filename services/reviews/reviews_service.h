#pragma once

#include "aftersales/reviews/v1/reviews.grpc.pb.h"
#include "common/executor.h"
#include "services/reviews/review_desk.h"

namespace aftersales::reviews {

// The gRPC face of the ReviewDesk: each handler takes the caller the interceptor verified and
// runs the use case on the executor (SQL blocks; gRPC's threads must not). No rules live here.
class ReviewsService final : public v1::ReviewsService::CallbackService {
 public:
  ReviewsService(ReviewDesk& desk, BoundedExecutor& executor) : desk_(desk), executor_(executor) {}

  grpc::ServerUnaryReactor* ScreenMessage(grpc::CallbackServerContext* ctx, const v1::ScreenMessageRequest* req,
                                  v1::ScreenMessageResponse* resp) override;
  grpc::ServerUnaryReactor* GetPhraseRules(grpc::CallbackServerContext* ctx, const v1::GetPhraseRulesRequest* req,
                                  v1::GetPhraseRulesResponse* resp) override;
  grpc::ServerUnaryReactor* PutPhraseRules(grpc::CallbackServerContext* ctx, const v1::PutPhraseRulesRequest* req,
                                  v1::PutPhraseRulesResponse* resp) override;
  grpc::ServerUnaryReactor* IngestReview(grpc::CallbackServerContext* ctx, const v1::IngestReviewRequest* req,
                                  v1::IngestReviewResponse* resp) override;
  grpc::ServerUnaryReactor* GetReview(grpc::CallbackServerContext* ctx, const v1::GetReviewRequest* req,
                                  v1::GetReviewResponse* resp) override;
  grpc::ServerUnaryReactor* ListReviews(grpc::CallbackServerContext* ctx, const v1::ListReviewsRequest* req,
                                  v1::ListReviewsResponse* resp) override;
  grpc::ServerUnaryReactor* FlagMalicious(grpc::CallbackServerContext* ctx, const v1::FlagMaliciousRequest* req,
                                  v1::FlagMaliciousResponse* resp) override;
  grpc::ServerUnaryReactor* GetOutreachCase(grpc::CallbackServerContext* ctx, const v1::GetOutreachCaseRequest* req,
                                  v1::GetOutreachCaseResponse* resp) override;
  grpc::ServerUnaryReactor* ListOutreachCases(grpc::CallbackServerContext* ctx, const v1::ListOutreachCasesRequest* req,
                                  v1::ListOutreachCasesResponse* resp) override;
  grpc::ServerUnaryReactor* SetOutreachCause(grpc::CallbackServerContext* ctx, const v1::SetOutreachCauseRequest* req,
                                  v1::SetOutreachCauseResponse* resp) override;
  grpc::ServerUnaryReactor* DraftOutreach(grpc::CallbackServerContext* ctx, const v1::DraftOutreachRequest* req,
                                  v1::DraftOutreachResponse* resp) override;
  grpc::ServerUnaryReactor* SendOutreachMessage(grpc::CallbackServerContext* ctx, const v1::SendOutreachMessageRequest* req,
                                  v1::SendOutreachMessageResponse* resp) override;
  grpc::ServerUnaryReactor* OptOut(grpc::CallbackServerContext* ctx, const v1::OptOutRequest* req,
                                  v1::OptOutResponse* resp) override;
  grpc::ServerUnaryReactor* RecordBuyerReply(grpc::CallbackServerContext* ctx, const v1::RecordBuyerReplyRequest* req,
                                  v1::RecordBuyerReplyResponse* resp) override;
  grpc::ServerUnaryReactor* CloseOutreach(grpc::CallbackServerContext* ctx, const v1::CloseOutreachRequest* req,
                                  v1::CloseOutreachResponse* resp) override;
  grpc::ServerUnaryReactor* SendFeedbackNote(grpc::CallbackServerContext* ctx, const v1::SendFeedbackNoteRequest* req,
                                  v1::SendFeedbackNoteResponse* resp) override;
  grpc::ServerUnaryReactor* RequestReview(grpc::CallbackServerContext* ctx, const v1::RequestReviewRequest* req,
                                  v1::RequestReviewResponse* resp) override;
  grpc::ServerUnaryReactor* GetReviewRequestSettings(grpc::CallbackServerContext* ctx, const v1::GetReviewRequestSettingsRequest* req,
                                  v1::GetReviewRequestSettingsResponse* resp) override;
  grpc::ServerUnaryReactor* PutReviewRequestSettings(grpc::CallbackServerContext* ctx, const v1::PutReviewRequestSettingsRequest* req,
                                  v1::PutReviewRequestSettingsResponse* resp) override;

 private:
  ReviewDesk& desk_;
  BoundedExecutor& executor_;
};

}  // namespace aftersales::reviews
