#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftersales {

// One setting a program reads: from --name=value, else the environment variable, else the
// default. Secrets are masked when the configuration is printed.
struct ConfigVar {
  std::string name;
  std::string default_value;
  std::string help;
  bool secret = false;
};

// A program's whole configuration, declared in one place. The environment variable of a
// setting is AFTERSALES_ plus its name in upper case ("db_host" -> AFTERSALES_DB_HOST).
class Config {
 public:
  Config(std::string program, std::vector<ConfigVar> vars);

  // Reads argv and the environment. Unknown flags and malformed values are errors; --help
  // yields a NOT_FOUND status whose message is the usage text.
  absl::Status Parse(int argc, char** argv);
  // For tests and embedding: sets values as if given on the command line.
  absl::Status Set(absl::string_view name, absl::string_view value);

  const std::string& Get(absl::string_view name) const;
  absl::StatusOr<int64_t> GetInt(absl::string_view name) const;
  absl::StatusOr<bool> GetBool(absl::string_view name) const;
  // "30s", "500ms", "2h".
  absl::StatusOr<absl::Duration> GetDuration(absl::string_view name) const;

  // One JSON object of every setting and where it came from, secrets masked.
  std::string Describe() const;
  std::string Usage() const;

  static std::string EnvName(absl::string_view name);
  const std::string& program() const { return program_; }

 private:
  struct Value {
    ConfigVar var;
    std::string value;
    std::string source;  // "default", "env", "flag"
  };
  std::string program_;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace aftersales
