#pragma once

#include <boost/beast/http/fields.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftersales::gateway {

// Who a request acts as, sent to the backends as x-aftersales-principal / -role / -stores. The
// views point into the Authenticator or the request's headers: valid while both are.
struct Principal {
  absl::string_view name;
  absl::string_view role;    // "agent", "supervisor", "admin", "service"
  absl::string_view stores;  // "*" or "store-1,store-2"
};

// Decides who each request acts as.
//
// The only mode so far is "development": no credentials are checked; every request acts as the
// fixed principal "dev" with the configured role and stores, and the headers X-Dev-Principal,
// X-Dev-Role and X-Dev-Stores override them (so tests can act as an agent of one store). Real
// authentication (JWT bearer, API keys) is a later issue; it will be another mode here.
class Authenticator {
 public:
  // INVALID_ARGUMENT for an unknown mode, a role that is not one, or malformed stores.
  static absl::StatusOr<Authenticator> Create(absl::string_view mode, absl::string_view dev_role,
                                              absl::string_view dev_stores);

  // UNAUTHENTICATED naming the header that is malformed.
  absl::StatusOr<Principal> Authenticate(const boost::beast::http::fields& headers) const;

  const std::string& mode() const { return mode_; }
  // "principal 'dev', role 'admin', stores '*'" for the start-up warning.
  std::string Describe() const;

 private:
  Authenticator() = default;

  std::string mode_;
  std::string dev_principal_ = "dev";
  std::string dev_role_;
  std::string dev_stores_;
};

// True for 1..max_length characters of printable ASCII, which any gRPC metadata value may hold.
bool IsPrintableAscii(absl::string_view value, size_t max_length);

}  // namespace aftersales::gateway
