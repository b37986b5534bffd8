#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

class HttpConnection;

// The value of the header named (any case), empty when absent.
absl::string_view HeaderValue(const boost::beast::http::fields& headers, absl::string_view name);

// Where the answer to one request goes. Copyable and usable from any thread, but Send is called
// exactly once per request.
class HttpResponder {
 public:
  explicit HttpResponder(std::shared_ptr<HttpConnection> connection)
      : connection_(std::move(connection)) {}

  // Writes the response (the server sets keep-alive and Content-Length), then reads the
  // connection's next request or closes it.
  void Send(HttpResponse response) const;
  // The connection's strand: handlers posted to it run one at a time, like the connection's own.
  boost::asio::any_io_executor executor() const;
  // The client's IP address ("203.0.113.7"), for limits on requests without credentials.
  std::string remote_address() const;
  // Runs on_gone (on the connection's strand) if the client closes the connection before the
  // response is sent: the work for it can stop. Call from the handler, before Send.
  void OnClientGone(std::function<void()> on_gone) const;

 private:
  std::shared_ptr<HttpConnection> connection_;
};

// What the server does with requests. Both functions run on the connection's strand and must not
// block.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Answers a whole request through the responder, now or later from another thread. The request
  // is valid only during the call.
  virtual void Handle(const HttpRequest& request, HttpResponder responder) = 0;
  // The response for a request the server could not read or will not take: 413 (body over the
  // limit), 431 (headers too large or too many), 503 (at capacity) or 400 (malformed HTTP). request holds what was parsed, maybe nothing.
  // The connection closes after it.
  virtual HttpResponse Reject(const HttpRequest& request, boost::beast::http::status status,
                              absl::string_view why) = 0;
};

struct HttpServerOptions {
  // host:port; port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  // More header fields than this is 431, however short they are.
  size_t max_header_count = 100;
  // Past this many open connections a new one gets a 503 and is closed; past this many
  // requests being answered at once a new one gets a 503 (both with Retry-After): the gateway
  // sheds load it could not serve in time instead of queueing it.
  size_t max_connections = 10000;
  int max_requests_in_flight = 2000;
  // A keep-alive connection with no request for this long is closed.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Reading a request's body or writing a response may take at most this long.
  absl::Duration io_timeout = absl::Seconds(30);
};

// An HTTP/1.1 server on Boost.Beast: keep-alive connections, one request at a time per
// connection, each connection on its own strand of a shared pool of threads.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler& handler);
  // Stops the threads if Stop was not called.
  ~HttpServer();

  // Binds the address and starts the threads. UNAVAILABLE when the address cannot be bound.
  absl::Status Start();
  // The bound port.
  int port() const { return port_; }

  // Graceful shutdown, step 1: stops accepting connections and closes the idle ones; requests in
  // progress complete and then their connections close.
  void StopAccepting();
  // Step 2: waits until no request is in progress; false when some still are after the timeout.
  bool WaitIdle(absl::Duration timeout);
  // Step 3: stops the threads; connections still open are dropped.
  void Stop();

  // For connections: the shared settings and state.
  const HttpServerOptions& options() const { return options_; }
  HttpHandler& handler() { return handler_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  void RequestStarted() { in_progress_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_progress_.fetch_sub(1, std::memory_order_relaxed); }
  int requests_in_progress() const { return in_progress_.load(std::memory_order_relaxed); }

 private:
  void Accept();

  const HttpServerOptions options_;
  HttpHandler& handler_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Waits before accepting again after accept failed (out of descriptors).
  boost::asio::steady_timer accept_retry_;
  int port_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_progress_{0};
  std::mutex connections_mu_;
  // Open connections, so StopAccepting can close the idle ones.
  std::vector<std::weak_ptr<HttpConnection>> connections_;
};

}  // namespace aftersales::gateway
