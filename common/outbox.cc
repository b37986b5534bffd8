#include "common/outbox.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales {
namespace {

// Claims the oldest due entry no other deliverer holds, and leases it until lease_until.
absl::StatusOr<std::optional<OutboxEntry>> LeaseOne(Transaction& tx, absl::Time now, absl::Time lease_until) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT outbox_id, subject_id, kind, payload, idem_key, attempts, store_id FROM outbox "
      "WHERE state = 'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, outbox_id "
      "LIMIT 1 FOR UPDATE SKIP LOCKED",
      {now});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<OutboxEntry>();
  const Row& r = rows->front();
  OutboxEntry e;
  e.outbox_id = r.Int(0);
  e.subject_id = r.String(1);
  e.kind = r.String(2);
  // An unreadable payload is left empty: the deliverer fails that entry alone.
  if (!absl::Base64Unescape(r.String(3), &e.payload)) e.payload.clear();
  e.idem_key = r.String(4);
  e.attempts = static_cast<int>(r.Int(5));
  e.store_id = r.String(6);
  RETURN_IF_ERROR(
      tx.Execute("UPDATE outbox SET next_attempt_at = ? WHERE store_id = ? AND outbox_id = ?",
                 {lease_until, e.store_id, e.outbox_id})
          .status());
  return std::optional<OutboxEntry>(std::move(e));
}

}  // namespace

absl::Status EnqueueOutbox(Transaction& tx, const std::string& store_id,
                           const std::string& subject_id, const std::string& kind,
                           const std::string& payload, const std::string& idem_key,
                           absl::Time now) {
  return tx
      .Execute(
          "INSERT INTO outbox (store_id, subject_id, kind, payload, idem_key, state, attempts, "
          "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)",
          {store_id, subject_id, kind, absl::Base64Escape(payload), idem_key, now, now})
      .status();
}

absl::Status MarkOutboxDelivered(Transaction& tx, const OutboxEntry& entry, absl::Time now) {
  return tx
      .Execute(
          "UPDATE outbox SET state = 'DELIVERED', attempts = attempts + 1, delivered_at = ?, "
          "last_error = '' WHERE store_id = ? AND outbox_id = ? AND state = 'PENDING'",
          {now, entry.store_id, entry.outbox_id})
      .status();
}

absl::Status MarkOutboxRetry(Transaction& tx, const OutboxEntry& entry, const std::string& error,
                             absl::Time next_attempt) {
  return tx
      .Execute(
          "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
          "WHERE store_id = ? AND outbox_id = ? AND state = 'PENDING'",
          {next_attempt, error.substr(0, 1000), entry.store_id, entry.outbox_id})
      .status();
}

absl::Status MarkOutboxFailed(Transaction& tx, const OutboxEntry& entry, const std::string& error) {
  return tx
      .Execute(
          "UPDATE outbox SET state = 'FAILED', attempts = attempts + 1, last_error = ? "
          "WHERE store_id = ? AND outbox_id = ? AND state = 'PENDING'",
          {error.substr(0, 1000), entry.store_id, entry.outbox_id})
      .status();
}

absl::StatusOr<uint64_t> CancelPendingOutbox(Transaction& tx, const std::string& store_id,
                                             const std::string& subject_id,
                                             const std::string& reason) {
  return tx.Execute(
      "UPDATE outbox SET state = 'FAILED', last_error = ? WHERE store_id = ? AND subject_id = ? "
      "AND state = 'PENDING'",
      {reason.substr(0, 1000), store_id, subject_id});
}

absl::StatusOr<OutboxCounts> CountOutbox(Transaction& tx) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT COALESCE(SUM(state = 'PENDING'), 0), COALESCE(SUM(state = 'FAILED'), 0) FROM outbox");
  if (!rows.ok()) return rows.status();
  return OutboxCounts{rows->front().Int(0), rows->front().Int(1)};
}

absl::StatusOr<uint64_t> RequeueFailedOutbox(Transaction& tx, const std::string& subject_id, absl::Time now) {
  if (subject_id.empty()) {
    return tx.Execute("UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, attempts = 0 WHERE state = 'FAILED'",
                      {now});
  }
  return tx.Execute("UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, attempts = 0 "
                    "WHERE state = 'FAILED' AND subject_id = ?",
                    {now, subject_id});
}

absl::StatusOr<std::vector<FailedOutboxEntry>> ListFailedOutbox(Transaction& tx, int limit) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT subject_id, kind, attempts, last_error FROM outbox WHERE state = 'FAILED' ORDER BY outbox_id LIMIT ?",
      {limit});
  if (!rows.ok()) return rows.status();
  std::vector<FailedOutboxEntry> out;
  for (const Row& r : *rows) out.push_back({r.String(0), r.String(1), static_cast<int>(r.Int(2)), r.String(3)});
  return out;
}

absl::StatusOr<uint64_t> PurgeDeliveredOutbox(Transaction& tx, absl::Time before) {
  return tx.Execute("DELETE FROM outbox WHERE state = 'DELIVERED' AND delivered_at < ? LIMIT 1000", {before});
}

void AddOutboxGauge(std::string help, std::function<absl::StatusOr<std::map<std::string, int64_t>>()> counts) {
  ServerMetrics::Get().AddGauge("aftersales_ticket_outbox_entries", std::move(help), [counts = std::move(counts)] {
    GaugeSamples samples;
    absl::StatusOr<std::map<std::string, int64_t>> by_state = counts();
    if (!by_state.ok()) return samples;
    for (const char* state : {"PENDING", "FAILED"}) {
      const auto it = by_state->find(state);
      samples.push_back({absl::StrCat("state=\"", state, "\""), it == by_state->end() ? 0.0 : static_cast<double>(it->second)});
    }
    return samples;
  });
}

OutboxDeliverer::OutboxDeliverer(Database& db, Deliver deliver, OnDelivered on_delivered, absl::Duration lease,
                                 std::function<absl::Time()> clock)
    : db_(db),
      deliver_(std::move(deliver)),
      on_delivered_(std::move(on_delivered)),
      lease_(lease),
      clock_(std::move(clock)) {}

absl::Duration OutboxDeliverer::Backoff(int attempts) {
  return std::min(absl::Seconds(1) * (int64_t{1} << std::min(attempts, 20)), absl::Minutes(5));
}

bool OutboxDeliverer::IsRetryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnauthenticated:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::map<std::string, int64_t>> OutboxDeliverer::CountByState() {
  absl::StatusOr<OutboxCounts> counts =
      db_.InTransaction<OutboxCounts>([](Transaction& tx) { return CountOutbox(tx); });
  if (!counts.ok()) return counts.status();
  return std::map<std::string, int64_t>{{"PENDING", counts->pending}, {"FAILED", counts->failed}};
}

absl::StatusOr<int> OutboxDeliverer::DeliverDue(int batch_size) {
  int delivered = 0;
  for (int i = 0; i < batch_size; ++i) {
    const absl::Time now = clock_();
    // Each entry is leased on its own, just before its call: an entry waits for no other's
    // call, and a deliverer that dies holds one entry, not a batch.
    absl::StatusOr<std::optional<OutboxEntry>> leased = db_.InTransaction<std::optional<OutboxEntry>>(
        [&](Transaction& tx) { return LeaseOne(tx, now, now + lease_); });
    if (!leased.ok()) return leased.status();
    if (!leased->has_value()) break;
    // One entry's trouble is its own: the others are still delivered.
    if (DeliverOne(**leased).ok()) ++delivered;
  }
  return delivered;
}

absl::Status OutboxDeliverer::DeliverOne(const OutboxEntry& entry) {
  absl::StatusOr<std::string> result = entry.payload.empty()
                                           ? absl::DataLossError("the stored request is unreadable")
                                           : deliver_(entry);
  const absl::Time now = clock_();
  if (!result.ok()) {
    const std::string error = std::string(result.status().ToString());
    if (!IsRetryable(result.status().code())) {
      LogError("outbox entry refused; not retrying, requeue it once fixed",
               {{"subject_id", entry.subject_id}, {"kind", entry.kind}, {"error", error}});
      RETURN_IF_ERROR(
          db_.InTransaction([&](Transaction& tx) { return MarkOutboxFailed(tx, entry, error); }));
      return result.status();
    }
    const absl::Time next = now + Backoff(entry.attempts);
    LogWarning("outbox entry not delivered yet; will retry",
               {{"subject_id", entry.subject_id},
                {"kind", entry.kind},
                {"attempt", absl::StrCat(entry.attempts + 1)},
                {"error", error},
                {"next_attempt_at", ToSqlTime(next)}});
    RETURN_IF_ERROR(db_.InTransaction(
        [&](Transaction& tx) { return MarkOutboxRetry(tx, entry, error, next); }));
    return result.status();
  }
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    if (on_delivered_) RETURN_IF_ERROR(on_delivered_(tx, entry, *result, now));
    return MarkOutboxDelivered(tx, entry, now);
  });
}

}  // namespace aftersales
