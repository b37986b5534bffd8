#include "common/config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace aftersales {

Config::Config(std::string program, std::vector<ConfigVar> vars) : program_(std::move(program)) {
  for (auto& var : vars) {
    std::string name = var.name;
    std::string value = var.default_value;
    values_[name] = Value{std::move(var), std::move(value), "default"};
  }
}

std::string Config::EnvName(absl::string_view name) {
  return absl::StrCat("AFTERSALES_", absl::AsciiStrToUpper(name));
}

absl::Status Config::Parse(int argc, char** argv) {
  for (auto& [name, value] : values_) {
    if (const char* env = std::getenv(EnvName(name).c_str()); env != nullptr) {
      value.value = env;
      value.source = "env";
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::NotFoundError(Usage());
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg,
                                                     "': settings are --name=value"));
    }
    const size_t eq = arg.find('=');
    if (eq == absl::string_view::npos) {
      // A switch (a setting whose default is true or false) named alone is switched on, as
      // `--migrate_only` in a Job's args reads.
      auto it = values_.find(arg);
      bool ignored = false;
      if (it != values_.end() && absl::SimpleAtob(it->second.var.default_value, &ignored)) {
        if (absl::Status s = Set(arg, "true"); !s.ok()) return s;
        continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", arg, " needs a value: --", arg, "=VALUE"));
    }
    if (absl::Status s = Set(arg.substr(0, eq), arg.substr(eq + 1)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Config::Set(absl::string_view name, absl::string_view value) {
  auto it = values_.find(name);
  if (it == values_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown flag --", name, "; see --help for the settings of ", program_));
  }
  it->second.value = std::string(value);
  it->second.source = "flag";
  return absl::OkStatus();
}

const std::string& Config::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    // A typo in a program's own setting name is a programming error, found on first run.
    LogError("config: unknown setting", {{"name", std::string(name)}});
    std::abort();
  }
  return it->second.value;
}

absl::StatusOr<int64_t> Config::GetInt(absl::string_view name) const {
  int64_t out = 0;
  if (!absl::SimpleAtoi(Get(name), &out)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " (", EnvName(name),
                                                   ") must be a whole number, got '", Get(name),
                                                   "'"));
  }
  return out;
}

absl::StatusOr<bool> Config::GetBool(absl::string_view name) const {
  bool out = false;
  if (!absl::SimpleAtob(Get(name), &out)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " (", EnvName(name),
                                                   ") must be true or false, got '", Get(name),
                                                   "'"));
  }
  return out;
}

absl::StatusOr<absl::Duration> Config::GetDuration(absl::string_view name) const {
  absl::Duration out;
  if (!absl::ParseDuration(Get(name), &out)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " (", EnvName(name),
                                                   ") must be a duration like 30s or 500ms, got '",
                                                   Get(name), "'"));
  }
  return out;
}

std::string Config::Describe() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : values_) {
    absl::StrAppend(&out, first ? "" : ",", JsonQuote(name), ":{\"value\":",
                    JsonQuote(value.var.secret && !value.value.empty() ? "***" : value.value),
                    ",\"source\":", JsonQuote(value.source), "}");
    first = false;
  }
  out += "}";
  return out;
}

std::string Config::Usage() const {
  std::string out = absl::StrCat("Usage: ", program_, " [--name=value ...]\n\n");
  for (const auto& [name, value] : values_) {
    absl::StrAppend(&out, "  --", name, " (env ", EnvName(name), ", default '",
                    value.var.secret ? "" : value.var.default_value, "')\n      ", value.var.help,
                    "\n");
  }
  return out;
}

}  // namespace aftersales
