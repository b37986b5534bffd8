#include "gateway/api_routes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;

struct Binding {
  std::string method;
  std::string path;
};

absl::StatusOr<Binding> BindingOf(const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      return Binding{"GET", rule.get()};
    case google::api::HttpRule::kPut:
      return Binding{"PUT", rule.put()};
    case google::api::HttpRule::kPost:
      return Binding{"POST", rule.post()};
    case google::api::HttpRule::kDelete:
      return Binding{"DELETE", rule.delete_()};
    case google::api::HttpRule::kPatch:
      return Binding{"PATCH", rule.patch()};
    case google::api::HttpRule::kCustom:
      return Binding{rule.custom().kind(), rule.custom().path()};
    case google::api::HttpRule::PATTERN_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("binding has no method and path");
}

absl::Status AddRoute(const pb::MethodDescriptor& method, const google::api::HttpRule& rule,
                      const std::string& backend, ApiRoutes& api) {
  const auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(method.full_name(), ": ", why));
  };
  absl::StatusOr<Binding> binding = BindingOf(rule);
  if (!binding.ok()) return error(binding.status().message());
  if (!rule.response_body().empty()) return error("response_body is not supported");
  absl::StatusOr<int> id = api.table.Add(binding->method, binding->path);
  if (!id.ok()) return error(id.status().message());
  absl::StatusOr<Transcoder> transcoder =
      Transcoder::Create(method, rule.body(), api.table.path_template(*id).variables());
  if (!transcoder.ok()) return transcoder.status();
  api.routes.push_back(
      ApiRoute{binding->method, binding->path,
               absl::StrCat("/", method.service()->full_name(), "/", method.name()), backend,
               &method, rule.body(), *std::move(transcoder)});
  return absl::OkStatus();
}

}  // namespace

std::string BackendForService(const pb::ServiceDescriptor& service) {
  const std::vector<absl::string_view> parts = absl::StrSplit(service.full_name(), '.');
  if (parts.size() != 4 || parts[0] != "aftersales" || parts[2] != "v1") return "";
  return std::string(parts[1]);
}

absl::StatusOr<ApiRoutes> BuildApiRoutes(absl::Span<const std::string_view> proto_files,
                                         absl::Span<const std::string> backend_names) {
  ApiRoutes api;
  const pb::DescriptorPool& pool = *pb::DescriptorPool::generated_pool();
  for (const std::string_view name : proto_files) {
    const pb::FileDescriptor* file = pool.FindFileByName(std::string(name));
    if (file == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("API file ", absl::string_view(name.data(), name.size()),
                       " is not in the binary: link aftersales_protos as a whole archive"));
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor& service = *file->service(s);
      const std::string backend = BackendForService(service);
      const bool served =
          std::find(backend_names.begin(), backend_names.end(), backend) != backend_names.end();
      bool annotated = false;
      for (int m = 0; m < service.method_count(); ++m) {
        const pb::MethodDescriptor& method = *service.method(m);
        if (!method.options().HasExtension(google::api::http)) continue;
        annotated = true;
        if (!served) continue;
        if (method.client_streaming() || method.server_streaming()) {
          return absl::InvalidArgumentError(
              absl::StrCat(method.full_name(), ": streaming RPCs cannot have HTTP routes"));
        }
        const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
        if (absl::Status st = AddRoute(method, rule, backend, api); !st.ok()) return st;
        for (const google::api::HttpRule& extra : rule.additional_bindings()) {
          if (absl::Status st = AddRoute(method, extra, backend, api); !st.ok()) return st;
        }
      }
      if (annotated && !served) api.services_without_backend.push_back(service.full_name());
    }
  }
  return api;
}

std::vector<RetryableMethod> RetryableMethods(const ApiRoutes& api, absl::string_view backend) {
  std::vector<RetryableMethod> methods;
  for (const ApiRoute& route : api.routes) {
    if (route.backend != backend || route.http_method != "GET") continue;
    const bool listed = std::any_of(methods.begin(), methods.end(), [&](const RetryableMethod& m) {
      return m.method == route.method->name() && m.service == route.method->service()->full_name();
    });
    if (!listed) methods.push_back({route.method->service()->full_name(), route.method->name()});
  }
  return methods;
}

}  // namespace aftersales::gateway
