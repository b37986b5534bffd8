#include "gateway/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <array>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"

namespace aftersales::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// One client connection. Everything it does runs on its strand, so it needs no locks.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket socket, HttpServer& server)
      : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Closes the connection if it is waiting for a request; otherwise the connection closes after
  // the response it is working on.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.close();
    });
  }

  // Too many connections open: answers 503 to whatever request comes first, then closes.
  void RefuseAtCapacity() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->close_after_write_ = true;
      self->server_.RequestStarted();
      self->Write(self->server_.handler().Reject(
          HttpRequest(), http::status::service_unavailable,
          "the gateway has as many connections open as it takes; retry shortly"));
    });
  }

  // Watches the idle socket while the response is being worked on: readable with nothing to
  // read means the client hung up. A pipelined next request (data) is left for the next read.
  void WatchForHangUp(std::function<void()> on_gone) {
    on_gone_ = std::move(on_gone);
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code ec) {
                                  if (ec || !self->on_gone_) return;
                                  char byte;
                                  const ssize_t n =
                                      ::recv(self->stream_.socket().native_handle(), &byte, 1,
                                             MSG_PEEK | MSG_DONTWAIT);
                                  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                                    std::function<void()> gone = std::move(self->on_gone_);
                                    self->on_gone_ = nullptr;
                                    gone();
                                  }
                                });
  }

  void Send(HttpResponse response) {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), response = std::move(response)]() mutable {
                    self->Write(std::move(response));
                  });
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  // The peer's address without the port, read once, on first use.
  const std::string& remote_address() {
    if (remote_.empty()) {
      boost::system::error_code ec;
      const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
      remote_ = ec ? "unknown" : peer.address().to_string();
    }
    return remote_;
  }

 private:
  void ReadHeader() {
    if (server_.stopping()) return Close();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
    parser_->body_limit(server_.options().max_body_bytes);
    stream_.expires_after(absl::ToChronoNanoseconds(server_.options().idle_timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    server_.RequestStarted();
    if (!ec && server_.requests_in_progress() > server_.options().max_requests_in_flight) {
      return Reject(http::status::service_unavailable,
                    "the gateway is answering as many requests as it can; retry shortly");
    }
    if (!ec && static_cast<size_t>(std::distance(parser_->get().begin(), parser_->get().end())) >
                   server_.options().max_header_count) {
      return Reject(http::status::request_header_fields_too_large,
                    absl::StrCat("more than ", server_.options().max_header_count,
                                 " header fields"));
    }
    if (ec == http::error::body_limit) return RejectTooLarge();  // from Content-Length
    if (ec == http::error::header_limit) {
      return Reject(
          http::status::request_header_fields_too_large,
          absl::StrCat("request headers exceed ", server_.options().max_header_bytes, " bytes"));
    }
    if (ec)
      return Reject(http::status::bad_request,
                    absl::StrCat("malformed HTTP request: ", ec.message()));
    if (parser_->is_done()) return Dispatch();
    if (absl::EqualsIgnoreCase(ToAbsl(parser_->get()[http::field::expect]), "100-continue")) {
      // curl and others wait for this before sending a body over 1 KB.
      continue_.emplace(http::status::continue_, parser_->get().version());
      return http::async_write(stream_, *continue_,
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->Abandon();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(absl::ToChronoNanoseconds(server_.options().io_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) return self->RejectTooLarge();
                       if (ec) return self->Abandon();
                       self->Dispatch();
                     });
  }

  void Dispatch() {
    request_ = parser_->release();
    parser_.reset();
    server_.handler().Handle(request_, HttpResponder(shared_from_this()));
  }

  void RejectTooLarge() {
    Reject(http::status::payload_too_large,
           absl::StrCat("request body exceeds ", server_.options().max_body_bytes, " bytes"));
  }

  // The request cannot be read to its end, so the connection cannot be reused after the answer.
  void Reject(http::status status, absl::string_view why) {
    close_after_write_ = true;
    request_ = parser_ ? parser_->release() : HttpRequest();
    parser_.reset();
    Write(server_.handler().Reject(request_, status, why));
  }

  void Write(HttpResponse response) {
    if (on_gone_) {
      // Answered: stop watching (the wait is the only operation on the socket now).
      on_gone_ = nullptr;
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
    }
    response_ = std::move(response);
    const bool keep_alive = !close_after_write_ && !server_.stopping() && request_.keep_alive();
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(absl::ToChronoNanoseconds(server_.options().io_timeout));
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->server_.RequestFinished();
                        self->request_ = {};
                        self->response_ = {};
                        if (ec) return self->Close();
                        // The rest of a refused request may still be on its way: read it away
                        // first, or closing with unread bytes resets the connection and the
                        // client loses the answer (a 413 it never sees).
                        if (self->close_after_write_) return self->LingerThenClose();
                        if (!keep_alive) return self->Close();
                        self->ReadHeader();
                      });
  }

  // A request was started but cannot be answered (the client went away mid-body).
  void Abandon() {
    server_.RequestFinished();
    Close();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  // Sends FIN, then discards what the client still sends until it closes its side too, or for
  // at most kLinger, before closing.
  void LingerThenClose() {
    static constexpr auto kLinger = std::chrono::seconds(2);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    discard_ = std::make_unique<std::array<char, 16384>>();
    stream_.expires_after(kLinger);
    Discard();
  }

  void Discard() {
    stream_.async_read_some(net::buffer(*discard_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->stream_.close();  // EOF, timeout or reset
                              self->Discard();
                            });
  }

  static absl::string_view ToAbsl(beast::string_view s) { return {s.data(), s.size()}; }

  beast::tcp_stream stream_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  HttpRequest request_;
  HttpResponse response_;
  bool idle_ = false;
  std::string remote_;
  std::function<void()> on_gone_;
  bool close_after_write_ = false;
  std::unique_ptr<std::array<char, 16384>> discard_;  // only while lingering
};

void HttpResponder::Send(HttpResponse response) const { connection_->Send(std::move(response)); }

absl::string_view HeaderValue(const http::fields& headers, absl::string_view name) {
  const auto it = headers.find(beast::string_view(name.data(), name.size()));
  if (it == headers.end()) return {};
  return {it->value().data(), it->value().size()};
}

net::any_io_executor HttpResponder::executor() const { return connection_->executor(); }

std::string HttpResponder::remote_address() const { return connection_->remote_address(); }

void HttpResponder::OnClientGone(std::function<void()> on_gone) const {
  net::dispatch(connection_->executor(),
                [connection = connection_, on_gone = std::move(on_gone)]() mutable {
                  connection->WatchForHangUp(std::move(on_gone));
                });
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler& handler)
    : options_(std::move(options)),
      handler_(handler),
      io_(options_.threads),
      work_(net::make_work_guard(io_)),
      acceptor_(net::make_strand(io_)),
      accept_retry_(acceptor_.get_executor()) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  const size_t colon = options_.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(absl::string_view(options_.listen).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: '", options_.listen, "' is not host:port"));
  }
  std::string host = options_.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("listen: bad address '", host, "'"));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen, ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
  return absl::OkStatus();
}

void HttpServer::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<HttpConnection>(std::move(socket), *this);
      bool full = false;
      {
        std::lock_guard<std::mutex> lock(connections_mu_);
        std::erase_if(connections_, [](const auto& c) { return c.expired(); });
        full = connections_.size() >= options_.max_connections;
        if (!full) connections_.push_back(connection);
      }
      if (full) {
        connection->RefuseAtCapacity();
      } else {
        connection->Start();
      }
    } else {
      // Out of file descriptors (EMFILE) or memory: accepting again at once would fail again at
      // once, spinning a core and flooding the log. The clients wait in the backlog meanwhile.
      LogWarning("accept failed; retrying in 100 ms", {{"error", ec.message()}});
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](beast::error_code wait_error) {
        if (!wait_error && acceptor_.is_open()) Accept();
      });
      return;
    }
    Accept();
  });
}

void HttpServer::StopAccepting() {
  stopping_ = true;
  net::dispatch(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  std::lock_guard<std::mutex> lock(connections_mu_);
  for (const auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->CloseIfIdle();
  }
}

bool HttpServer::WaitIdle(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (in_progress_.load() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

void HttpServer::Stop() {
  stopping_ = true;
  work_.reset();
  io_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace aftersales::gateway
