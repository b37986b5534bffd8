#include "gateway/openapi.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/api_proto_files.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;

// The document of every linked service, read back as JSON.
class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<ApiRoutes> api = BuildApiRoutes(ApiProtoFiles(), {"tickets", "returns"});
    ASSERT_TRUE(api.ok()) << api.status();
    api_ = *std::move(api);
    text_ = OpenApiDocument(api_, "Aftersales API", "v1");
    const auto parsed = pb::util::JsonStringToMessage(text_, &root_);
    ASSERT_TRUE(parsed.ok()) << parsed.ToString() << "\n" << text_.substr(0, 2000);
  }

  static const pb::Value* Get(const pb::Value& object, const std::string& key) {
    if (object.kind_case() != pb::Value::kStructValue) return nullptr;
    const auto& fields = object.struct_value().fields();
    const auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
  }
  // Follows keys from the document's root; null when one is missing.
  const pb::Value* At(std::initializer_list<std::string> keys) const {
    const pb::Value* v = &root_;
    for (const std::string& key : keys) {
      if (v == nullptr) return nullptr;
      v = Get(*v, key);
    }
    return v;
  }
  std::string StringAt(std::initializer_list<std::string> keys) const {
    const pb::Value* v = At(keys);
    return v == nullptr ? "<missing>" : v->string_value();
  }
  // The parameter of an operation by name, or null.
  const pb::Value* Parameter(const std::string& path, const std::string& method,
                             const std::string& name) const {
    const pb::Value* params = At({"paths", path, method, "parameters"});
    if (params == nullptr) return nullptr;
    for (const pb::Value& p : params->list_value().values()) {
      if (Get(p, "name") != nullptr && Get(p, "name")->string_value() == name) return &p;
    }
    return nullptr;
  }
  static void CollectRefs(const pb::Value& v, std::set<std::string>& refs) {
    if (v.kind_case() == pb::Value::kStructValue) {
      for (const auto& [key, child] : v.struct_value().fields()) {
        if (key == "$ref") refs.insert(child.string_value());
        CollectRefs(child, refs);
      }
    } else if (v.kind_case() == pb::Value::kListValue) {
      for (const pb::Value& child : v.list_value().values()) CollectRefs(child, refs);
    }
  }

  ApiRoutes api_;
  std::string text_;
  pb::Value root_;
};

TEST_F(OpenApiTest, EveryRouteIsAnOperationWithAUniqueId) {
  EXPECT_EQ(StringAt({"openapi"}), "3.0.3");
  EXPECT_EQ(StringAt({"info", "title"}), "Aftersales API");
  std::set<std::string> ids;
  for (const ApiRoute& route : api_.routes) {
    const std::string method = absl::AsciiStrToLower(route.http_method);
    const pb::Value* op = At({"paths", route.path_template, method});
    ASSERT_NE(op, nullptr) << route.http_method << " " << route.path_template;
    const std::string id = Get(*op, "operationId")->string_value();
    EXPECT_TRUE(ids.insert(id).second) << "operationId " << id << " is used twice";
    EXPECT_NE(Get(*op, "responses"), nullptr);
  }
  EXPECT_GE(ids.size(), 20u);
  EXPECT_EQ(StringAt({"paths", "/v1/tickets", "post", "operationId"}),
            "TicketsService_CreateTicket");
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::set<std::string> refs;
  CollectRefs(root_, refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_TRUE(absl::StartsWith(ref, "#/components/schemas/")) << ref;
    const std::string name = ref.substr(std::string("#/components/schemas/").size());
    EXPECT_NE(At({"components", "schemas", name}), nullptr) << "dangling " << ref;
  }
}

TEST_F(OpenApiTest, BodiesPathAndQueryParametersFollowTheBindings) {
  // body: "*" is the whole request.
  EXPECT_EQ(StringAt({"paths", "/v1/tickets", "post", "requestBody", "content", "application/json",
                      "schema", "$ref"}),
            "#/components/schemas/aftersales.tickets.v1.CreateTicketRequest");
  // body: "order" is that field; the path variable is a required path parameter.
  EXPECT_EQ(StringAt({"paths", "/v1/stores/{store_id}/orders/{order_id}", "put", "requestBody", "content",
                      "application/json", "schema", "$ref"}),
            "#/components/schemas/aftersales.tickets.v1.Order");
  const pb::Value* order_id = Parameter("/v1/stores/{store_id}/orders/{order_id}", "put", "order_id");
  ASSERT_NE(order_id, nullptr);
  EXPECT_EQ(Get(*order_id, "in")->string_value(), "path");
  EXPECT_TRUE(Get(*order_id, "required")->bool_value());
  // A GET takes its other fields from the query string: a Timestamp as date-time, an enum by
  // reference, nothing for the path variable.
  const pb::Value* due_before = Parameter("/v1/tickets", "get", "due_before");
  ASSERT_NE(due_before, nullptr);
  EXPECT_EQ(Get(*Get(*due_before, "schema"), "format")->string_value(), "date-time");
  EXPECT_NE(Parameter("/v1/tickets", "get", "page_size"), nullptr);
  EXPECT_EQ(At({"paths", "/v1/tickets/{ticket_id}", "get", "requestBody"}), nullptr);
  // Headers: Idempotency-Key where a call writes, X-Request-Id everywhere.
  const pb::Value* key = Parameter("/v1/tickets", "post", "Idempotency-Key");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(Get(*key, "in")->string_value(), "header");
  EXPECT_EQ(Parameter("/v1/tickets", "get", "Idempotency-Key"), nullptr);
  EXPECT_NE(Parameter("/v1/tickets", "get", "X-Request-Id"), nullptr);
  const pb::Value* ticket_id = Parameter("/v1/tickets/{ticket_id}", "get", "ticket_id");
  ASSERT_NE(ticket_id, nullptr);
  EXPECT_EQ(Get(*ticket_id, "in")->string_value(), "path");
}

TEST_F(OpenApiTest, SchemasSayWhatTheGatewayPrints) {
  // 64-bit integers travel as strings.
  EXPECT_EQ(StringAt({"components", "schemas", "aftersales.common.v1.Money", "properties",
                      "amount_minor", "type"}),
            "string");
  // Enums by name.
  const pb::Value* marketplace =
      At({"components", "schemas", "aftersales.common.v1.Marketplace", "enum"});
  ASSERT_NE(marketplace, nullptr);
  std::set<std::string> names;
  for (const pb::Value& v : marketplace->list_value().values()) names.insert(v.string_value());
  EXPECT_TRUE(names.count("AMAZON") && names.count("SHOPIFY"));
  // Times as RFC 3339 strings; every error as the Error schema.
  EXPECT_EQ(StringAt({"components", "schemas", "aftersales.tickets.v1.Ticket", "properties",
                      "created_at", "format"}),
            "date-time");
  EXPECT_EQ(StringAt({"paths", "/v1/tickets", "post", "responses", "default", "content",
                      "application/json", "schema", "$ref"}),
            "#/components/schemas/aftersales.Error");
}

TEST_F(OpenApiTest, TheSameRoutesGiveTheSameDocument) {
  absl::StatusOr<ApiRoutes> again = BuildApiRoutes(ApiProtoFiles(), {"tickets", "returns"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(OpenApiDocument(*again, "Aftersales API", "v1"), text_);
}

}  // namespace
}  // namespace aftersales::gateway
