// libFuzzer target over the gateway's path matcher, on the real route table (every service's
// google.api.http bindings, as the gateway builds them). Input: one request line,
// "METHOD /path?query". Whatever it is, the answer must be consistent:
// - found: the route is the request's method, with one value per template variable, each value
//   a piece of the percent-decoded path; the transcoder then builds the request from the path
//   and query (OK or INVALID_ARGUMENT), and a string field a path variable fills holds exactly
//   its value (a path variable wins over the query);
// - method not allowed: every method in Allow finds the path;
// - not found naming known verbs: the path with each of them is a path the table knows.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gateway/route_table.h"
#include "tests/fuzz/all_api_routes.h"

namespace aftersales::gateway {
namespace {

namespace pb = ::google::protobuf;
using Outcome = RouteMatch::Outcome;

void Fail(absl::string_view what, absl::string_view method, absl::string_view path) {
  std::fprintf(stderr, "route table fuzz: %.*s (%.*s %.*s)\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(method.size()), method.data(),
               static_cast<int>(path.size()), path.data());
  std::abort();
}

// The string a path variable's field path ("order.order_id") holds in a request; nullopt when
// the field is not a string.
std::optional<std::string> StringAt(const pb::Message& request, absl::string_view field_path) {
  const pb::Message* message = &request;
  const std::vector<absl::string_view> names = absl::StrSplit(field_path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const pb::FieldDescriptor* field =
        message->GetDescriptor()->FindFieldByName(std::string(names[i]));
    if (field == nullptr) return std::nullopt;
    if (i + 1 < names.size()) {
      message = &message->GetReflection()->GetMessage(*message, field);
    } else if (field->type() == pb::FieldDescriptor::TYPE_STRING) {
      return message->GetReflection()->GetString(*message, field);
    }
  }
  return std::nullopt;
}

void CheckFound(const ApiRoutes& api, const RouteMatch& m, absl::string_view method,
                absl::string_view path, absl::string_view query) {
  if (m.route < 0 || static_cast<size_t>(m.route) >= api.routes.size()) {
    Fail("a found route's id is out of range", method, path);
  }
  if (api.table.method(m.route) != method)
    Fail("the route found is another method's", method, path);
  const std::vector<std::string>& variables = api.table.path_template(m.route).variables();
  if (m.values.size() != variables.size()) Fail("not one value per variable", method, path);
  const std::string decoded = PercentDecode(path, false);
  const std::string decoded_except_slash = PercentDecodeExceptSlash(path);
  for (const std::string& value : m.values) {
    if (decoded.find(value) == std::string::npos &&
        decoded_except_slash.find(value) == std::string::npos) {
      Fail("a value is not a piece of the decoded path", method, path);
    }
  }

  const ApiRoute& route = api.routes[m.route];
  const absl::StatusOr<std::string> built = route.transcoder.BuildRequest("", m.values, query);
  if (!built.ok()) {
    if (built.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail(absl::StrCat("the request does not build: ", built.status().ToString()), method, path);
    }
    return;
  }
  const std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(route.method->input_type())->New());
  if (!request->ParseFromString(*built)) Fail("the built request does not parse", method, path);
  for (size_t i = 0; i < variables.size(); ++i) {
    const std::optional<std::string> held = StringAt(*request, variables[i]);
    if (held && *held != m.values[i]) {
      Fail(absl::StrCat("field ", variables[i], " holds '", *held, "', not its path value '",
                        m.values[i], "'"),
           method, path);
    }
  }
}

int MatchRequestLine(const uint8_t* data, size_t size) {
  const absl::string_view line(reinterpret_cast<const char*>(data), size);
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) return 0;
  const absl::string_view method = line.substr(0, space);
  const absl::string_view target = line.substr(space + 1);
  const size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query =
      question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);

  const ApiRoutes& api = fuzzing::AllApiRoutes();
  const RouteMatch m = api.table.Match(method, path);
  switch (m.outcome) {
    case Outcome::kFound:
      CheckFound(api, m, method, path, query);
      break;
    case Outcome::kMethodNotAllowed:
      if (m.allowed.empty()) Fail("method not allowed, but Allow is empty", method, path);
      for (absl::string_view other : absl::StrSplit(m.allowed, ", ")) {
        if (other == method) Fail("Allow lists the method refused", method, path);
        if (api.table.Match(other, path).outcome != Outcome::kFound) {
          Fail(absl::StrCat("Allow lists ", other, ", which does not find the path"), method, path);
        }
      }
      break;
    case Outcome::kNotFound: {
      if (m.known_verbs.empty()) break;
      const absl::string_view base = path.substr(0, path.rfind(':'));
      for (absl::string_view verb : absl::StrSplit(m.known_verbs, ", ")) {
        if (api.table.Match(method, absl::StrCat(base, verb)).outcome == Outcome::kNotFound) {
          Fail(absl::StrCat("the known verb ", verb, " does not make a known path"), method, path);
        }
      }
      break;
    }
  }
  return 0;
}

}  // namespace
}  // namespace aftersales::gateway

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  aftersales::fuzzing::AllApiRoutes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return aftersales::gateway::MatchRequestLine(data, size);
}
