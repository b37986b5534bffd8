#include "gateway/json_printer.h"

#include <gmock/gmock.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <limits>

#include "aftersales/tickets/v1/tickets.pb.h"
#include "google/api/http.pb.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
namespace tickets = ::aftersales::tickets::v1;

// What protobuf's own printer makes of the message with the gateway's options.
std::string ProtobufJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(pb::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

std::string OurJson(const pb::Message& message) {
  std::string json;
  const absl::Status s = AppendJson(message, json);
  EXPECT_TRUE(s.ok()) << s;
  return json;
}

tickets::Ticket FullTicket() {
  tickets::Ticket t;
  t.set_ticket_id("tkt_01");
  t.set_store_id("store-1");
  t.mutable_order()->set_marketplace(aftersales::common::v1::AMAZON);
  t.mutable_order()->set_order_id("111-222");
  t.mutable_buyer()->set_name("Zoë \"Z\" <O'Neil>\n\t\\ \x01 \x7f 😀 \u2028\u2029");
  t.mutable_buyer()->set_tier(tickets::Buyer::VIP);
  t.set_category(tickets::PRODUCT_DEFECT);
  t.set_status(tickets::Ticket::WAITING_ON_BUYER);
  t.mutable_created_at()->set_seconds(1704164645);
  t.mutable_updated_at()->set_seconds(1704164645);
  t.mutable_updated_at()->set_nanos(500000000);
  t.mutable_reply_due_at()->set_seconds(-62135596800);  // 0001-01-01
  t.mutable_follow_up_at()->set_nanos(1000);
  t.mutable_resolved_at()->set_nanos(1);
  t.set_breached(true);
  t.set_late_replies(-3);
  for (int i = 0; i < 2; ++i) {
    tickets::Message* m = t.add_messages();
    m->set_message_id("msg_" + std::to_string(i));
    m->set_direction(tickets::Message::INBOUND);
    m->set_body("hello");
  }
  return t;
}

TEST(JsonPrinter, PrintsATicketExactlyAsProtobufDoes) {
  const tickets::Ticket t = FullTicket();
  EXPECT_EQ(OurJson(t), ProtobufJson(t));
}

TEST(JsonPrinter, PrintsDefaultsOfAnEmptyMessageExactlyAsProtobufDoes) {
  EXPECT_EQ(OurJson(tickets::Ticket()), ProtobufJson(tickets::Ticket()));
  EXPECT_EQ(OurJson(tickets::GetTicketResponse()), "{}");
}

TEST(JsonPrinter, PrintsInt64AsStringsAndNestedRepeatedMessagesAsProtobufDoes) {
  tickets::GetOrderResponse r;
  tickets::OrderItem* item = r.mutable_order()->add_items();
  item->set_quantity(2);
  item->mutable_price()->set_amount_minor(std::numeric_limits<int64_t>::min());
  item->mutable_cost()->set_amount_minor(std::numeric_limits<int64_t>::max());
  r.add_shipments()->add_events()->set_code("DELIVERED");
  EXPECT_EQ(OurJson(r), ProtobufJson(r));
}

TEST(JsonPrinter, PrintsAMapAsAnObjectAsProtobufDoes) {
  tickets::RenderReplyTemplateRequest r;
  (*r.mutable_values())["buyer_name"] = "Ann";
  EXPECT_EQ(OurJson(r), ProtobufJson(r));
}

TEST(JsonPrinter, PrintsSetOneofMembersAfterTheOtherFieldsAsProtobufDoes) {
  google::api::HttpRule rule;
  EXPECT_EQ(OurJson(rule), ProtobufJson(rule));
  rule.set_get("/v1/x");
  rule.add_additional_bindings()->set_post("/v1/y");
  EXPECT_EQ(OurJson(rule), ProtobufJson(rule));
}

TEST(JsonPrinter, PrintsUnknownEnumNumbersAsNumbers) {
  tickets::Ticket t;
  t.set_category(static_cast<tickets::Category>(999));
  EXPECT_THAT(OurJson(t), ::testing::HasSubstr(R"("category":999)"));
}

TEST(JsonPrinter, PrintsWellKnownTypesAsProtobufDoes) {
  pb::DoubleValue d;
  for (const double v : {0.1, 1.0 / 3, 1e21, -0.0, 2.5}) {
    d.set_value(v);
    EXPECT_EQ(OurJson(d), ProtobufJson(d)) << v;
  }
  pb::Int64Value i;
  i.set_value(-7);
  EXPECT_EQ(OurJson(i), ProtobufJson(i));
  pb::BytesValue b;
  b.set_value("\x00\xff?", 3);
  EXPECT_EQ(OurJson(b), ProtobufJson(b));
  pb::Duration duration;
  duration.set_seconds(90);
  duration.set_nanos(500000000);
  EXPECT_EQ(OurJson(duration), ProtobufJson(duration));
  pb::Struct s;
  (*s.mutable_fields())["a"].set_number_value(1);
  EXPECT_EQ(OurJson(s), ProtobufJson(s));
}

TEST(JsonPrinter, PrintsTimestampsAcrossTheCalendarAsProtobufDoes) {
  const int64_t seconds[] = {-62135596800,
                             -1,
                             0,
                             951782400 /* 2000-02-29 */,
                             951868800,
                             4107542400 /* 2100-03-01 */,
                             1704164645,
                             253402300799};
  const int32_t nanos[] = {0, 1, 1000, 500000000, 999999999, 120000};
  for (const int64_t s : seconds) {
    for (const int32_t n : nanos) {
      tickets::Ticket t;
      t.mutable_created_at()->set_seconds(s);
      t.mutable_created_at()->set_nanos(n);
      EXPECT_EQ(OurJson(t), ProtobufJson(t)) << s << "s " << n << "ns";
    }
  }
}

TEST(JsonPrinter, TimestampOutOfRangeIsAnError) {
  tickets::Ticket t;
  t.mutable_created_at()->set_seconds(std::numeric_limits<int64_t>::max());
  std::string json;
  EXPECT_EQ(AppendJson(t, json).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace aftersales::gateway
