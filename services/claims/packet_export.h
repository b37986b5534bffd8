#pragma once

// A stored packet as a document a person reads or a system takes in: JSON, HTML or PDF. The
// HTML and PDF carry the claim, the recommendation, the checklist, the timeline and the
// statement, and render Chinese, Japanese and other non-Latin buyer messages.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "aftersales/claims/v1/claims.pb.h"

namespace aftersales::claims {

struct ExportedDocument {
  std::string content_type;
  std::string data;
};

// format: "json" (also ""), "html" or "pdf"; INVALID_ARGUMENT naming `format` otherwise.
absl::StatusOr<ExportedDocument> ExportPacket(const v1::Packet& packet, absl::string_view format);

std::string PacketJson(const v1::Packet& packet);
std::string PacketHtml(const v1::Packet& packet);
absl::StatusOr<std::string> PacketPdf(const v1::Packet& packet);

}  // namespace aftersales::claims
