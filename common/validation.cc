#include "common/validation.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace aftersales {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

bool IsBlank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

// The names of the files under $TZDIR or /usr/share/zoneinfo, where absl reads zones from,
// found once: the zones, links like US/Eastern, and a few tables (zone.tab) that LoadTimeZone
// then refuses.
absl::flat_hash_set<std::string> ReadInstalledTimeZones() {
  namespace fs = std::filesystem;
  absl::flat_hash_set<std::string> names = {"UTC"};
  const char* tzdir = std::getenv("TZDIR");
  const fs::path root = tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  std::error_code ec;
  // Directory links (Debian's posix -> .) are not followed, so the walk ends.
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    names.insert(it->path().lexically_relative(root).generic_string());
  }
  return names;
}

// A name from a client must never reach absl::LoadTimeZone unchecked: it takes absolute paths
// and "file:" names too (a request naming /dev/stdin would block its thread), and it caches
// every name it is given, also those it failed on, for the life of the process.
bool IsInstalledTimeZone(absl::string_view name) {
  static const absl::flat_hash_set<std::string>* const installed =
      new absl::flat_hash_set<std::string>(ReadInstalledTimeZones());
  return installed->contains(name);
}

}  // namespace

size_t Utf8SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
  if (text.empty()) return 0;
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return text.size() >= 2 && continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    if (text.size() < 3 || !continuation(1) || !continuation(2)) return 0;
    if (lead == 0xe0 && byte(1) < 0xa0) return 0;   // overlong
    if (lead == 0xed && byte(1) >= 0xa0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (text.size() < 4 || !continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xf0 && byte(1) < 0x90) return 0;   // overlong
    if (lead == 0xf4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;  // a continuation byte, or a lead byte no UTF-8 uses (0xc0, 0xc1, 0xf5..0xff)
}

bool IsValidUtf8(absl::string_view text) {
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

absl::Status ValidateId(absl::string_view field, absl::string_view value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > 128) return Invalid(field, "is longer than 128 characters");
  for (const char c : value) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != ':' && c != '#') {
      return Invalid(field, absl::StrCat("'", value,
                                         "' may hold only letters, digits and - _ . : #"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOptionalId(absl::string_view field, absl::string_view value) {
  return value.empty() ? absl::OkStatus() : ValidateId(field, value);
}

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes,
                          bool required) {
  if (required && IsBlank(value)) return Invalid(field, "is required");
  if (value.size() > max_bytes) {
    return Invalid(field, absl::StrCat("is ", value.size(), " bytes; at most ", max_bytes,
                                       " are accepted"));
  }
  if (!IsValidUtf8(value)) return Invalid(field, "is not valid UTF-8");
  // Valid UTF-8, but nobody types it, and what the text goes on to (GLib and so Pango in the
  // PDF exports, C strings, marketplaces' message forms) takes it for the end of the text.
  if (const size_t nul = value.find('\0'); nul != absl::string_view::npos) {
    return Invalid(field,
                   absl::StrCat("holds a NUL character (U+0000) at byte ", nul, "; remove it"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCountry(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? Invalid(field, "is required") : absl::OkStatus();
  if (value.size() != 2 || !absl::ascii_isupper(value[0]) || !absl::ascii_isupper(value[1])) {
    return Invalid(field, absl::StrCat("'", value,
                                       "' is not an ISO 3166-1 alpha-2 code like US or DE"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeZone(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? Invalid(field, "is required") : absl::OkStatus();
  absl::TimeZone zone;
  if (value.size() > 64 || !IsInstalledTimeZone(value) ||
      !absl::LoadTimeZone(std::string(value), &zone)) {
    return Invalid(field, absl::StrCat("'", value,
                                       "' is not an IANA time zone like America/New_York"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLanguage(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? Invalid(field, "is required") : absl::OkStatus();
  // Primary subtag of 2-3 letters, then subtags of 1-8 letters or digits.
  size_t i = 0;
  while (i < value.size() && absl::ascii_isalpha(value[i])) ++i;
  bool ok = i >= 2 && i <= 3 && value.size() <= 35;
  size_t run = 0;
  for (size_t k = i; ok && k < value.size(); ++k) {
    if (value[k] == '-') {
      ok = k + 1 < value.size() && (k == i || run > 0);
      run = 0;
    } else if (absl::ascii_isalnum(value[k])) {
      ok = ++run <= 8;
    } else {
      ok = false;
    }
  }
  if (!ok) return Invalid(field, absl::StrCat("'", value, "' is not a language tag like en or zh-CN"));
  return absl::OkStatus();
}

absl::Status ValidateEmail(absl::string_view field, absl::string_view value, bool required) {
  if (value.empty()) return required ? Invalid(field, "is required") : absl::OkStatus();
  const size_t at = value.find('@');
  if (value.size() > 254 || at == 0 || at == absl::string_view::npos ||
      value.find('.', at) == absl::string_view::npos || value.back() == '.' ||
      value.find_first_of(" \t\r\n", 0) != absl::string_view::npos || !IsValidUtf8(value)) {
    return Invalid(field, absl::StrCat("'", value, "' is not an email address"));
  }
  return absl::OkStatus();
}

absl::Status ValidateCurrency(absl::string_view field, absl::string_view value) {
  if (value.size() != 3 || !absl::ascii_isupper(value[0]) || !absl::ascii_isupper(value[1]) ||
      !absl::ascii_isupper(value[2])) {
    return Invalid(field, absl::StrCat("'", value, "' is not an ISO 4217 code like USD or EUR"));
  }
  return absl::OkStatus();
}

absl::Status ValidateEnum(absl::string_view field, int value, bool known, bool allow_unspecified) {
  if (!known) return Invalid(field, absl::StrCat("unknown value ", value));
  if (value == 0 && !allow_unspecified) return Invalid(field, "is required");
  return absl::OkStatus();
}

absl::Status ValidatePageSize(int page_size) {
  if (page_size < 0 || page_size > 200) return absl::InvalidArgumentError("page_size: must be 0..200 (0 means 50)");
  return absl::OkStatus();
}

}  // namespace aftersales
