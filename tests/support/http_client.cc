#include "tests/support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace aftersales::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Connection {
  Connection(int port, absl::Duration timeout) : port(port), timeout(timeout) {}

  // Runs one asynchronous step to completion under the timeout; Beast's tcp_stream closes the
  // socket when the timeout expires, which ends the step with beast::error::timeout.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = net::error::would_block;
    stream.expires_after(absl::ToChronoNanoseconds(timeout));
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }

  beast::error_code Connect() {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                 static_cast<unsigned short>(port));
    beast::error_code ec =
        Run([&](auto handler) { stream.async_connect(endpoint, std::move(handler)); });
    connected = !ec;
    buffer.clear();
    if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
    return ec;
  }

  void Close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connected = false;
  }

  const int port;
  const absl::Duration timeout;
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool connected = false;
};

std::string HttpResult::Header(absl::string_view name) const {
  const auto it = headers.find(absl::AsciiStrToLower(name));
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(int port, absl::Duration timeout)
    : connection_(std::make_unique<Connection>(port, timeout)) {}

HttpClient::~HttpClient() { connection_->Close(); }

void HttpClient::Close() { connection_->Close(); }

HttpResult HttpClient::Request(absl::string_view method, absl::string_view target,
                               absl::string_view body, const HttpHeaders& headers) {
  Connection& c = *connection_;
  http::request<http::string_body> request;
  request.method_string(beast::string_view(method.data(), method.size()));
  request.target(beast::string_view(target.data(), target.size()));
  request.version(11);
  request.set(http::field::host, absl::StrCat("127.0.0.1:", c.port));
  request.keep_alive(true);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();

  HttpResult result;
  // A kept-alive connection the server has closed in the meantime fails on first use: then
  // reconnect once and resend, as browsers do, only when sending twice is harmless. A POST may
  // have reached the server before the connection broke: resending it could hide a request
  // answered twice, which is what the end-to-end tests are there to catch.
  const bool may_resend = method != "POST" && method != "PATCH";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = c.connected;
    if (!c.connected) {
      if (beast::error_code ec = c.Connect(); ec) {
        result.error = absl::StrCat("connect to 127.0.0.1:", c.port, ": ", ec.message());
        return result;
      }
    }
    beast::error_code ec =
        c.Run([&](auto handler) { http::async_write(c.stream, request, std::move(handler)); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    if (!ec) {
      ec = c.Run(
          [&](auto handler) { http::async_read(c.stream, c.buffer, parser, std::move(handler)); });
    }
    if (ec) {
      c.Close();
      const bool stale =
          reused && (ec == http::error::end_of_stream || ec == net::error::eof ||
                     ec == net::error::connection_reset || ec == net::error::broken_pipe);
      if (stale && may_resend) continue;
      result.error = absl::StrCat(method, " ", target, ": ", ec.message());
      return result;
    }
    const http::response<http::string_body>& response = parser.get();
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      result.headers[absl::AsciiStrToLower(absl::string_view(
          field.name_string().data(), field.name_string().size()))] = std::string(field.value());
    }
    result.body = response.body();
    if (!response.keep_alive()) c.Close();
    return result;
  }
  result.error = absl::StrCat(method, " ", target, ": the server closed the connection twice");
  return result;
}

}  // namespace aftersales::testing
