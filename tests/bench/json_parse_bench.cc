// JSON body to serialized request, the gateway's per-request parsing cost: protobuf's converter
// (util::JsonToBinaryString, the path before gateway/json_parser.h) against Transcoder::
// BuildRequest with our reflection parser, on the bodies the load benchmarks send: the returns
// quote (tests/bench/quote_case.json, route body "return_case") and the ticket
// (tests/bench/post_ticket.lua, route body "*").
//   build/tests/bench/json_parse_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <fstream>
#include <sstream>
#include <string>

#include "aftersales/returns/v1/returns.pb.h"
#include "aftersales/tickets/v1/tickets.pb.h"
#include "gateway/transcoder.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string QuoteBody() { return ReadFile(AFTERSALES_SOURCE_DIR "/tests/bench/quote_case.json"); }

// The body between [[ and ]] in the wrk script, so the two stay the same.
std::string TicketBody() {
  const std::string script = ReadFile(AFTERSALES_SOURCE_DIR "/tests/bench/post_ticket.lua");
  const size_t begin = script.find("[[") + 2;
  return script.substr(begin, script.find("]]") - begin);
}

const pb::MethodDescriptor& Method(const pb::Descriptor& request, absl::string_view service,
                                   absl::string_view rpc) {
  return *request.file()
              ->FindServiceByName(std::string(service))
              ->FindMethodByName(std::string(rpc));
}

void ProtobufConverter(benchmark::State& state, const std::string& body,
                       const pb::Descriptor& type) {
  pb::util::TypeResolver* resolver = pb::util::NewTypeResolverForDescriptorPool(
      "type.googleapis.com", pb::DescriptorPool::generated_pool());
  const std::string url = "type.googleapis.com/" + type.full_name();
  pb::util::JsonParseOptions options;
  for (auto _ : state) {
    std::string bytes;
    const pb::util::Status s = pb::util::JsonToBinaryString(
        resolver, url, pb::StringPiece(body.data(), body.size()), &bytes, options);
    if (!s.ok()) state.SkipWithError("protobuf rejected the body");
    benchmark::DoNotOptimize(bytes);
  }
  delete resolver;
}

void Transcode(benchmark::State& state, const std::string& body, const pb::MethodDescriptor& method,
               absl::string_view body_field) {
  const absl::StatusOr<Transcoder> transcoder = Transcoder::Create(method, body_field, {});
  if (!transcoder.ok()) {
    state.SkipWithError("no transcoder");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<std::string> bytes = transcoder->BuildRequest(body, {}, "");
    if (!bytes.ok()) state.SkipWithError("the body was rejected");
    benchmark::DoNotOptimize(bytes);
  }
}

void BM_QuoteProtobufConverter(benchmark::State& state) {
  ProtobufConverter(state, QuoteBody(), *returns::v1::ReturnCase::descriptor());
}
BENCHMARK(BM_QuoteProtobufConverter);

void BM_QuoteBuildRequest(benchmark::State& state) {
  Transcode(state, QuoteBody(),
            Method(*returns::v1::QuoteReturnRequest::descriptor(), "ReturnsService", "QuoteReturn"),
            "return_case");
}
BENCHMARK(BM_QuoteBuildRequest);

void BM_TicketProtobufConverter(benchmark::State& state) {
  ProtobufConverter(state, TicketBody(), *tickets::v1::CreateTicketRequest::descriptor());
}
BENCHMARK(BM_TicketProtobufConverter);

void BM_TicketBuildRequest(benchmark::State& state) {
  Transcode(
      state, TicketBody(),
      Method(*tickets::v1::CreateTicketRequest::descriptor(), "TicketsService", "CreateTicket"),
      "*");
}
BENCHMARK(BM_TicketBuildRequest);

}  // namespace
}  // namespace aftersales::gateway

BENCHMARK_MAIN();
