#include "gateway/api_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/api_proto_files.h"

namespace aftersales::gateway {
namespace {

using ::testing::Contains;

const std::vector<std::string> kTicketsOnly = {"tickets"};

TEST(ApiRoutes, EveryAnnotatedTicketsRpcBecomesARouteToTheTicketsBackend) {
  absl::StatusOr<ApiRoutes> api = BuildApiRoutes(ApiProtoFiles(), kTicketsOnly);
  ASSERT_TRUE(api.ok()) << api.status();
  const RouteMatch m = api->table.Match("PUT", "/v1/stores/S1/orders/O1");
  ASSERT_EQ(m.outcome, RouteMatch::Outcome::kFound);
  const ApiRoute& route = api->routes[m.route];
  EXPECT_EQ(route.rpc_path, "/aftersales.tickets.v1.TicketsService/PutOrder");
  EXPECT_EQ(route.backend, "tickets");
  EXPECT_EQ(route.path_template, "/v1/stores/{store_id}/orders/{order_id}");
  EXPECT_EQ(api->table.Match("POST", "/v1/stores/s1/replyTemplates/thanks:render").outcome,
            RouteMatch::Outcome::kFound);
}

TEST(ApiRoutes, ServiceWithoutConfiguredBackendGetsNoRoutes) {
  absl::StatusOr<ApiRoutes> api = BuildApiRoutes(ApiProtoFiles(), {});
  ASSERT_TRUE(api.ok()) << api.status();
  EXPECT_TRUE(api->routes.empty());
  EXPECT_THAT(api->services_without_backend, Contains("aftersales.tickets.v1.TicketsService"));
  EXPECT_EQ(api->table.Match("GET", "/v1/tickets/T1").outcome, RouteMatch::Outcome::kNotFound);
}

TEST(ApiRoutes, ProtoFileMissingFromTheBinaryIsAnError) {
  const std::vector<std::string_view> files = {"aftersales/nothing/v1/nothing.proto"};
  EXPECT_FALSE(BuildApiRoutes(files, kTicketsOnly).ok());
}

TEST(ApiRoutes, OnlyGetBoundRpcsAreRetryable) {
  absl::StatusOr<ApiRoutes> api = BuildApiRoutes(ApiProtoFiles(), kTicketsOnly);
  ASSERT_TRUE(api.ok()) << api.status();
  std::vector<std::string> names;
  for (const RetryableMethod& m : RetryableMethods(*api, "tickets")) {
    EXPECT_EQ(m.service, "aftersales.tickets.v1.TicketsService");
    names.push_back(m.method);
  }
  EXPECT_THAT(names, Contains("GetTicket"));
  EXPECT_THAT(names, Contains("ListTickets"));
  EXPECT_THAT(names, ::testing::Not(Contains("CreateTicket")));
  EXPECT_THAT(names, ::testing::Not(Contains("PutOrder")));
}

TEST(ApiRoutes, BackendIsTheServicePackageName) {
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      "aftersales.tickets.v1.TicketsService");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(BackendForService(*service), "tickets");
}

}  // namespace
}  // namespace aftersales::gateway
