#include "gateway/json_parser.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
using ::testing::HasSubstr;

// Every field kind the JSON mapping knows, which the API's own protos do not all use (floats,
// unsigned and fixed integers, bytes, wrappers, maps with integer and bool keys, a oneof, a
// custom json_name). Built at run time so the test needs no protoc step of its own.
constexpr char kEverythingProto[] = R"pb(
  name: "json_parser_test/everything.proto"
  package: "jsontest"
  syntax: "proto3"
  dependency: "google/protobuf/timestamp.proto"
  dependency: "google/protobuf/duration.proto"
  dependency: "google/protobuf/wrappers.proto"
  dependency: "google/protobuf/empty.proto"
  dependency: "google/protobuf/struct.proto"
  enum_type {
    name: "Color"
    value { name: "COLOR_UNSPECIFIED" number: 0 }
    value { name: "RED" number: 1 }
    value { name: "GREEN" number: 2 }
  }
  message_type {
    name: "Nested"
    field { name: "id" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field { name: "label" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
    field {
      name: "child"
      number: 3
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".jsontest.Nested"
    }
  }
  message_type {
    name: "Everything"
    field { name: "int32_value" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field { name: "int64_value" number: 2 label: LABEL_OPTIONAL type: TYPE_INT64 }
    field { name: "uint32_value" number: 3 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "uint64_value" number: 4 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "sint32_value" number: 5 label: LABEL_OPTIONAL type: TYPE_SINT32 }
    field { name: "sint64_value" number: 6 label: LABEL_OPTIONAL type: TYPE_SINT64 }
    field { name: "fixed32_value" number: 7 label: LABEL_OPTIONAL type: TYPE_FIXED32 }
    field { name: "fixed64_value" number: 8 label: LABEL_OPTIONAL type: TYPE_FIXED64 }
    field { name: "sfixed32_value" number: 9 label: LABEL_OPTIONAL type: TYPE_SFIXED32 }
    field { name: "sfixed64_value" number: 10 label: LABEL_OPTIONAL type: TYPE_SFIXED64 }
    field { name: "float_value" number: 11 label: LABEL_OPTIONAL type: TYPE_FLOAT }
    field { name: "double_value" number: 12 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
    field { name: "bool_value" number: 13 label: LABEL_OPTIONAL type: TYPE_BOOL }
    field { name: "string_value" number: 14 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "bytes_value" number: 15 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "color"
      number: 16
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".jsontest.Color"
    }
    field {
      name: "nested"
      number: 17
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".jsontest.Nested"
    }
    field { name: "repeated_int64" number: 18 label: LABEL_REPEATED type: TYPE_INT64 }
    field { name: "repeated_string" number: 19 label: LABEL_REPEATED type: TYPE_STRING }
    field {
      name: "repeated_nested"
      number: 20
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".jsontest.Nested"
    }
    field {
      name: "repeated_color"
      number: 21
      label: LABEL_REPEATED
      type: TYPE_ENUM
      type_name: ".jsontest.Color"
    }
    field { name: "repeated_double" number: 22 label: LABEL_REPEATED type: TYPE_DOUBLE }
    field {
      name: "string_to_int32"
      number: 23
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".jsontest.Everything.StringToInt32Entry"
    }
    field {
      name: "int64_to_string"
      number: 24
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".jsontest.Everything.Int64ToStringEntry"
    }
    field {
      name: "bool_to_nested"
      number: 25
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".jsontest.Everything.BoolToNestedEntry"
    }
    field {
      name: "uint32_to_color"
      number: 26
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".jsontest.Everything.Uint32ToColorEntry"
    }
    field {
      name: "timestamp"
      number: 27
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
    field {
      name: "duration"
      number: 28
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Duration"
    }
    field {
      name: "repeated_timestamp"
      number: 29
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
    field {
      name: "int32_wrapper"
      number: 30
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Int32Value"
    }
    field {
      name: "int64_wrapper"
      number: 31
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Int64Value"
    }
    field {
      name: "uint32_wrapper"
      number: 32
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.UInt32Value"
    }
    field {
      name: "uint64_wrapper"
      number: 33
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.UInt64Value"
    }
    field {
      name: "float_wrapper"
      number: 34
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.FloatValue"
    }
    field {
      name: "double_wrapper"
      number: 35
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.DoubleValue"
    }
    field {
      name: "bool_wrapper"
      number: 36
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.BoolValue"
    }
    field {
      name: "string_wrapper"
      number: 37
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.StringValue"
    }
    field {
      name: "bytes_wrapper"
      number: 38
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.BytesValue"
    }
    field {
      name: "empty"
      number: 39
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Empty"
    }
    field { name: "choice_text" number: 40 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
    field { name: "choice_number" number: 41 label: LABEL_OPTIONAL type: TYPE_INT32 oneof_index: 0 }
    field {
      name: "renamed"
      number: 42
      label: LABEL_OPTIONAL
      type: TYPE_STRING
      json_name: "customName"
    }
    oneof_decl { name: "choice" }
    nested_type {
      name: "StringToInt32Entry"
      options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
    }
    nested_type {
      name: "Int64ToStringEntry"
      options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_INT64 }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
    }
    nested_type {
      name: "BoolToNestedEntry"
      options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL }
      field {
        name: "value"
        number: 2
        label: LABEL_OPTIONAL
        type: TYPE_MESSAGE
        type_name: ".jsontest.Nested"
      }
    }
    nested_type {
      name: "Uint32ToColorEntry"
      options { map_entry: true }
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT32 }
      field {
        name: "value"
        number: 2
        label: LABEL_OPTIONAL
        type: TYPE_ENUM
        type_name: ".jsontest.Color"
      }
    }
  }
  message_type {
    name: "HoldsStruct"
    field { name: "id" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field {
      name: "nested"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".jsontest.HoldsStructDeeper"
    }
  }
  message_type {
    name: "HoldsStructDeeper"
    field {
      name: "attributes"
      number: 1
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Struct"
    }
  }
)pb";

// The pool and factory behind kEverythingProto; built once, read by every test.
struct TestTypes {
  pb::DescriptorPool pool;
  pb::DynamicMessageFactory factory{&pool};

  TestTypes() {
    for (const pb::FileDescriptor* file :
         {pb::Timestamp::descriptor()->file(), pb::Duration::descriptor()->file(),
          pb::Int32Value::descriptor()->file(), pb::Empty::descriptor()->file(),
          pb::Struct::descriptor()->file()}) {
      pb::FileDescriptorProto proto;
      file->CopyTo(&proto);
      pool.BuildFile(proto);
    }
    pb::FileDescriptorProto proto;
    EXPECT_TRUE(pb::TextFormat::ParseFromString(kEverythingProto, &proto));
    EXPECT_NE(pool.BuildFile(proto), nullptr);
  }

  const pb::Descriptor& Type(absl::string_view name) const {
    return *pool.FindMessageTypeByName(std::string(name));
  }
  std::unique_ptr<pb::Message> New(absl::string_view name) {
    return std::unique_ptr<pb::Message>(factory.GetPrototype(&Type(name))->New());
  }
};

TestTypes& Types() {
  static TestTypes* const types = new TestTypes();
  return *types;
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor& type) {
  if (type.file()->pool() == pb::DescriptorPool::generated_pool()) {
    return std::unique_ptr<pb::Message>(
        pb::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  }
  return Types().New(type.full_name());
}

absl::Status ProtobufParse(absl::string_view json, pb::Message& message) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const pb::util::Status s =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), &message, options);
  if (s.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(s.message().data(), s.message().size()));
}

bool SameMessage(const pb::Message& a, const pb::Message& b, std::string& differences) {
  pb::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  differencer.ReportDifferencesToString(&differences);
  return differencer.Compare(a, b);
}

struct ValidCase {
  const pb::Descriptor* type;
  std::string json;
};

std::vector<ValidCase> ValidCases() {
  const pb::Descriptor* ticket = tickets::v1::CreateTicketRequest::descriptor();
  const pb::Descriptor* return_case = returns::v1::ReturnCase::descriptor();
  const pb::Descriptor* policy = returns::v1::PutReturnPolicyRequest::descriptor();
  const pb::Descriptor* order = tickets::v1::PutOrderRequest::descriptor();
  const pb::Descriptor* render = tickets::v1::RenderReplyTemplateRequest::descriptor();
  const pb::Descriptor* everything = &Types().Type("jsontest.Everything");
  return {
      // The API's real requests, as clients send them.
      {ticket,
       R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"113-0000001"},"buyer":{"buyer_id":"b-1","name":"Anna","country":"US","time_zone":"America/New_York","language":"en","tier":"REGULAR"},"category":"LOGISTICS_DELAYED","channel":"MARKETPLACE_MESSAGE","subject":"Where is my parcel?","body":"It has been three weeks and the tracking has not moved."})"},
      {return_case,
       R"({"store_id":"store-1","order":{"marketplace":"AMAZON","site":"US","order_id":"113-0000001"},"buyer_country":"US","fulfillment":"MERCHANT","category":"GENERAL","item_price":{"currency_code":"USD","amount_minor":6000},"item_cost":{"currency_code":"USD","amount_minor":3500},"quantity":1,"ordered_at":"2026-11-01T00:00:00Z","delivered_at":"2026-11-10T00:00:00Z","requested_at":"2026-11-20T00:00:00Z","reason":"NO_LONGER_NEEDED","condition":"OPENED_UNUSED","weight_grams":800})"},
      // lowerCamel names, enums by number, numbers as strings, int64 extremes, white space.
      {ticket,
       " {\n\t\"storeId\" : \"s1\" , \"order\": {\"marketplace\": 3, \"orderId\": \"O\"},\r\n"
       "  \"buyer\": {\"tier\": 2, \"timeZone\": \"Asia/Shanghai\"}, \"receivedAt\":"
       " \"2024-01-02T03:04:05.123456789+08:00\"} \n"},
      {return_case,
       R"({"itemPrice":{"currencyCode":"JPY","amountMinor":"9223372036854775807"},"itemCost":{"amount_minor":-9223372036854775808},"quantity":"-12","weightGrams":1e3,"ordered_at":"2026-02-28T23:59:59Z","delivered_at":"1970-01-01T00:00:00.5-00:30","requested_at":"0001-01-01T00:00:00Z"})"},
      {return_case, R"({"item_cost":{"amount_minor":"-9223372036854775808"},"quantity":2.0})"},
      // Chinese, emoji, escapes and surrogate pairs.
      {ticket,
       R"({"subject":"退货申请 📦","body":"line1\nline2\t\"quoted\" back\\slash \/ \b\f\r \u00e9\u4e2d\uD83D\uDE00 \u0000 end","buyer":{"name":"张伟 🙂"}})"},
      // null leaves a field unset, wherever it is.
      {ticket,
       R"({"store_id":null,"order":null,"buyer":{"name":null,"tier":null},"received_at":null,"category":null})"},
      // Repeated and nested messages, a Duration, a Timestamp with an offset.
      {policy,
       R"({"store_id":"s","policy":{"marketplace":"EBAY","category_rules":[{"category":"ELECTRONICS","returns_accepted":true,"window_days":"14"},{"category":5}],"local_return_countries":["US","CA"],"carrier_rates":[{"origin_country":"CN","brackets":[{"max_grams":500,"price":{"currency_code":"USD","amount_minor":"499"}},{"maxGrams":"1000"}]}],"respond_within":"172800.5s","updated_at":"2024-05-01T09:30:00.25+02:00","restocking_fee_percent":{"opened_unused":15}}})"},
      {policy, R"({"policy":{"respond_within":"-3s","local_return_countries":[]}})"},
      {policy, R"({"policy":{"respond_within":"0.000000001s"}})"},
      {order,
       R"({"order":{"items":[{"sku":"A","quantity":2,"price":{"amount_minor":1999}},{"sku":"B"}],"ordered_at":"2024-02-29T12:00:00.000Z"}})"},
      // A map<string, string>.
      {render, R"({"values":{"name":"Ann","订单":"№ 1","":"empty key"},"ticket_id":"T"})"},
      // Every scalar kind, wrappers, maps with integer and bool keys, oneof, json_name.
      {everything,
       R"({"int32_value":-2147483648,"int64_value":"-9223372036854775808","uint32_value":4294967295,"uint64_value":"18446744073709551615","sint32_value":"-5","sint64_value":-6,"fixed32_value":7,"fixed64_value":"8","sfixed32_value":-9,"sfixed64_value":"-10","float_value":1.5,"double_value":-2.25e-3,"bool_value":true,"string_value":"s","bytes_value":"aGVsbG8gd29ybGQ=","color":"GREEN","nested":{"id":1,"label":"x","child":{"id":2,"child":{"label":"deep"}}}})"},
      {everything,
       R"({"int32Value":2147483647,"uint64Value":18446744073709551615,"floatValue":"3.25","doubleValue":"NaN","boolValue":false,"bytesValue":"_-8","color":1,"customName":"via json_name"})"},
      {everything, R"({"float_value":"Infinity","double_value":"-Infinity"})"},
      // Raw control characters in strings (RFC 8259 wants them escaped; protobuf lets them
      // pass), bools in quotes.
      {everything, "{\"string_value\":\"tab\there\nnewline\",\"bool_value\":\"true\"}"},
      {everything,
       R"({"float_value":3.4028234663852886e38,"double_value":1.7976931348623157e308})"},
      {everything,
       R"({"double_value":0.1,"float_value":0.1,"repeated_double":[1,-0,5e-324,"1e10"]})"},
      {everything, R"({"bytes_value":"/+8=","renamed":"by proto name"})"},
      {everything,
       R"({"int32_value":1e3,"int64_value":-0,"uint32_value":"0","sint64_value":2.5e1})"},
      {everything,
       R"({"repeated_int64":[1,"-2",3e2],"repeated_string":["a","","ü"],"repeated_nested":[{"id":1},{},{"label":"z"}],"repeated_color":["RED",2,0],"repeated_timestamp":["2024-01-01T00:00:00Z","2024-01-01T00:00:00.1-01:00"]})"},
      {everything,
       R"({"string_to_int32":{"a":1,"b":"2"},"int64_to_string":{"-9223372036854775808":"min","42":"x"},"bool_to_nested":{"true":{"id":1},"false":{}},"uint32_to_color":{"4294967295":"GREEN","0":1}})"},
      {everything,
       R"({"int32_wrapper":-1,"int64_wrapper":"123","uint32_wrapper":0,"uint64_wrapper":"18446744073709551615","float_wrapper":"NaN","double_wrapper":2.5,"bool_wrapper":false,"string_wrapper":"","bytes_wrapper":"AA==","empty":{}})"},
      {everything,
       R"({"int32_wrapper":null,"string_wrapper":null,"timestamp":null,"choice_text":null,"choice_number":7})"},
      {everything,
       R"({"choice_text":"t","timestamp":"2024-01-02T03:04:05.000001Z","duration":"-0.5s"})"},
      {everything, R"({"duration":"315576000000s","timestamp":"9999-12-31T23:59:59.999999999Z"})"},
      // A key twice: the later value wins, a message merges, a repeated field appends.
      {everything,
       R"({"int32_value":1,"int32_value":2,"nested":{"id":1},"nested":{"label":"b"},"repeated_string":["a"],"repeated_string":["b"]})"},
      {everything, "{}"},
  };
}

TEST(JsonParser, ReadsValidBodiesExactlyAsProtobufDoes) {
  for (const ValidCase& c : ValidCases()) {
    SCOPED_TRACE(c.json);
    const std::unique_ptr<pb::Message> expected = NewMessage(*c.type);
    ASSERT_TRUE(ProtobufParse(c.json, *expected).ok()) << ProtobufParse(c.json, *expected);
    const std::unique_ptr<pb::Message> actual = NewMessage(*c.type);
    const absl::Status s = ParseJson(c.json, *actual);
    ASSERT_TRUE(s.ok()) << s;
    std::string differences;
    EXPECT_TRUE(SameMessage(*expected, *actual, differences))
        << differences << "\nprotobuf: " << expected->ShortDebugString()
        << "\nours:     " << actual->ShortDebugString();
  }
}

TEST(JsonParser, DecodesEscapesAndSurrogatePairsToUtf8) {
  tickets::v1::CreateTicketRequest r;
  ASSERT_TRUE(ParseJson(R"({"body":"\u00e9\u4e2d\uD83D\uDE00\n\"\\\/"})", r).ok());
  EXPECT_EQ(r.body(), "é中😀\n\"\\/");
}

struct InvalidCase {
  const char* json;
  // Words the error must contain: the field path and the problem.
  std::vector<const char*> mentions;
  // protobuf 3.21 accepts the body; ours follows RFC 8259 and the proto3 JSON mapping more
  // strictly on purpose: trailing commas, unknown escapes, leading zeros, "1.", integers past
  // int64 that round to it as doubles, a scalar for a repeated field, null in an array, "yes"
  // as a bool or bool map key, a wrapper written as an object.
  bool protobuf_accepts = false;
};

TEST(JsonParser, RejectsInvalidBodiesNamingTheFieldAndTheProblem) {
  const InvalidCase cases[] = {
      {R"({"store_id": )", {"store_id: expected a string, found the end of the body"}},
      {R"({"store_id": "s1")", {"',' or '}'", "end of the body"}},
      {R"({"store_id": "s1)", {"store_id", "'\"' to close the string"}},
      {R"({"store_id" "s1"})", {"':'", "byte 13"}},
      {R"({"store_id": "s1",})", {"'\"' to start a member name", "byte 19"}, true},
      {R"({store_id: 1})", {"'\"' to start a member name", "byte 2"}},
      {"[1, 2]", {"expected an object, got an array"}},
      {"not json", {"expected a JSON value at byte 1"}},
      {R"({"body": "bad \x escape"})", {"body", "\\uXXXX", "byte 16"}, true},
      {R"({"body": "\u12G4"})", {"body", "four hex digits"}},
      {R"({"body": "\uD83D alone"})", {"body", "unpaired UTF-16 surrogate"}},
      {R"({"body": "\uDE00"})", {"body", "unpaired UTF-16 surrogate"}},
      {"{\"body\": \"caf\xc3\"}", {"body", "invalid UTF-8 at byte 14"}},
      {"{\"body\": \"\xff\xfe\"}", {"body", "invalid UTF-8"}},
      {"{\"body\": \"\xed\xa0\x80\"}", {"body", "invalid UTF-8"}},  // an encoded surrogate
      {"{\"body\": \"\xc0\xaf\"}", {"body", "invalid UTF-8"}},      // overlong '/'
      {R"({"colour": "red"})", {"unknown field \"colour\""}},
      {R"({"buyer": {"nmae": "Ann"}})", {"buyer: unknown field \"nmae\""}},
      {R"({"buyer": {"tier": "GOLD"}})",
       {"buyer.tier: unknown enum value \"GOLD\"", "TIER_UNSPECIFIED", "VIP"}},
      {R"({"category": "LOST_IN_SPACE"})", {"category", "LOST_IN_SPACE"}},
      {R"({"store_id": 5})", {"store_id: expected a string, got a number"}},
      {R"({"store_id": true})", {"store_id: expected a string, got a boolean"}},
      {R"({"buyer": "Ann"})", {"buyer: expected an object, got a string"}},
      {R"({"buyer": []})", {"buyer: expected an object, got an array"}},
      {R"({"received_at": "yesterday"})", {"received_at", "\"yesterday\" is not an RFC 3339"}},
      {R"({"received_at": "2024-13-01T00:00:00Z"})", {"received_at", "RFC 3339"}},
      {R"({"received_at": "2024-01-01 00:00:00Z"})", {"received_at", "RFC 3339"}},
      {R"({"received_at": "2024-01-01T00:00:00"})", {"received_at", "RFC 3339"}},
      {R"({"received_at": 1704067200})", {"received_at", "got a number"}},
      {R"({"store_id": "s1"} x)", {"end of input after the JSON value", "byte 20"}},
      {R"({"store_id": "s1"}{})", {"end of input after the JSON value"}},
      {R"({"store_id": nul})", {"store_id: expected a JSON value at byte 14"}},
      {R"({"store_id": "a" "b"})", {"',' or '}'"}},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.json);
    tickets::v1::CreateTicketRequest ours;
    const absl::Status s = ParseJson(c.json, ours);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    for (const char* words : c.mentions) EXPECT_THAT(s.message(), HasSubstr(words));
    tickets::v1::CreateTicketRequest theirs;
    EXPECT_EQ(ProtobufParse(c.json, theirs).ok(), c.protobuf_accepts);
  }
}

TEST(JsonParser, RejectsBadNumbersNamingTheField) {
  const InvalidCase cases[] = {
      {R"({"quantity": 1.5})", {"quantity: 1.5 is not an integer"}},
      {R"({"quantity": "1.5"})", {"quantity: \"1.5\" is not an integer"}},
      {R"({"quantity": "1e3"})", {"quantity: \"1e3\" is not an integer"}},
      {R"({"quantity": "ten"})", {"quantity: \"ten\" is not an integer"}},
      {R"({"quantity": "9223372036854775808"})", {"quantity", "out of range for int64"}},
      {R"({"quantity": 1e19})", {"quantity", "out of range for int64"}},
      {R"({"quantity": -9223372036854775809})", {"quantity", "out of range"}, true},
      {R"({"quantity": 01})", {"',' or '}' at byte 15"}},
      {R"({"quantity": +1})", {"quantity", "expected a JSON value"}},
      {R"({"quantity": 1.})", {"quantity", "expected a number"}, true},
      {R"({"quantity": true})", {"quantity: expected an integer (int64), got a boolean"}},
      {R"({"item_price": {"amount_minor": "12x"}})", {"item_price.amount_minor", "12x"}},
      {R"({"order": {"marketplace": "amazon"}})", {"order.marketplace", "\"amazon\"", "AMAZON"}},
      {R"({"order": {"marketplace": 1.5}})", {"order.marketplace", "not an integer"}},
      {R"({"ordered_at": "2024-01-01T00:00:00+25:00"})", {"ordered_at", "RFC 3339"}},
      {R"({"ordered_at": "10000-01-01T00:00:00Z"})", {"ordered_at", "RFC 3339"}},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.json);
    returns::v1::ReturnCase ours;
    const absl::Status s = ParseJson(c.json, ours);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    for (const char* words : c.mentions) EXPECT_THAT(s.message(), HasSubstr(words));
    returns::v1::ReturnCase theirs;
    EXPECT_EQ(ProtobufParse(c.json, theirs).ok(), c.protobuf_accepts);
  }
}

TEST(JsonParser, RejectsBadValuesOfEveryKindNamingTheFieldPath) {
  const InvalidCase cases[] = {
      {R"({"int32_value": 2147483648})", {"int32_value: 2147483648 is out of range for int32"}},
      {R"({"int32_value": -2147483649})", {"int32_value", "out of range for int32"}},
      {R"({"uint32_value": -1})", {"uint32_value", "out of range for uint32"}},
      {R"({"uint32_value": 4294967296})", {"uint32_value", "out of range for uint32"}},
      {R"({"uint64_value": "18446744073709551616"})", {"uint64_value", "out of range"}},
      {R"({"sfixed32_value": 0.5})", {"sfixed32_value", "not an integer"}},
      {R"({"float_value": 3.5e38})", {"float_value", "out of range for float"}},
      {R"({"double_value": 1e400})", {"double_value", "out of range for double"}},
      {R"({"double_value": "nan"})", {"double_value", "\"nan\" is not a number"}},
      {R"({"double_value": true})", {"double_value", "expected a number"}},
      {R"({"bool_value": "yes"})", {"bool_value", "\"yes\" is not true or false"}, true},
      {R"({"bool_value": 1})", {"bool_value", "expected true or false"}},
      {R"({"bytes_value": "not base64!"})", {"bytes_value", "is not base64"}},
      {R"({"color": "BLUE"})",
       {"color: unknown enum value \"BLUE\" (one of COLOR_UNSPECIFIED, RED, GREEN)"}},
      {R"({"nested": {"child": {"child": {"id": "x"}}}})", {"nested.child.child.id", "\"x\""}},
      {R"({"repeated_nested": [{}, {"id": 1}, {"lable": "x"}]})",
       {"repeated_nested[2]: unknown field \"lable\""}},
      {R"({"repeated_int64": [1, 2.5]})", {"repeated_int64[1]: 2.5 is not an integer"}},
      {R"({"repeated_int64": 1})", {"repeated_int64: expected an array, got a number"}, true},
      {R"({"repeated_string": ["a", null]})", {"repeated_string[1]", "null"}, true},
      {R"({"repeated_string": ["a" "b"]})", {"repeated_string", "',' or ']'"}},
      {R"({"repeated_color": ["RED", "PINK"]})", {"repeated_color[1]", "PINK"}},
      {R"({"string_to_int32": {"a": "b"}})", {"string_to_int32[\"a\"]", "\"b\" is not an integer"}},
      {R"({"string_to_int32": []})", {"string_to_int32: expected an object, got an array"}},
      {R"({"int64_to_string": {"x": "y"}})",
       {"int64_to_string[\"x\"]", "map key \"x\" is not an int64"}},
      {R"({"bool_to_nested": {"yes": {}}})", {"bool_to_nested[\"yes\"]", "true or false"}, true},
      {R"({"uint32_to_color": {"-1": "RED"}})", {"uint32_to_color[\"-1\"]", "uint32"}},
      {R"({"int64_to_string": {"1.0": "y"}})", {"int64_to_string[\"1.0\"]", "is not an int64"}},
      {R"({"int64_to_string": {"1e3": "y"}})", {"int64_to_string[\"1e3\"]", "is not an int64"}},
      {R"({"uint32_to_color": {"1": "PINK"}})", {"uint32_to_color[\"1\"]", "PINK"}},
      {R"({"duration": "1.5"})", {"duration", "\"1.5\" is not a duration like"}},
      {R"({"duration": "1.5 s"})", {"duration", "not a duration"}},
      {R"({"duration": "1.0000000001s"})", {"duration", "not a duration"}},
      {R"({"duration": "315576000001s"})", {"duration", "not a duration"}},
      {R"({"duration": 1.5})", {"duration", "expected a duration"}},
      {R"({"timestamp": " 2024-01-01T00:00:00Z"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "2024-01-01T00:00:00Z\n"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "2024-01-01T00:00:00+05"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "2024-01-01T00:00:00+0530"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "02024-01-01T00:00:00Z"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "2024-1-2T3:4:5Z"})", {"timestamp", "RFC 3339"}, true},
      {R"({"timestamp": "2024-01-01T00:00:00Z\u0000junk"})", {"timestamp", "RFC 3339"}, true},
      {R"({"timestamp": "2024-01-01T00:00:00.Z"})", {"timestamp", "RFC 3339"}},
      {R"({"timestamp": "2024-01-01"})", {"timestamp", "RFC 3339"}},
      {R"({"int32_wrapper": "x"})", {"int32_wrapper", "\"x\" is not an integer"}},
      {R"({"int32_wrapper": {"value": 1}})", {"int32_wrapper", "got an object"}, true},
      {R"({"choice_text": "a", "choice_number": 1})",
       {"choice_number: oneof choice already has field choice_text"}},
      {R"({"customname": "x"})", {"unknown field \"customname\""}},
      {R"({"empty": {"x": 1}})", {"empty: unknown field \"x\""}},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.json);
    const std::unique_ptr<pb::Message> ours = Types().New("jsontest.Everything");
    const absl::Status s = ParseJson(c.json, *ours);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    for (const char* words : c.mentions) EXPECT_THAT(s.message(), HasSubstr(words));
    const std::unique_ptr<pb::Message> theirs = Types().New("jsontest.Everything");
    EXPECT_EQ(ProtobufParse(c.json, *theirs).ok(), c.protobuf_accepts);
  }
}

std::string Nest(int levels) {
  std::string json;
  for (int i = 0; i < levels; ++i) json += R"({"child":)";
  json += "{}";
  for (int i = 0; i < levels; ++i) json += "}";
  return json;
}

TEST(JsonParser, RejectsNestingDeeperThanSixtyFourLevels) {
  const std::unique_ptr<pb::Message> shallow = Types().New("jsontest.Nested");
  EXPECT_TRUE(ParseJson(Nest(63), *shallow).ok());
  const std::unique_ptr<pb::Message> deep = Types().New("jsontest.Nested");
  const absl::Status s = ParseJson(Nest(64), *deep);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("nested deeper than 64"));
  EXPECT_THAT(s.message(), HasSubstr("child.child.child"));
}

TEST(JsonParser, FieldBodyIsReadIntoThatField) {
  returns::v1::QuoteReturnRequest r;
  const pb::FieldDescriptor& field = *r.GetDescriptor()->FindFieldByName("return_case");
  ASSERT_TRUE(ParseJsonField(R"({"store_id":"s1","quantity":"3"})", field, r).ok());
  EXPECT_EQ(r.return_case().store_id(), "s1");
  EXPECT_EQ(r.return_case().quantity(), 3);
  const absl::Status s = ParseJsonField(R"({"order":{"site":1}})", field, r);
  EXPECT_THAT(s.message(), HasSubstr("order.site: expected a string, got a number"));

  tickets::v1::RenderReplyTemplateRequest render;
  ASSERT_TRUE(
      ParseJsonField(R"({"a":"1"})", *render.GetDescriptor()->FindFieldByName("values"), render)
          .ok());
  EXPECT_EQ(render.values().at("a"), "1");
}

TEST(JsonParser, LeavesStructAnyAndFieldMaskToProtobuf) {
  EXPECT_TRUE(JsonParserHandles(*tickets::v1::CreateTicketRequest::descriptor()));
  EXPECT_TRUE(JsonParserHandles(*returns::v1::PutReturnPolicyRequest::descriptor()));
  EXPECT_TRUE(JsonParserHandles(Types().Type("jsontest.Everything")));
  EXPECT_FALSE(JsonParserHandles(Types().Type("jsontest.HoldsStruct")));  // two levels down
  EXPECT_FALSE(JsonParserHandles(*pb::Struct::descriptor()));
}

}  // namespace
}  // namespace aftersales::gateway
