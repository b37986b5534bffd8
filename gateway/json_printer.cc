#include "gateway/json_printer.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gateway/well_known_types.h"

namespace aftersales::gateway {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

// As protobuf escapes: quotes, backslash, control characters, '<' and '>' (safe to embed in
// HTML), DEL, and U+2028 / U+2029 (line separators JavaScript rejects in string literals).
bool NeedsEscape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == 0x7f || c == 0xe2;
}

void AppendString(absl::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the characters not yet appended, which need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!NeedsEscape(c)) continue;
    if (c == 0xe2) {  // lead byte of U+2028 / U+2029, and of other characters left alone
      const bool separator = i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                             (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8;
      if (!separator) continue;
      out.append(s.data() + run, i - run);
      out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
      run = i + 1;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf's TimeUtil writes it
// ("2024-01-02T03:04:05.500Z"), without its printf. seconds is within years 1..9999.
void AppendTimestamp(int64_t seconds, int32_t nanos, std::string& out) {
  // Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil, inverted).
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t second_of_day = seconds - days * 86400;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

  char buffer[32];
  char* p = buffer;
  const auto digits = [&p](int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    p += width;
  };
  *p++ = '"';
  digits(year, 4);
  *p++ = '-';
  digits(month, 2);
  *p++ = '-';
  digits(day, 2);
  *p++ = 'T';
  digits(second_of_day / 3600, 2);
  *p++ = ':';
  digits(second_of_day / 60 % 60, 2);
  *p++ = ':';
  digits(second_of_day % 60, 2);
  if (nanos != 0) {
    *p++ = '.';
    if (nanos % 1000000 == 0) {
      digits(nanos / 1000000, 3);
    } else if (nanos % 1000 == 0) {
      digits(nanos / 1000, 6);
    } else {
      digits(nanos, 9);
    }
  }
  *p++ = 'Z';
  *p++ = '"';
  out.append(buffer, p - buffer);
}

template <typename Float>
void AppendFloat(Float value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
  } else if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else if constexpr (sizeof(Float) == sizeof(float)) {
    out += pb::SimpleFtoa(value);
  } else {
    out += pb::SimpleDtoa(value);
  }
}

absl::Status AppendMessage(const pb::Message& message, std::string& out);

// One value of a field: the field's only value, or element `index` of a repeated field.
absl::Status AppendValue(const pb::Message& message, const FieldDescriptor& field, int index,
                         std::string& out) {
  const pb::Reflection& r = *message.GetReflection();
  const bool repeated = index >= 0;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(&out, repeated ? r.GetRepeatedInt32(message, &field, index)
                                     : r.GetInt32(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(&out, repeated ? r.GetRepeatedUInt32(message, &field, index)
                                     : r.GetUInt32(message, &field));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(
          &out, "\"",
          repeated ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field),
          "\"");
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(
          &out, "\"",
          repeated ? r.GetRepeatedUInt64(message, &field, index) : r.GetUInt64(message, &field),
          "\"");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloat(
          repeated ? r.GetRepeatedDouble(message, &field, index) : r.GetDouble(message, &field),
          out);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloat(
          repeated ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field), out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (repeated ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field))
                 ? "true"
                 : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r.GetRepeatedEnumValue(message, &field, index)
                                  : r.GetEnumValue(message, &field);
      if (field.enum_type()->full_name() == "google.protobuf.NullValue") {
        out += "null";
        break;
      }
      const pb::EnumValueDescriptor* value = field.enum_type()->FindValueByNumber(number);
      if (value != nullptr) {
        AppendString(value->name(), out);
      } else {
        absl::StrAppend(&out, number);  // a value this build does not know yet
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value =
          repeated ? r.GetRepeatedStringReference(message, &field, index, &scratch)
                   : r.GetStringReference(message, &field, &scratch);
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        absl::StrAppend(&out, "\"", absl::Base64Escape(value), "\"");
      } else {
        AppendString(value, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(
          repeated ? r.GetRepeatedMessage(message, &field, index) : r.GetMessage(message, &field),
          out);
  }
  return absl::OkStatus();
}

absl::Status AppendField(const pb::Message& message, const FieldDescriptor& field,
                         std::string& out) {
  absl::StrAppend(&out, "\"", field.name(), "\":");
  if (!field.is_repeated()) return AppendValue(message, field, -1, out);
  const pb::Reflection& r = *message.GetReflection();
  const int size = r.FieldSize(message, &field);
  if (field.is_map()) {
    // Map entries are messages {key = 1, value = 2}; JSON keys are always strings.
    const FieldDescriptor& key = *field.message_type()->map_key();
    const FieldDescriptor& value = *field.message_type()->map_value();
    out += '{';
    for (int i = 0; i < size; ++i) {
      if (i > 0) out += ',';
      const pb::Message& entry = r.GetRepeatedMessage(message, &field, i);
      const pb::Reflection& er = *entry.GetReflection();
      switch (key.cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string scratch;
          AppendString(er.GetStringReference(entry, &key, &scratch), out);
          break;
        }
        case FieldDescriptor::CPPTYPE_BOOL:
          out += er.GetBool(entry, &key) ? "\"true\"" : "\"false\"";
          break;
        default: {
          // Integer keys: print the number, then quote it.
          std::string number;
          if (absl::Status s = AppendValue(entry, key, -1, number); !s.ok()) return s;
          if (number.front() != '"') number = absl::StrCat("\"", number, "\"");
          out += number;
        }
      }
      out += ':';
      if (absl::Status s = AppendValue(entry, value, -1, out); !s.ok()) return s;
    }
    out += '}';
    return absl::OkStatus();
  }
  out += '[';
  for (int i = 0; i < size; ++i) {
    if (i > 0) out += ',';
    if (absl::Status s = AppendValue(message, field, i, out); !s.ok()) return s;
  }
  out += ']';
  return absl::OkStatus();
}

// Timestamp, Duration, wrappers and Empty print as protobuf prints them; the rest of the
// well-known types go to protobuf. False when the message is no well-known type.
bool AppendWellKnown(const pb::Message& message, std::string& out, absl::Status& status) {
  const pb::Descriptor& type = *message.GetDescriptor();
  const WellKnownType well_known = WellKnownTypeOf(type);
  if (well_known == WellKnownType::kNone) {
    if (type.full_name() != "google.protobuf.Empty") return false;
    out += "{}";
    return true;
  }
  const pb::Reflection& r = *message.GetReflection();
  switch (well_known) {
    case WellKnownType::kTimestamp:
    case WellKnownType::kDuration: {
      const int64_t seconds = r.GetInt64(message, type.FindFieldByNumber(1));
      const int32_t nanos = r.GetInt32(message, type.FindFieldByNumber(2));
      if (well_known == WellKnownType::kTimestamp) {
        if (seconds < pb::util::TimeUtil::kTimestampMinSeconds ||
            seconds > pb::util::TimeUtil::kTimestampMaxSeconds || nanos < 0 ||
            nanos > 999999999) {
          status = absl::InternalError(absl::StrCat("Timestamp out of range: ", seconds, "s"));
          return true;
        }
        AppendTimestamp(seconds, nanos, out);
        return true;
      }
      pb::Duration d;
      d.set_seconds(seconds);
      d.set_nanos(nanos);
      if (seconds < pb::util::TimeUtil::kDurationMinSeconds ||
          seconds > pb::util::TimeUtil::kDurationMaxSeconds || nanos < -999999999 ||
          nanos > 999999999) {
        status = absl::InternalError(absl::StrCat("Duration out of range: ", seconds, "s"));
        return true;
      }
      absl::StrAppend(&out, "\"", pb::util::TimeUtil::ToString(d), "\"");
      return true;
    }
    case WellKnownType::kWrapper:
      status = AppendValue(message, *type.FindFieldByNumber(1), -1, out);
      return true;
    default: {  // Any, Struct, Value, ListValue, FieldMask
      pb::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.always_print_primitive_fields = true;
      std::string json;
      const pb::util::Status s = pb::util::MessageToJsonString(message, &json, options);
      if (!s.ok()) {
        status = absl::InternalError(std::string(s.message().data(), s.message().size()));
      }
      out += json;
      return true;
    }
  }
}

// protobuf prints a set Timestamp, Duration, wrapper or FieldMask, and a set oneof scalar, after
// the other fields (it writes them as plain values and appends those to its tree of defaults).
// Doing the same keeps the output byte for byte what protobuf prints.
bool PrintedLast(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return field.real_containing_oneof() != nullptr;
  }
  const WellKnownType type = WellKnownTypeOf(*field.message_type());
  return IsWellKnownScalar(type) || type == WellKnownType::kFieldMask;
}

absl::Status AppendMessage(const pb::Message& message, std::string& out) {
  absl::Status status;
  if (AppendWellKnown(message, out, status)) return status;
  const pb::Descriptor& type = *message.GetDescriptor();
  const pb::Reflection& r = *message.GetReflection();
  out += '{';
  bool first = true;
  const auto append = [&](const FieldDescriptor& field) {
    if (!first) out += ',';
    first = false;
    return AppendField(message, field, out);
  };
  std::vector<const FieldDescriptor*> last;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    // Unset messages, oneof members and proto3 optional scalars have no value to print.
    if (!field.is_repeated() && field.has_presence() && !r.HasField(message, &field)) continue;
    if (PrintedLast(field)) {
      last.push_back(&field);
      continue;
    }
    if (absl::Status s = append(field); !s.ok()) return s;
  }
  // In the order of the wire format: by field number.
  std::sort(last.begin(), last.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
    return a->number() < b->number();
  });
  for (const FieldDescriptor* field : last) {
    if (absl::Status s = append(*field); !s.ok()) return s;
  }
  out += '}';
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendJson(const pb::Message& message, std::string& out) {
  return AppendMessage(message, out);
}

}  // namespace aftersales::gateway
