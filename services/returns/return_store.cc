#include "services/returns/return_store.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::returns::store {
namespace {

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& m) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(m, &out);
  if (!status.ok()) return absl::InternalError(absl::StrCat("encode: ", status.ToString()));
  return out;
}

absl::Status FromJson(const std::string& json, google::protobuf::Message* m) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // documents a newer build wrote stay readable
  const auto status = google::protobuf::util::JsonStringToMessage(json, m, options);
  if (!status.ok()) return absl::InternalError(absl::StrCat("stored document: ", status.ToString()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Return>> ReturnsFromRows(const std::vector<Row>& rows) {
  std::vector<v1::Return> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    v1::Return ret;
    RETURN_IF_ERROR(FromJson(row.String(0), &ret));
    out.push_back(std::move(ret));
  }
  return out;
}

}  // namespace

absl::Status InsertReturn(Transaction& tx, const v1::Return& ret) {
  absl::StatusOr<std::string> json = ToJson(ret);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO returns (return_id, store_id, order_id, status, created_at, "
                    "updated_at, document) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    {ret.return_id(), ret.store_id(), ret.return_case().order().order_id(),
                     ret.status(), FromProtoTime(ret.created_at()), FromProtoTime(ret.updated_at()),
                     *json})
      .status();
}

absl::Status UpdateReturn(Transaction& tx, const v1::Return& ret) {
  absl::StatusOr<std::string> json = ToJson(ret);
  if (!json.ok()) return json.status();
  return tx
      .Execute(
          "UPDATE returns SET status = ?, updated_at = ?, document = ? WHERE store_id = ? AND "
          "return_id = ?",
          {ret.status(), FromProtoTime(ret.updated_at()), *json, ret.store_id(), ret.return_id()})
      .status();
}

std::string ReturnNotFound(absl::string_view return_id) {
  return absl::StrCat("return ", return_id, " not found");
}

absl::StatusOr<v1::Return> ReadReturn(Transaction& tx, const std::string& return_id, bool for_update) {
  absl::StatusOr<Row> row = tx.QueryOne(
      absl::StrCat("SELECT document FROM returns WHERE return_id = ?", for_update ? " FOR UPDATE" : ""),
      {return_id}, ReturnNotFound(return_id));
  if (!row.ok()) return row.status();
  v1::Return ret;
  RETURN_IF_ERROR(FromJson(row->String(0), &ret));
  return ret;
}

absl::StatusOr<std::vector<absl::CivilDay>> ReadHolidays(Transaction& tx, const std::string& site) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT DATE_FORMAT(day, '%Y-%m-%d') FROM site_holidays WHERE site = ? ORDER BY day",
               {site});
  if (!rows.ok()) return rows.status();
  std::vector<absl::CivilDay> days;
  for (const Row& r : *rows) {
    absl::CivilDay day;
    if (absl::ParseCivilTime(r.String(0), &day)) days.push_back(day);
  }
  return days;
}

absl::Status PutHolidays(Transaction& tx, const std::string& site,
                         const std::vector<absl::CivilDay>& days) {
  RETURN_IF_ERROR(tx.Execute("DELETE FROM site_holidays WHERE site = ?", {site}).status());
  for (const absl::CivilDay& day : days) {
    RETURN_IF_ERROR(tx.Execute("INSERT IGNORE INTO site_holidays (site, day) VALUES (?, ?)",
                               {site, absl::FormatCivilTime(day)})
                        .status());
  }
  return absl::OkStatus();
}

absl::Status SyncDeadlines(Transaction& tx, const std::string& store_id,
                           const std::string& return_id,
                           const std::vector<ReturnDeadline>& deadlines, absl::Time now) {
  for (const ReturnDeadline& d : deadlines) {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO return_deadlines (return_id, kind, store_id, due_at, state, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                   "due_at = VALUES(due_at), updated_at = VALUES(updated_at), "
                   "state = IF(state = 'BREACHED', 'BREACHED', VALUES(state))",
                   {return_id, d.kind, store_id, d.due_at, d.met ? "MET" : "PENDING", now})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<DueDeadline>> BreachDueDeadlines(Transaction& tx, absl::Time now,
                                                            int limit) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT return_id, kind, store_id FROM return_deadlines WHERE state = 'PENDING' AND "
      "due_at <= ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED",
      {now, limit});
  if (!rows.ok()) return rows.status();
  std::vector<DueDeadline> out;
  for (const Row& r : *rows) {
    out.push_back({r.String(0), r.String(1), r.String(2)});
    RETURN_IF_ERROR(tx.Execute("UPDATE return_deadlines SET state = 'BREACHED', updated_at = ? "
                               "WHERE store_id = ? AND return_id = ? AND kind = ?",
                               {now, r.String(2), r.String(0), r.String(1)})
                        .status());
  }
  return out;
}

absl::Status LockOrder(Transaction& tx, const std::string& store_id, const std::string& order_id,
                       absl::Time now) {
  // One statement that takes the row's exclusive lock whether it inserts it or finds it. An
  // INSERT IGNORE then SELECT ... FOR UPDATE would take a shared lock first, and two callers
  // holding it would deadlock on the upgrade.
  return tx
      .Execute("INSERT INTO order_locks (store_id, order_id, created_at) VALUES (?, ?, ?) "
               "ON DUPLICATE KEY UPDATE order_id = order_id",
               {store_id, order_id, now})
      .status();
}

absl::StatusOr<std::vector<v1::Return>> ReturnsOfOrder(Transaction& tx, const std::string& store_id,
                                                       const std::string& order_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT document FROM returns WHERE store_id = ? AND order_id = ? "
               "ORDER BY created_at, return_id",
               {store_id, order_id});
  if (!rows.ok()) return rows.status();
  return ReturnsFromRows(*rows);
}

absl::StatusOr<ReturnPage> ListReturns(Transaction& tx, const v1::ListReturnsRequest& r) {
  std::string sql = "SELECT document, created_at, return_id FROM returns WHERE store_id = ?";
  std::vector<SqlParam> params = {r.store_id()};
  if (!r.order_id().empty()) {
    sql += " AND order_id = ?";
    params.emplace_back(r.order_id());
  }
  if (r.status() != v1::Return::STATUS_UNSPECIFIED) {
    sql += " AND status = ?";
    params.emplace_back(r.status());
  }
  if (!r.page_token().empty()) {
    const absl::Status bad =
        absl::InvalidArgumentError("page_token: not a token this service issued; start without one");
    std::string raw;
    if (!absl::WebSafeBase64Unescape(r.page_token(), &raw)) return bad;
    std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 2));
    int64_t micros = 0;
    if (parts.size() != 3 || parts[0] != "r1" || !absl::SimpleAtoi(parts[1], &micros)) return bad;
    sql += " AND (created_at > ? OR (created_at = ? AND return_id > ?))";
    params.emplace_back(absl::FromUnixMicros(micros));
    params.emplace_back(absl::FromUnixMicros(micros));
    params.emplace_back(parts[2]);
  }
  const int page_size = r.page_size() == 0 ? 50 : r.page_size();
  sql += " ORDER BY created_at, return_id LIMIT ?";
  params.emplace_back(page_size + 1);
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  ReturnPage page;
  const bool more = static_cast<int>(rows->size()) > page_size;
  if (more) rows->erase(rows->begin() + page_size, rows->end());
  absl::StatusOr<std::vector<v1::Return>> returns = ReturnsFromRows(*rows);
  if (!returns.ok()) return returns.status();
  page.returns = *std::move(returns);
  if (more) {
    const Row& last = rows->back();
    page.next_page_token = absl::WebSafeBase64Escape(
        absl::StrCat("r1|", absl::ToUnixMicros(last.Time(1).value_or(absl::UnixEpoch())), "|",
                     last.String(2)));
  }
  return page;
}

absl::StatusOr<std::optional<v1::ReturnPolicy>> ReadPolicy(Transaction& tx, const std::string& store_id,
                                                           int marketplace, const std::string& site,
                                                           bool for_update) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT document, updated_at FROM return_policies WHERE store_id = ? AND "
                   "marketplace = ? AND site = ?",
                   for_update ? " FOR UPDATE" : ""),
      {store_id, marketplace, site});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::ReturnPolicy>();
  v1::ReturnPolicy policy;
  RETURN_IF_ERROR(FromJson(rows->front().String(0), &policy));
  if (std::optional<absl::Time> t = rows->front().Time(1)) *policy.mutable_updated_at() = ToProtoTime(*t);
  return std::optional<v1::ReturnPolicy>(std::move(policy));
}

absl::Status PutPolicy(Transaction& tx, const std::string& store_id, int marketplace,
                       const std::string& site, const v1::ReturnPolicy& policy, absl::Time now) {
  v1::ReturnPolicy stored = policy;
  stored.clear_updated_at();
  absl::StatusOr<std::string> json = ToJson(stored);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO return_policies (store_id, marketplace, site, document, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE document = VALUES(document), "
                    "updated_at = VALUES(updated_at)",
                    {store_id, marketplace, site, *json, now})
      .status();
}

}  // namespace aftersales::returns::store
