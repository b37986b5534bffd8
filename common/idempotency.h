#pragma once

#include <functional>
#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/mysql.h"

namespace aftersales {

// Stored idempotency keys, after Stripe's: a key is kept with a fingerprint of the request and
// the response it produced. A retry with the same key and request replays that response and
// writes nothing; the same key with another request is refused. Each service database holds an
// idempotency_keys table (see services/tickets/migrations/0001_init.sql for its shape).
//
// RunIdempotent runs create(tx, response) in one transaction with the key's row, so the effect
// and the stored response commit together or not at all. With an empty key it just runs create.
// scope separates keys of different callers and methods ("alice:CreateTicket"). A concurrent
// twin with the same key waits on the key's row until the first commits, then replays.
// replayed, when given, says which of the two happened.
//
// complete, when given, fills in what the stored response leaves out (a ticket's conversation,
// which only grows): it runs after the key's row is written, in the same transaction, and on
// every replay, so a key's row holds what a replay needs and no more.
using IdempotentStep = std::function<absl::Status(Transaction&, google::protobuf::Message*)>;
absl::Status RunIdempotent(Database& db, absl::string_view scope, absl::string_view key,
                           const google::protobuf::Message& request,
                           google::protobuf::Message* response, const IdempotentStep& create,
                           bool* replayed = nullptr, const IdempotentStep& complete = nullptr);

// One key's row: the fingerprint of the request (RequestFingerprint) and the response it produced.
struct IdempotencyRecord {
  absl::string_view scope;
  absl::string_view key;
  std::string fingerprint;
  const google::protobuf::Message* response;
};

// Stores the rows in one statement inside tx, after the effect they record, so that both commit
// together. A key stored already, or being stored by a transaction not yet committed (tx waits
// for it), fails the statement with ALREADY_EXISTS: roll back, then RunIdempotent replays.
absl::Status StoreIdempotencyRecords(Transaction& tx, absl::Span<const IdempotencyRecord> records);

// Deletes keys older than `keep` (a batch at a time; call again while it returns 1000).
// Stripe keeps keys 24 h; a week covers a long weekend's outage and its retries.
absl::StatusOr<uint64_t> PurgeExpiredIdempotencyKeys(Transaction& tx, absl::Time now,
                                                     absl::Duration keep = absl::Hours(24 * 7));

// Keys are 1..255 printable ASCII characters.
absl::Status ValidateIdempotencyKey(absl::string_view key);

// A stable 64-bit fingerprint of a message's deterministic serialization, as hex.
std::string RequestFingerprint(const google::protobuf::Message& request);

}  // namespace aftersales
