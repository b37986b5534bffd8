#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace aftersales {
namespace {

// Set once in main before threads start; read-only afterwards.
std::atomic<const char*> program_name{"aftersales"};

void Write(absl::string_view level, absl::string_view msg, const LogFields& fields) {
  std::string line = absl::StrCat(
      "{\"ts\":", JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone())),
      ",\"level\":\"", level, "\",\"program\":", JsonQuote(program_name.load()),
      ",\"msg\":", JsonQuote(msg));
  for (const auto& [key, value] : fields) absl::StrAppend(&line, ",", JsonQuote(key), ":", JsonQuote(value));
  line += "}\n";
  // One write(2) per line keeps lines whole when threads log at once.
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

void SetLogProgram(absl::string_view program) {
  static std::string stored;
  stored = std::string(program);
  program_name.store(stored.c_str());
}

const char* LogProgram() { return program_name.load(); }

void LogInfo(absl::string_view msg, const LogFields& fields) { Write("info", msg, fields); }
void LogWarning(absl::string_view msg, const LogFields& fields) { Write("warning", msg, fields); }
void LogError(absl::string_view msg, const LogFields& fields) { Write("error", msg, fields); }

std::string JsonQuote(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace aftersales
