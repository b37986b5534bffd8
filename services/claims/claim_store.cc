#include "services/claims/claim_store.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/documents.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::claims::store {
namespace {

constexpr absl::string_view kListTag = "claims";

// All but the keys (claim_id, store_id): an update never moves a claim to another store, so
// never to another shard.
std::vector<SqlParam> ClaimColumns(const v1::Claim& c, const std::string& document) {
  std::optional<absl::Time> outcome_at;
  if (c.has_outcome_at()) outcome_at = FromProtoTime(c.outcome_at());
  return {
      c.marketplace_claim_id(),
      c.order().order_id(),
      v1::ClaimKind_Name(c.kind()),
      v1::ClaimReason_Name(c.reason()),
      v1::Claim::Status_Name(c.status()),
      c.outcome() == v1::OUTCOME_UNSPECIFIED ? std::string() : v1::ClaimOutcome_Name(c.outcome()),
      FromProtoTime(c.opened_at()),
      FromProtoTime(c.respond_by()),
      outcome_at,
      c.counts_as_defect(),
      document,
      FromProtoTime(c.updated_at())};
}

absl::StatusOr<std::vector<v1::Claim>> ClaimsFromRows(const std::vector<Row>& rows) {
  std::vector<v1::Claim> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    v1::Claim claim;
    RETURN_IF_ERROR(FromJsonDocument(row.String(0), &claim));
    out.push_back(std::move(claim));
  }
  return out;
}

}  // namespace

absl::Status InsertClaim(Transaction& tx, const v1::Claim& claim) {
  absl::StatusOr<std::string> document = ToJsonDocument(claim);
  if (!document.ok()) return document.status();
  std::vector<SqlParam> params = {claim.claim_id(), claim.store_id()};
  for (SqlParam& p : ClaimColumns(claim, *document)) params.push_back(std::move(p));
  params.emplace_back(FromProtoTime(claim.created_at()));
  absl::StatusOr<uint64_t> inserted = tx.Execute(
      "INSERT INTO claims (claim_id, store_id, marketplace_claim_id, order_id, kind, reason, status, "
      "outcome, opened_at, respond_by, outcome_at, counts_as_defect, document, updated_at, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      params);
  return inserted.status();
}

absl::Status UpdateClaim(Transaction& tx, const v1::Claim& claim) {
  absl::StatusOr<std::string> document = ToJsonDocument(claim);
  if (!document.ok()) return document.status();
  std::vector<SqlParam> params = ClaimColumns(claim, *document);
  params.emplace_back(claim.claim_id());
  params.emplace_back(claim.store_id());
  absl::StatusOr<uint64_t> updated = tx.Execute(
      "UPDATE claims SET marketplace_claim_id = ?, order_id = ?, kind = ?, reason = ?, "
      "status = ?, outcome = ?, opened_at = ?, respond_by = ?, outcome_at = ?, "
      "counts_as_defect = ?, document = ?, updated_at = ? WHERE claim_id = ? AND store_id = ?",
      params);
  return updated.status();
}

absl::StatusOr<v1::Claim> ReadClaim(Transaction& tx, const std::string& claim_id, bool for_update) {
  absl::StatusOr<Row> row = tx.QueryOne(
      absl::StrCat("SELECT document FROM claims WHERE claim_id = ?", for_update ? " FOR UPDATE" : ""),
      {claim_id}, absl::StrCat("claim ", claim_id, " not found"));
  if (!row.ok()) return row.status();
  v1::Claim claim;
  RETURN_IF_ERROR(FromJsonDocument(row->String(0), &claim));
  return claim;
}

absl::StatusOr<std::optional<v1::Claim>> FindByMarketplaceId(Transaction& tx, const std::string& store_id,
                                                             const std::string& marketplace_claim_id) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT document FROM claims WHERE store_id = ? AND marketplace_claim_id = ? FOR UPDATE",
      {store_id, marketplace_claim_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  absl::StatusOr<std::vector<v1::Claim>> claims = ClaimsFromRows(*rows);
  if (!claims.ok()) return claims.status();
  return std::move(claims->front());
}

absl::StatusOr<std::vector<v1::Claim>> ListClaims(Transaction& tx, const ClaimFilter& filter,
                                                  std::string* next_page_token) {
  std::string sql = "SELECT document, respond_by, claim_id FROM claims WHERE store_id = ?";
  std::vector<SqlParam> params = {filter.store_id};
  if (!filter.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(filter.status);
  }
  if (filter.due_before.has_value()) {
    sql += " AND respond_by < ?";
    params.emplace_back(*filter.due_before);
  }
  if (!filter.page_token.empty()) {
    absl::Time at;
    std::string id;
    RETURN_IF_ERROR(DecodeTimeCursor(kListTag, filter.page_token, &at, &id));
    sql += " AND (respond_by > ? OR (respond_by = ? AND claim_id > ?))";
    params.emplace_back(at);
    params.emplace_back(at);
    params.emplace_back(id);
  }
  absl::StrAppend(&sql, " ORDER BY respond_by, claim_id LIMIT ", filter.page_size + 1);
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  next_page_token->clear();
  if (static_cast<int>(rows->size()) > filter.page_size) {
    rows->erase(rows->begin() + filter.page_size, rows->end());
    const Row& last = rows->back();
    *next_page_token = EncodeTimeCursor(kListTag, last.Time(1).value_or(absl::UnixEpoch()), last.String(2));
  }
  return ClaimsFromRows(*rows);
}

absl::StatusOr<std::vector<v1::Claim>> ClaimsOpenedBetween(Transaction& tx, const std::string& store_id,
                                                           absl::Time from, absl::Time to, int limit) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT document FROM claims WHERE store_id = ? AND opened_at >= ? AND opened_at < ? "
                   "ORDER BY opened_at, claim_id LIMIT ",
                   limit),
      {store_id, from, to});
  if (!rows.ok()) return rows.status();
  return ClaimsFromRows(*rows);
}

absl::Status ScheduleAlerts(Transaction& tx, const v1::Claim& claim,
                            const std::vector<std::pair<std::string, absl::Time>>& alerts) {
  for (const auto& [kind, due_at] : alerts) {
    absl::StatusOr<uint64_t> inserted = tx.Execute(
        "INSERT IGNORE INTO claim_alerts (claim_id, store_id, kind, due_at) VALUES (?, ?, ?, ?)",
        {claim.claim_id(), claim.store_id(), kind, due_at});
    if (!inserted.ok()) return inserted.status();
  }
  return absl::OkStatus();
}

absl::Status CancelPendingAlerts(Transaction& tx, const std::string& store_id, const std::string& claim_id) {
  return tx
      .Execute("UPDATE claim_alerts SET state = 'CANCELLED' WHERE store_id = ? AND claim_id = ? AND state = 'PENDING'",
               {store_id, claim_id})
      .status();
}

absl::StatusOr<std::vector<AlertRow>> LockDueAlerts(Transaction& tx, absl::Time now, int limit) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT alert_id, claim_id, kind, due_at, store_id FROM claim_alerts "
                   "WHERE state = 'PENDING' AND due_at <= ? ORDER BY due_at LIMIT ",
                   limit, " FOR UPDATE SKIP LOCKED"),
      {now});
  if (!rows.ok()) return rows.status();
  std::vector<AlertRow> out;
  for (const Row& r : *rows) {
    out.push_back({r.Int(0), r.String(1), r.String(2), r.Time(3).value_or(absl::UnixEpoch()), r.String(4)});
  }
  return out;
}

absl::Status MarkAlertRaised(Transaction& tx, const AlertRow& alert, absl::Time now) {
  return tx
      .Execute("UPDATE claim_alerts SET state = 'RAISED', raised_at = ? WHERE store_id = ? AND alert_id = ?",
               {now, alert.store_id, alert.alert_id})
      .status();
}

absl::Status MarkAlertCancelled(Transaction& tx, const AlertRow& alert) {
  return tx
      .Execute("UPDATE claim_alerts SET state = 'CANCELLED' WHERE store_id = ? AND alert_id = ?",
               {alert.store_id, alert.alert_id})
      .status();
}

absl::Status InsertPacket(Transaction& tx, const std::string& store_id, const v1::Packet& packet) {
  // A packet of a busy order is hundreds of kilobytes: kept as the protobuf's own bytes (base64
  // for the text protocol), which write and read many times faster than its JSON.
  return tx
      .Execute("INSERT INTO claim_packets (claim_id, store_id, built_at, partial, packet) VALUES (?, ?, ?, ?, ?)",
               {packet.claim_id(), store_id, FromProtoTime(packet.built_at()), packet.partial(),
                absl::Base64Escape(packet.SerializeAsString())})
      .status();
}

absl::StatusOr<v1::Packet> LatestPacket(Transaction& tx, const std::string& store_id, const std::string& claim_id) {
  absl::StatusOr<Row> row = tx.QueryOne(
      "SELECT packet FROM claim_packets WHERE store_id = ? AND claim_id = ? ORDER BY packet_id DESC LIMIT 1",
      {store_id, claim_id},
      absl::StrCat("no packet was built for claim ", claim_id, " yet: POST /v1/claims/", claim_id,
                   ":buildPacket first"));
  if (!row.ok()) return row.status();
  std::string bytes;
  v1::Packet packet;
  if (!absl::Base64Unescape(row->String(0), &bytes) || !packet.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("the stored packet of claim ", claim_id, " is unreadable"));
  }
  return packet;
}

absl::StatusOr<std::optional<v1::ClaimSettings>> ReadSettings(Transaction& tx, const std::string& store_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT document FROM claim_settings WHERE store_id = ?", {store_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  v1::ClaimSettings settings;
  RETURN_IF_ERROR(FromJsonDocument(rows->front().String(0), &settings));
  return settings;
}

absl::Status WriteSettings(Transaction& tx, const std::string& store_id, const v1::ClaimSettings& settings,
                           absl::Time now) {
  absl::StatusOr<std::string> document = ToJsonDocument(settings);
  if (!document.ok()) return document.status();
  return tx
      .Execute("INSERT INTO claim_settings (store_id, document, updated_at) VALUES (?, ?, ?) "
               "ON DUPLICATE KEY UPDATE document = VALUES(document), updated_at = VALUES(updated_at)",
               {store_id, *document, now})
      .status();
}

}  // namespace aftersales::claims::store
