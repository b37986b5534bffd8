#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

// Field checks shared by every service. Each returns INVALID_ARGUMENT naming the field and
// saying what would be accepted, so a person can fix the request from the message alone.

bool IsValidUtf8(absl::string_view text);
// Length of the UTF-8 sequence `text` starts with; 0 when it does not start with a valid one
// (overlong forms, surrogates and code points past U+10FFFF are not UTF-8).
size_t Utf8SequenceLength(absl::string_view text);

// Required id: 1..128 characters of letters, digits and -_.:#
absl::Status ValidateId(absl::string_view field, absl::string_view value);
// Optional id: empty, or as ValidateId.
absl::Status ValidateOptionalId(absl::string_view field, absl::string_view value);
// Valid UTF-8 of at most max_bytes bytes, without NUL; required means non-blank.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes,
                          bool required);
// ISO 3166-1 alpha-2, upper case.
absl::Status ValidateCountry(absl::string_view field, absl::string_view value, bool required);
// An IANA zone this machine knows ("Europe/Berlin").
absl::Status ValidateTimeZone(absl::string_view field, absl::string_view value, bool required);
// BCP 47-shaped: "en", "de", "zh-CN", "pt-BR".
absl::Status ValidateLanguage(absl::string_view field, absl::string_view value, bool required);
absl::Status ValidateEmail(absl::string_view field, absl::string_view value, bool required);
// ISO 4217 shape: three upper-case letters.
absl::Status ValidateCurrency(absl::string_view field, absl::string_view value);
// A known enum value other than 0 (UNSPECIFIED) unless allow_unspecified.
absl::Status ValidateEnum(absl::string_view field, int value, bool known, bool allow_unspecified);
// A list's page_size: 0..200, 0 meaning the default of 50.
absl::Status ValidatePageSize(int page_size);

}  // namespace aftersales
