#include "gateway/transcoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aftersales/tickets/v1/tickets.grpc.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::gateway {
namespace {

namespace tickets = ::aftersales::tickets::v1;
using ::testing::HasSubstr;
using ::testing::Not;

const google::protobuf::MethodDescriptor& Rpc(absl::string_view name) {
  return *tickets::GetTicketRequest::descriptor()
              ->file()
              ->FindServiceByName("TicketsService")
              ->FindMethodByName(std::string(name));
}

Transcoder MakeTranscoder(absl::string_view rpc, absl::string_view body,
                          std::vector<std::string> path_variables = {}) {
  absl::StatusOr<Transcoder> t = Transcoder::Create(Rpc(rpc), body, path_variables);
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

template <typename Message>
Message Build(const Transcoder& t, absl::string_view body, std::vector<std::string> path = {},
              absl::string_view query = "") {
  absl::StatusOr<std::string> bytes = t.BuildRequest(body, path, query);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  Message m;
  EXPECT_TRUE(m.ParseFromString(bytes.value_or("")));
  return m;
}

absl::Status BuildError(const Transcoder& t, absl::string_view body,
                        std::vector<std::string> path = {}, absl::string_view query = "") {
  return t.BuildRequest(body, path, query).status();
}

TEST(Transcoder, WholeBodyFillsTheRequestIncludingEnumsNestedMessagesAndTimestamps) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const auto r = Build<tickets::CreateTicketRequest>(t, R"({
      "store_id": "s1", "category": "LOGISTICS_DELAYED", "channel": "EMAIL",
      "buyer": {"name": "Ann", "tier": "VIP"},
      "order": {"marketplace": "AMAZON", "order_id": "O1"},
      "received_at": "2024-01-02T03:04:05Z", "body": "where is it?"})");
  EXPECT_EQ(r.store_id(), "s1");
  EXPECT_EQ(r.category(), tickets::LOGISTICS_DELAYED);
  EXPECT_EQ(r.channel(), tickets::EMAIL);
  EXPECT_EQ(r.buyer().tier(), tickets::Buyer::VIP);
  EXPECT_EQ(r.order().marketplace(), aftersales::common::v1::AMAZON);
  EXPECT_EQ(r.order().order_id(), "O1");
  EXPECT_EQ(r.received_at().seconds(), 1704164645);
  EXPECT_EQ(r.body(), "where is it?");
}

TEST(Transcoder, LowerCamelFieldNamesAreAcceptedToo) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const auto r = Build<tickets::CreateTicketRequest>(t, R"({"storeId": "s1", "receivedAt":
      "2024-01-02T03:04:05.5Z"})");
  EXPECT_EQ(r.store_id(), "s1");
  EXPECT_EQ(r.received_at().nanos(), 500000000);
}

TEST(Transcoder, PathVariableFillsItsFieldAndWinsOverTheBody) {
  const Transcoder t = MakeTranscoder("AddMessage", "*", {"ticket_id"});
  const auto r = Build<tickets::AddMessageRequest>(
      t, R"({"ticket_id": "from-body", "direction": "OUTBOUND", "body": "hi"})", {"T1"});
  EXPECT_EQ(r.ticket_id(), "T1");
  EXPECT_EQ(r.direction(), tickets::Message::OUTBOUND);
  EXPECT_EQ(r.body(), "hi");
}

TEST(Transcoder, NestedPathVariableFillsTheNestedField) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*", {"order.order_id"});
  const auto r =
      Build<tickets::CreateTicketRequest>(t, R"({"order": {"marketplace": "EBAY"}})", {"O7"});
  EXPECT_EQ(r.order().order_id(), "O7");
  EXPECT_EQ(r.order().marketplace(), aftersales::common::v1::EBAY);
}

TEST(Transcoder, BodyFieldRouteParsesTheBodyIntoThatField) {
  // PUT /v1/stores/{store_id}/orders/{order_id} with body: "order".
  const Transcoder t = MakeTranscoder("PutOrder", "order", {"order_id"});
  const auto r = Build<tickets::PutOrderRequest>(t, R"({"store_id": "s1", "fulfillment":
      "MERCHANT", "items": [{"sku": "A-1", "quantity": 2, "price": {"currency_code": "USD",
      "amount_minor": "1999"}}]})",
                                                 {"O1"});
  EXPECT_EQ(r.order_id(), "O1");
  EXPECT_EQ(r.order().store_id(), "s1");
  EXPECT_EQ(r.order().fulfillment(), tickets::Order::MERCHANT);
  ASSERT_EQ(r.order().items_size(), 1);
  EXPECT_EQ(r.order().items(0).quantity(), 2);
  EXPECT_EQ(r.order().items(0).price().amount_minor(), 1999);
}

TEST(Transcoder, BodyFieldRouteRejectsQueryParametersForTheBodyField) {
  const Transcoder t = MakeTranscoder("PutOrder", "order", {"order_id"});
  const absl::Status s = BuildError(t, "{}", {"O1"}, "order.store_id=s1");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("order.store_id"));
}

TEST(Transcoder, BodyFieldRouteTakesOtherFieldsFromTheQuery) {
  const Transcoder t = MakeTranscoder("PutOrder", "order");
  const auto r = Build<tickets::PutOrderRequest>(t, R"({"store_id": "s1"})", {}, "order_id=O9");
  EXPECT_EQ(r.order_id(), "O9");
  EXPECT_EQ(r.order().store_id(), "s1");
}

TEST(Transcoder, QueryParametersFillFieldsOfAGetRequest) {
  const Transcoder t = MakeTranscoder("ListTickets", "");
  const auto r = Build<tickets::ListTicketsRequest>(
      t, "", {},
      "store_id=s1&status=OPEN&category=LOGISTICS_LOST&breached_only=true&pageSize=20"
      "&due_before=2024-05-01T09%3A30%3A00Z&assignee=ann+lee");
  EXPECT_EQ(r.store_id(), "s1");
  EXPECT_EQ(r.status(), tickets::Ticket::OPEN);
  EXPECT_EQ(r.category(), tickets::LOGISTICS_LOST);
  EXPECT_TRUE(r.breached_only());
  EXPECT_EQ(r.page_size(), 20);
  EXPECT_EQ(r.due_before().seconds(), 1714555800);
  EXPECT_EQ(r.assignee(), "ann lee");
}

TEST(Transcoder, EnumQueryParameterAcceptsItsNumberToo) {
  const Transcoder t = MakeTranscoder("ListTickets", "");
  EXPECT_EQ(Build<tickets::ListTicketsRequest>(t, "", {}, "status=3").status(),
            tickets::Ticket::RESOLVED);
}

TEST(Transcoder, EmptyBodyIsAnEmptyMessage) {
  const Transcoder t = MakeTranscoder("ResolveTicket", "*", {"ticket_id"});
  EXPECT_EQ(Build<tickets::ResolveTicketRequest>(t, "", {"T1"}).ticket_id(), "T1");
  EXPECT_EQ(Build<tickets::ResolveTicketRequest>(t, " \n", {"T1"}).ticket_id(), "T1");
}

TEST(Transcoder, UnknownBodyFieldIsRejectedNamingIt) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const absl::Status s = BuildError(t, R"({"store_id": "s1", "colour": "red"})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("colour"));
}

TEST(Transcoder, UnknownNestedBodyFieldIsRejectedNamingItAndItsParent) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const absl::Status s = BuildError(t, R"({"buyer": {"nmae": "Ann"}})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("nmae"));
  EXPECT_THAT(s.message(), HasSubstr("buyer"));
}

TEST(Transcoder, UnknownEnumNameIsRejectedNamingTheField) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const absl::Status s = BuildError(t, R"({"category": "LOST_IN_SPACE"})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("category"));
  EXPECT_THAT(s.message(), HasSubstr("LOST_IN_SPACE"));
}

TEST(Transcoder, ValueOfTheWrongTypeIsRejectedNamingTheField) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const absl::Status s = BuildError(t, R"({"store_id": 5})");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("store_id"));
}

TEST(Transcoder, MalformedJsonIsRejected) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  for (const char* body : {R"({"store_id": )", "[1, 2]", "not json", R"({"a" "b"})"}) {
    const absl::Status s = BuildError(t, body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(s.message(), HasSubstr("invalid JSON body")) << body;
  }
}

TEST(Transcoder, BodyErrorsNameTheFieldPathAndTheProblem) {
  const Transcoder whole = MakeTranscoder("CreateTicket", "*");
  EXPECT_THAT(BuildError(whole, R"({"buyer": {"tier": "GOLD"}})").message(),
              HasSubstr(R"(invalid JSON body: buyer.tier: unknown enum value "GOLD" (one of )"));
  const Transcoder field = MakeTranscoder("PutOrder", "order", {"order_id"});
  EXPECT_THAT(
      BuildError(field, R"({"items": [{"quantity": 1.5}]})", {"O1"}).message(),
      HasSubstr("invalid JSON body: items[0].quantity: 1.5 is not an integer"));
}

TEST(Transcoder, BodyFieldRouteWithPathVariableAndQueryBuildsOneRequest) {
  const Transcoder t = MakeTranscoder("PutOrder", "order", {"order_id"});
  const auto r =
      Build<tickets::PutOrderRequest>(t, R"({"items": [{"sku": "A"}, {"sku": "B"}]})", {"O1"});
  EXPECT_EQ(r.order_id(), "O1");
  ASSERT_EQ(r.order().items_size(), 2);
  EXPECT_EQ(r.order().items(1).sku(), "B");
}

TEST(Transcoder, BadQueryValuesAreRejectedNamingTheParameter) {
  const Transcoder t = MakeTranscoder("ListTickets", "");
  const struct {
    const char* query;
    const char* mentions;
  } cases[] = {
      {"page_size=ten", "page_size"},
      {"page_size=99999999999", "page_size"},
      {"breached_only=maybe", "breached_only"},
      {"due_before=yesterday", "due_before"},
      {"due_before=2024-5-1T9:30:00Z", "RFC 3339"},  // the same strict reader as bodies
      {"status=CLOSED", "OPEN"},  // lists the values it could be
      {"colour=red", "colour"},
      {"store_id.x=1", "store_id"},
  };
  for (const auto& c : cases) {
    const absl::Status s = BuildError(t, "", {}, c.query);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.query;
    EXPECT_THAT(s.message(), HasSubstr(c.mentions)) << c.query;
    EXPECT_THAT(s.message(), Not(HasSubstr("aftersales."))) << "no internal type names";
  }
}

TEST(Transcoder, WholeBodyRouteRejectsQueryParameters) {
  const Transcoder t = MakeTranscoder("CreateTicket", "*");
  const absl::Status s = BuildError(t, "{}", {}, "store_id=s1");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("store_id"));
}

TEST(Transcoder, RouteWithoutBodyRejectsABody) {
  const Transcoder t = MakeTranscoder("GetTicket", "", {"ticket_id"});
  EXPECT_EQ(BuildError(t, R"({"ticket_id": "T2"})", {"T1"}).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(Transcoder, BindingNamingFieldsTheRequestDoesNotHaveIsRejected) {
  EXPECT_THAT(Transcoder::Create(Rpc("GetTicket"), "", {"ticket"}).status().message(),
              HasSubstr("ticket"));
  EXPECT_THAT(Transcoder::Create(Rpc("PutOrder"), "orders", {"order_id"}).status().message(),
              HasSubstr("orders"));
  // A path variable must end at a value, not a message.
  EXPECT_FALSE(Transcoder::Create(Rpc("PutOrder"), "", {"order"}).ok());
}

TEST(Transcoder, ResponseJsonUsesProtoNamesAndPrintsFalseAndZero) {
  const Transcoder t = MakeTranscoder("GetTicket", "", {"ticket_id"});
  tickets::GetTicketResponse response;
  tickets::Ticket& ticket = *response.mutable_ticket();
  ticket.set_ticket_id("T1");
  ticket.set_status(tickets::Ticket::OPEN);
  ticket.mutable_reply_due_at()->set_seconds(1704164645);
  std::string json;
  ASSERT_TRUE(t.ResponseToJson(response.SerializeAsString(), json).ok());
  EXPECT_THAT(json, HasSubstr(R"("ticket_id":"T1")"));
  EXPECT_THAT(json, HasSubstr(R"("status":"OPEN")"));
  EXPECT_THAT(json, HasSubstr(R"("reply_due_at":"2024-01-02T03:04:05Z")"));
  EXPECT_THAT(json, HasSubstr(R"("breached":false)"));
  EXPECT_THAT(json, HasSubstr(R"("late_replies":0)"));
  EXPECT_THAT(json, HasSubstr(R"("assignee":"")"));
  EXPECT_THAT(json, HasSubstr(R"("messages":[])"));
  EXPECT_THAT(json, Not(HasSubstr("ticketId")));
}

TEST(Transcoder, ResponseJsonPrintsInt64AsStringPerProtoJsonMapping) {
  const Transcoder t = MakeTranscoder("GetOrder", "", {"order_id"});
  tickets::GetOrderResponse response;
  response.mutable_order()->add_items()->mutable_price()->set_amount_minor(1999);
  std::string json;
  ASSERT_TRUE(t.ResponseToJson(response.SerializeAsString(), json).ok());
  EXPECT_THAT(json, HasSubstr(R"("amount_minor":"1999")"));
}

TEST(Transcoder, ResponseThatIsNotTheMessageIsAnInternalError) {
  const Transcoder t = MakeTranscoder("GetTicket", "", {"ticket_id"});
  std::string json;
  EXPECT_EQ(t.ResponseToJson(absl::string_view("\x0a\xff\xff", 3), json).code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace aftersales::gateway
