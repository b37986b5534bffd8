#include "services/identity/api_key_desk.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api_keys.h"
#include "common/status.h"
#include "common/time_util.h"
#include "common/validation.h"

namespace aftersales::identity {
namespace {

constexpr char kKeyColumns[] =
    "key_id, name, role, all_stores, stores, created_by, created_at, last_used_at, revoked_at, "
    "revoked_by";
// Uses reported in one sync: far above any real team's automation.
constexpr int kMaxKeys = 1000;
constexpr size_t kMaxStoresPerKey = 200;

absl::Status NotFound() { return absl::NotFoundError("no such API key"); }

std::vector<std::string> SplitStores(const std::string& stores) {
  return absl::StrSplit(stores, ',', absl::SkipEmpty());
}

v1::ApiKey KeyFromRow(const Row& row) {
  v1::ApiKey key;
  key.set_key_id(row.String(0));
  key.set_name(row.String(1));
  key.set_role(static_cast<common::v1::AccessRole>(row.Int(2)));
  key.set_all_stores(row.Bool(3));
  for (const std::string& s : SplitStores(row.String(4))) key.add_stores(s);
  key.set_created_by(row.String(5));
  if (auto t = row.Time(6)) *key.mutable_create_time() = ToProtoTime(*t);
  if (auto t = row.Time(7)) *key.mutable_last_used_time() = ToProtoTime(*t);
  if (auto t = row.Time(8)) {
    key.set_revoked(true);
    *key.mutable_revoke_time() = ToProtoTime(*t);
    key.set_revoked_by(row.String(9));
  }
  return key;
}

bool Covers(const Caller& admin, const v1::ApiKey& key) {
  return AdminCovers(admin, key.all_stores(), {key.stores().begin(), key.stores().end()});
}

absl::Status BumpVersion(Transaction& tx) {
  return tx.Execute("UPDATE api_key_version SET version = version + 1 WHERE id = 1").status();
}

}  // namespace

bool AdminCovers(const Caller& admin, bool all_stores, const std::vector<std::string>& stores) {
  if (admin.all_stores) return true;
  if (all_stores) return false;
  for (const std::string& s : stores) {
    if (!admin.CanAccessStore(s)) return false;
  }
  return true;
}

absl::Status ApiKeyDesk::CreateApiKey(const Caller& caller, const v1::CreateApiKeyRequest& request,
                                      v1::CreateApiKeyResponse* response) {
  RETURN_IF_ERROR(ValidateText("name", request.name(), 200, /*required=*/true));
  absl::StatusOr<Role> role = FromAccessRole(request.role());
  if (!role.ok()) {
    return absl::InvalidArgumentError("role: AGENT, SUPERVISOR, ADMIN or SERVICE");
  }
  if (request.all_stores() == (request.stores_size() > 0)) {
    return absl::InvalidArgumentError(
        "stores: name the stores the key may touch, or set all_stores (not both)");
  }
  if (static_cast<size_t>(request.stores_size()) > kMaxStoresPerKey) {
    return absl::InvalidArgumentError(absl::StrCat("stores: at most ", kMaxStoresPerKey));
  }
  const std::vector<std::string> stores(request.stores().begin(), request.stores().end());
  for (size_t i = 0; i < stores.size(); ++i) {
    RETURN_IF_ERROR(ValidateId(absl::StrCat("stores[", i, "]"), stores[i]));
  }
  if (!AdminCovers(caller, request.all_stores(), stores)) {
    return absl::PermissionDeniedError(
        request.all_stores()
            ? "only an admin of every store grants a key to every store"
            : absl::StrCat(caller.principal, " may grant only stores they have"));
  }
  const ApiKeyParts key = NewApiKey();
  const absl::Time now = clock_();
  RETURN_IF_ERROR(db_.InTransaction([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO api_keys (key_id, name, secret_sha256, role, all_stores, stores, "
                   "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   {key.key_id, request.name(),
                    absl::BytesToHexString(HashApiKeySecret(key.secret)),
                    static_cast<int64_t>(request.role()), request.all_stores(),
                    absl::StrJoin(stores, ","), caller.principal, now})
            .status());
    return BumpVersion(tx);
  }));
  v1::ApiKey* out = response->mutable_api_key();
  out->set_key_id(key.key_id);
  out->set_name(request.name());
  out->set_role(request.role());
  out->set_all_stores(request.all_stores());
  for (const std::string& s : stores) out->add_stores(s);
  out->set_created_by(caller.principal);
  *out->mutable_create_time() = ToProtoTime(now);
  response->set_secret(FormatApiKey(key));
  return absl::OkStatus();
}

absl::Status ApiKeyDesk::ListApiKeys(const Caller& caller, const v1::ListApiKeysRequest&,
                                     v1::ListApiKeysResponse* response) {
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    response->clear_api_keys();
    absl::StatusOr<std::vector<Row>> rows =
        tx.Query(absl::StrCat("SELECT ", kKeyColumns,
                              " FROM api_keys ORDER BY created_at DESC, key_id"));
    if (!rows.ok()) return rows.status();
    for (const Row& row : *rows) {
      v1::ApiKey key = KeyFromRow(row);
      if (Covers(caller, key)) *response->add_api_keys() = std::move(key);
    }
    return absl::OkStatus();
  });
}

absl::Status ApiKeyDesk::RevokeApiKey(const Caller& caller, const v1::RevokeApiKeyRequest& request,
                                      v1::RevokeApiKeyResponse* response) {
  if (!ParseApiKey(absl::StrCat(kApiKeyPrefix, request.key_id(), "_x")).ok()) {
    return absl::InvalidArgumentError("key_id: 16 lower-case hex digits, as the list shows it");
  }
  const absl::Time now = clock_();
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<Row> row =
        tx.QueryOne(absl::StrCat("SELECT ", kKeyColumns, " FROM api_keys WHERE key_id = ? FOR UPDATE"),
                    {request.key_id()}, "no such API key");
    if (!row.ok()) return row.status();
    v1::ApiKey key = KeyFromRow(*row);
    if (!Covers(caller, key)) return NotFound();
    if (!key.revoked()) {
      RETURN_IF_ERROR(tx.Execute("UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE key_id = ?",
                                 {now, caller.principal, request.key_id()})
                          .status());
      RETURN_IF_ERROR(BumpVersion(tx));
      key.set_revoked(true);
      *key.mutable_revoke_time() = ToProtoTime(now);
      key.set_revoked_by(caller.principal);
    }
    *response->mutable_api_key() = std::move(key);
    return absl::OkStatus();
  });
}

absl::Status ApiKeyDesk::SyncApiKeys(const Caller& caller, const v1::SyncApiKeysRequest& request,
                                     v1::SyncApiKeysResponse* response) {
  // The hashes are for gateways and services (ServiceCaller), not for automation holding a
  // SERVICE API key.
  if (!absl::EndsWith(caller.principal, "-service")) {
    return absl::PermissionDeniedError(
        "only gateways and Aftersales services sync API keys, not API-key callers");
  }
  if (request.used_size() > kMaxKeys) {
    return absl::InvalidArgumentError(absl::StrCat("used: at most ", kMaxKeys, " per sync"));
  }
  return db_.InTransaction([&](Transaction& tx) -> absl::Status {
    response->Clear();
    for (const v1::ApiKeyUse& use : request.used()) {
      if (!use.has_last_used_time()) continue;
      // Uses come from many gateways, late and out of order: keep the latest.
      RETURN_IF_ERROR(tx.Execute("UPDATE api_keys SET last_used_at = GREATEST(COALESCE("
                                 "last_used_at, ?), ?) WHERE key_id = ?",
                                 {FromProtoTime(use.last_used_time()),
                                  FromProtoTime(use.last_used_time()), use.key_id()})
                          .status());
    }
    absl::StatusOr<Row> version = tx.QueryOne("SELECT version FROM api_key_version WHERE id = 1",
                                              {}, "the api_key_version row is missing");
    if (!version.ok()) return version.status();
    response->set_version(version->Int(0));
    if (version->Int(0) == request.known_version()) {
      response->set_unchanged(true);
      return absl::OkStatus();
    }
    absl::StatusOr<std::vector<Row>> rows =
        tx.Query("SELECT key_id, secret_sha256, role, all_stores, stores FROM api_keys "
                 "WHERE revoked_at IS NULL");
    if (!rows.ok()) return rows.status();
    for (const Row& row : *rows) {
      v1::LiveApiKey* key = response->add_keys();
      key->set_key_id(row.String(0));
      key->set_secret_sha256(absl::HexStringToBytes(row.String(1)));
      key->set_role(static_cast<common::v1::AccessRole>(row.Int(2)));
      key->set_all_stores(row.Bool(3));
      for (const std::string& s : SplitStores(row.String(4))) key->add_stores(s);
    }
    return absl::OkStatus();
  });
}

}  // namespace aftersales::identity
