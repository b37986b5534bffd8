#include "gateway/authenticator.h"

#include "absl/strings/str_cat.h"
#include "common/identity.h"

namespace aftersales::gateway {
namespace {

namespace http = boost::beast::http;

constexpr absl::string_view kDevelopmentMode = "development";
constexpr size_t kMaxPrincipalLength = 128;
constexpr size_t kMaxStoresLength = 4096;

absl::string_view Header(const http::fields& headers, absl::string_view name) {
  const auto it = headers.find(boost::beast::string_view(name.data(), name.size()));
  if (it == headers.end()) return {};
  return {it->value().data(), it->value().size()};
}

absl::Status CheckRole(absl::string_view role) { return ParseRole(role).status(); }

absl::Status CheckStores(absl::string_view stores) {
  if (!IsPrintableAscii(stores, kMaxStoresLength) || stores.find(' ') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "stores must be '*' or comma-separated store ids without spaces");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsPrintableAscii(absl::string_view value, size_t max_length) {
  if (value.empty() || value.size() > max_length) return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

absl::StatusOr<Authenticator> Authenticator::Create(absl::string_view mode,
                                                    absl::string_view dev_role,
                                                    absl::string_view dev_stores) {
  if (mode != kDevelopmentMode) {
    return absl::InvalidArgumentError(absl::StrCat(
        "auth_mode '", mode, "' is not supported; the only mode so far is 'development'"));
  }
  if (absl::Status s = CheckRole(dev_role); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("dev_role: ", s.message()));
  }
  if (absl::Status s = CheckStores(dev_stores); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("dev_stores: ", s.message()));
  }
  Authenticator a;
  a.mode_ = std::string(mode);
  a.dev_role_ = std::string(dev_role);
  a.dev_stores_ = std::string(dev_stores);
  return a;
}

absl::StatusOr<Principal> Authenticator::Authenticate(const http::fields& headers) const {
  Principal p{dev_principal_, dev_role_, dev_stores_};
  if (const absl::string_view name = Header(headers, "X-Dev-Principal"); !name.empty()) {
    if (!IsPrintableAscii(name, kMaxPrincipalLength)) {
      return absl::UnauthenticatedError(
          "X-Dev-Principal must be 1..128 printable ASCII characters");
    }
    p.name = name;
  }
  if (const absl::string_view role = Header(headers, "X-Dev-Role"); !role.empty()) {
    if (absl::Status s = CheckRole(role); !s.ok()) {
      return absl::UnauthenticatedError(absl::StrCat("X-Dev-Role: ", s.message()));
    }
    p.role = role;
  }
  if (const absl::string_view stores = Header(headers, "X-Dev-Stores"); !stores.empty()) {
    if (absl::Status s = CheckStores(stores); !s.ok()) {
      return absl::UnauthenticatedError(absl::StrCat("X-Dev-Stores: ", s.message()));
    }
    p.stores = stores;
  }
  return p;
}

std::string Authenticator::Describe() const {
  return absl::StrCat("principal '", dev_principal_, "', role '", dev_role_, "', stores '",
                      dev_stores_, "'");
}

}  // namespace aftersales::gateway
