#include "common/idempotency.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"

namespace aftersales {

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  // FNV-1a: stable across builds and processes, unlike std::hash.
  uint64_t hash = 1469598103934665603ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", hash);
}

absl::StatusOr<uint64_t> PurgeExpiredIdempotencyKeys(Transaction& tx, absl::Time now,
                                                     absl::Duration keep) {
  return tx.Execute("DELETE FROM idempotency_keys WHERE created_at < ? LIMIT 1000", {now - keep});
}

absl::Status ValidateIdempotencyKey(absl::string_view key) {
  if (key.size() > 255) {
    return absl::InvalidArgumentError("Idempotency-Key: at most 255 characters are accepted");
  }
  for (const char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "Idempotency-Key: only printable ASCII without spaces is accepted");
    }
  }
  return absl::OkStatus();
}

absl::Status StoreIdempotencyRecords(Transaction& tx, absl::Span<const IdempotencyRecord> records) {
  if (records.empty()) return absl::OkStatus();
  // Rows in key order: two transactions storing overlapping keys lock them in the same order, so
  // one waits for the other instead of deadlocking.
  std::vector<const IdempotencyRecord*> sorted;
  sorted.reserve(records.size());
  for (const IdempotencyRecord& r : records) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](const IdempotencyRecord* a, const IdempotencyRecord* b) {
              return std::tie(a->scope, a->key) < std::tie(b->scope, b->key);
            });
  std::vector<SqlParam> values;
  values.reserve(sorted.size() * 4);
  for (const IdempotencyRecord* r : sorted) {
    values.emplace_back(r->scope);
    values.emplace_back(r->key);
    values.emplace_back(r->fingerprint);
    values.emplace_back(absl::Base64Escape(r->response->SerializeAsString()));
  }
  return tx
      .Execute(MultiRowInsert("INSERT INTO idempotency_keys (scope, idem_key, request_hash, "
                              "response, created_at)",
                              "(?, ?, ?, ?, UTC_TIMESTAMP(6))", sorted.size()),
               values)
      .status();
}

absl::Status RunIdempotent(Database& db, absl::string_view scope, absl::string_view key,
                           const google::protobuf::Message& request,
                           google::protobuf::Message* response, const IdempotentStep& create,
                           bool* replayed, const IdempotentStep& complete) {
  if (replayed != nullptr) *replayed = false;
  // Every attempt starts from an empty response: a retried transaction must not find the
  // repeated fields of the attempt before.
  if (key.empty()) {
    return db.InTransaction([&](Transaction& tx) -> absl::Status {
      response->Clear();
      RETURN_IF_ERROR(create(tx, response));
      return complete ? complete(tx, response) : absl::OkStatus();
    });
  }
  if (absl::Status s = ValidateIdempotencyKey(key); !s.ok()) return s;
  const std::string fingerprint = RequestFingerprint(request);

  // The effect first, the key's row last: a concurrent twin blocks on that row until we commit,
  // then sees a duplicate key, rolls back and replays what we stored.
  absl::Status status = db.InTransaction([&](Transaction& tx) -> absl::Status {
    response->Clear();
    RETURN_IF_ERROR(create(tx, response));
    const IdempotencyRecord record{scope, key, fingerprint, response};
    RETURN_IF_ERROR(StoreIdempotencyRecords(tx, {&record, 1}));
    return complete ? complete(tx, response) : absl::OkStatus();
  });
  // ALREADY_EXISTS: the key was there already. Any other failure may be the first call's own
  // doing (a message sent counts against the next one; a state already moved on), so a stored
  // key is looked for then too: a retry gets the first answer, not an error the first call
  // caused. Failures that are not about the request (the database down) are answered as they are.
  if (status.ok() || status.code() == absl::StatusCode::kUnavailable ||
      status.code() == absl::StatusCode::kResourceExhausted || status.code() == absl::StatusCode::kDeadlineExceeded) {
    return status;
  }

  // Replay, unless the request differs.
  return db.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<Row> row = tx.QueryOne(
        "SELECT request_hash, response FROM idempotency_keys WHERE scope = ? AND idem_key = ?",
        {scope, key}, "idempotency key vanished");
    if (!row.ok()) {
      // No stored key: the create failed for a reason of its own.
      return row.status().code() == absl::StatusCode::kNotFound ? status : row.status();
    }
    if (row->String(0) != fingerprint) {
      return absl::AlreadyExistsError(absl::StrCat(
          "Idempotency-Key '", key,
          "' was already used for a different request; use a new key for a new request"));
    }
    std::string bytes;
    // NULL: a row claimed, not yet completed, by an older build that stored the key first.
    if (row->IsNull(1) || !absl::Base64Unescape(row->String(1), &bytes) ||
        !response->ParseFromString(bytes)) {
      return absl::AbortedError("the first request with this Idempotency-Key is still running; retry");
    }
    if (replayed != nullptr) *replayed = true;
    return complete ? complete(tx, response) : absl::OkStatus();
  });
}

}  // namespace aftersales
