#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace aftersales::gateway {

// A google.api.http path template, e.g. "/v1/tickets/{ticket_id}:assign".
// Supported grammar (as grpc-gateway and Envoy's transcoder accept it):
//   Template = "/" Segment { "/" Segment } [ ":" Verb ]
//   Segment  = LITERAL | "*" | "**" | "{" FieldPath [ "=" Segment { "/" Segment } ] "}"
//   FieldPath = IDENT { "." IDENT }
// "{var}" is "{var=*}": exactly one non-empty segment. "**" matches zero or more segments and may
// only be the last segment of the template.
class PathTemplate {
 public:
  // INVALID_ARGUMENT naming what is wrong with the text.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  const std::string& text() const { return text_; }
  // Empty when the template has no custom verb.
  const std::string& verb() const { return verb_; }
  // The field path of every variable in order of appearance: {"order.order_id", "shipment_id"}.
  const std::vector<std::string>& variables() const { return variable_names_; }

  // Matches path segments (already split and percent-decoded, verb removed). On a match, fills
  // values (when not null) with one value per variable; a multi-segment variable's value holds
  // its segments joined by '/'. raw: the same segments before decoding, when known: then, as
  // the google.api.http spec says, a multi-segment variable keeps "%2F" encoded (it is a slash
  // inside a segment, not between two), and a single-segment one decodes it.
  bool Match(absl::Span<const std::string> segments, std::vector<std::string>* values,
             absl::Span<const std::string> raw = {}) const;

  // Orders templates so that the more specific one is tried first: at the first segment where
  // they differ in kind, a literal beats "*", which beats "**".
  bool MoreSpecificThan(const PathTemplate& other) const;
  // True when both match exactly the same paths, whatever their variables are called.
  bool MatchesSamePathsAs(const PathTemplate& other) const;

 private:
  enum class SegmentKind { kLiteral = 0, kSingle = 1, kMulti = 2 };
  struct Segment {
    SegmentKind kind;
    std::string literal;
  };
  // A variable covers segments [first, last) of segments_.
  struct Variable {
    size_t first;
    size_t last;
  };

  std::string text_;
  std::string verb_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::vector<std::string> variable_names_;
};

// The outcome of looking up an HTTP request in a RouteTable.
struct RouteMatch {
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  Outcome outcome = Outcome::kNotFound;
  // The id RouteTable::Add returned, when found.
  int route = -1;
  // Percent-decoded values of the template's variables, in PathTemplate::variables() order.
  std::vector<std::string> values;
  // For kMethodNotAllowed: the methods the path does accept, "GET, POST", for the Allow header.
  std::string allowed;
  // For kNotFound when the path ends in an unknown ":verb": the custom verbs this path does
  // take, ":assign, :resolve", so that a typo is answered with the right spelling.
  std::string known_verbs;
};

// Method + path template pairs, built once at start-up and then only read (thread-safe).
class RouteTable {
 public:
  // Returns the route's id: 0, 1, 2... in the order added. INVALID_ARGUMENT for a malformed
  // template; ALREADY_EXISTS when the same method and template were added before (two RPCs
  // cannot share a route).
  absl::StatusOr<int> Add(absl::string_view method, absl::string_view path_template);

  // Finds the route for a method and a path (without query string). A path's last segment may
  // end in ":verb"; a route with that verb is tried first, so "{ticket_id}" never captures
  // "T1:assign" when an ":assign" route exists for the path. kMethodNotAllowed when the path
  // matches routes of other methods only.
  RouteMatch Match(absl::string_view method, absl::string_view path) const;

  const PathTemplate& path_template(int route) const { return entries_[route].path; }
  const std::string& method(int route) const { return entries_[route].method; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string method;
    PathTemplate path;
  };
  std::vector<Entry> entries_;
  // Looks among the routes with this verb; false when none matches the path in any method.
  bool MatchWithVerb(absl::string_view method, absl::Span<const std::string> segments,
                     absl::Span<const std::string> raw, absl::string_view verb,
                     RouteMatch& result) const;

  // Entry indexes, most specific template first.
  std::vector<int> order_;
};

// Percent-decodes one path segment or query component; when plus_is_space, '+' becomes ' '
// (query strings). Malformed escapes are kept as they are.
std::string PercentDecode(absl::string_view text, bool plus_is_space);
// PercentDecode, but "%2F" and "%2f" stay as they are (a multi-segment path variable's rule).
std::string PercentDecodeExceptSlash(absl::string_view text);

}  // namespace aftersales::gateway
