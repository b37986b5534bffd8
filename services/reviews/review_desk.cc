#include "services/reviews/review_desk.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/outbox.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"
#include "services/reviews/outreach_outbox.h"
#include "services/reviews/review_store.h"
#include "services/reviews/screen_verdict.h"
#include "services/tickets/ticket_validation.h"

namespace aftersales::reviews {
namespace {

constexpr absl::Duration kClockSkew = absl::Minutes(2);
constexpr size_t kMaxTitleBytes = 1000;
constexpr size_t kMaxEvidenceBytes = 16 * 1024;
constexpr int kMaxRules = 5000;
const std::set<std::string> kRuleLanguages = {"en", "de", "fr", "es", "it", "ja", "zh", "any"};

absl::Status ValidateOrder(const common::v1::OrderRef& order) {
  RETURN_IF_ERROR(ValidateId("order.order_id", order.order_id()));
  return ValidateEnum("order.marketplace", order.marketplace(), common::v1::Marketplace_IsValid(order.marketplace()),
                      false);
}

// A message that goes on to the case's ticket: the tickets service's own limits hold here too
// (its 64 KB is fewer than the filter's 20,000 characters of 4-byte text), so that nothing is
// accepted that could never arrive there.
absl::Status ValidateMessageToBuyer(absl::string_view body) {
  RETURN_IF_ERROR(ValidateScreenText(body, "body"));
  return ValidateText("body", body, tickets::kMaxMessageBytes, true);
}

ScreenContext ToScreenContext(v1::ScreenContext context) {
  return context == v1::SELLER_FEEDBACK ? ScreenContext::kSellerFeedback : ScreenContext::kProductReview;
}

void ToProto(const ScreenResult& result, v1::ScreenMessageResponse* out) {
  out->Clear();
  out->set_allowed(result.allowed);
  out->set_rule_version(result.rule_version);
  for (const Finding& f : result.findings) {
    v1::Finding* p = out->add_findings();
    p->set_text(f.text);
    p->set_start(static_cast<int32_t>(f.start));
    p->set_end(static_cast<int32_t>(f.end));
    p->set_category(static_cast<v1::PhraseCategory>(static_cast<int>(f.category)));
    p->set_rule_id(f.rule_id);
    p->set_explanation(f.explanation);
    p->set_suggestion(f.suggestion);
  }
}

absl::Status Blocked(const ScreenResult& result) {
  v1::ScreenMessageResponse verdict;
  ToProto(result, &verdict);
  return BlockedMessage(verdict);
}

absl::StatusOr<PhraseRule> RuleFromProto(const v1::PhraseRule& p) {
  const std::string where = absl::StrCat("rules[", p.rule_id(), "]");
  if (p.rule_id().empty() || p.rule_id().size() > 96) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".rule_id: 1..96 ASCII characters"));
  }
  for (char c : p.rule_id()) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != '_') {
      return absl::InvalidArgumentError(absl::StrCat(where, ".rule_id: letters, digits, '.', '-' and '_' only"));
    }
  }
  if (p.category() == v1::PHRASE_CATEGORY_UNSPECIFIED || !v1::PhraseCategory_IsValid(p.category())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".category: required, one of the five categories"));
  }
  if (!kRuleLanguages.count(p.language())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".language: one of en, de, fr, es, it, ja, zh, any"));
  }
  if (p.kind() == v1::PhraseRule::KIND_UNSPECIFIED || !v1::PhraseRule::Kind_IsValid(p.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".kind: PHRASE or REGEX"));
  }
  RETURN_IF_ERROR(ValidateText(absl::StrCat(where, ".pattern"), p.pattern(), 8000, true));
  RETURN_IF_ERROR(ValidateText(absl::StrCat(where, ".explanation"), p.explanation(), 500, true));
  RETURN_IF_ERROR(ValidateText(absl::StrCat(where, ".suggestion"), p.suggestion(), 500, true));
  PhraseRule rule;
  rule.rule_id = p.rule_id();
  rule.category = static_cast<PhraseCategory>(static_cast<int>(p.category()));
  rule.language = p.language();
  rule.kind = p.kind() == v1::PhraseRule::REGEX ? PhraseRule::Kind::kRegex : PhraseRule::Kind::kPhrase;
  rule.pattern = p.pattern();
  rule.product_review_only = p.product_review_only();
  rule.explanation = p.explanation();
  rule.suggestion = p.suggestion();
  return rule;
}

void RuleToProto(const PhraseRule& rule, v1::PhraseRule* p) {
  p->set_rule_id(rule.rule_id);
  p->set_category(static_cast<v1::PhraseCategory>(static_cast<int>(rule.category)));
  p->set_language(rule.language);
  p->set_kind(rule.kind == PhraseRule::Kind::kRegex ? v1::PhraseRule::REGEX : v1::PhraseRule::PHRASE);
  p->set_pattern(rule.pattern);
  p->set_product_review_only(rule.product_review_only);
  p->set_explanation(rule.explanation);
  p->set_suggestion(rule.suggestion);
}

void SetMalicious(v1::Review& review, v1::Review::MaliciousReason reason, const std::string& evidence,
                  const std::string& by, absl::Time now) {
  v1::Review::MaliciousFlag* flag = review.mutable_malicious();
  flag->set_reason(reason);
  flag->set_evidence(evidence);
  flag->set_flagged_by(by);
  *flag->mutable_flagged_at() = ToProtoTime(now);
  review.set_status(v1::Review::FLAGGED);
}

// A buyer who trades a rating for money (in a review or a reply): the finding that shows it.
std::optional<std::string> MoneyForRating(const ScreenResult& result) {
  for (const Finding& f : result.findings) {
    if (f.category == PhraseCategory::kIncentiveForReview) return f.text;
  }
  return std::nullopt;
}

std::string SubjectFor(const std::string& order_id, absl::string_view language) {
  const std::string_view lang = TextsFor(language).language;
  if (lang == "de") return absl::StrCat("Ihre Bestellung ", order_id);
  if (lang == "fr") return absl::StrCat("Votre commande ", order_id);
  if (lang == "es") return absl::StrCat("Su pedido ", order_id);
  if (lang == "it") return absl::StrCat("Il Suo ordine ", order_id);
  if (lang == "ja") return absl::StrCat("ご注文 ", order_id);
  if (lang == "zh") return absl::StrCat("您的订单 ", order_id);
  return absl::StrCat("Your order ", order_id);
}

tickets::v1::CreateTicketRequest ThreadRequest(const std::string& store_id, const common::v1::OrderRef& order,
                                               const std::string& buyer_id, const std::string& language,
                                               tickets::v1::Category category, const std::string& body) {
  tickets::v1::CreateTicketRequest t;
  t.set_store_id(store_id);
  *t.mutable_order() = order;
  t.mutable_buyer()->set_buyer_id(buyer_id);
  if (ValidateLanguage("language", language, false).ok()) t.mutable_buyer()->set_language(language);
  t.set_category(category);
  t.set_channel(tickets::v1::MARKETPLACE_MESSAGE);
  t.set_subject(SubjectFor(order.order_id(), language));
  t.set_body(body);
  t.set_first_message_direction(tickets::v1::Message::OUTBOUND);
  return t;
}

}  // namespace

ReviewDesk::ReviewDesk(Database& db, PhraseRuleSet& rules, ReviewDeskOptions options)
    : db_(db), rules_(rules), options_(std::move(options)) {}

absl::StatusOr<std::shared_ptr<const PhraseFilter>> ReviewDesk::Filter() const {
  std::shared_ptr<const PhraseFilter> filter = rules_.Current();
  if (filter == nullptr) {
    return absl::UnavailableError("the phrase rules are not loaded yet; nothing is sent unscreened, try again");
  }
  return filter;
}

absl::StatusOr<ScreenResult> ReviewDesk::Screen(absl::string_view text, ScreenContext context) const {
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = Filter();
  if (!filter.ok()) return filter.status();
  return (*filter)->Screen(text, context);
}

absl::Status ReviewDesk::ScreenMessage(const Caller& caller, const v1::ScreenMessageRequest& request,
                                       v1::ScreenMessageResponse* response) {
  RETURN_IF_ERROR(ValidateScreenText(request.text()));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  RETURN_IF_ERROR(ValidateEnum("context", request.context(), v1::ScreenContext_IsValid(request.context()), true));
  if (!request.store_id().empty()) {
    RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
    RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  }
  absl::StatusOr<ScreenResult> result = Screen(request.text(), ToScreenContext(request.context()));
  if (!result.ok()) return result.status();
  ToProto(*result, response);
  return absl::OkStatus();
}

absl::Status ReviewDesk::GetPhraseRules(const Caller&, const v1::GetPhraseRulesRequest&,
                                        v1::GetPhraseRulesResponse* response) {
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<int64_t> version = store::CurrentRuleVersion(tx);
    if (!version.ok()) return version.status();
    response->Clear();
    if (*version == 0) return absl::OkStatus();
    absl::StatusOr<store::RuleSet> set = store::ReadRuleSet(tx, *version);
    if (!set.ok()) return set.status();
    response->set_version(set->version);
    response->set_edited_by(set->edited_by);
    *response->mutable_edited_at() = ToProtoTime(set->edited_at);
    for (const PhraseRule& rule : set->rules) RuleToProto(rule, response->add_rules());
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::PutPhraseRules(const Caller& caller, const v1::PutPhraseRulesRequest& request,
                                        v1::PutPhraseRulesResponse* response) {
  // The rules are every store's: an admin of some stores only cannot change them for all.
  if (!caller.all_stores) {
    return absl::PermissionDeniedError("the phrase rules apply to every store: only an admin of every store edits them");
  }
  if (request.rules_size() == 0 || request.rules_size() > kMaxRules) {
    return absl::InvalidArgumentError(absl::StrCat("rules: 1..", kMaxRules, " rules; send the whole set"));
  }
  RETURN_IF_ERROR(ValidateText("note", request.note(), 500, false));
  if (request.expected_version() < 0) {
    return absl::InvalidArgumentError("expected_version: the version the edit was made from (GET /v1/phraseRules)");
  }
  std::vector<PhraseRule> rules;
  std::set<std::string> ids;
  for (const v1::PhraseRule& p : request.rules()) {
    absl::StatusOr<PhraseRule> rule = RuleFromProto(p);
    if (!rule.ok()) return rule.status();
    if (!ids.insert(rule->rule_id).second) {
      return absl::InvalidArgumentError(absl::StrCat("rules: rule_id ", rule->rule_id, " appears twice"));
    }
    rules.push_back(*std::move(rule));
  }
  // Compiled before anything is stored: a set that does not compile never reaches a replica.
  const int64_t next = request.expected_version() + 1;
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> compiled = PhraseFilter::Compile(rules, next);
  if (!compiled.ok()) return compiled.status();
  const absl::Time now = options_.clock();
  RETURN_IF_ERROR(db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<int64_t> current = store::CurrentRuleVersion(tx, /*for_update=*/true);
    if (!current.ok()) return current.status();
    if (*current != request.expected_version()) {
      return absl::AbortedError(absl::StrCat("expected_version: the rules are at version ", *current, ", not ",
                                             request.expected_version(), "; read them again and reapply your edit"));
    }
    store::RuleSet set;
    set.version = next;
    set.edited_by = caller.principal;
    set.edited_at = now;
    set.rules = rules;
    return store::InsertRuleSet(tx, set, request.note());
  }));
  rules_.Install(*std::move(compiled));
  LogInfo("phrase rules edited", {{"by", caller.principal}, {"version", absl::StrCat(next)}});
  response->set_version(next);
  return absl::OkStatus();
}

absl::Status ReviewDesk::IngestReview(const Caller& caller, const v1::IngestReviewRequest& request,
                                      v1::IngestReviewResponse* response) {
  RETURN_IF_ERROR(ValidateId("marketplace_review_id", request.marketplace_review_id()));
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateOrder(request.order()));
  if (request.kind() == v1::Review::KIND_UNSPECIFIED || !v1::Review::Kind_IsValid(request.kind())) {
    return absl::InvalidArgumentError("kind: PRODUCT_REVIEW or SELLER_FEEDBACK");
  }
  RETURN_IF_ERROR(ValidateOptionalId("product_id", request.product_id()));
  RETURN_IF_ERROR(ValidateText("sku", request.sku(), 128, false));
  RETURN_IF_ERROR(ValidateId("buyer_id", request.buyer_id()));
  if (request.rating() < 1 || request.rating() > 5) return absl::InvalidArgumentError("rating: 1..5 stars");
  RETURN_IF_ERROR(ValidateText("title", request.title(), kMaxTitleBytes, false));
  RETURN_IF_ERROR(ValidateText("product_title", request.product_title(), kMaxTitleBytes, false));
  RETURN_IF_ERROR(ValidateText("body", request.body(), 4 * kMaxScreenedCodePoints, false));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  if (!request.has_posted_at()) return absl::InvalidArgumentError("posted_at: required (when the buyer posted it)");
  RETURN_IF_ERROR(tickets::ValidateTimestamp("posted_at", request.posted_at()));
  const absl::Time now = options_.clock();
  const absl::Time posted = FromProtoTime(request.posted_at());
  if (posted > now + kClockSkew) return absl::InvalidArgumentError("posted_at: in the future");
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));

  const int marketplace = static_cast<int>(request.order().marketplace());
  absl::StatusOr<std::optional<v1::Review>> known = db_.InTransaction<std::optional<v1::Review>>([&](Transaction& tx) {
    return store::FindReviewByMarketplaceId(tx, request.store_id(), marketplace, request.marketplace_review_id());
  });
  if (!known.ok()) return known.status();
  // A new negative review's cause comes from the order's history, read before the transaction
  // (no locks held across the calls). Without it the case still opens, as UNKNOWN, saying why.
  CauseGuess guess;
  const bool negative = request.rating() <= kHighestNegativeRating;
  if (negative && (!known->has_value() || (*known)->case_id().empty())) {
    absl::StatusOr<OrderFacts> facts = options_.read_order
                                           ? options_.read_order(request.store_id(), request.order().order_id())
                                           : absl::UnavailableError("no order reader configured");
    if (facts.ok()) {
      guess = GuessCause(*facts, posted);
    } else {
      guess = {v1::UNKNOWN, absl::StrCat("the order's history could not be read: ", facts.status().message())};
    }
  }
  // The buyer's own words may trade the rating for money.
  std::optional<std::string> extortion;
  if (!request.body().empty() && ValidateScreenText(request.body()).ok()) {
    absl::StatusOr<ScreenResult> screened = Screen(request.body(), ScreenContext::kProductReview);
    if (screened.ok()) extortion = MoneyForRating(*screened);
  }

  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    response->Clear();
    absl::StatusOr<std::optional<v1::Review>> existing =
        store::FindReviewByMarketplaceId(tx, request.store_id(), marketplace, request.marketplace_review_id());
    if (!existing.ok()) return existing.status();
    v1::Review review;
    if (existing->has_value()) {
      review = **std::move(existing);
      response->set_already_known(true);
      if (review.rating() != request.rating()) {
        // The buyer changed it on their own: recorded, never asked for.
        v1::Review::RatingChange* change = review.add_rating_changes();
        change->set_from_rating(review.rating());
        change->set_to_rating(request.rating());
        *change->mutable_changed_at() = request.posted_at();
        review.set_rating(request.rating());
        review.set_title(request.title());
        review.set_body(request.body());
      }
    } else {
      review.set_review_id(NewId("rev"));
      review.set_marketplace_review_id(request.marketplace_review_id());
      review.set_store_id(request.store_id());
      *review.mutable_order() = request.order();
      review.set_kind(request.kind());
      review.set_product_id(request.product_id());
      review.set_sku(request.sku());
      review.set_product_title(request.product_title());
      review.set_buyer_id(request.buyer_id());
      review.set_rating(request.rating());
      review.set_title(request.title());
      review.set_body(request.body());
      review.set_language(request.language());
      *review.mutable_posted_at() = request.posted_at();
      *review.mutable_created_at() = ToProtoTime(now);
      review.set_status(v1::Review::NO_OUTREACH);
      RETURN_IF_ERROR(store::InsertReview(tx, review));
    }

    if (!review.has_malicious()) {
      if (extortion.has_value()) {
        SetMalicious(review, v1::Review::EXTORTION, absl::StrCat("the review demands money for the rating: \"", *extortion, "\""),
                     "reviews-service", now);
      } else if (review.rating() <= kHighestNegativeRating) {
        absl::StatusOr<int64_t> negatives =
            store::CountNegativeReviewsByBuyer(tx, review.store_id(), review.buyer_id(), now - kRepeatOffenderWindow);
        if (!negatives.ok()) return negatives.status();
        if (*negatives >= kRepeatOffenderReviews) {
          SetMalicious(review, v1::Review::REPEAT_OFFENDER,
                       absl::StrCat(*negatives, " reviews of 3 stars or fewer by buyer ", review.buyer_id(),
                                    " in this store within 90 days"),
                       "reviews-service", now);
        }
      }
    }

    v1::OutreachCase outreach;
    if (!review.case_id().empty()) {
      absl::StatusOr<v1::OutreachCase> c = store::ReadCase(tx, review.case_id(), /*for_update=*/true);
      if (!c.ok()) return c.status();
      outreach = *std::move(c);
      if (review.has_malicious() && !outreach.flagged()) {
        outreach.set_flagged(true);
        *outreach.mutable_updated_at() = ToProtoTime(now);
        RETURN_IF_ERROR(store::UpdateCase(tx, outreach));
      }
    } else if (review.rating() <= kHighestNegativeRating) {
      outreach.set_case_id(NewId("case"));
      outreach.set_review_id(review.review_id());
      outreach.set_store_id(review.store_id());
      *outreach.mutable_order() = review.order();
      outreach.set_buyer_id(review.buyer_id());
      outreach.set_review_kind(review.kind());
      outreach.set_cause(guess.cause);
      outreach.set_cause_reason(guess.reason);
      outreach.set_status(v1::OutreachCase::OPEN);
      *outreach.mutable_first_contact_due_at() = ToProtoTime(now + kFirstContactWithin);
      absl::StatusOr<bool> opted_out = store::IsOptedOut(tx, review.store_id(), review.buyer_id());
      if (!opted_out.ok()) return opted_out.status();
      outreach.set_opted_out(*opted_out);
      outreach.set_flagged(review.has_malicious());
      outreach.set_language(review.language());
      *outreach.mutable_created_at() = ToProtoTime(now);
      *outreach.mutable_updated_at() = ToProtoTime(now);
      RETURN_IF_ERROR(store::InsertCase(tx, outreach));
      review.set_case_id(outreach.case_id());
    }
    if (!review.has_malicious()) {
      review.set_status(review.case_id().empty() ? v1::Review::NO_OUTREACH
                        : outreach.status() == v1::OutreachCase::CLOSED ? v1::Review::OUTREACH_CLOSED
                                                                          : v1::Review::OUTREACH_OPEN);
    }
    RETURN_IF_ERROR(store::UpdateReview(tx, review));
    *response->mutable_review() = std::move(review);
    if (!outreach.case_id().empty()) *response->mutable_outreach_case() = std::move(outreach);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::GetReview(const Caller& caller, const v1::GetReviewRequest& request,
                                   v1::GetReviewResponse* response) {
  RETURN_IF_ERROR(ValidateId("review_id", request.review_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Review> review = store::ReadReview(tx, request.review_id(), false);
    if (!review.ok()) return review.status();
    RETURN_IF_ERROR(CheckCanSee(caller, review->store_id(), absl::StrCat("review ", request.review_id(), " not found")));
    *response->mutable_review() = *std::move(review);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::ListReviews(const Caller& caller, const v1::ListReviewsRequest& request,
                                     v1::ListReviewsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateEnum("kind", request.kind(), v1::Review::Kind_IsValid(request.kind()), true));
  RETURN_IF_ERROR(ValidateEnum("status", request.status(), v1::Review::Status_IsValid(request.status()), true));
  if (request.rating() < 0 || request.rating() > 5) return absl::InvalidArgumentError("rating: 1..5, or 0 for any");
  RETURN_IF_ERROR(ValidateOptionalId("product_id", request.product_id()));
  RETURN_IF_ERROR(ValidatePageSize(request.page_size()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<store::ReviewPage> page = store::ListReviews(tx, request);
    if (!page.ok()) return page.status();
    response->Clear();
    for (v1::Review& r : page->reviews) *response->add_reviews() = std::move(r);
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::FlagMalicious(const Caller& caller, const v1::FlagMaliciousRequest& request,
                                       v1::FlagMaliciousResponse* response) {
  RETURN_IF_ERROR(ValidateId("review_id", request.review_id()));
  if (request.reason() == v1::Review::MALICIOUS_REASON_UNSPECIFIED || !v1::Review::MaliciousReason_IsValid(request.reason())) {
    return absl::InvalidArgumentError("reason: EXTORTION, REPEAT_OFFENDER, COMPETITOR or OTHER");
  }
  RETURN_IF_ERROR(ValidateText("evidence", request.evidence(), kMaxEvidenceBytes, true));
  const absl::Time now = options_.clock();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::Review> review = store::ReadReview(tx, request.review_id(), true);
    if (!review.ok()) return review.status();
    RETURN_IF_ERROR(CheckCanSee(caller, review->store_id(), absl::StrCat("review ", request.review_id(), " not found")));
    SetMalicious(*review, request.reason(), request.evidence(), caller.principal, now);
    if (!review->case_id().empty()) {
      absl::StatusOr<v1::OutreachCase> outreach = store::ReadCase(tx, review->case_id(), true);
      if (!outreach.ok()) return outreach.status();
      outreach->set_flagged(true);
      *outreach->mutable_updated_at() = ToProtoTime(now);
      RETURN_IF_ERROR(store::UpdateCase(tx, *outreach));
    }
    RETURN_IF_ERROR(store::UpdateReview(tx, *review));
    *response->mutable_review() = *std::move(review);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::GetOutreachCase(const Caller& caller, const v1::GetOutreachCaseRequest& request,
                                         v1::GetOutreachCaseResponse* response) {
  RETURN_IF_ERROR(ValidateId("case_id", request.case_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::OutreachCase> outreach = store::ReadCase(tx, request.case_id(), false);
    if (!outreach.ok()) return outreach.status();
    RETURN_IF_ERROR(
        CheckCanSee(caller, outreach->store_id(), absl::StrCat("outreach case ", request.case_id(), " not found")));
    *response->mutable_outreach_case() = *std::move(outreach);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::ListOutreachCases(const Caller& caller, const v1::ListOutreachCasesRequest& request,
                                           v1::ListOutreachCasesResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateEnum("status", request.status(), v1::OutreachCase::Status_IsValid(request.status()), true));
  if (request.has_due_before()) RETURN_IF_ERROR(tickets::ValidateTimestamp("due_before", request.due_before()));
  RETURN_IF_ERROR(ValidatePageSize(request.page_size()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<store::CasePage> page = store::ListCases(tx, request);
    if (!page.ok()) return page.status();
    response->Clear();
    for (v1::OutreachCase& c : page->cases) *response->add_cases() = std::move(c);
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::OutreachCase> ReviewDesk::ChangeCase(
    const Caller& caller, const std::string& case_id,
    const std::function<absl::Status(Transaction&, v1::OutreachCase&, absl::Time now)>& change) {
  RETURN_IF_ERROR(ValidateId("case_id", case_id));
  const absl::Time now = options_.clock();
  return db_.InTransaction<v1::OutreachCase>([&](Transaction& tx) -> absl::StatusOr<v1::OutreachCase> {
    absl::StatusOr<v1::OutreachCase> outreach = store::ReadCase(tx, case_id, true);
    if (!outreach.ok()) return outreach.status();
    RETURN_IF_ERROR(CheckCanSee(caller, outreach->store_id(), absl::StrCat("outreach case ", case_id, " not found")));
    RETURN_IF_ERROR(change(tx, *outreach, now));
    *outreach->mutable_updated_at() = ToProtoTime(now);
    RETURN_IF_ERROR(store::UpdateCase(tx, *outreach));
    return outreach;
  });
}

absl::Status ReviewDesk::SetOutreachCause(const Caller& caller, const v1::SetOutreachCauseRequest& request,
                                          v1::SetOutreachCauseResponse* response) {
  if (request.cause() == v1::OUTREACH_CAUSE_UNSPECIFIED || !v1::OutreachCause_IsValid(request.cause())) {
    return absl::InvalidArgumentError("cause: one of NO_CONTACT_BEFORE_REVIEW, MISUNDERSTANDING, AFTER_REFUND, "
                                      "PRODUCT, LOGISTICS, UNKNOWN");
  }
  absl::StatusOr<v1::OutreachCase> outreach =
      ChangeCase(caller, request.case_id(), [&](Transaction&, v1::OutreachCase& c, absl::Time) -> absl::Status {
        c.set_cause(request.cause());
        c.set_cause_reason(absl::StrCat("set by ", caller.principal));
        return absl::OkStatus();
      });
  if (!outreach.ok()) return outreach.status();
  *response->mutable_outreach_case() = *std::move(outreach);
  return absl::OkStatus();
}

absl::Status ReviewDesk::DraftOutreach(const Caller& caller, const v1::DraftOutreachRequest& request,
                                       v1::DraftOutreachResponse* response) {
  RETURN_IF_ERROR(ValidateId("case_id", request.case_id()));
  if (request.remedy() == v1::REMEDY_UNSPECIFIED || !v1::Remedy_IsValid(request.remedy())) {
    return absl::InvalidArgumentError("remedy: REFUND, PARTIAL_REFUND, REPLACEMENT, HOW_TO_USE_HELP or APOLOGY_ONLY");
  }
  RETURN_IF_ERROR(ValidateText("buyer_name", request.buyer_name(), 200, false));
  RETURN_IF_ERROR(ValidateText("store_name", request.store_name(), 200, false));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  v1::OutreachCase outreach;
  v1::Review review;
  RETURN_IF_ERROR(db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<v1::OutreachCase> c = store::ReadCase(tx, request.case_id(), false);
    if (!c.ok()) return c.status();
    RETURN_IF_ERROR(CheckCanSee(caller, c->store_id(), absl::StrCat("outreach case ", request.case_id(), " not found")));
    outreach = *std::move(c);
    absl::StatusOr<v1::Review> r = store::ReadReview(tx, outreach.review_id(), false);
    if (!r.ok()) return r.status();
    review = *std::move(r);
    return absl::OkStatus();
  }));
  const bool concession = request.remedy() == v1::REFUND || request.remedy() == v1::PARTIAL_REFUND ||
                          request.remedy() == v1::REPLACEMENT;
  if (outreach.flagged() && concession) {
    return absl::FailedPreconditionError(
        "the review is flagged as malicious: report it to the marketplace with the evidence instead of offering a "
        "concession (HOW_TO_USE_HELP and APOLOGY_ONLY drafts are still available)");
  }
  const std::string language = request.language().empty() ? outreach.language() : request.language();
  const LanguageTexts& texts = TextsFor(language);
  DraftValues values;
  values.buyer_name = request.buyer_name().empty() ? std::string(PoliteAddress(language)) : request.buyer_name();
  values.order_id = outreach.order().order_id();
  values.product = !review.product_title().empty() ? review.product_title()
                   : !review.sku().empty()         ? review.sku()
                                                   : values.order_id;
  values.store_name = request.store_name().empty() ? outreach.store_id() : request.store_name();
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = Filter();
  if (!filter.ok()) return filter.status();
  std::string body = ComposeDraft(texts, CauseForTexts(outreach.cause()), RemedyForTexts(request.remedy()), values);
  ScreenResult screened = (*filter)->Screen(body, ScreenContext::kProductReview);
  if (!screened.allowed) {
    // A product or person named in a way that trips a rule: the draft names the order instead.
    values.product = values.order_id;
    values.buyer_name = std::string(PoliteAddress(language));
    body = ComposeDraft(texts, CauseForTexts(outreach.cause()), RemedyForTexts(request.remedy()), values);
    screened = (*filter)->Screen(body, ScreenContext::kProductReview);
  }
  if (!screened.allowed) {
    LogError("an outreach draft tripped the filter", {{"case_id", outreach.case_id()}, {"rule", screened.findings[0].rule_id}});
    return absl::FailedPreconditionError(absl::StrCat("the draft texts for ", std::string(texts.language),
                                                      " trip rule ", screened.findings[0].rule_id,
                                                      " as the rules stand now; write the message by hand"));
  }
  response->set_body(body);
  response->set_language(std::string(texts.language));
  ToProto(screened, response->mutable_screening());
  return absl::OkStatus();
}

absl::Status ReviewDesk::SendOnCase(Transaction& tx, v1::OutreachCase& outreach, v1::OutreachMessage message,
                                    absl::Time now) {
  const bool first = outreach.ticket_id().empty() && outreach.messages_size() == 0;
  const std::string key = absl::StrCat(kMessageKeyPrefix, message.message_id());
  if (first) {
    const tickets::v1::CreateTicketRequest thread =
        ThreadRequest(outreach.store_id(), outreach.order(), outreach.buyer_id(), outreach.language(),
                      tickets::v1::REVIEW_OUTREACH, message.body());
    RETURN_IF_ERROR(EnqueueOutbox(tx, outreach.store_id(), outreach.case_id(), kOpenThread,
                                  thread.SerializeAsString(), key, now));
  } else {
    tickets::v1::AddMessageRequest add;
    add.set_direction(tickets::v1::Message::OUTBOUND);
    add.set_body(message.body());
    RETURN_IF_ERROR(EnqueueOutbox(tx, outreach.store_id(), outreach.case_id(), kAddMessage,
                                  add.SerializeAsString(), key, now));
  }
  *outreach.add_messages() = std::move(message);
  if (outreach.status() != v1::OutreachCase::CLOSED) outreach.set_status(v1::OutreachCase::WAITING_ON_BUYER);
  return absl::OkStatus();
}

absl::Status ReviewDesk::SendOutreachMessage(const Caller& caller, const std::string& idempotency_key,
                                             const v1::SendOutreachMessageRequest& request,
                                             v1::SendOutreachMessageResponse* response, bool* replayed) {
  RETURN_IF_ERROR(ValidateId("case_id", request.case_id()));
  RETURN_IF_ERROR(ValidateMessageToBuyer(request.body()));
  RETURN_IF_ERROR(ValidateIdempotencyKey(idempotency_key));
  return RunIdempotent(
      db_, absl::StrCat(caller.principal, ":SendOutreachMessage"), idempotency_key, request, response,
      [&](Transaction& tx, google::protobuf::Message* out) -> absl::Status {
        // Screened before anything is written (a blocked message leaves no trace but the
        // answer), and inside the idempotent step, so a retry of a message sent before a rule
        // edit replays its answer instead of being judged again.
        absl::StatusOr<ScreenResult> screened = Screen(request.body(), ScreenContext::kProductReview);
        if (!screened.ok()) return screened.status();
        if (!screened->allowed) return Blocked(*screened);
        const absl::Time now = options_.clock();
        absl::StatusOr<v1::OutreachCase> outreach = store::ReadCase(tx, request.case_id(), true);
        if (!outreach.ok()) return outreach.status();
        RETURN_IF_ERROR(
            CheckCanSee(caller, outreach->store_id(), absl::StrCat("outreach case ", request.case_id(), " not found")));
        absl::StatusOr<bool> opted_out = store::IsOptedOut(tx, outreach->store_id(), outreach->buyer_id());
        if (!opted_out.ok()) return opted_out.status();
        if (*opted_out) outreach->set_opted_out(true);
        RETURN_IF_ERROR(CheckCanSendOutreach(*outreach, now, options_.unanswered_wait));
        v1::OutreachMessage message;
        message.set_message_id(NewId("omsg"));
        message.set_body(request.body());
        message.set_sent_by(caller.principal);
        *message.mutable_sent_at() = ToProtoTime(now);
        message.set_kind(v1::OutreachMessage::OUTREACH);
        auto* typed = static_cast<v1::SendOutreachMessageResponse*>(out);
        *typed->mutable_message() = message;
        RETURN_IF_ERROR(SendOnCase(tx, *outreach, std::move(message), now));
        *outreach->mutable_updated_at() = ToProtoTime(now);
        RETURN_IF_ERROR(store::UpdateCase(tx, *outreach));
        *typed->mutable_outreach_case() = *std::move(outreach);
        return absl::OkStatus();
      },
      replayed);
}

absl::Status ReviewDesk::OptOut(const Caller& caller, const v1::OptOutRequest& request, v1::OptOutResponse* response) {
  absl::StatusOr<v1::OutreachCase> outreach =
      ChangeCase(caller, request.case_id(), [&](Transaction& tx, v1::OutreachCase& c, absl::Time now) -> absl::Status {
        c.set_opted_out(true);
        // Messages still waiting for the tickets service do not go either.
        RETURN_IF_ERROR(
            CancelPendingOutbox(tx, c.store_id(), c.case_id(), "cancelled: the buyer opted out")
                .status());
        return store::RecordOptOut(tx, c.store_id(), c.buyer_id(), now);
      });
  if (!outreach.ok()) return outreach.status();
  *response->mutable_outreach_case() = *std::move(outreach);
  return absl::OkStatus();
}

absl::Status ReviewDesk::RecordBuyerReply(const Caller& caller, const v1::RecordBuyerReplyRequest& request,
                                          v1::RecordBuyerReplyResponse* response) {
  RETURN_IF_ERROR(ValidateText("body", request.body(), 4 * kMaxScreenedCodePoints, false));
  if (request.has_replied_at()) RETURN_IF_ERROR(tickets::ValidateTimestamp("replied_at", request.replied_at()));
  std::optional<std::string> extortion;
  if (!request.body().empty() && ValidateScreenText(request.body()).ok()) {
    absl::StatusOr<ScreenResult> screened = Screen(request.body(), ScreenContext::kProductReview);
    if (screened.ok()) extortion = MoneyForRating(*screened);
  }
  absl::StatusOr<v1::OutreachCase> outreach =
      ChangeCase(caller, request.case_id(), [&](Transaction& tx, v1::OutreachCase& c, absl::Time now) -> absl::Status {
        const absl::Time replied = request.has_replied_at() ? FromProtoTime(request.replied_at()) : now;
        if (replied > now + kClockSkew) return absl::InvalidArgumentError("replied_at: in the future");
        *c.mutable_last_buyer_reply_at() = ToProtoTime(replied);
        if (c.status() != v1::OutreachCase::CLOSED) c.set_status(v1::OutreachCase::BUYER_REPLIED);
        if (!extortion.has_value() || c.flagged()) return absl::OkStatus();
        absl::StatusOr<v1::Review> review = store::ReadReview(tx, c.review_id(), true);
        if (!review.ok()) return review.status();
        SetMalicious(*review, v1::Review::EXTORTION,
                     absl::StrCat("the buyer's reply demands money for the rating: \"", *extortion, "\""),
                     "reviews-service", now);
        c.set_flagged(true);
        return store::UpdateReview(tx, *review);
      });
  if (!outreach.ok()) return outreach.status();
  *response->mutable_outreach_case() = *std::move(outreach);
  return absl::OkStatus();
}

absl::Status ReviewDesk::CloseOutreach(const Caller& caller, const v1::CloseOutreachRequest& request,
                                       v1::CloseOutreachResponse* response) {
  if (request.outcome() == v1::OutreachCase::OUTCOME_UNSPECIFIED ||
      !v1::OutreachCase::Outcome_IsValid(request.outcome())) {
    return absl::InvalidArgumentError("outcome: RESOLVED, NO_REPLY, REFUSED or ESCALATED");
  }
  absl::StatusOr<v1::OutreachCase> outreach =
      ChangeCase(caller, request.case_id(), [&](Transaction& tx, v1::OutreachCase& c, absl::Time now) -> absl::Status {
        if (c.status() == v1::OutreachCase::CLOSED) {
          return absl::FailedPreconditionError(absl::StrCat("outreach case ", c.case_id(), " is closed already, as ",
                                                            v1::OutreachCase::Outcome_Name(c.outcome())));
        }
        c.set_status(v1::OutreachCase::CLOSED);
        c.set_outcome(request.outcome());
        *c.mutable_closed_at() = ToProtoTime(now);
        absl::StatusOr<v1::Review> review = store::ReadReview(tx, c.review_id(), true);
        if (!review.ok()) return review.status();
        if (review->status() != v1::Review::FLAGGED) review->set_status(v1::Review::OUTREACH_CLOSED);
        return store::UpdateReview(tx, *review);
      });
  if (!outreach.ok()) return outreach.status();
  *response->mutable_outreach_case() = *std::move(outreach);
  return absl::OkStatus();
}

absl::Status ReviewDesk::SendFeedbackNote(const Caller& caller, const v1::SendFeedbackNoteRequest& request,
                                          v1::SendFeedbackNoteResponse* response) {
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  if (!request.body().empty()) {
    RETURN_IF_ERROR(ValidateMessageToBuyer(request.body()));
  }
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = Filter();
  if (!filter.ok()) return filter.status();
  absl::StatusOr<v1::OutreachCase> outreach = ChangeCase(
      caller, request.case_id(), [&](Transaction& tx, v1::OutreachCase& c, absl::Time now) -> absl::Status {
        if (c.review_kind() != v1::Review::SELLER_FEEDBACK) {
          return absl::FailedPreconditionError(
              "a product review is never the seller's to ask about: the note is for seller feedback only");
        }
        if (c.status() != v1::OutreachCase::CLOSED || c.outcome() != v1::OutreachCase::RESOLVED) {
          return absl::FailedPreconditionError("the note may go only once the case is closed as RESOLVED");
        }
        if (c.feedback_note_sent()) return absl::FailedPreconditionError("the note was sent already: never a second time");
        absl::StatusOr<bool> opted_out = store::IsOptedOut(tx, c.store_id(), c.buyer_id());
        if (!opted_out.ok()) return opted_out.status();
        if (c.opted_out() || *opted_out) return absl::FailedPreconditionError("the buyer asked not to be contacted");
        const std::string language = request.language().empty() ? c.language() : request.language();
        const std::string body =
            request.body().empty() ? FillPlaceholders(TextsFor(language).feedback_note, {}) : request.body();
        const ScreenResult screened = (*filter)->Screen(body, ScreenContext::kSellerFeedback);
        if (!screened.allowed) return Blocked(screened);
        v1::OutreachMessage message;
        message.set_message_id(NewId("omsg"));
        message.set_body(body);
        message.set_sent_by(caller.principal);
        *message.mutable_sent_at() = ToProtoTime(now);
        message.set_kind(v1::OutreachMessage::FEEDBACK_NOTE);
        *response->mutable_message() = message;
        c.set_feedback_note_sent(true);
        return SendOnCase(tx, c, std::move(message), now);
      });
  if (!outreach.ok()) return outreach.status();
  *response->mutable_outreach_case() = *std::move(outreach);
  return absl::OkStatus();
}

absl::StatusOr<v1::OutreachMessage> ReviewDesk::SendReviewRequest(Transaction& tx,
                                                                  const v1::RequestReviewRequest& request,
                                                                  const OrderFacts& facts, absl::Time now) {
  const std::string language = !request.language().empty() ? request.language() : facts.buyer_language;
  DraftValues values;
  values.buyer_name = !request.buyer_name().empty() ? request.buyer_name()
                      : !facts.buyer_name.empty()   ? facts.buyer_name
                                                    : std::string(PoliteAddress(language));
  values.order_id = request.order_id();
  values.product = facts.product_title.empty() ? request.order_id() : facts.product_title;
  values.store_name = request.store_name().empty() ? request.store_id() : request.store_name();
  absl::StatusOr<std::shared_ptr<const PhraseFilter>> filter = Filter();
  if (!filter.ok()) return filter.status();
  std::string body = FillPlaceholders(TextsFor(language).review_request, values);
  if (!(*filter)->Screen(body, ScreenContext::kProductReview).allowed) {
    values.product = request.order_id();
    values.buyer_name = std::string(PoliteAddress(language));
    body = FillPlaceholders(TextsFor(language).review_request, values);
    const ScreenResult screened = (*filter)->Screen(body, ScreenContext::kProductReview);
    if (!screened.allowed) return Blocked(screened);
  }
  v1::OutreachMessage message;
  message.set_message_id(NewId("omsg"));
  message.set_body(body);
  message.set_sent_by("reviews-service");
  *message.mutable_sent_at() = ToProtoTime(now);
  message.set_kind(v1::OutreachMessage::REVIEW_REQUEST);
  common::v1::OrderRef order;
  order.set_order_id(request.order_id());
  order.set_marketplace(static_cast<common::v1::Marketplace>(facts.marketplace));
  order.set_site(facts.site);
  const tickets::v1::CreateTicketRequest thread = ThreadRequest(request.store_id(), order, facts.buyer_id, language,
                                                                tickets::v1::REVIEW_REQUEST, body);
  RETURN_IF_ERROR(EnqueueOutbox(tx, request.store_id(), message.message_id(), kReviewRequest,
                                thread.SerializeAsString(),
                                absl::StrCat(kMessageKeyPrefix, message.message_id()), now));
  return message;
}

absl::Status ReviewDesk::RequestReview(const Caller& caller, const v1::RequestReviewRequest& request,
                                       v1::RequestReviewResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(ValidateId("order_id", request.order_id()));
  RETURN_IF_ERROR(ValidateText("buyer_name", request.buyer_name(), 200, false));
  RETURN_IF_ERROR(ValidateText("store_name", request.store_name(), 200, false));
  RETURN_IF_ERROR(ValidateLanguage("language", request.language(), false));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  // Eligibility needs the order's deliveries, tickets and returns: without them no request goes.
  absl::StatusOr<OrderFacts> facts = options_.read_order ? options_.read_order(request.store_id(), request.order_id())
                                                         : absl::UnavailableError("no order reader configured");
  if (!facts.ok()) {
    // Out of reach: retry later. Anything else (a deployment's mistake) says so as it is.
    const absl::StatusCode code = facts.status().code() == absl::StatusCode::kUnavailable ||
                                          facts.status().code() == absl::StatusCode::kDeadlineExceeded
                                      ? absl::StatusCode::kUnavailable
                                      : absl::StatusCode::kInternal;
    return absl::Status(code, absl::StrCat("the order's history could not be read, so no review request went: ",
                                           facts.status().message()));
  }
  const absl::Time now = options_.clock();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    response->Clear();
    absl::StatusOr<std::optional<store::ReviewRequestRow>> existing =
        store::ReadReviewRequest(tx, request.store_id(), request.order_id(), true);
    if (!existing.ok()) return existing.status();
    absl::StatusOr<std::optional<v1::ReviewRequestSettings>> settings = store::ReadSettings(tx, request.store_id());
    if (!settings.ok()) return settings.status();
    const int earliest_day = settings->has_value() && (*settings)->days_after_delivery() > 0
                                 ? (*settings)->days_after_delivery()
                                 : kEarliestReviewRequestDay;
    absl::StatusOr<bool> opted_out = store::IsOptedOut(tx, request.store_id(), facts->buyer_id);
    if (!opted_out.ok()) return opted_out.status();
    const bool already = existing->has_value() && (*existing)->state != "SCHEDULED";
    absl::Status eligible = CheckReviewRequestEligible(*facts, now, earliest_day, *opted_out, already);
    const bool too_early =
        !eligible.ok() && facts->delivered_at.has_value() && now < *facts->delivered_at + absl::Hours(24) * earliest_day &&
        !already && !*opted_out;
    if (too_early && request.schedule()) {
      if (!settings->has_value() || !(*settings)->scheduled()) {
        return absl::FailedPreconditionError(
            absl::StrCat(eligible.message(), "; scheduling needs the store's scheduled review requests on "
                                             "(PUT /v1/stores/", request.store_id(), "/reviewRequestSettings)"));
      }
      store::ReviewRequestRow row{request.store_id(), request.order_id(), "SCHEDULED",
                                  *facts->delivered_at + absl::Hours(24) * earliest_day, "", request};
      RETURN_IF_ERROR(store::PutReviewRequest(tx, row, std::nullopt));
      *response->mutable_scheduled_for() = ToProtoTime(row.due_at);
      return absl::OkStatus();
    }
    if (!eligible.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("no review request for order ", request.order_id(), ": ",
                                                        eligible.message()));
    }
    absl::StatusOr<v1::OutreachMessage> message = SendReviewRequest(tx, request, *facts, now);
    if (!message.ok()) return message.status();
    store::ReviewRequestRow row{request.store_id(), request.order_id(), "SENT", now, "", request};
    RETURN_IF_ERROR(store::PutReviewRequest(tx, row, now));
    *response->mutable_message() = *std::move(message);
    return absl::OkStatus();
  });
}

absl::StatusOr<int> ReviewDesk::SweepReviewRequests(int batch_size) {
  const absl::Time now = options_.clock();
  // Claimed and pushed back by a lease in one short transaction; each is then decided on its
  // own, with the order read outside any transaction.
  absl::StatusOr<std::vector<store::ReviewRequestRow>> due =
      db_.InTransaction<std::vector<store::ReviewRequestRow>>([&](Transaction& tx)
                                                                  -> absl::StatusOr<std::vector<store::ReviewRequestRow>> {
        absl::StatusOr<std::vector<store::ReviewRequestRow>> rows = store::ClaimDueReviewRequests(tx, now, batch_size);
        if (!rows.ok()) return rows.status();
        for (store::ReviewRequestRow row : *rows) {
          row.due_at = now + absl::Minutes(5);
          RETURN_IF_ERROR(store::PutReviewRequest(tx, row, std::nullopt));
        }
        return rows;
      });
  if (!due.ok()) return due.status();
  int handled = 0;
  for (const store::ReviewRequestRow& row : *due) {
    absl::StatusOr<OrderFacts> facts = options_.read_order(row.store_id, row.order_id);
    if (!facts.ok()) continue;  // due again when the lease ends
    const absl::Status decided = db_.InTransaction([&](Transaction& tx) -> absl::Status {
      absl::StatusOr<std::optional<store::ReviewRequestRow>> current =
          store::ReadReviewRequest(tx, row.store_id, row.order_id, true);
      if (!current.ok()) return current.status();
      if (!current->has_value() || (*current)->state != "SCHEDULED") return absl::OkStatus();
      absl::StatusOr<bool> opted_out = store::IsOptedOut(tx, row.store_id, facts->buyer_id);
      if (!opted_out.ok()) return opted_out.status();
      absl::StatusOr<std::optional<v1::ReviewRequestSettings>> settings = store::ReadSettings(tx, row.store_id);
      if (!settings.ok()) return settings.status();
      store::ReviewRequestRow next = **current;
      if (!settings->has_value() || !(*settings)->scheduled()) {
        next.state = "SKIPPED";
        next.reason = "the store turned scheduled review requests off";
        return store::PutReviewRequest(tx, next, std::nullopt);
      }
      const absl::Status eligible =
          CheckReviewRequestEligible(*facts, now, (*settings)->days_after_delivery(), *opted_out, false);
      if (!eligible.ok()) {
        next.state = "SKIPPED";
        next.reason = std::string(eligible.message());
        return store::PutReviewRequest(tx, next, std::nullopt);
      }
      absl::StatusOr<v1::OutreachMessage> message = SendReviewRequest(tx, row.request, *facts, now);
      if (message.status().code() == absl::StatusCode::kFailedPrecondition) {
        // The request text trips a rule as the rules stand now: retrying could not help.
        next.state = "SKIPPED";
        next.reason = std::string(message.status().message());
        return store::PutReviewRequest(tx, next, std::nullopt);
      }
      if (!message.ok()) return message.status();
      next.state = "SENT";
      return store::PutReviewRequest(tx, next, now);
    });
    if (decided.ok()) ++handled;
  }
  return handled;
}

absl::Status ReviewDesk::GetReviewRequestSettings(const Caller& caller, const v1::GetReviewRequestSettingsRequest& request,
                                                  v1::GetReviewRequestSettingsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::ReviewRequestSettings>> settings = store::ReadSettings(tx, request.store_id());
    if (!settings.ok()) return settings.status();
    v1::ReviewRequestSettings out;
    if (settings->has_value()) out = **settings;
    if (out.days_after_delivery() == 0) out.set_days_after_delivery(kEarliestReviewRequestDay);
    *response->mutable_settings() = std::move(out);
    return absl::OkStatus();
  });
}

absl::Status ReviewDesk::PutReviewRequestSettings(const Caller& caller, const v1::PutReviewRequestSettingsRequest& request,
                                                  v1::PutReviewRequestSettingsResponse* response) {
  RETURN_IF_ERROR(ValidateId("store_id", request.store_id()));
  const v1::ReviewRequestSettings& s = request.settings();
  if (s.days_after_delivery() != 0 &&
      (s.days_after_delivery() < kEarliestReviewRequestDay || s.days_after_delivery() > kLatestReviewRequestDay)) {
    return absl::InvalidArgumentError("settings.days_after_delivery: 5..30 (marketplaces allow requests 5 to 30 days "
                                      "after delivery)");
  }
  RETURN_IF_ERROR(ValidateText("settings.store_name", s.store_name(), 200, false));
  RETURN_IF_ERROR(ValidateLanguage("settings.language", s.language(), false));
  RETURN_IF_ERROR(CheckStoreAccess(caller, request.store_id()));
  v1::ReviewRequestSettings stored = s;
  if (stored.days_after_delivery() == 0) stored.set_days_after_delivery(kEarliestReviewRequestDay);
  RETURN_IF_ERROR(db_.InTransaction(
      [&](Transaction& tx) { return store::PutSettings(tx, request.store_id(), stored, options_.clock()); }));
  *response->mutable_settings() = std::move(stored);
  return absl::OkStatus();
}

absl::Status ReviewDesk::PurgeExpired() {
  const absl::Time now = options_.clock();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(PurgeExpiredIdempotencyKeys(tx, now).status());
    return PurgeDeliveredOutbox(tx, now - absl::Hours(24 * 7)).status();
  });
}

}  // namespace aftersales::reviews
