// Hostile text through every create, end to end: MariaDB, tickets, returns, reviews, claims,
// identity and the gateway as real processes. Every free-text field of every create gets SQL
// meant to escape its quotes, backslashes, a NUL, 4-byte emoji, Chinese and Japanese,
// right-to-left marks with Arabic, 100 KB, and a value exactly at and one byte past the field's
// documented limit. Each is either stored byte for byte (read back through the API, and from its
// column where it has one of its own) or refused with INVALID_ARGUMENT naming the field, with
// nothing written. NUL is refused everywhere: no person types one, and the PDFs, logs and
// marketplaces the text goes on to read it as the end of the text. A message to a buyer may
// also be refused by the phrase filter, with its findings. Text that goes on to another service
// (a return's note, an outreach message) must arrive there byte for byte too.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "aftersales/claims/v1/claims.pb.h"
#include "aftersales/identity/v1/identity.pb.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/reviews/v1/reviews.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "common/time_util.h"
#include "tests/support/http_client.h"
#include "tests/support/json_body.h"
#include "tests/support/running_system.h"

namespace aftersales {
namespace {

using testing::ErrorCode;
using testing::ErrorMessage;
using testing::HttpClient;
using testing::HttpResult;
using testing::ParseBody;
namespace cv = claims::v1;
namespace iv = identity::v1;
namespace rtv = returns::v1;
namespace rvv = reviews::v1;
namespace tv = tickets::v1;

testing::RunningSystem* sys = nullptr;

class SystemEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::RunningSystem>> started =
        testing::RunningSystem::Start({{"tickets", TICKETS_BINARY, {}},
                                       {"returns", RETURNS_BINARY, {"--outbox_interval=200ms"}},
                                       {"reviews", REVIEWS_BINARY, {"--outbox_interval=200ms"}},
                                       {"claims", CLAIMS_BINARY, {}},
                                       {"identity", IDENTITY_BINARY, {}}},
                                      GATEWAY_BINARY);
    ASSERT_TRUE(started.ok()) << started.status();
    owned_ = *std::move(started);
    sys = owned_.get();
  }
  void TearDown() override {
    databases_.clear();
    owned_.reset();
  }

  static Database& Db(const std::string& name) {
    std::unique_ptr<Database>& db = databases_[name];
    if (db == nullptr) {
      absl::StatusOr<std::unique_ptr<Database>> opened = sys->OpenDatabase(name);
      EXPECT_TRUE(opened.ok()) << opened.status();
      db = *std::move(opened);
    }
    return *db;
  }

 private:
  std::unique_ptr<testing::RunningSystem> owned_;
  static inline std::map<std::string, std::unique_ptr<Database>> databases_;
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SystemEnvironment);

constexpr char kStore[] = "store-1";
// An order every claim and shipment hangs on.
constexpr char kOrder[] = "HX-ORDER-1";

// ---- the values ---------------------------------------------------------------------------

struct Hostile {
  std::string label;
  std::string value;
};

// ~100 KB of mixed scripts, cut at a character boundary.
std::string HundredKilobytes() {
  std::string s;
  while (s.size() < 100 * 1024) s += "Ünïcödé 😀 中文 עברית ";
  while (s.size() > 100 * 1024 && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80)
    s.pop_back();
  s.pop_back();
  return s;
}

// Exactly `bytes` bytes: 4-byte emoji, padded with ASCII. At the limit, a column sized in
// characters and a limit counted in bytes must agree, and nothing may be cut.
std::string OfBytes(size_t bytes) {
  std::string s;
  while (s.size() + 4 <= bytes) s += "😀";
  s.append(bytes - s.size(), 'x');
  return s;
}

std::vector<Hostile> HostileValues(size_t max_bytes) {
  return {
      {"sql comment", "'; DROP TABLE tickets; --"},
      {"sql or", R"(" OR "1"="1)"},
      {"sql union", "x' UNION SELECT secret_sha256 FROM api_keys -- "},
      {"backslashes", R"(\\ \' \" \n \0 C:\dir\)"},
      {"nul", std::string("before\0after", 12)},
      {"emoji", "😀🧧"},
      {"other emoji", "🎉🎁"},
      {"chinese and japanese", "退货申请：商品有问題。返品をお願いします"},
      {"rtl marks and arabic", "\u200F\u202Eمرحبا بالعالم\u202C abc"},
      {"100 KB", HundredKilobytes()},
      {"at the limit", OfBytes(max_bytes)},
      {"one byte past the limit", OfBytes(max_bytes + 1)},
  };
}

// ---- checks -------------------------------------------------------------------------------

::testing::AssertionResult SameBytes(const std::string& sent, const std::string& stored) {
  if (sent == stored) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < sent.size() && i < stored.size() && sent[i] == stored[i]) ++i;
  const auto hex = [&](const std::string& s) {
    std::string out;
    for (size_t k = i; k < s.size() && k < i + 12; ++k)
      absl::StrAppendFormat(&out, "%02x ", static_cast<unsigned char>(s[k]));
    return out;
  };
  return ::testing::AssertionFailure()
         << "sent " << sent.size() << " bytes, stored " << stored.size()
         << "; they differ from byte " << i << ": sent [" << hex(sent) << "] stored ["
         << hex(stored) << "]";
}

int64_t Count(const std::string& database, const std::string& table) {
  absl::StatusOr<int64_t> n = SystemEnvironment::Db(database).InTransaction<int64_t>(
      [&](Transaction& tx) -> absl::StatusOr<int64_t> {
        absl::StatusOr<Row> row =
            tx.QueryOne(absl::StrCat("SELECT COUNT(*) FROM ", table), {}, "no count");
        if (!row.ok()) return row.status();
        return row->Int(0);
      });
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or(-1);
}

std::optional<std::string> Column(const std::string& database, const std::string& sql,
                                  const std::string& id) {
  absl::StatusOr<std::string> value = SystemEnvironment::Db(database).InTransaction<std::string>(
      [&](Transaction& tx) -> absl::StatusOr<std::string> {
        absl::StatusOr<Row> row = tx.QueryOne(sql, {id}, "no row");
        if (!row.ok()) return row.status();
        return row->String(0);
      });
  EXPECT_TRUE(value.ok()) << value.status() << " for " << sql << " with " << id;
  if (!value.ok()) return std::nullopt;
  return *value;
}

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

// The phrase filter refused a message to a buyer, saying what it found.
bool ScreenedOut(const HttpResult& r) {
  return r.status == 400 && ErrorCode(r) == "FAILED_PRECONDITION" &&
         ErrorMessage(r).find(" breaks ") != std::string::npos;
}

// Polls until `read` answers, for text another service receives through an outbox.
template <typename T>
std::optional<T> Eventually(const std::function<std::optional<T>()>& read) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (std::optional<T> v = read()) return v;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

google::protobuf::Timestamp Ago(absl::Duration d) { return ToProtoTime(absl::Now() - d); }

// ---- the table ----------------------------------------------------------------------------

// One free-text field of a create.
template <typename Request, typename Stored>
struct TextField {
  // As the service names it when it refuses the value: "subject", "order.ship_to.name".
  std::string name;
  // The documented limit, in bytes.
  size_t max_bytes;
  std::function<void(Request&, const std::string&)> set;
  std::function<std::string(const Stored&)> get;
  // Its own column, selected by the stored object's id; empty when it lives in a JSON document.
  std::string column_sql = "";
};

// One create: how to make a valid request, send it, and read what it made back.
template <typename Request, typename Stored>
struct Create {
  std::string route;
  std::string database;
  // Its rows are counted before and after a refusal.
  std::string table;
  // Text to a buyer: the phrase filter may refuse it, with findings.
  bool screened = false;
  // A valid request, different for every n.
  std::function<Request(int n)> request;
  std::function<HttpResult(HttpClient&, const Request&)> send;
  // What the create made, read back through the API: its id and the object.
  std::function<std::optional<std::pair<std::string, Stored>>(HttpClient&, const HttpResult&)>
      read_back;
  std::vector<TextField<Request, Stored>> fields;
  // Where an accepted value goes on to (another service, through an outbox), read there: the
  // value as it arrived, once it has.
  std::function<std::optional<std::string>(HttpClient&, const std::string& id,
                                           const std::string& field)>
      arrived = nullptr;
};

template <typename Request, typename Stored>
void Exercise(const Create<Request, Stored>& c) {
  HttpClient http(sys->http_port(), absl::Seconds(30));
  int n = 0;
  int screened_out = 0;
  struct Accepted {
    std::string id, field, value, label;
  };
  std::vector<Accepted> accepted;
  for (const TextField<Request, Stored>& field : c.fields) {
    for (const Hostile& h : HostileValues(field.max_bytes)) {
      SCOPED_TRACE(
          absl::StrCat(c.route, " ", field.name, " = ", h.label, " (", h.value.size(), " bytes)"));
      Request request = c.request(++n);
      field.set(request, h.value);
      const bool acceptable =
          h.value.find('\0') == std::string::npos && h.value.size() <= field.max_bytes;
      const int64_t before = Count(c.database, c.table);
      const HttpResult reply = c.send(http, request);
      ASSERT_NE(reply.status, 0) << reply.error;
      EXPECT_LT(reply.status, 500) << reply.body.substr(0, 500);
      if (c.screened && ScreenedOut(reply)) {
        ++screened_out;
        EXPECT_EQ(Count(c.database, c.table), before);
        continue;
      }
      if (!acceptable) {
        EXPECT_EQ(reply.status, 400) << reply.body.substr(0, 500);
        EXPECT_EQ(ErrorCode(reply), "INVALID_ARGUMENT") << reply.body.substr(0, 500);
        EXPECT_NE(ErrorMessage(reply).find(field.name + ":"), std::string::npos)
            << reply.body.substr(0, 500);
        EXPECT_EQ(Count(c.database, c.table), before) << "a refused create wrote a row";
        continue;
      }
      ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 500);
      const std::optional<std::pair<std::string, Stored>> back = c.read_back(http, reply);
      ASSERT_TRUE(back.has_value());
      EXPECT_TRUE(SameBytes(h.value, field.get(back->second))) << "read back through the API";
      if (!field.column_sql.empty()) {
        const std::optional<std::string> column = Column(c.database, field.column_sql, back->first);
        if (column.has_value()) {
          EXPECT_TRUE(SameBytes(h.value, *column)) << "in the column";
        }
      }
      if (c.arrived) accepted.push_back({back->first, field.name, h.value, h.label});
    }
  }
  for (const Accepted& a : accepted) {
    SCOPED_TRACE(absl::StrCat(c.route, " ", a.field, " = ", a.label, ", where it goes on to"));
    const std::optional<std::string> arrived =
        Eventually<std::string>([&] { return c.arrived(http, a.id, a.field); });
    ASSERT_TRUE(arrived.has_value()) << "never arrived";
    EXPECT_TRUE(SameBytes(a.value, *arrived));
  }
  EXPECT_TRUE(!c.arrived || !accepted.empty());
  // The filter is there to stop review manipulation, not odd characters.
  EXPECT_EQ(screened_out, 0);
}

std::optional<tv::Ticket> GetTicket(HttpClient& http, const std::string& ticket_id) {
  const HttpResult got = http.Get(absl::StrCat("/v1/tickets/", ticket_id));
  if (got.status != 200) return std::nullopt;
  return ParseBody<tv::GetTicketResponse>(got).ticket();
}

std::optional<tv::GetOrderResponse> GetOrder(HttpClient& http, const std::string& order_id) {
  const HttpResult got = http.Get(absl::StrCat("/v1/stores/", kStore, "/orders/", order_id));
  EXPECT_EQ(got.status, 200) << got.body.substr(0, 300);
  if (got.status != 200) return std::nullopt;
  return ParseBody<tv::GetOrderResponse>(got);
}

tv::Order AnOrder() {
  tv::Order o;
  o.set_marketplace(common::v1::AMAZON);
  o.set_site("US");
  o.mutable_buyer()->set_buyer_id("b-hx");
  o.mutable_buyer()->set_language("en");
  *o.mutable_ordered_at() = Ago(absl::Hours(24 * 10));
  tv::OrderItem* item = o.add_items();
  item->set_sku("LAMP-1");
  item->set_title("Reading Lamp");
  item->set_quantity(1);
  item->mutable_price()->set_currency_code("USD");
  item->mutable_price()->set_amount_minor(6000);
  o.mutable_ship_to()->set_name("Lin Wei");
  o.mutable_ship_to()->set_city("Portland");
  o.mutable_ship_to()->set_country("US");
  return o;
}

void PutTheOrder(HttpClient& http, const std::string& order_id) {
  const HttpResult put = http.Request(
      "PUT", absl::StrCat("/v1/stores/", kStore, "/orders/", order_id), Json(AnOrder()));
  ASSERT_EQ(put.status, 200) << put.body;
}

// ---- tickets ------------------------------------------------------------------------------

TEST(HostileText, CreateTicket) {
  using F = TextField<tv::CreateTicketRequest, tv::Ticket>;
  Exercise(Create<tv::CreateTicketRequest, tv::Ticket>{
      .route = "POST /v1/tickets",
      .database = "aftersales_tickets",
      .table = "tickets",
      .request =
          [](int) {
            tv::CreateTicketRequest r;
            r.set_store_id(kStore);
            r.mutable_buyer()->set_buyer_id("b-hx");
            r.set_category(tv::PRESALE_STOCK);
            r.set_channel(tv::MARKETPLACE_MESSAGE);
            r.set_subject("Stock");
            r.set_body("Is it in stock?");
            return r;
          },
      .send = [](HttpClient& http,
                 const tv::CreateTicketRequest& r) { return http.Post("/v1/tickets", Json(r)); },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, tv::Ticket>> {
        const std::string id = ParseBody<tv::CreateTicketResponse>(reply).ticket().ticket_id();
        std::optional<tv::Ticket> t = GetTicket(http, id);
        if (!t.has_value()) return std::nullopt;
        return std::make_pair(id, *std::move(t));
      },
      .fields =
          {
              F{.name = "subject",
                .max_bytes = 1000,
                .set = [](auto& r, const std::string& v) { r.set_subject(v); },
                .get = [](const tv::Ticket& t) { return t.subject(); },
                .column_sql = "SELECT subject FROM tickets WHERE ticket_id = ?"},
              F{.name = "body",
                .max_bytes = 64 * 1024,
                .set = [](auto& r, const std::string& v) { r.set_body(v); },
                .get =
                    [](const tv::Ticket& t) {
                      return t.messages_size() > 0 ? t.messages(0).body() : "";
                    },
                .column_sql = "SELECT body FROM messages WHERE ticket_id = ?"},
              F{.name = "buyer.name",
                .max_bytes = 255,
                .set = [](auto& r, const std::string& v) { r.mutable_buyer()->set_name(v); },
                .get = [](const tv::Ticket& t) { return t.buyer().name(); },
                .column_sql = "SELECT buyer_name FROM tickets WHERE ticket_id = ?"},
          }});
}

TEST(HostileText, AddMessage) {
  HttpClient http(sys->http_port());
  const HttpResult ticket = http.Post(
      "/v1/tickets",
      R"({"store_id":"store-1","buyer":{"buyer_id":"b-hx"},"category":"PRESALE_STOCK","channel":"MARKETPLACE_MESSAGE","subject":"Stock","body":"Is it in stock?"})");
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  const std::string ticket_id = ParseBody<tv::CreateTicketResponse>(ticket).ticket().ticket_id();
  using F = TextField<tv::AddMessageRequest, tv::Message>;
  Exercise(Create<tv::AddMessageRequest, tv::Message>{
      .route = "POST /v1/tickets/{id}/messages",
      .database = "aftersales_tickets",
      .table = "messages",
      .request =
          [&](int) {
            tv::AddMessageRequest r;
            r.set_ticket_id(ticket_id);
            r.set_direction(tv::Message::INBOUND);
            return r;
          },
      .send =
          [](HttpClient& http, tv::AddMessageRequest r) {
            const std::string path = absl::StrCat("/v1/tickets/", r.ticket_id(), "/messages");
            r.clear_ticket_id();
            return http.Post(path, Json(r));
          },
      .read_back = [&](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, tv::Message>> {
        const std::string id = ParseBody<tv::AddMessageResponse>(reply).message().message_id();
        const std::optional<tv::Ticket> t = GetTicket(http, ticket_id);
        if (!t.has_value()) return std::nullopt;
        for (const tv::Message& m : t->messages()) {
          if (m.message_id() == id) return std::make_pair(id, m);
        }
        return std::nullopt;
      },
      .fields =
          {
              F{.name = "body",
                .max_bytes = 64 * 1024,
                .set = [](auto& r, const std::string& v) { r.set_body(v); },
                .get = [](const tv::Message& m) { return m.body(); },
                .column_sql = "SELECT body FROM messages WHERE message_id = ?"},
          }});
}

TEST(HostileText, CreateReplyTemplate) {
  using F = TextField<tv::CreateReplyTemplateRequest, tv::ReplyTemplate>;
  Exercise(Create<tv::CreateReplyTemplateRequest, tv::ReplyTemplate>{
      .route = "POST /v1/stores/{store_id}/replyTemplates",
      .database = "aftersales_tickets",
      .table = "reply_templates",
      .screened = true,
      .request =
          [](int n) {
            tv::CreateReplyTemplateRequest r;
            r.mutable_template_()->set_name(absl::StrCat("hostile_", n));
            r.mutable_template_()->set_language("en");
            r.mutable_template_()->set_topic("Tracking");
            r.mutable_template_()->set_body("Your parcel is on its way.");
            return r;
          },
      .send =
          [](HttpClient& http, const tv::CreateReplyTemplateRequest& r) {
            return http.Post(absl::StrCat("/v1/stores/", kStore, "/replyTemplates"), Json(r));
          },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, tv::ReplyTemplate>> {
        const std::string name =
            ParseBody<tv::CreateReplyTemplateResponse>(reply).template_().name();
        const HttpResult list = http.Get(absl::StrCat("/v1/stores/", kStore, "/replyTemplates"));
        EXPECT_EQ(list.status, 200);
        const tv::ListReplyTemplatesResponse templates =
            ParseBody<tv::ListReplyTemplatesResponse>(list);
        for (const tv::ReplyTemplate& t : templates.templates()) {
          if (t.name() == name) return std::make_pair(name, t);
        }
        return std::nullopt;
      },
      .fields =
          {
              F{.name = "template.topic",
                .max_bytes = 255,
                .set = [](auto& r, const std::string& v) { r.mutable_template_()->set_topic(v); },
                .get = [](const tv::ReplyTemplate& t) { return t.topic(); },
                .column_sql =
                    "SELECT topic FROM reply_templates WHERE store_id = 'store-1' AND name = ?"},
              F{.name = "template.body",
                .max_bytes = 16 * 1024,
                .set = [](auto& r, const std::string& v) { r.mutable_template_()->set_body(v); },
                .get = [](const tv::ReplyTemplate& t) { return t.body(); },
                .column_sql =
                    "SELECT body FROM reply_templates WHERE store_id = 'store-1' AND name = ?"},
          }});
}

TEST(HostileText, PutOrder) {
  using F = TextField<tv::PutOrderRequest, tv::Order>;
  Exercise(Create<tv::PutOrderRequest, tv::Order>{
      .route = "PUT /v1/stores/{store_id}/orders/{order_id}",
      .database = "aftersales_tickets",
      .table = "orders",
      .request =
          [](int n) {
            tv::PutOrderRequest r;
            r.set_store_id(kStore);
            r.set_order_id(absl::StrCat("HX-PUT-", n));
            *r.mutable_order() = AnOrder();
            return r;
          },
      .send =
          [](HttpClient& http, const tv::PutOrderRequest& r) {
            return http.Request("PUT",
                                absl::StrCat("/v1/stores/", r.store_id(), "/orders/", r.order_id()),
                                Json(r.order()));
          },
      .read_back = [](HttpClient& http,
                      const HttpResult& reply) -> std::optional<std::pair<std::string, tv::Order>> {
        const std::string id = ParseBody<tv::PutOrderResponse>(reply).order().order_id();
        std::optional<tv::GetOrderResponse> got = GetOrder(http, id);
        if (!got.has_value()) return std::nullopt;
        return std::make_pair(id, got->order());
      },
      .fields =
          {
              F{.name = "order.buyer.name",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_buyer()->set_name(v);
                    },
                .get = [](const tv::Order& o) { return o.buyer().name(); }},
              F{.name = "order.items[0].title",
                .max_bytes = 1000,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_items(0)->set_title(v);
                    },
                .get = [](const tv::Order& o) { return o.items(0).title(); }},
              F{.name = "order.ship_to.name",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_name(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().name(); }},
              F{.name = "order.ship_to.line1",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_line1(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().line1(); }},
              F{.name = "order.ship_to.city",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_city(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().city(); }},
              F{.name = "order.ship_to.line2",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_line2(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().line2(); }},
              F{.name = "order.ship_to.region",
                .max_bytes = 255,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_region(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().region(); }},
              F{.name = "order.ship_to.postcode",
                .max_bytes = 32,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_postcode(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().postcode(); }},
              F{.name = "order.ship_to.phone",
                .max_bytes = 64,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_ship_to()->set_phone(v);
                    },
                .get = [](const tv::Order& o) { return o.ship_to().phone(); }},
              F{.name = "order.items[0].category",
                .max_bytes = 128,
                .set =
                    [](auto& r, const std::string& v) {
                      r.mutable_order()->mutable_items(0)->set_category(v);
                    },
                .get = [](const tv::Order& o) { return o.items(0).category(); }},
          }});
}

TEST(HostileText, AddShipmentAndTrackingEvent) {
  HttpClient http(sys->http_port());
  PutTheOrder(http, kOrder);
  using S = TextField<tv::AddShipmentRequest, tv::Shipment>;
  Exercise(Create<tv::AddShipmentRequest, tv::Shipment>{
      .route = "POST /v1/stores/{store_id}/orders/{order_id}/shipments",
      .database = "aftersales_tickets",
      .table = "shipments",
      .request =
          [](int n) {
            tv::AddShipmentRequest r;
            r.set_carrier("UPS");
            r.set_tracking_number(absl::StrCat("1ZHX", n));
            return r;
          },
      .send =
          [](HttpClient& http, const tv::AddShipmentRequest& r) {
            return http.Post(absl::StrCat("/v1/stores/", kStore, "/orders/", kOrder, "/shipments"),
                             Json(r));
          },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, tv::Shipment>> {
        const std::string id = ParseBody<tv::AddShipmentResponse>(reply).shipment().shipment_id();
        std::optional<tv::GetOrderResponse> got = GetOrder(http, kOrder);
        if (!got.has_value()) return std::nullopt;
        for (const tv::Shipment& s : got->shipments()) {
          if (s.shipment_id() == id) return std::make_pair(id, s);
        }
        return std::nullopt;
      },
      .fields =
          {
              S{.name = "carrier",
                .max_bytes = 64,
                .set = [](auto& r, const std::string& v) { r.set_carrier(v); },
                .get = [](const tv::Shipment& s) { return s.carrier(); },
                .column_sql = "SELECT carrier FROM shipments WHERE shipment_id = ?"},
              S{.name = "tracking_url",
                .max_bytes = 1000,
                .set = [](auto& r, const std::string& v) { r.set_tracking_url(v); },
                .get = [](const tv::Shipment& s) { return s.tracking_url(); },
                .column_sql = "SELECT tracking_url FROM shipments WHERE shipment_id = ?"},
          }});

  const HttpResult shipped =
      http.Post(absl::StrCat("/v1/stores/", kStore, "/orders/", kOrder, "/shipments"),
                R"({"carrier":"UPS","tracking_number":"1ZHXEVENTS"})");
  ASSERT_EQ(shipped.status, 200) << shipped.body;
  const std::string shipment_id =
      ParseBody<tv::AddShipmentResponse>(shipped).shipment().shipment_id();
  using E = TextField<tv::AddTrackingEventRequest, tv::TrackingEvent>;
  Exercise(Create<tv::AddTrackingEventRequest, tv::TrackingEvent>{
      .route = "POST .../shipments/{shipment_id}/events",
      .database = "aftersales_tickets",
      .table = "tracking_events",
      .request =
          [](int n) {
            tv::AddTrackingEventRequest r;
            // Distinct times: the same scan pushed twice is one event.
            *r.mutable_event()->mutable_occurred_at() = Ago(absl::Hours(48) - absl::Minutes(n));
            r.mutable_event()->set_code("IN_TRANSIT");
            return r;
          },
      .send =
          [&](HttpClient& http, const tv::AddTrackingEventRequest& r) {
            return http.Post(absl::StrCat("/v1/stores/", kStore, "/orders/", kOrder, "/shipments/",
                                          shipment_id, "/events"),
                             Json(r));
          },
      .read_back = [&](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, tv::TrackingEvent>> {
        // The event is the shipment's latest scan: the times count down to now.
        const tv::Shipment s = ParseBody<tv::AddTrackingEventResponse>(reply).shipment();
        std::optional<tv::GetOrderResponse> got = GetOrder(http, kOrder);
        if (!got.has_value() || s.events_size() == 0) return std::nullopt;
        const google::protobuf::Timestamp at = s.events(s.events_size() - 1).occurred_at();
        for (const tv::Shipment& stored : got->shipments()) {
          for (const tv::TrackingEvent& e : stored.events()) {
            if (stored.shipment_id() == shipment_id && e.occurred_at().seconds() == at.seconds()) {
              return std::make_pair(shipment_id, e);
            }
          }
        }
        return std::nullopt;
      },
      .fields =
          {
              E{.name = "event.code",
                .max_bytes = 64,
                .set = [](auto& r, const std::string& v) { r.mutable_event()->set_code(v); },
                .get = [](const tv::TrackingEvent& e) { return e.code(); }},
              E{.name = "event.description",
                .max_bytes = 1000,
                .set = [](auto& r, const std::string& v) { r.mutable_event()->set_description(v); },
                .get = [](const tv::TrackingEvent& e) { return e.description(); }},
              E{.name = "event.city",
                .max_bytes = 255,
                .set = [](auto& r, const std::string& v) { r.mutable_event()->set_city(v); },
                .get = [](const tv::TrackingEvent& e) { return e.city(); }},
              E{.name = "event.postcode",
                .max_bytes = 32,
                .set = [](auto& r, const std::string& v) { r.mutable_event()->set_postcode(v); },
                .get = [](const tv::TrackingEvent& e) { return e.postcode(); }},
          }});
}

// ---- returns ------------------------------------------------------------------------------

TEST(HostileText, CreateReturn) {
  using F = TextField<rtv::CreateReturnRequest, rtv::Return>;
  Exercise(Create<rtv::CreateReturnRequest, rtv::Return>{
      .route = "POST /v1/returns",
      .database = "aftersales_returns",
      .table = "returns",
      .request =
          [](int n) {
            rtv::CreateReturnRequest r;
            rtv::ReturnCase* c = r.mutable_return_case();
            c->set_store_id(kStore);
            c->mutable_order()->set_marketplace(common::v1::AMAZON);
            c->mutable_order()->set_site("US");
            c->mutable_order()->set_order_id(absl::StrCat("HX-RET-", n));
            c->set_buyer_country("US");
            c->set_fulfillment(rtv::MERCHANT);
            c->set_category(rtv::GENERAL);
            c->mutable_item_price()->set_currency_code("USD");
            c->mutable_item_price()->set_amount_minor(6000);
            c->mutable_item_cost()->set_currency_code("USD");
            c->mutable_item_cost()->set_amount_minor(3500);
            c->set_quantity(1);
            *c->mutable_ordered_at() = Ago(absl::Hours(24 * 10));
            *c->mutable_delivered_at() = Ago(absl::Hours(24 * 5));
            *c->mutable_requested_at() = Ago(absl::Hours(1));
            c->set_reason(rtv::DEFECTIVE);
            c->set_condition(rtv::USED);
            c->set_weight_grams(800);
            r.mutable_buyer()->set_buyer_id("b-hx");
            r.set_note("It flickers.");
            return r;
          },
      .send = [](HttpClient& http,
                 const rtv::CreateReturnRequest& r) { return http.Post("/v1/returns", Json(r)); },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, rtv::Return>> {
        const std::string id = ParseBody<rtv::CreateReturnResponse>(reply).return_().return_id();
        const HttpResult got = http.Get(absl::StrCat("/v1/returns/", id));
        EXPECT_EQ(got.status, 200) << got.body.substr(0, 300);
        if (got.status != 200) return std::nullopt;
        return std::make_pair(id, ParseBody<rtv::GetReturnResponse>(got).return_());
      },
      .fields =
          {
              F{.name = "note",
                .max_bytes = 16 * 1024,
                .set = [](auto& r, const std::string& v) { r.set_note(v); },
                .get = [](const rtv::Return& r) { return r.note(); }},
              F{.name = "buyer.name",
                .max_bytes = 255,
                .set = [](auto& r, const std::string& v) { r.mutable_buyer()->set_name(v); },
                .get = [](const rtv::Return& r) { return r.buyer().name(); }},
          },
      // The return opens its ticket through the outbox: the note is its first message.
      .arrived = [](HttpClient& http, const std::string& return_id,
                    const std::string& field) -> std::optional<std::string> {
        const HttpResult got = http.Get(absl::StrCat("/v1/returns/", return_id));
        if (got.status != 200) return std::nullopt;
        const std::string ticket_id = ParseBody<rtv::GetReturnResponse>(got).return_().ticket_id();
        if (ticket_id.empty()) return std::nullopt;
        const std::optional<tv::Ticket> t = GetTicket(http, ticket_id);
        if (!t.has_value() || t->messages_size() == 0) return std::nullopt;
        return field == "note" ? t->messages(0).body() : t->buyer().name();
      }});
}

// ---- reviews ------------------------------------------------------------------------------

rvv::IngestReviewRequest AReview(int n, int rating) {
  rvv::IngestReviewRequest r;
  r.set_marketplace_review_id(absl::StrCat("HX-REV-", n, "-", rating));
  r.set_store_id(kStore);
  r.mutable_order()->set_marketplace(common::v1::AMAZON);
  r.mutable_order()->set_site("US");
  r.mutable_order()->set_order_id(kOrder);
  r.set_kind(rvv::Review::PRODUCT_REVIEW);
  r.set_buyer_id(absl::StrCat("b-hx-", n));
  r.set_rating(rating);
  r.set_title("Fine");
  r.set_body("Works as described.");
  r.set_language("en");
  r.set_product_title("Reading Lamp");
  *r.mutable_posted_at() = Ago(absl::Hours(2));
  return r;
}

TEST(HostileText, IngestReview) {
  HttpClient http(sys->http_port());
  PutTheOrder(http, kOrder);
  using F = TextField<rvv::IngestReviewRequest, rvv::Review>;
  Exercise(Create<rvv::IngestReviewRequest, rvv::Review>{
      .route = "POST /v1/reviews",
      .database = "aftersales_reviews",
      .table = "reviews",
      .request = [](int n) { return AReview(n, 5); },
      .send = [](HttpClient& http,
                 const rvv::IngestReviewRequest& r) { return http.Post("/v1/reviews", Json(r)); },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, rvv::Review>> {
        const std::string id = ParseBody<rvv::IngestReviewResponse>(reply).review().review_id();
        const HttpResult got = http.Get(absl::StrCat("/v1/reviews/", id));
        EXPECT_EQ(got.status, 200) << got.body.substr(0, 300);
        if (got.status != 200) return std::nullopt;
        return std::make_pair(id, ParseBody<rvv::GetReviewResponse>(got).review());
      },
      .fields =
          {
              F{.name = "title",
                .max_bytes = 1000,
                .set = [](auto& r, const std::string& v) { r.set_title(v); },
                .get = [](const rvv::Review& r) { return r.title(); }},
              F{.name = "body",
                .max_bytes = 80000,
                .set = [](auto& r, const std::string& v) { r.set_body(v); },
                .get = [](const rvv::Review& r) { return r.body(); }},
              F{.name = "sku",
                .max_bytes = 128,
                .set = [](auto& r, const std::string& v) { r.set_sku(v); },
                .get = [](const rvv::Review& r) { return r.sku(); }},
              F{.name = "product_title",
                .max_bytes = 1000,
                .set = [](auto& r, const std::string& v) { r.set_product_title(v); },
                .get = [](const rvv::Review& r) { return r.product_title(); }},
          }});
}

TEST(HostileText, SendOutreachMessage) {
  HttpClient http(sys->http_port());
  PutTheOrder(http, kOrder);
  using F = TextField<rvv::SendOutreachMessageRequest, rvv::OutreachMessage>;
  Exercise(Create<rvv::SendOutreachMessageRequest, rvv::OutreachMessage>{
      .route = "POST /v1/outreach/{case_id}/messages",
      .database = "aftersales_reviews",
      .table = "outbox",
      .screened = true,
      // One message per case in 48 h: every attempt is about a review of its own.
      .request =
          [&](int n) {
            rvv::SendOutreachMessageRequest r;
            const HttpResult ingested = http.Post("/v1/reviews", Json(AReview(n, 1)));
            EXPECT_EQ(ingested.status, 200) << ingested.body;
            r.set_case_id(ParseBody<rvv::IngestReviewResponse>(ingested).outreach_case().case_id());
            return r;
          },
      .send =
          [](HttpClient& http, rvv::SendOutreachMessageRequest r) {
            const std::string path = absl::StrCat("/v1/outreach/", r.case_id(), "/messages");
            r.clear_case_id();
            return http.Post(path, Json(r));
          },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, rvv::OutreachMessage>> {
        const rvv::OutreachCase sent =
            ParseBody<rvv::SendOutreachMessageResponse>(reply).outreach_case();
        const HttpResult got = http.Get(absl::StrCat("/v1/outreach/", sent.case_id()));
        EXPECT_EQ(got.status, 200) << got.body.substr(0, 300);
        const rvv::OutreachCase c = ParseBody<rvv::GetOutreachCaseResponse>(got).outreach_case();
        if (c.messages_size() == 0) return std::nullopt;
        return std::make_pair(c.case_id(), c.messages(0));
      },
      .fields =
          {
              // It becomes a message on the case's ticket: the tickets service's limit holds.
              F{.name = "body",
                .max_bytes = 64 * 1024,
                .set = [](auto& r, const std::string& v) { r.set_body(v); },
                .get = [](const rvv::OutreachMessage& m) { return m.body(); }},
          },
      .arrived = [](HttpClient& http, const std::string& case_id,
                    const std::string&) -> std::optional<std::string> {
        const HttpResult got = http.Get(absl::StrCat("/v1/outreach/", case_id));
        if (got.status != 200) return std::nullopt;
        const std::string ticket_id =
            ParseBody<rvv::GetOutreachCaseResponse>(got).outreach_case().ticket_id();
        if (ticket_id.empty()) return std::nullopt;
        const std::optional<tv::Ticket> t = GetTicket(http, ticket_id);
        if (!t.has_value() || t->messages_size() == 0) return std::nullopt;
        return t->messages(0).body();
      }});
}

// ---- claims -------------------------------------------------------------------------------

TEST(HostileText, CreateClaim) {
  HttpClient http(sys->http_port());
  PutTheOrder(http, kOrder);
  using F = TextField<cv::CreateClaimRequest, cv::Claim>;
  Exercise(Create<cv::CreateClaimRequest, cv::Claim>{
      .route = "POST /v1/claims",
      .database = "aftersales_claims",
      .table = "claims",
      .request =
          [](int n) {
            cv::CreateClaimRequest r;
            r.set_store_id(kStore);
            r.set_marketplace_claim_id(absl::StrCat("HX-CLAIM-", n));
            r.mutable_order()->set_marketplace(common::v1::AMAZON);
            r.mutable_order()->set_site("US");
            r.mutable_order()->set_order_id(kOrder);
            r.set_kind(cv::A_TO_Z);
            r.set_reason(cv::NOT_RECEIVED);
            r.mutable_amount()->set_currency_code("USD");
            r.mutable_amount()->set_amount_minor(6000);
            *r.mutable_opened_at() = Ago(absl::Hours(1));
            return r;
          },
      .send = [](HttpClient& http,
                 const cv::CreateClaimRequest& r) { return http.Post("/v1/claims", Json(r)); },
      .read_back = [](HttpClient& http,
                      const HttpResult& reply) -> std::optional<std::pair<std::string, cv::Claim>> {
        const std::string id = ParseBody<cv::CreateClaimResponse>(reply).claim().claim_id();
        const HttpResult got = http.Get(absl::StrCat("/v1/claims/", id));
        EXPECT_EQ(got.status, 200) << got.body.substr(0, 300);
        if (got.status != 200) return std::nullopt;
        return std::make_pair(id, ParseBody<cv::GetClaimResponse>(got).claim());
      },
      .fields =
          {
              F{.name = "note",
                .max_bytes = 4000,
                .set = [](auto& r, const std::string& v) { r.set_note(v); },
                .get = [](const cv::Claim& c) { return c.note(); }},
              // The marketplace's own id, as it writes it: two that differ are two claims.
              F{.name = "marketplace_claim_id",
                .max_bytes = 128,
                .set = [](auto& r, const std::string& v) { r.set_marketplace_claim_id(v); },
                .get = [](const cv::Claim& c) { return c.marketplace_claim_id(); },
                .column_sql = "SELECT marketplace_claim_id FROM claims WHERE claim_id = ?"},
          }});
}

// ---- identity -----------------------------------------------------------------------------

TEST(HostileText, CreateApiKey) {
  using F = TextField<iv::CreateApiKeyRequest, iv::ApiKey>;
  Exercise(Create<iv::CreateApiKeyRequest, iv::ApiKey>{
      .route = "POST /v1/apiKeys",
      .database = "aftersales_identity",
      .table = "api_keys",
      .request =
          [](int) {
            iv::CreateApiKeyRequest r;
            r.set_name("ERP order sync");
            r.set_role(common::v1::SERVICE);
            r.add_stores(kStore);
            return r;
          },
      .send = [](HttpClient& http,
                 const iv::CreateApiKeyRequest& r) { return http.Post("/v1/apiKeys", Json(r)); },
      .read_back = [](HttpClient& http, const HttpResult& reply)
          -> std::optional<std::pair<std::string, iv::ApiKey>> {
        const std::string id = ParseBody<iv::CreateApiKeyResponse>(reply).api_key().key_id();
        const HttpResult list = http.Get("/v1/apiKeys");
        EXPECT_EQ(list.status, 200) << list.body.substr(0, 300);
        const iv::ListApiKeysResponse keys = ParseBody<iv::ListApiKeysResponse>(list);
        for (const iv::ApiKey& k : keys.api_keys()) {
          if (k.key_id() == id) return std::make_pair(id, k);
        }
        return std::nullopt;
      },
      .fields =
          {
              F{.name = "name",
                .max_bytes = 200,
                .set = [](auto& r, const std::string& v) { r.set_name(v); },
                .get = [](const iv::ApiKey& k) { return k.name(); },
                .column_sql = "SELECT name FROM api_keys WHERE key_id = ?"},
          }});
}

}  // namespace
}  // namespace aftersales
