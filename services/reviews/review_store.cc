#include "services/reviews/review_store.h"

#include "absl/strings/str_cat.h"
#include "common/documents.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::reviews::store {
namespace {

template <typename T>
absl::StatusOr<std::vector<T>> DocumentsFromRows(const std::vector<Row>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    T message;
    RETURN_IF_ERROR(FromJsonDocument(row.String(0), &message));
    out.push_back(std::move(message));
  }
  return out;
}

std::string RuleKindName(PhraseRule::Kind kind) { return kind == PhraseRule::Kind::kRegex ? "REGEX" : "PHRASE"; }

// Appends the keyset condition for a page token of `tag` over (time_column, id_column).
absl::Status AppendCursor(absl::string_view tag, absl::string_view token, absl::string_view time_column,
                          absl::string_view id_column, std::string& sql, std::vector<SqlParam>& params) {
  if (token.empty()) return absl::OkStatus();
  absl::Time at;
  std::string id;
  RETURN_IF_ERROR(DecodeTimeCursor(tag, token, &at, &id));
  absl::StrAppend(&sql, " AND (", time_column, " > ? OR (", time_column, " = ? AND ", id_column, " > ?))");
  params.emplace_back(at);
  params.emplace_back(at);
  params.emplace_back(id);
  return absl::OkStatus();
}

int PageSize(int requested) { return requested == 0 ? 50 : requested; }

}  // namespace

absl::StatusOr<int64_t> CurrentRuleVersion(Transaction& tx, bool for_update) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT version FROM phrase_rule_versions ORDER BY version DESC LIMIT 1",
                   for_update ? " FOR UPDATE" : ""));
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : rows->front().Int(0);
}

absl::StatusOr<RuleSet> ReadRuleSet(Transaction& tx, int64_t version) {
  absl::StatusOr<Row> head = tx.QueryOne("SELECT edited_by, edited_at FROM phrase_rule_versions WHERE version = ?",
                                         {version}, absl::StrCat("phrase rule version ", version, " not found"));
  if (!head.ok()) return head.status();
  RuleSet set;
  set.version = version;
  set.edited_by = head->String(0);
  set.edited_at = head->Time(1).value_or(absl::UnixEpoch());
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT rule_id, category, language, kind, pattern, product_review_only, explanation, suggestion "
      "FROM phrase_rules WHERE version = ? ORDER BY rule_id",
      {version});
  if (!rows.ok()) return rows.status();
  for (const Row& r : *rows) {
    PhraseRule rule;
    rule.rule_id = r.String(0);
    absl::StatusOr<PhraseCategory> category = ParsePhraseCategory(r.String(1));
    if (!category.ok()) return absl::InternalError(absl::StrCat("stored rule ", rule.rule_id, ": ", category.status().message()));
    rule.category = *category;
    rule.language = r.String(2);
    rule.kind = r.String(3) == "REGEX" ? PhraseRule::Kind::kRegex : PhraseRule::Kind::kPhrase;
    rule.pattern = r.String(4);
    rule.product_review_only = r.Bool(5);
    rule.explanation = r.String(6);
    rule.suggestion = r.String(7);
    set.rules.push_back(std::move(rule));
  }
  return set;
}

absl::Status InsertRuleSet(Transaction& tx, const RuleSet& set, const std::string& note) {
  RETURN_IF_ERROR(tx.Execute("INSERT INTO phrase_rule_versions (version, edited_by, edited_at, note) VALUES (?, ?, ?, ?)",
                             {set.version, set.edited_by, set.edited_at, note})
                      .status());
  for (const PhraseRule& r : set.rules) {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO phrase_rules (version, rule_id, category, language, kind, pattern, "
                               "product_review_only, explanation, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               {set.version, r.rule_id, PhraseCategoryName(r.category), r.language, RuleKindName(r.kind),
                                r.pattern, r.product_review_only, r.explanation, r.suggestion})
                        .status());
  }
  return absl::OkStatus();
}

absl::Status InsertReview(Transaction& tx, const v1::Review& review) {
  absl::StatusOr<std::string> json = ToJsonDocument(review);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO reviews (review_id, store_id, marketplace, marketplace_review_id, order_id, buyer_id, "
                    "product_id, kind, rating, status, posted_at, created_at, document) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {review.review_id(), review.store_id(), static_cast<int>(review.order().marketplace()),
                     review.marketplace_review_id(), review.order().order_id(), review.buyer_id(), review.product_id(),
                     static_cast<int>(review.kind()), review.rating(), static_cast<int>(review.status()),
                     FromProtoTime(review.posted_at()), FromProtoTime(review.created_at()), *json})
      .status();
}

absl::Status UpdateReview(Transaction& tx, const v1::Review& review) {
  absl::StatusOr<std::string> json = ToJsonDocument(review);
  if (!json.ok()) return json.status();
  return tx
      .Execute(
          "UPDATE reviews SET rating = ?, status = ?, document = ? WHERE store_id = ? AND "
          "review_id = ?",
          {review.rating(), static_cast<int>(review.status()), *json, review.store_id(),
           review.review_id()})
      .status();
}

absl::StatusOr<v1::Review> ReadReview(Transaction& tx, const std::string& review_id, bool for_update) {
  absl::StatusOr<Row> row =
      tx.QueryOne(absl::StrCat("SELECT document FROM reviews WHERE review_id = ?", for_update ? " FOR UPDATE" : ""),
                  {review_id}, absl::StrCat("review ", review_id, " not found"));
  if (!row.ok()) return row.status();
  v1::Review review;
  RETURN_IF_ERROR(FromJsonDocument(row->String(0), &review));
  return review;
}

absl::StatusOr<std::optional<v1::Review>> FindReviewByMarketplaceId(Transaction& tx, const std::string& store_id,
                                                                    int marketplace,
                                                                    const std::string& marketplace_review_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT document FROM reviews WHERE store_id = ? AND marketplace = ? AND marketplace_review_id = ? "
               "FOR UPDATE",
               {store_id, marketplace, marketplace_review_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Review>();
  v1::Review review;
  RETURN_IF_ERROR(FromJsonDocument(rows->front().String(0), &review));
  return std::optional<v1::Review>(std::move(review));
}

absl::StatusOr<int64_t> CountNegativeReviewsByBuyer(Transaction& tx, const std::string& store_id,
                                                    const std::string& buyer_id, absl::Time since) {
  absl::StatusOr<Row> row = tx.QueryOne(
      "SELECT COUNT(*) FROM reviews WHERE store_id = ? AND buyer_id = ? AND posted_at >= ? AND rating <= 3",
      {store_id, buyer_id, since}, "");
  if (!row.ok()) return row.status();
  return row->Int(0);
}

absl::StatusOr<ReviewPage> ListReviews(Transaction& tx, const v1::ListReviewsRequest& r) {
  std::string sql = "SELECT document, created_at, review_id FROM reviews WHERE store_id = ?";
  std::vector<SqlParam> params = {r.store_id()};
  if (r.kind() != v1::Review::KIND_UNSPECIFIED) {
    sql += " AND kind = ?";
    params.emplace_back(static_cast<int>(r.kind()));
  }
  if (r.rating() != 0) {
    sql += " AND rating = ?";
    params.emplace_back(r.rating());
  }
  if (!r.product_id().empty()) {
    sql += " AND product_id = ?";
    params.emplace_back(r.product_id());
  }
  if (r.status() != v1::Review::STATUS_UNSPECIFIED) {
    sql += " AND status = ?";
    params.emplace_back(static_cast<int>(r.status()));
  }
  RETURN_IF_ERROR(AppendCursor("rv1", r.page_token(), "created_at", "review_id", sql, params));
  const int page_size = PageSize(r.page_size());
  sql += " ORDER BY created_at, review_id LIMIT ?";
  params.emplace_back(page_size + 1);
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  ReviewPage page;
  const bool more = static_cast<int>(rows->size()) > page_size;
  if (more) rows->erase(rows->begin() + page_size, rows->end());
  absl::StatusOr<std::vector<v1::Review>> reviews = DocumentsFromRows<v1::Review>(*rows);
  if (!reviews.ok()) return reviews.status();
  page.reviews = *std::move(reviews);
  if (more) page.next_page_token = EncodeTimeCursor("rv1", rows->back().Time(1).value_or(absl::UnixEpoch()), rows->back().String(2));
  return page;
}

absl::Status InsertCase(Transaction& tx, const v1::OutreachCase& c) {
  absl::StatusOr<std::string> json = ToJsonDocument(c);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO outreach_cases (case_id, review_id, store_id, status, first_contact_due_at, created_at, "
                    "document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    {c.case_id(), c.review_id(), c.store_id(), static_cast<int>(c.status()),
                     FromProtoTime(c.first_contact_due_at()), FromProtoTime(c.created_at()), *json})
      .status();
}

absl::Status UpdateCase(Transaction& tx, const v1::OutreachCase& c) {
  absl::StatusOr<std::string> json = ToJsonDocument(c);
  if (!json.ok()) return json.status();
  return tx
      .Execute(
          "UPDATE outreach_cases SET status = ?, document = ? WHERE store_id = ? AND case_id = ?",
          {static_cast<int>(c.status()), *json, c.store_id(), c.case_id()})
      .status();
}

absl::StatusOr<v1::OutreachCase> ReadCase(Transaction& tx, const std::string& case_id, bool for_update) {
  absl::StatusOr<Row> row = tx.QueryOne(
      absl::StrCat("SELECT document FROM outreach_cases WHERE case_id = ?", for_update ? " FOR UPDATE" : ""),
      {case_id}, absl::StrCat("outreach case ", case_id, " not found"));
  if (!row.ok()) return row.status();
  v1::OutreachCase c;
  RETURN_IF_ERROR(FromJsonDocument(row->String(0), &c));
  return c;
}

absl::StatusOr<CasePage> ListCases(Transaction& tx, const v1::ListOutreachCasesRequest& r) {
  std::string sql = "SELECT document, first_contact_due_at, case_id FROM outreach_cases WHERE store_id = ?";
  std::vector<SqlParam> params = {r.store_id()};
  if (r.status() != v1::OutreachCase::STATUS_UNSPECIFIED) {
    sql += " AND status = ?";
    params.emplace_back(static_cast<int>(r.status()));
  }
  if (r.has_due_before()) {
    sql += " AND first_contact_due_at < ?";
    params.emplace_back(FromProtoTime(r.due_before()));
  }
  RETURN_IF_ERROR(AppendCursor("oc1", r.page_token(), "first_contact_due_at", "case_id", sql, params));
  const int page_size = PageSize(r.page_size());
  sql += " ORDER BY first_contact_due_at, case_id LIMIT ?";
  params.emplace_back(page_size + 1);
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  CasePage page;
  const bool more = static_cast<int>(rows->size()) > page_size;
  if (more) rows->erase(rows->begin() + page_size, rows->end());
  absl::StatusOr<std::vector<v1::OutreachCase>> cases = DocumentsFromRows<v1::OutreachCase>(*rows);
  if (!cases.ok()) return cases.status();
  page.cases = *std::move(cases);
  if (more) page.next_page_token = EncodeTimeCursor("oc1", rows->back().Time(1).value_or(absl::UnixEpoch()), rows->back().String(2));
  return page;
}

absl::Status RecordOptOut(Transaction& tx, const std::string& store_id, const std::string& buyer_id, absl::Time now) {
  return tx.Execute("INSERT IGNORE INTO buyer_opt_outs (store_id, buyer_id, opted_out_at) VALUES (?, ?, ?)",
                    {store_id, buyer_id, now})
      .status();
}

absl::StatusOr<bool> IsOptedOut(Transaction& tx, const std::string& store_id, const std::string& buyer_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT 1 FROM buyer_opt_outs WHERE store_id = ? AND buyer_id = ?", {store_id, buyer_id});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::StatusOr<std::optional<ReviewRequestRow>> ReadReviewRequest(Transaction& tx, const std::string& store_id,
                                                                  const std::string& order_id, bool for_update) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT store_id, order_id, state, due_at, reason, request FROM review_requests "
                   "WHERE store_id = ? AND order_id = ?",
                   for_update ? " FOR UPDATE" : ""),
      {store_id, order_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReviewRequestRow>();
  const Row& r = rows->front();
  ReviewRequestRow row{r.String(0), r.String(1), r.String(2), r.Time(3).value_or(absl::UnixEpoch()), r.String(4), {}};
  RETURN_IF_ERROR(FromJsonDocument(r.String(5), &row.request));
  return std::optional<ReviewRequestRow>(std::move(row));
}

absl::Status PutReviewRequest(Transaction& tx, const ReviewRequestRow& row, std::optional<absl::Time> requested_at) {
  absl::StatusOr<std::string> json = ToJsonDocument(row.request);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO review_requests (store_id, order_id, state, due_at, requested_at, reason, request) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE state = VALUES(state), "
                    "due_at = VALUES(due_at), requested_at = VALUES(requested_at), reason = VALUES(reason), "
                    "request = VALUES(request)",
                    {row.store_id, row.order_id, row.state, row.due_at, requested_at, row.reason.substr(0, 500), *json})
      .status();
}

absl::StatusOr<std::vector<ReviewRequestRow>> ClaimDueReviewRequests(Transaction& tx, absl::Time now, int limit) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT store_id, order_id, state, due_at, reason, request FROM review_requests "
               "WHERE state = 'SCHEDULED' AND due_at <= ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED",
               {now, limit});
  if (!rows.ok()) return rows.status();
  std::vector<ReviewRequestRow> out;
  for (const Row& r : *rows) {
    ReviewRequestRow row{r.String(0), r.String(1), r.String(2), r.Time(3).value_or(absl::UnixEpoch()), r.String(4), {}};
    RETURN_IF_ERROR(FromJsonDocument(r.String(5), &row.request));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::optional<v1::ReviewRequestSettings>> ReadSettings(Transaction& tx, const std::string& store_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT document FROM review_request_settings WHERE store_id = ?", {store_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::ReviewRequestSettings>();
  v1::ReviewRequestSettings settings;
  RETURN_IF_ERROR(FromJsonDocument(rows->front().String(0), &settings));
  return std::optional<v1::ReviewRequestSettings>(std::move(settings));
}

absl::Status PutSettings(Transaction& tx, const std::string& store_id, const v1::ReviewRequestSettings& settings,
                         absl::Time now) {
  absl::StatusOr<std::string> json = ToJsonDocument(settings);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO review_request_settings (store_id, document, updated_at) VALUES (?, ?, ?) "
                    "ON DUPLICATE KEY UPDATE document = VALUES(document), updated_at = VALUES(updated_at)",
                    {store_id, *json, now})
      .status();
}

}  // namespace aftersales::reviews::store
