// libFuzzer target over the gateway's JSON reader, on the request bodies of the real routes.
// Input: a first line naming a route by method and path template ("POST /v1/tickets"; any other
// line picks a route by its hash, so mutations still land on some body), then the body. The body
// is read as the transcoder reads it: the whole request for body "*", else the field the binding
// names. The reader must answer OK or INVALID_ARGUMENT; what it read must print (json_printer.h)
// and read back to the same message, which prints the same text again.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gateway/json_parser.h"
#include "gateway/json_printer.h"
#include "tests/fuzz/all_api_routes.h"

namespace aftersales::gateway {
namespace {

namespace pb = ::google::protobuf;

// A route that takes a body, and where in its request the body goes.
struct BodyBinding {
  std::string name;  // "POST /v1/tickets"
  const pb::Message* prototype = nullptr;
  // nullptr: the body is the whole request.
  const pb::FieldDescriptor* field = nullptr;
};

struct Bindings {
  std::vector<BodyBinding> all;
  absl::flat_hash_map<std::string, size_t> by_name;
};

const Bindings& BodyBindings() {
  static const Bindings* const bindings = [] {
    auto* out = new Bindings;
    const auto add = [out](std::string name, const pb::Descriptor& type,
                           const pb::FieldDescriptor* field) {
      out->by_name.emplace(name, out->all.size());
      out->all.push_back(
          {std::move(name), pb::MessageFactory::generated_factory()->GetPrototype(&type), field});
    };
    for (const ApiRoute& route : fuzzing::AllApiRoutes().routes) {
      const pb::Descriptor& request = *route.method->input_type();
      // Types the reader does not handle go to protobuf's converter; not what is under test.
      if (route.body.empty() || !JsonParserHandles(request)) continue;
      add(absl::StrCat(route.http_method, " ", route.path_template), request,
          route.body == "*" ? nullptr : request.FindFieldByName(route.body));
    }
    // The API's request bodies have no unsigned, floating-point or bytes fields yet; one of
    // protobuf's own messages has all three, so the reader's code for them is tried before a
    // request needs it.
    add(pb::UninterpretedOption::descriptor()->full_name(), *pb::UninterpretedOption::descriptor(),
        nullptr);
    if (out->all.size() == 1) {
      std::fprintf(stderr, "json parser fuzz: no route takes a body\n");
      std::abort();
    }
    return out;
  }();
  return *bindings;
}

void Fail(const BodyBinding& binding, absl::string_view what, absl::string_view detail = "") {
  std::fprintf(stderr, "json parser fuzz (%s): %.*s %.*s\n", binding.name.c_str(),
               static_cast<int>(what.size()), what.data(), static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// The message's bytes with map entries in key order, so that equal messages compare equal
// (partial: a proto2 message may lack a required field).
std::string CanonicalBytes(const pb::Message& message) {
  std::string bytes;
  {
    pb::io::StringOutputStream stream(&bytes);
    pb::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    message.SerializePartialToCodedStream(&out);
  }
  return bytes;
}

int ReadBody(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view selector = input.substr(0, newline);
  const absl::string_view body =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);
  const Bindings& bindings = BodyBindings();
  const auto named = bindings.by_name.find(selector);
  const BodyBinding& binding = named != bindings.by_name.end()
                                   ? bindings.all[named->second]
                                   : bindings.all[std::hash<std::string_view>()(std::string_view(
                                                      selector.data(), selector.size())) %
                                                  bindings.all.size()];

  const std::unique_ptr<pb::Message> request(binding.prototype->New());
  const absl::Status read = binding.field == nullptr
                                ? ParseJson(body, *request)
                                : ParseJsonField(body, *binding.field, *request);
  if (!read.ok()) {
    if (read.code() != absl::StatusCode::kInvalidArgument) {
      Fail(binding, "the reader's error is not INVALID_ARGUMENT:", read.ToString());
    }
    return 0;
  }
  std::string printed;
  if (absl::Status s = AppendJson(*request, printed); !s.ok()) {
    Fail(binding, "a message the reader filled does not print:", s.ToString());
  }
  const std::unique_ptr<pb::Message> again(binding.prototype->New());
  if (absl::Status s = ParseJson(printed, *again); !s.ok()) {
    Fail(binding,
         "the printed message does not read back:", absl::StrCat(s.ToString(), " in ", printed));
  }
  if (CanonicalBytes(*again) != CanonicalBytes(*request)) {
    Fail(binding, "the printed message reads back as another message:", printed);
  }
  std::string reprinted;
  if (!AppendJson(*again, reprinted).ok() || reprinted != printed) {
    Fail(binding,
         "the message read back prints differently:", absl::StrCat(printed, " / ", reprinted));
  }
  return 0;
}

}  // namespace
}  // namespace aftersales::gateway

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  aftersales::gateway::BodyBindings();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aftersales::gateway::ReadBody(data, size);
}
