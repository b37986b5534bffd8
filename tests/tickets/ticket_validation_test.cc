#include "services/tickets/ticket_validation.h"

#include <gtest/gtest.h>

namespace aftersales::tickets {
namespace {

v1::CreateTicketRequest ValidCreate() {
  v1::CreateTicketRequest r;
  r.set_store_id("store-1");
  r.mutable_order()->set_marketplace(common::v1::AMAZON);
  r.mutable_order()->set_site("US");
  r.mutable_order()->set_order_id("113-1234567-1234567");
  r.mutable_buyer()->set_buyer_id("buyer-1");
  r.mutable_buyer()->set_name("Anna");
  r.mutable_buyer()->set_email("anna@example.com");
  r.mutable_buyer()->set_country("US");
  r.mutable_buyer()->set_time_zone("America/New_York");
  r.mutable_buyer()->set_language("en");
  r.set_category(v1::LOGISTICS_DELAYED);
  r.set_channel(v1::MARKETPLACE_MESSAGE);
  r.set_subject("Where is my parcel?");
  r.set_body("It has been three weeks.");
  return r;
}

struct BadField {
  std::string name;
  std::function<void(v1::CreateTicketRequest&)> spoil;
  std::string field;  // must appear in the message
};

class CreateTicketValidation : public ::testing::TestWithParam<BadField> {};

TEST_P(CreateTicketValidation, NamesTheField) {
  v1::CreateTicketRequest r = ValidCreate();
  GetParam().spoil(r);
  const absl::Status s = ValidateCreateTicket(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(GetParam().field), absl::string_view::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CreateTicketValidation,
    ::testing::Values(
        BadField{"EmptyStore", [](auto& r) { r.set_store_id(""); }, "store_id"},
        BadField{"StoreWithSpaces", [](auto& r) { r.set_store_id("my store"); }, "store_id"},
        BadField{"NoBuyer", [](auto& r) { r.clear_buyer(); }, "buyer"},
        BadField{"EmptyBuyerId", [](auto& r) { r.mutable_buyer()->set_buyer_id(""); }, "buyer.buyer_id"},
        BadField{"BadTimeZone", [](auto& r) { r.mutable_buyer()->set_time_zone("Mars/Base"); }, "buyer.time_zone"},
        BadField{"BadCountry", [](auto& r) { r.mutable_buyer()->set_country("usa"); }, "buyer.country"},
        BadField{"BadEmail", [](auto& r) { r.mutable_buyer()->set_email("anna-at-example"); }, "buyer.email"},
        BadField{"BadLanguage", [](auto& r) { r.mutable_buyer()->set_language("english!"); }, "buyer.language"},
        BadField{"UnknownTier", [](auto& r) { r.mutable_buyer()->set_tier(static_cast<v1::Buyer::Tier>(99)); }, "buyer.tier"},
        BadField{"MissingCategory", [](auto& r) { r.set_category(v1::CATEGORY_UNSPECIFIED); }, "category"},
        BadField{"UnknownCategory", [](auto& r) { r.set_category(static_cast<v1::Category>(999)); }, "category"},
        BadField{"MissingChannel", [](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); }, "channel"},
        BadField{"BlankSubject", [](auto& r) { r.set_subject("   "); }, "subject"},
        BadField{"OversizeSubject", [](auto& r) { r.set_subject(std::string(1001, 'x')); }, "subject"},
        BadField{"EmptyBody", [](auto& r) { r.set_body(""); }, "body"},
        BadField{"OversizeBody", [](auto& r) { r.set_body(std::string(64 * 1024 + 1, 'x')); }, "body"},
        BadField{"InvalidUtf8Body", [](auto& r) { r.set_body("ok \xC3\x28 bad"); }, "body"},
        BadField{"OrderWithoutMarketplace", [](auto& r) { r.mutable_order()->set_marketplace(common::v1::MARKETPLACE_UNSPECIFIED); }, "order.marketplace"},
        BadField{"LowerCaseSite", [](auto& r) { r.mutable_order()->set_site("us"); }, "order.site"},
        BadField{"ReceivedInMilliseconds", [](auto& r) { r.mutable_received_at()->set_seconds(1763884800000); }, "received_at"}),
    [](const auto& info) { return info.param.name; });

TEST(CreateTicketValidation, AcceptsAWholeRequestAndOneWithoutOrder) {
  EXPECT_TRUE(ValidateCreateTicket(ValidCreate()).ok());
  v1::CreateTicketRequest r = ValidCreate();
  r.clear_order();
  EXPECT_TRUE(ValidateCreateTicket(r).ok());
}

TEST(CreateTicketValidation, AcceptsChineseJapaneseAndEmoji) {
  v1::CreateTicketRequest r = ValidCreate();
  r.set_subject("包裹在哪里？荷物はどこ？📦");
  r.mutable_buyer()->set_name("王小明");
  EXPECT_TRUE(ValidateCreateTicket(r).ok());
}

TEST(AddMessageValidation, InboundCannotBeAutomatic) {
  v1::AddMessageRequest r;
  r.set_ticket_id("tkt_1");
  r.set_direction(v1::Message::INBOUND);
  r.set_body("hi");
  r.set_automatic(true);
  EXPECT_NE(ValidateAddMessage(r).message().find("automatic"), absl::string_view::npos);
  r.set_direction(v1::Message::DIRECTION_UNSPECIFIED);
  r.set_automatic(false);
  EXPECT_NE(ValidateAddMessage(r).message().find("direction"), absl::string_view::npos);
}

TEST(PutOrderValidation, NegativePriceAndMismatchedIdAreRefused) {
  v1::PutOrderRequest r;
  r.set_store_id("s-1");
  r.set_order_id("o-1");
  r.mutable_order()->set_marketplace(common::v1::EBAY);
  auto* item = r.mutable_order()->add_items();
  item->set_sku("SKU-1");
  item->set_quantity(1);
  item->mutable_price()->set_currency_code("USD");
  item->mutable_price()->set_amount_minor(-5);
  EXPECT_NE(ValidatePutOrder(r).message().find("order.items[0].price.amount_minor"),
            absl::string_view::npos);
  item->mutable_price()->set_amount_minor(500);
  EXPECT_TRUE(ValidatePutOrder(r).ok()) << ValidatePutOrder(r);
  r.mutable_order()->set_order_id("o-2");
  EXPECT_NE(ValidatePutOrder(r).message().find("order.order_id"), absl::string_view::npos);
  r.mutable_order()->set_order_id("o-1");
  r.mutable_order()->set_store_id("s-2");
  EXPECT_NE(ValidatePutOrder(r).message().find("order.store_id"), absl::string_view::npos);
  r.mutable_order()->set_store_id("s-1");
  r.clear_store_id();
  EXPECT_NE(ValidatePutOrder(r).message().find("store_id"), absl::string_view::npos)
      << "an order names its store";
}

TEST(ReplyTemplateValidation, UnknownPlaceholderIsRefused) {
  v1::CreateReplyTemplateRequest r;
  r.set_store_id("s-1");
  r.mutable_template_()->set_name("tracking_update");
  r.mutable_template_()->set_language("en");
  r.mutable_template_()->set_topic("Tracking update");
  r.mutable_template_()->set_body("Hi {buyer}, here is {tracking_url}");
  EXPECT_NE(ValidateReplyTemplate(r).message().find("{buyer}"), absl::string_view::npos);
}

}  // namespace
}  // namespace aftersales::tickets
