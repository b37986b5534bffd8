#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales::testing {

// What came back from one HTTP request.
struct HttpResult {
  // 0 when no response arrived; error then says why (refused, timed out, ...).
  int status = 0;
  std::string error;
  // Header names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;

  // The header's value, "" when absent. The name is matched case-insensitively.
  std::string Header(absl::string_view name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A synchronous HTTP/1.1 client for end-to-end tests, on Boost.Beast: one keep-alive connection
// to 127.0.0.1:port, opened on first use and reopened when the server closed it. Every step
// (connect, send, receive) is bounded by the timeout. One client per thread.
class HttpClient {
 public:
  explicit HttpClient(int port, absl::Duration timeout = absl::Seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends method target (path and query, "/v1/tickets?store_id=s1") with the body (sent with
  // Content-Type: application/json unless headers name another) and the extra headers.
  HttpResult Request(absl::string_view method, absl::string_view target,
                     absl::string_view body = "", const HttpHeaders& headers = {});
  HttpResult Get(absl::string_view target, const HttpHeaders& headers = {}) {
    return Request("GET", target, "", headers);
  }
  HttpResult Post(absl::string_view target, absl::string_view body,
                  const HttpHeaders& headers = {}) {
    return Request("POST", target, body, headers);
  }

  // Closes the connection; the next request opens a new one.
  void Close();

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace aftersales::testing
