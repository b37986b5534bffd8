#include "gateway/route_table.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace aftersales::gateway {
namespace {

absl::Status TemplateError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("path template '", text, "': ", why));
}

bool IsFieldPath(absl::string_view path) {
  if (path.empty()) return false;
  for (absl::string_view ident : absl::StrSplit(path, '.')) {
    if (ident.empty() || absl::ascii_isdigit(ident[0])) return false;
    for (const char c : ident) {
      if (!absl::ascii_isalnum(c) && c != '_') return false;
    }
  }
  return true;
}

// Splits at top-level (outside braces) occurrences of sep.
std::vector<absl::string_view> SplitOutsideBraces(absl::string_view text, char sep) {
  std::vector<absl::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}') --depth;
    if (text[i] == sep && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

namespace {

std::string Decode(absl::string_view text, bool plus_is_space, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0 && !(keep_slash && hi * 16 + lo == '/')) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string PercentDecode(absl::string_view text, bool plus_is_space) {
  return Decode(text, plus_is_space, /*keep_slash=*/false);
}

std::string PercentDecodeExceptSlash(absl::string_view text) {
  return Decode(text, /*plus_is_space=*/false, /*keep_slash=*/true);
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  if (text.empty() || text[0] != '/') return TemplateError(text, "must start with '/'");
  PathTemplate t;
  t.text_ = std::string(text);

  // The verb follows the first ':' outside braces: "{name=*}:publish".
  absl::string_view body = text.substr(1);
  std::vector<absl::string_view> verb_split = SplitOutsideBraces(body, ':');
  if (verb_split.size() > 2) return TemplateError(text, "more than one ':verb'");
  if (verb_split.size() == 2) {
    body = verb_split[0];
    const absl::string_view verb = verb_split[1];
    if (verb.empty() || verb.find_first_of("/{}*") != absl::string_view::npos) {
      return TemplateError(text, "the verb after ':' must be a plain word");
    }
    t.verb_ = std::string(verb);
  }

  for (absl::string_view raw : SplitOutsideBraces(body, '/')) {
    if (raw.empty()) return TemplateError(text, "empty segment");
    if (raw.front() != '{') {
      if (raw.find_first_of("{}=") != absl::string_view::npos) {
        return TemplateError(text, absl::StrCat("malformed segment '", raw, "'"));
      }
      if (raw == "*") {
        t.segments_.push_back({SegmentKind::kSingle, ""});
      } else if (raw == "**") {
        t.segments_.push_back({SegmentKind::kMulti, ""});
      } else {
        t.segments_.push_back({SegmentKind::kLiteral, std::string(raw)});
      }
      continue;
    }
    if (raw.back() != '}') return TemplateError(text, absl::StrCat("unclosed '", raw, "'"));
    const absl::string_view inner = raw.substr(1, raw.size() - 2);
    const size_t eq = inner.find('=');
    const absl::string_view field = inner.substr(0, eq);
    const absl::string_view pattern = eq == absl::string_view::npos ? "*" : inner.substr(eq + 1);
    if (!IsFieldPath(field)) {
      return TemplateError(text, absl::StrCat("'", field, "' is not a field path"));
    }
    if (std::find(t.variable_names_.begin(), t.variable_names_.end(), field) !=
        t.variable_names_.end()) {
      return TemplateError(text, absl::StrCat("variable '", field, "' appears twice"));
    }
    Variable var{t.segments_.size(), 0};
    for (absl::string_view part : absl::StrSplit(pattern, '/')) {
      if (part.empty() || part.find_first_of("{}=") != absl::string_view::npos) {
        return TemplateError(text, absl::StrCat("malformed pattern in '", raw, "'"));
      }
      if (part == "*") {
        t.segments_.push_back({SegmentKind::kSingle, ""});
      } else if (part == "**") {
        t.segments_.push_back({SegmentKind::kMulti, ""});
      } else {
        t.segments_.push_back({SegmentKind::kLiteral, std::string(part)});
      }
    }
    var.last = t.segments_.size();
    t.variables_.push_back(var);
    t.variable_names_.emplace_back(field);
  }
  for (size_t i = 0; i + 1 < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == SegmentKind::kMulti) {
      return TemplateError(text, "'**' may only be the last segment");
    }
  }
  return t;
}

bool PathTemplate::Match(absl::Span<const std::string> segments, std::vector<std::string>* values,
                         absl::Span<const std::string> raw) const {
  const bool ends_multi = !segments_.empty() && segments_.back().kind == SegmentKind::kMulti;
  const size_t fixed = ends_multi ? segments_.size() - 1 : segments_.size();
  if (ends_multi ? segments.size() < fixed : segments.size() != fixed) return false;
  for (size_t i = 0; i < fixed; ++i) {
    if (segments_[i].kind == SegmentKind::kLiteral ? segments[i] != segments_[i].literal
                                                   : segments[i].empty()) {
      return false;
    }
  }
  if (values == nullptr) return true;
  values->clear();
  values->reserve(variables_.size());
  for (const Variable& var : variables_) {
    // Only the last segment can be "**", and it takes every remaining path segment.
    const size_t last = var.last == segments_.size() && ends_multi ? segments.size() : var.last;
    const bool multi = segments_[var.first].kind == SegmentKind::kMulti || last - var.first > 1;
    if (!multi) {
      values->push_back(segments[var.first]);
    } else if (raw.size() == segments.size()) {
      std::vector<std::string> kept;
      for (size_t i = var.first; i < last; ++i) kept.push_back(PercentDecodeExceptSlash(raw[i]));
      values->push_back(absl::StrJoin(kept, "/"));
    } else {
      values->push_back(absl::StrJoin(segments.subspan(var.first, last - var.first), "/"));
    }
  }
  return true;
}

bool PathTemplate::MoreSpecificThan(const PathTemplate& other) const {
  const size_t common = std::min(segments_.size(), other.segments_.size());
  for (size_t i = 0; i < common; ++i) {
    if (segments_[i].kind != other.segments_[i].kind) {
      return segments_[i].kind < other.segments_[i].kind;
    }
  }
  return segments_.size() > other.segments_.size();
}

bool PathTemplate::MatchesSamePathsAs(const PathTemplate& other) const {
  if (verb_ != other.verb_ || segments_.size() != other.segments_.size()) return false;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i].kind != other.segments_[i].kind ||
        segments_[i].literal != other.segments_[i].literal) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<int> RouteTable::Add(absl::string_view method, absl::string_view path_template) {
  absl::StatusOr<PathTemplate> parsed = PathTemplate::Parse(path_template);
  if (!parsed.ok()) return parsed.status();
  for (const Entry& e : entries_) {
    if (e.method == method && e.path.MatchesSamePathsAs(*parsed)) {
      return absl::AlreadyExistsError(
          absl::StrCat(method, " ", path_template, " would shadow ", e.method, " ", e.path.text()));
    }
  }
  const int id = static_cast<int>(entries_.size());
  entries_.push_back(Entry{std::string(method), *std::move(parsed)});
  const PathTemplate& added = entries_.back().path;
  auto pos = std::find_if(order_.begin(), order_.end(),
                          [&](int other) { return added.MoreSpecificThan(entries_[other].path); });
  order_.insert(pos, id);
  return id;
}

bool RouteTable::MatchWithVerb(absl::string_view method, absl::Span<const std::string> segments,
                               absl::Span<const std::string> raw, absl::string_view verb,
                               RouteMatch& result) const {
  for (const int id : order_) {
    const Entry& e = entries_[id];
    if (e.method != method || e.path.verb() != verb) continue;
    if (e.path.Match(segments, &result.values, raw)) {
      result.outcome = RouteMatch::Outcome::kFound;
      result.route = id;
      return true;
    }
  }
  std::vector<absl::string_view> allowed;
  for (const int id : order_) {
    const Entry& e = entries_[id];
    if (e.path.verb() != verb || !e.path.Match(segments, nullptr)) continue;
    if (std::find(allowed.begin(), allowed.end(), e.method) == allowed.end()) {
      allowed.push_back(e.method);
    }
  }
  if (allowed.empty()) return false;
  std::sort(allowed.begin(), allowed.end());
  result.outcome = RouteMatch::Outcome::kMethodNotAllowed;
  result.allowed = absl::StrJoin(allowed, ", ");
  return true;
}

RouteMatch RouteTable::Match(absl::string_view method, absl::string_view path) const {
  RouteMatch result;
  if (path.empty() || path[0] != '/') return result;
  std::vector<absl::string_view> raw = absl::StrSplit(path.substr(1), '/');
  std::vector<std::string> segments;
  segments.reserve(raw.size());
  for (absl::string_view s : raw) segments.push_back(PercentDecode(s, false));
  std::vector<std::string> undecoded(raw.begin(), raw.end());

  // The verb is split off the raw last segment, so an escaped "%3A" stays part of the value.
  const size_t colon = raw.back().rfind(':');
  if (colon != absl::string_view::npos) {
    const std::string verb = PercentDecode(raw.back().substr(colon + 1), false);
    std::vector<std::string> stripped = segments;
    stripped.back() = PercentDecode(raw.back().substr(0, colon), false);
    std::vector<std::string> undecoded_stripped = undecoded;
    undecoded_stripped.back() = std::string(raw.back().substr(0, colon));
    // A trailing ':' names no verb ("T1:" is an id ending in a colon, not T1 with no verb).
    if (!verb.empty() && MatchWithVerb(method, stripped, undecoded_stripped, verb, result)) return result;
    // No route has that verb for this path: the colon may be part of the last segment (ids may
    // hold one). If that matches no route for this method either, the verb was most likely
    // misspelt: not found, naming the verbs the path takes, rather than "method not allowed"
    // from the plain path's GET.
    MatchWithVerb(method, segments, undecoded, "", result);
    if (result.outcome == RouteMatch::Outcome::kFound) return result;
    std::vector<absl::string_view> verbs;
    for (const int id : order_) {
      const Entry& e = entries_[id];
      if (e.path.verb().empty() || !e.path.Match(stripped, nullptr)) continue;
      if (std::find(verbs.begin(), verbs.end(), e.path.verb()) == verbs.end()) {
        verbs.push_back(e.path.verb());
      }
    }
    if (verbs.empty()) return result;
    std::sort(verbs.begin(), verbs.end());
    RouteMatch not_found;
    not_found.known_verbs = absl::StrCat(":", absl::StrJoin(verbs, ", :"));
    return not_found;
  }
  MatchWithVerb(method, segments, undecoded, "", result);
  return result;
}

}  // namespace aftersales::gateway
