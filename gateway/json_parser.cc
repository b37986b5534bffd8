#include "gateway/json_parser.h"

#include <google/protobuf/util/time_util.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/validation.h"
#include "gateway/well_known_types.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

// Deep enough for any request of this API; shallow enough that a hostile body cannot exhaust the
// stack of the thread that parses it.
constexpr int kMaxDepth = 64;

// Any, Struct, Value, ListValue and FieldMask are left to protobuf's reader.
bool ReadByProtobuf(WellKnownType t) {
  return t == WellKnownType::kAny || t == WellKnownType::kStruct || t == WellKnownType::kValue ||
         t == WellKnownType::kListValue || t == WellKnownType::kFieldMask;
}

bool HandlesAll(const pb::Descriptor& type, absl::flat_hash_set<const pb::Descriptor*>& seen) {
  if (!seen.insert(&type).second) return true;
  if (ReadByProtobuf(WellKnownTypeOf(type))) return false;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    if (field.type() == FieldDescriptor::TYPE_GROUP) return false;
    if (field.type() == FieldDescriptor::TYPE_MESSAGE && !HandlesAll(*field.message_type(), seen)) {
      return false;
    }
  }
  return true;
}

// The JSON number grammar (RFC 8259): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. Returns
// the end of the number starting at p, or nullptr when there is none; `integral` says whether it
// had neither fraction nor exponent.
const char* ScanNumber(const char* p, const char* end, bool& integral) {
  const auto digit = [&](const char* q) { return q < end && *q >= '0' && *q <= '9'; };
  integral = true;
  if (p < end && *p == '-') ++p;
  if (!digit(p)) return nullptr;
  if (*p == '0') {
    ++p;
  } else {
    while (digit(p)) ++p;
  }
  if (p < end && *p == '.') {
    integral = false;
    if (!digit(++p)) return nullptr;
    while (digit(p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    integral = false;
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit(p)) return nullptr;
    while (digit(p)) ++p;
  }
  return p;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

// Integer text (a JSON number, or the content of a JSON string holding one) to Int. 1e3 and 2.0
// count as integers, as protobuf reads such numbers; 1.5 does not.
enum class IntegerResult { kOk, kNotANumber, kNotIntegral, kOutOfRange };

template <typename Int>
IntegerResult ToInteger(absl::string_view text, Int& out) {
  bool integral = false;
  if (text.empty() ||
      ScanNumber(text.data(), text.data() + text.size(), integral) != text.data() + text.size()) {
    return IntegerResult::kNotANumber;
  }
  using Wide = std::conditional_t<std::is_signed_v<Int>, int64_t, uint64_t>;
  Wide wide = 0;
  if (integral) {
    if (std::is_unsigned_v<Int> && text == "-0") text = "0";
    if (!absl::SimpleAtoi(text, &wide)) return IntegerResult::kOutOfRange;
  } else {
    double value = 0;
    if (!absl::SimpleAtod(text, &value)) return IntegerResult::kNotANumber;
    if (std::trunc(value) != value) return IntegerResult::kNotIntegral;
    // 2^63 and 2^64 are exact doubles; anything at or past them does not fit.
    constexpr double kLimit =
        std::is_signed_v<Int> ? 9223372036854775808.0 : 18446744073709551616.0;
    const double lowest = std::is_signed_v<Int> ? -kLimit : 0.0;
    if (!(value >= lowest && value < kLimit)) return IntegerResult::kOutOfRange;
    wide = static_cast<Wide>(value);
  }
  if (wide < static_cast<Wide>(std::numeric_limits<Int>::min()) ||
      wide > static_cast<Wide>(std::numeric_limits<Int>::max())) {
    return IntegerResult::kOutOfRange;
  }
  out = static_cast<Int>(wide);
  return IntegerResult::kOk;
}

// "1.5s", "-3s", "0.000000001s": seconds, then up to nine fractional digits, then 's'.
bool ParseDuration(absl::string_view text, int64_t& seconds, int32_t& nanos) {
  if (text.size() < 2 || text.back() != 's') return false;
  text.remove_suffix(1);
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : text.substr(dot + 1);
  const auto all_digits = [](absl::string_view s) {
    return !s.empty() && s.size() <= 12 &&
           s.find_first_not_of("0123456789") == absl::string_view::npos;
  };
  if (!all_digits(whole)) return false;
  if (dot != absl::string_view::npos && (!all_digits(fraction) || fraction.size() > 9)) {
    return false;
  }
  int64_t s = 0;
  if (!absl::SimpleAtoi(whole, &s)) return false;
  int32_t n = 0;
  for (size_t i = 0; i < 9; ++i) n = n * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  if (s > pb::util::TimeUtil::kDurationMaxSeconds) return false;
  seconds = negative ? -s : s;
  nanos = negative ? -n : n;
  return true;
}

// RFC 3339's shape: 2026-11-23T10:00:00, an optional fraction of one digit or more, then Z or an
// offset +hh:mm / -hh:mm. Both absl::ParseTime and protobuf's reader forgive more (one-digit
// fields, offsets without minutes, spaces, text after a NUL); a time read wrongly is worse
// than one refused.
bool HasRfc3339Shape(absl::string_view text) {
  constexpr absl::string_view kHead = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kHead.size()) return false;
  for (size_t i = 0; i < kHead.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kHead[i] == 'd' ? !digit : text[i] != kHead[i]) return false;
  }
  text.remove_prefix(kHead.size());
  const auto digits = [](absl::string_view s) {
    return s.find_first_not_of("0123456789") == absl::string_view::npos;
  };
  if (!text.empty() && text.front() == '.') {
    const size_t end = text.find_first_not_of("0123456789", 1);
    const size_t count = (end == absl::string_view::npos ? text.size() : end) - 1;
    if (count < 1) return false;  // RFC 3339 allows any number; protobuf keeps nanoseconds
    text.remove_prefix(count + 1);
  }
  if (text == "Z") return true;
  return text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':' &&
         digits(text.substr(1, 2)) && digits(text.substr(4, 2));
}

bool ParseTimestamp(absl::string_view text, int64_t& seconds, int32_t& nanos) {
  if (!HasRfc3339Shape(text)) return false;
  // protobuf's reader, as the query string uses: the same range and the same rounding.
  pb::Timestamp parsed;
  if (!pb::util::TimeUtil::FromString(std::string(text), &parsed)) return false;
  seconds = parsed.seconds();
  nanos = parsed.nanos();
  return true;
}

// A field by its proto name or its JSON name. A scan: request messages have a few dozen fields
// at most, and the descriptor's own lookups would copy the key into a std::string first.
const FieldDescriptor* FindField(const pb::Descriptor& type, absl::string_view key) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->name() == key || field->json_name() == key) return field;
  }
  return nullptr;
}

const pb::EnumValueDescriptor* FindEnumValue(const pb::EnumDescriptor& type,
                                             absl::string_view name) {
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->name() == name) return type.value(i);
  }
  return nullptr;
}

// Reads one JSON document into a message by reflection. Each Read* returns false after
// recording the problem; the path to it is collected as the calls unwind, so a request that
// parses builds no path at all.
class JsonReader {
 public:
  explicit JsonReader(absl::string_view json)
      : begin_(json.data()), p_(json.data()), end_(json.data() + json.size()) {}

  absl::Status Read(pb::Message& message, const FieldDescriptor* field) {
    const bool ok = field == nullptr ? ReadObject(message) : ReadFieldValue(message, *field);
    if (ok) {
      SkipSpace();
      if (p_ == end_) return absl::OkStatus();
      SyntaxError("end of input after the JSON value");
    }
    std::string path;
    for (auto step = reversed_path_.rbegin(); step != reversed_path_.rend(); ++step) {
      if (!path.empty() && step->front() != '[') path += '.';
      path += *step;
    }
    return absl::InvalidArgumentError(path.empty() ? problem_ : absl::StrCat(path, ": ", problem_));
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // The next character after white space, '\0' at the end.
  char Peek() {
    SkipSpace();
    return p_ < end_ ? *p_ : '\0';
  }

  bool SyntaxError(absl::string_view expected) {
    problem_ = p_ < end_ ? absl::StrCat("expected ", expected, " at byte ", p_ - begin_ + 1)
                         : absl::StrCat("expected ", expected, ", found the end of the body");
    return false;
  }

  bool ValueError(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  // The JSON kind starting at the next character, for "expected a string, got a number".
  bool WrongType(absl::string_view expected) {
    absl::string_view got;
    switch (Peek()) {
      case '{':
        got = "an object";
        break;
      case '[':
        got = "an array";
        break;
      case '"':
        got = "a string";
        break;
      case 't':
      case 'f':
        if (!LiteralAhead("true") && !LiteralAhead("false")) return SyntaxError("a JSON value");
        got = "a boolean";
        break;
      case 'n':
        if (!LiteralAhead("null")) return SyntaxError("a JSON value");
        got = "null";
        break;
      case '\0':
        return SyntaxError(expected);
      default:
        if (*p_ != '-' && (*p_ < '0' || *p_ > '9')) return SyntaxError("a JSON value");
        got = "a number";
    }
    return ValueError(absl::StrCat("expected ", expected, ", got ", got));
  }

  bool InStep(std::string step) {
    reversed_path_.push_back(std::move(step));
    return false;
  }

  bool Enter() {
    if (++depth_ > kMaxDepth) {
      return ValueError(absl::StrCat("nested deeper than ", kMaxDepth, " objects and arrays"));
    }
    return true;
  }

  bool LiteralAhead(absl::string_view literal) const {
    return static_cast<size_t>(end_ - p_) >= literal.size() &&
           absl::string_view(p_, literal.size()) == literal;
  }

  bool ConsumeLiteral(absl::string_view literal) {
    if (!LiteralAhead(literal)) return false;
    p_ += literal.size();
    return true;
  }

  // At '"': the string's content, pointing into the input when it has no escapes, else into
  // scratch. Raw control characters pass, as protobuf lets them: RFC 8259 wants them escaped, but
  // clients that build JSON by hand send raw newlines, and rejecting them would break those.
  bool ReadString(absl::string_view& out, std::string& scratch) {
    const char* const start = ++p_;
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = absl::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || c >= 0x80) break;
      ++p_;
    }
    scratch.assign(start, p_);
    const char* run = p_;  // start of the bytes not yet copied, which need no decoding
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        scratch.append(run, p_);
        ++p_;
        out = scratch;
        return true;
      }
      if (c >= 0x80) {
        const size_t length = Utf8SequenceLength(absl::string_view(p_, end_ - p_));
        if (length == 0) return ValueError(absl::StrCat("invalid UTF-8 at byte ", p_ - begin_ + 1));
        p_ += length;
      } else if (c == '\\') {
        scratch.append(run, p_);
        if (!ReadEscape(scratch)) return false;
        run = p_;
      } else {
        ++p_;
      }
    }
    return SyntaxError("'\"' to close the string");
  }

  bool ReadHex4(uint32_t& value) {
    if (end_ - p_ < 4) return SyntaxError("four hex digits after \\u");
    value = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      const char c = *p_;
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<uint32_t>(c - '0');
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
        value |= static_cast<uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        return SyntaxError("four hex digits after \\u");
      }
    }
    return true;
  }

  // At the backslash of an escape; appends what it stands for.
  bool ReadEscape(std::string& out) {
    ++p_;
    if (p_ == end_) return SyntaxError("an escape after '\\'");
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u':
        break;
      default:
        --p_;
        return SyntaxError("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
    }
    uint32_t code_point = 0;
    if (!ReadHex4(code_point)) return false;
    if (code_point >= 0xdc00 && code_point <= 0xdfff) {
      return ValueError(absl::StrCat("unpaired UTF-16 surrogate before byte ", p_ - begin_ + 1));
    }
    if (code_point >= 0xd800 && code_point <= 0xdbff) {
      uint32_t low = 0;
      if (!ConsumeLiteral("\\u") || !ReadHex4(low) || low < 0xdc00 || low > 0xdfff) {
        return ValueError(absl::StrCat("unpaired UTF-16 surrogate before byte ", p_ - begin_ + 1));
      }
      code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
    }
    AppendUtf8(code_point, out);
    return true;
  }

  // The content of a JSON string or the text of a JSON number: integer and float fields take
  // both.
  bool ReadNumberText(absl::string_view& text, std::string& scratch, absl::string_view expected) {
    const char c = Peek();
    if (c == '"') return ReadString(text, scratch);
    if (c != '-' && (c < '0' || c > '9')) return WrongType(expected);
    bool integral = false;
    const char* const number_end = ScanNumber(p_, end_, integral);
    if (number_end == nullptr) return SyntaxError("a number");
    text = absl::string_view(p_, static_cast<size_t>(number_end - p_));
    p_ = number_end;
    return true;
  }

  template <typename Int>
  bool ReadInteger(Int& value) {
    constexpr absl::string_view kind = std::is_signed_v<Int>
                                           ? (sizeof(Int) == 4 ? "int32" : "int64")
                                           : (sizeof(Int) == 4 ? "uint32" : "uint64");
    absl::string_view text;
    std::string scratch;
    const bool quoted = Peek() == '"';
    if (!ReadNumberText(text, scratch, absl::StrCat("an integer (", kind, ")"))) return false;
    // In quotes only digits, as protobuf reads them: "1e3" is no integer, 1e3 is.
    if (quoted && text.find_first_of(".eE") != absl::string_view::npos) {
      return ValueError(absl::StrCat("\"", text, "\" is not an integer"));
    }
    switch (ToInteger(text, value)) {
      case IntegerResult::kOk:
        return true;
      case IntegerResult::kNotANumber:
        return ValueError(absl::StrCat("\"", text, "\" is not an integer"));
      case IntegerResult::kNotIntegral:
        return ValueError(absl::StrCat(text, " is not an integer"));
      case IntegerResult::kOutOfRange:
        break;
    }
    return ValueError(absl::StrCat(text, " is out of range for ", kind));
  }

  bool ReadDouble(double& value, bool is_float) {
    absl::string_view text;
    std::string scratch;
    const bool quoted = Peek() == '"';
    if (!ReadNumberText(text, scratch, "a number")) return false;
    if (quoted && (text == "NaN" || text == "Infinity" || text == "-Infinity")) {
      value = text == "NaN"         ? std::numeric_limits<double>::quiet_NaN()
              : text.front() == 'I' ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
      return true;
    }
    bool integral = false;
    if (text.empty() ||
        ScanNumber(text.data(), text.data() + text.size(), integral) != text.data() + text.size() ||
        !absl::SimpleAtod(text, &value)) {
      return ValueError(absl::StrCat("\"", text, "\" is not a number"));
    }
    const double limit = is_float ? FLT_MAX : DBL_MAX;
    if (!(std::fabs(value) <= limit)) {
      return ValueError(absl::StrCat(text, " is out of range for ", is_float ? "float" : "double"));
    }
    return true;
  }

  // true or false; also "true" and "false" in quotes, which protobuf accepts and clients send.
  bool ReadBool(bool& value) {
    const char c = Peek();
    if (c == '"') {
      absl::string_view text;
      std::string scratch;
      if (!ReadString(text, scratch)) return false;
      if (text != "true" && text != "false") {
        return ValueError(absl::StrCat("\"", text, "\" is not true or false"));
      }
      value = text == "true";
      return true;
    }
    if ((c == 't' && ConsumeLiteral("true")) || (c == 'f' && ConsumeLiteral("false"))) {
      value = c == 't';
      return true;
    }
    return WrongType("true or false");
  }

  bool ReadStringValue(absl::string_view& text, std::string& scratch, absl::string_view expected) {
    if (Peek() != '"') return WrongType(expected);
    return ReadString(text, scratch);
  }

  bool ReadEnum(const pb::EnumDescriptor& type, int& number) {
    if (Peek() == '"') {
      absl::string_view name;
      std::string scratch;
      if (!ReadString(name, scratch)) return false;
      const pb::EnumValueDescriptor* value = FindEnumValue(type, name);
      if (value == nullptr) {
        return ValueError(
            absl::StrCat("unknown enum value \"", name, "\" (one of ", EnumNames(type), ")"));
      }
      number = value->number();
      return true;
    }
    int32_t value = 0;
    if (!ReadInteger(value)) return false;
    number = value;
    return true;
  }

  // One value of a field: its only value, or (add) one more element of a repeated field.
  bool ReadValue(pb::Message& message, const FieldDescriptor& field, bool add) {
    const pb::Reflection& r = *message.GetReflection();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v = 0;
        if (!ReadInteger(v)) return false;
        add ? r.AddInt32(&message, &field, v) : r.SetInt32(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = 0;
        if (!ReadInteger(v)) return false;
        add ? r.AddInt64(&message, &field, v) : r.SetInt64(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = 0;
        if (!ReadInteger(v)) return false;
        add ? r.AddUInt32(&message, &field, v) : r.SetUInt32(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = 0;
        if (!ReadInteger(v)) return false;
        add ? r.AddUInt64(&message, &field, v) : r.SetUInt64(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double v = 0;
        if (!ReadDouble(v, false)) return false;
        add ? r.AddDouble(&message, &field, v) : r.SetDouble(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double v = 0;
        if (!ReadDouble(v, true)) return false;
        const float f = static_cast<float>(v);
        add ? r.AddFloat(&message, &field, f) : r.SetFloat(&message, &field, f);
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v = false;
        if (!ReadBool(v)) return false;
        add ? r.AddBool(&message, &field, v) : r.SetBool(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        int v = 0;
        if (!ReadEnum(*field.enum_type(), v)) return false;
        add ? r.AddEnumValue(&message, &field, v) : r.SetEnumValue(&message, &field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        absl::string_view text;
        std::string scratch;
        std::string value;
        if (field.type() == FieldDescriptor::TYPE_BYTES) {
          if (!ReadStringValue(text, scratch, "a base64 string")) return false;
          if (!absl::Base64Unescape(text, &value) && !absl::WebSafeBase64Unescape(text, &value)) {
            return ValueError(absl::StrCat("\"", text, "\" is not base64"));
          }
        } else {
          if (!ReadStringValue(text, scratch, "a string")) return false;
          value.assign(text.data(), text.size());
        }
        add ? r.AddString(&message, &field, std::move(value))
            : r.SetString(&message, &field, std::move(value));
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return ReadMessageValue(add ? *r.AddMessage(&message, &field)
                                    : *r.MutableMessage(&message, &field));
    }
    return ValueError("unsupported field type");
  }

  bool ReadMessageValue(pb::Message& message) {
    const pb::Descriptor& type = *message.GetDescriptor();
    const WellKnownType well_known = WellKnownTypeOf(type);
    switch (well_known) {
      case WellKnownType::kNone:
        return ReadObject(message);
      case WellKnownType::kWrapper:
        return ReadValue(message, *type.field(0), false);
      case WellKnownType::kTimestamp:
      case WellKnownType::kDuration:
        break;
      case WellKnownType::kFieldMask:
      case WellKnownType::kAny:
      case WellKnownType::kStruct:
      case WellKnownType::kValue:
      case WellKnownType::kListValue:
        return ValueError(absl::StrCat(type.full_name(), " is not supported here"));
    }
    const bool timestamp = well_known == WellKnownType::kTimestamp;
    const absl::string_view expected =
        timestamp ? "an RFC 3339 time like \"2024-05-01T09:30:00Z\"" : "a duration like \"1.5s\"";
    absl::string_view text;
    std::string scratch;
    if (!ReadStringValue(text, scratch, expected)) return false;
    int64_t seconds = 0;
    int32_t nanos = 0;
    if (!(timestamp ? ParseTimestamp(text, seconds, nanos) : ParseDuration(text, seconds, nanos))) {
      return ValueError(absl::StrCat("\"", text, "\" is not ", expected));
    }
    // Timestamp and Duration both hold seconds = 1, nanos = 2.
    const pb::Reflection& r = *message.GetReflection();
    r.SetInt64(&message, type.FindFieldByNumber(1), seconds);
    r.SetInt32(&message, type.FindFieldByNumber(2), nanos);
    return true;
  }

  // At '{' or '['; calls read_member(key) for each member / read_element(index) for each element.
  template <typename ReadMember>
  bool ReadMembers(ReadMember read_member) {
    if (Peek() != '{') return WrongType("an object");
    ++p_;
    if (!Enter()) return false;
    if (Peek() == '}') {
      ++p_;
      --depth_;
      return true;
    }
    std::string scratch;
    while (true) {
      if (Peek() != '"') return SyntaxError("'\"' to start a member name");
      absl::string_view key;
      if (!ReadString(key, scratch)) return false;
      if (Peek() != ':') return SyntaxError("':' after a member name");
      ++p_;
      if (!read_member(key)) return false;
      const char next = Peek();
      if (next == ',') {
        ++p_;
        continue;
      }
      if (next == '}') break;
      return SyntaxError("',' or '}'");
    }
    ++p_;
    --depth_;
    return true;
  }

  bool ReadObject(pb::Message& message) {
    const pb::Descriptor& type = *message.GetDescriptor();
    return ReadMembers([&](absl::string_view key) {
      const FieldDescriptor* field = FindField(type, key);
      if (field == nullptr) {
        // The error's path says where; a proto type name would mean nothing to the client.
        return ValueError(absl::StrCat("unknown field \"", key, "\""));
      }
      return ReadFieldValue(message, *field) || InStep(field->name());
    });
  }

  // A member's value; null leaves the field as it is.
  bool ReadFieldValue(pb::Message& message, const FieldDescriptor& field) {
    if (Peek() == 'n' && ConsumeLiteral("null")) return true;
    if (field.is_map()) return ReadMap(message, field);
    if (field.is_repeated()) return ReadArray(message, field);
    return CheckOneof(message, field) && ReadValue(message, field, false);
  }

  // protobuf rejects two members of one oneof in the same object; so does this.
  bool CheckOneof(const pb::Message& message, const FieldDescriptor& field) {
    const pb::OneofDescriptor* oneof = field.real_containing_oneof();
    if (oneof == nullptr) return true;
    const FieldDescriptor* set = message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
    if (set == nullptr || set == &field) return true;
    return ValueError(absl::StrCat("oneof ", oneof->name(), " already has field ", set->name(),
                                   "; cannot also set ", field.name()));
  }

  bool ReadArray(pb::Message& message, const FieldDescriptor& field) {
    if (Peek() != '[') return WrongType("an array");
    ++p_;
    if (!Enter()) return false;
    if (Peek() == ']') {
      ++p_;
      --depth_;
      return true;
    }
    for (int index = 0;; ++index) {
      const bool ok = Peek() == 'n' ? ValueError("null is not allowed in an array")
                                    : ReadValue(message, field, true);
      if (!ok) return InStep(absl::StrCat("[", index, "]"));
      const char next = Peek();
      if (next == ',') {
        ++p_;
        continue;
      }
      if (next == ']') break;
      return SyntaxError("',' or ']'");
    }
    ++p_;
    --depth_;
    return true;
  }

  bool ReadMap(pb::Message& message, const FieldDescriptor& field) {
    const FieldDescriptor& key_field = *field.message_type()->map_key();
    const FieldDescriptor& value_field = *field.message_type()->map_value();
    const pb::Reflection& r = *message.GetReflection();
    return ReadMembers([&](absl::string_view key) {
      pb::Message& entry = *r.AddMessage(&message, &field);
      const bool ok = SetMapKey(entry, key_field, key) &&
                      (Peek() == 'n' ? ValueError("null is not a valid map value")
                                     : ReadValue(entry, value_field, false));
      return ok || InStep(absl::StrCat("[\"", absl::CHexEscape(key), "\"]"));
    });
  }

  bool SetMapKey(pb::Message& entry, const FieldDescriptor& key_field, absl::string_view key) {
    const pb::Reflection& r = *entry.GetReflection();
    const auto bad_key = [&](absl::string_view expected) {
      return ValueError(absl::StrCat("map key \"", key, "\" is not ", expected));
    };
    // Keys are quoted, so only digits, as for a quoted integer value: "1.0" and "1e3" would make
    // a second spelling of key 1.
    const auto integer = [&](auto& value) {
      return key.find_first_of(".eE") == absl::string_view::npos &&
             ToInteger(key, value) == IntegerResult::kOk;
    };
    switch (key_field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r.SetString(&entry, &key_field, std::string(key));
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (key != "true" && key != "false") return bad_key("true or false");
        r.SetBool(&entry, &key_field, key == "true");
        return true;
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v = 0;
        if (!integer(v)) return bad_key("an int32");
        r.SetInt32(&entry, &key_field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = 0;
        if (!integer(v)) return bad_key("an int64");
        r.SetInt64(&entry, &key_field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v = 0;
        if (!integer(v)) return bad_key("a uint32");
        r.SetUInt32(&entry, &key_field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = 0;
        if (!integer(v)) return bad_key("a uint64");
        r.SetUInt64(&entry, &key_field, v);
        return true;
      }
      default:
        return bad_key("a valid key");
    }
  }

  const char* const begin_;
  const char* p_;
  const char* const end_;
  int depth_ = 0;
  std::string problem_;
  std::vector<std::string> reversed_path_;
};

}  // namespace

bool JsonParserHandles(const pb::Descriptor& type) {
  absl::flat_hash_set<const pb::Descriptor*> seen;
  return HandlesAll(type, seen);
}

absl::Status ParseJson(absl::string_view json, pb::Message& message) {
  return JsonReader(json).Read(message, nullptr);
}

absl::Status ParseJsonField(absl::string_view json, const FieldDescriptor& field,
                            pb::Message& message) {
  return JsonReader(json).Read(message, &field);
}

bool ParseJsonTimestamp(absl::string_view text, pb::Timestamp& out) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (!ParseTimestamp(text, seconds, nanos)) return false;
  out.set_seconds(seconds);
  out.set_nanos(nanos);
  return true;
}

bool ParseJsonDuration(absl::string_view text, pb::Duration& out) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  if (!ParseDuration(text, seconds, nanos)) return false;
  out.set_seconds(seconds);
  out.set_nanos(nanos);
  return true;
}

std::string EnumNames(const pb::EnumDescriptor& type) {
  std::vector<absl::string_view> names;
  for (int i = 0; i < type.value_count(); ++i) names.push_back(type.value(i)->name());
  return absl::StrJoin(names, ", ");
}

}  // namespace aftersales::gateway
