#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql.h"

namespace aftersales {

// A transactional outbox: a call another service must receive (a return's ticket, an outreach
// message) is written as a row in the same transaction as the change that needs it, then made
// by a background deliverer with retries and the row's idempotency key, so however often it is
// sent (the other service down, a lost answer, two replicas) it takes effect once.
//
// Every service that uses it has an `outbox` table of the same shape (see a service's
// migrations): outbox_id, store_id (the store whose change wrote it), subject_id (what the
// call is about: a return, an outreach case), kind, payload (base64 of the serialized request),
// idem_key, state PENDING/DELIVERED/FAILED, attempts, next_attempt_at, last_error, created_at,
// delivered_at. An entry is named by (store_id, outbox_id): sharded by store
// (docs/scaling.md), an entry lives beside the change that wrote it, and outbox_id counts per
// shard.
struct OutboxEntry {
  int64_t outbox_id = 0;
  std::string store_id;
  std::string subject_id;
  std::string kind;
  std::string payload;  // the serialized request; empty when the stored one was unreadable
  std::string idem_key;
  int attempts = 0;
};

absl::Status EnqueueOutbox(Transaction& tx, const std::string& store_id,
                           const std::string& subject_id, const std::string& kind,
                           const std::string& payload, const std::string& idem_key, absl::Time now);

// Only a PENDING entry changes: an attempt that outlived its lease must not rewrite what another
// deliverer recorded (above all a DELIVERED entry).
absl::Status MarkOutboxDelivered(Transaction& tx, const OutboxEntry& entry, absl::Time now);
// Tries again at next_attempt.
absl::Status MarkOutboxRetry(Transaction& tx, const OutboxEntry& entry, const std::string& error,
                             absl::Time next_attempt);
// Never tried again: the other side refused the request itself.
absl::Status MarkOutboxFailed(Transaction& tx, const OutboxEntry& entry, const std::string& error);

// A subject's PENDING entries become FAILED with `reason` (a buyer who opted out): never sent,
// still visible to an admin. Returns how many.
absl::StatusOr<uint64_t> CancelPendingOutbox(Transaction& tx, const std::string& store_id,
                                             const std::string& subject_id,
                                             const std::string& reason);

struct OutboxCounts {
  int64_t pending = 0;
  int64_t failed = 0;
};
absl::StatusOr<OutboxCounts> CountOutbox(Transaction& tx);

// FAILED entries back to PENDING, due now, attempts from zero: those of one subject, or all when
// subject_id is empty. Returns how many.
absl::StatusOr<uint64_t> RequeueFailedOutbox(Transaction& tx, const std::string& subject_id, absl::Time now);

struct FailedOutboxEntry {
  std::string subject_id;
  std::string kind;
  int attempts = 0;
  std::string last_error;
};
// The oldest FAILED entries first.
absl::StatusOr<std::vector<FailedOutboxEntry>> ListFailedOutbox(Transaction& tx, int limit);

// Delivered entries older than `before`, a batch at a time.
absl::StatusOr<uint64_t> PurgeDeliveredOutbox(Transaction& tx, absl::Time before);

// Delivers due entries. Entries are leased one by one in short transactions (FOR UPDATE SKIP
// LOCKED, so replicas share the work) and each call is made with no transaction open, so a slow
// receiver holds no database locks; an entry whose deliverer died is due again when its lease
// ends. An outage (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED, INTERNAL,
// UNKNOWN, CANCELLED, and UNAUTHENTICATED: identity keys that disagree are a deployment's
// mistake, fixed without touching the entry) is retried after 1 s, 2 s, 4 s ... up to 5
// minutes; a refusal of the request itself (INVALID_ARGUMENT, ...) marks the entry FAILED,
// logged, for a person (an admin call requeues it): retrying it could never succeed.
// Exports `counts` (entries by state) as the gauge aftersales_ticket_outbox_entries{state}, for
// /metrics: FAILED entries wait for a person, so alert on them.
void AddOutboxGauge(std::string help, std::function<absl::StatusOr<std::map<std::string, int64_t>>()> counts);

class OutboxDeliverer {
 public:
  // Makes the call an entry stands for. OK with a result (the id the receiver gave, say) when
  // delivered; the call's status otherwise.
  using Deliver = std::function<absl::StatusOr<std::string>(const OutboxEntry&)>;
  // Records a delivery on the subject, in the transaction that marks the entry DELIVERED.
  using OnDelivered =
      std::function<absl::Status(Transaction&, const OutboxEntry&, const std::string& result, absl::Time now)>;

  // `lease` must outlive one delivery with all its retries at the channel.
  OutboxDeliverer(Database& db, Deliver deliver, OnDelivered on_delivered, absl::Duration lease,
                  std::function<absl::Time()> clock = [] { return absl::Now(); });

  // Delivers up to batch_size due entries; returns how many were delivered.
  absl::StatusOr<int> DeliverDue(int batch_size);

  // Entries by state (PENDING, FAILED), for /metrics.
  absl::StatusOr<std::map<std::string, int64_t>> CountByState();

  // Wait before attempt number `attempts + 1`.
  static absl::Duration Backoff(int attempts);
  // Whether a failed call is worth another attempt.
  static bool IsRetryable(absl::StatusCode code);

 private:
  // OK when delivered.
  absl::Status DeliverOne(const OutboxEntry& entry);

  Database& db_;
  Deliver deliver_;
  OnDelivered on_delivered_;
  absl::Duration lease_;
  std::function<absl::Time()> clock_;
};

}  // namespace aftersales
