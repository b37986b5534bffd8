// Every SQL statement the services send, read out of their source, held to the VSchemas in
// db/vschema/ (docs/scaling.md): sharded by store_id through Vitess, each statement on a
// store's rows must reach one shard without a query change. A statement passes when every
// sharded table in it is routed by an equality on one of its vindex columns (store_id, or a
// global id with a lookup vindex), or is joined on a shared vindex to a table that is; an INSERT
// writes its table's primary vindex column; an UPDATE never rewrites it (a row never moves
// shards). Tables with no store live in unsharded keyspaces, each with its reason below. What
// is left, sweeps across stores and admin reads, must be listed below as a deliberate scatter
// with its reason. A new statement that is none of these fails the test.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aftersales {
namespace {

namespace fs = std::filesystem;
namespace pb = google::protobuf;

const fs::path kRoot = AFTERSALES_SOURCE_DIR;

// ---- what is declared, with reasons --------------------------------------------------------

// Tables in an unsharded keyspace (aftersales_<service>_global, or identity's own).
const std::map<std::string, std::string> kUnshardedTables = {
    {"idempotency_keys",
     "keyed by (principal:method, Idempotency-Key), not by store: a key is looked up before the "
     "create's store is known (AddMessage names only a ticket). Written in the create's own "
     "transaction, so a create with a key commits across two keyspaces: vtgate runs with "
     "--transaction_mode=TWOPC"},
    {"schema_migrations", "the migration runner's record of what it applied, one per keyspace"},
    {"site_holidays", "a marketplace site's calendar (US, DE, ...), shared by every store"},
    {"phrase_rule_versions",
     "the one banned-phrase rule set every store's messages are screened with"},
    {"phrase_rules", "the one banned-phrase rule set every store's messages are screened with"},
    {"api_keys",
     "a key may span stores (all_stores, or a list): identity is one small unsharded keyspace "
     "(hundreds of rows), read whole by every gateway"},
    {"api_key_version", "the one version row every gateway polls"},
};

// Statements that run across every store on purpose. A sweep runs in Vitess once per shard,
// on a shard-targeted session (`USE aftersales_returns/-80`): through vtgate, its LIMIT with
// SKIP LOCKED would lock rows on every shard to hand back a few.
struct Scatter {
  std::string file;
  std::string sql;  // the statement as the test reads it, whitespace collapsed
  std::string reason;
};
const std::vector<Scatter> kScatters = {
    {"common/outbox.cc",
     "SELECT outbox_id, subject_id, kind, payload, idem_key, attempts, store_id FROM outbox WHERE "
     "state = "
     "'PENDING' AND next_attempt_at <= ? ORDER BY next_attempt_at, outbox_id LIMIT 1 FOR UPDATE "
     "SKIP LOCKED",
     "sweep: the deliverer leases the oldest due entry of any store; per shard"},
    {"common/outbox.cc",
     "SELECT COALESCE(SUM(state = 'PENDING'), 0), COALESCE(SUM(state = 'FAILED'), 0) FROM outbox",
     "metrics: the outbox gauge counts every store's entries (vtgate sums the shards)"},
    {"common/outbox.cc",
     "UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, attempts = 0 WHERE state = "
     "'FAILED'",
     "admin: requeue every failed entry, of every store (rare, by hand)"},
    {"common/outbox.cc",
     "UPDATE outbox SET state = 'PENDING', next_attempt_at = ?, attempts = 0 WHERE state = "
     "'FAILED' AND "
     "subject_id = ?",
     "admin: requeue one return's failed entries; the admin names a return, not its store (rare, "
     "by hand)"},
    {"common/outbox.cc",
     "SELECT subject_id, kind, attempts, last_error FROM outbox WHERE state = 'FAILED' ORDER BY "
     "outbox_id LIMIT ?",
     "admin: the failed entries of every store, for an admin of every store"},
    {"common/outbox.cc",
     "DELETE FROM outbox WHERE state = 'DELIVERED' AND delivered_at < ? LIMIT 1000",
     "maintenance: purge delivered entries of every store; per shard"},
    {"services/tickets/ticket_store.cc",
     "DELETE FROM ticket_due_changes WHERE changed_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT "
     "1000",
     "maintenance: purge due-time changes older than any page token; per shard"},
    {"services/tickets/ticket_store.cc",
     "SELECT ticket_id FROM follow_ups WHERE state = 'PENDING' AND due_at <= ? ORDER BY due_at "
     "LIMIT ?",
     "sweep: follow-ups due in any store; each is then claimed by its ticket_id; per shard"},
    {"services/returns/return_store.cc",
     "SELECT return_id, kind, store_id FROM return_deadlines WHERE state = 'PENDING' AND due_at <= "
     "? ORDER BY "
     "due_at LIMIT ? FOR UPDATE SKIP LOCKED",
     "sweep: business-day deadlines missed in any store; per shard"},
    {"services/reviews/review_store.cc",
     "SELECT store_id, order_id, state, due_at, reason, request FROM review_requests WHERE state = "
     "'SCHEDULED' "
     "AND due_at <= ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED",
     "sweep: scheduled review requests due in any store; per shard"},
    {"services/claims/claim_store.cc",
     "SELECT alert_id, claim_id, kind, due_at, store_id FROM claim_alerts WHERE state = 'PENDING' "
     "AND due_at <= "
     "? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED",
     "sweep: claim deadline alerts due in any store; per shard"},
};

// ---- the VSchemas ------------------------------------------------------------------------

struct Vindex {
  std::string name;
  std::string type;
  std::string owner;         // lookup vindexes: the table that writes its rows
  std::string lookup_table;  // lookup vindexes: "keyspace.table"
  bool lookup() const { return absl::StrContains(type, "lookup"); }
};

struct Table {
  // column -> vindex name; the first listed is the primary vindex.
  std::vector<std::pair<std::string, std::string>> column_vindexes;
  std::string primary_column() const {
    return column_vindexes.empty() ? "" : column_vindexes.front().first;
  }
  std::optional<std::string> VindexOf(const std::string& column) const {
    for (const auto& [c, v] : column_vindexes) {
      if (absl::EqualsIgnoreCase(c, column)) return v;
    }
    return std::nullopt;
  }
};

struct Keyspace {
  std::string name;
  bool sharded = false;
  std::map<std::string, Vindex> vindexes;
  std::map<std::string, Table> tables;
};

// A service's tables: its sharded keyspace and its unsharded one (or only an unsharded one).
struct ServiceSchema {
  std::string service;
  std::vector<Keyspace> keyspaces;
  const Keyspace* KeyspaceOf(const std::string& table) const {
    for (const Keyspace& k : keyspaces) {
      if (k.tables.contains(table)) return &k;
    }
    return nullptr;
  }
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

pb::Struct ReadJson(const fs::path& path) {
  pb::Struct out;
  const auto status = pb::util::JsonStringToMessage(ReadFile(path), &out);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();
  return out;
}

std::string Field(const pb::Struct& s, const std::string& name) {
  const auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

Keyspace ReadKeyspace(const fs::path& path) {
  const pb::Struct json = ReadJson(path);
  Keyspace k;
  k.name = path.stem().string();
  const auto sharded = json.fields().find("sharded");
  k.sharded = sharded != json.fields().end() && sharded->second.bool_value();
  if (const auto v = json.fields().find("vindexes"); v != json.fields().end()) {
    for (const auto& [name, value] : v->second.struct_value().fields()) {
      const pb::Struct& def = value.struct_value();
      Vindex vindex{.name = name,
                    .type = Field(def, "type"),
                    .owner = Field(def, "owner"),
                    .lookup_table = ""};
      if (const auto p = def.fields().find("params"); p != def.fields().end()) {
        vindex.lookup_table = Field(p->second.struct_value(), "table");
      }
      k.vindexes[name] = vindex;
    }
  }
  if (const auto t = json.fields().find("tables"); t != json.fields().end()) {
    for (const auto& [name, value] : t->second.struct_value().fields()) {
      Table table;
      const auto cv = value.struct_value().fields().find("column_vindexes");
      if (cv != value.struct_value().fields().end()) {
        for (const pb::Value& entry : cv->second.list_value().values()) {
          table.column_vindexes.emplace_back(Field(entry.struct_value(), "column"),
                                             Field(entry.struct_value(), "name"));
        }
      }
      k.tables[name] = table;
    }
  }
  return k;
}

std::vector<std::string> Services() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(kRoot / "services")) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

ServiceSchema ReadServiceSchema(const std::string& service) {
  ServiceSchema s{.service = service, .keyspaces = {}};
  for (const std::string& name :
       {absl::StrCat("aftersales_", service), absl::StrCat("aftersales_", service, "_global")}) {
    const fs::path path = kRoot / "db" / "vschema" / (name + ".json");
    if (fs::exists(path)) s.keyspaces.push_back(ReadKeyspace(path));
  }
  return s;
}

const std::vector<ServiceSchema>& Schemas() {
  static const std::vector<ServiceSchema>* const schemas = [] {
    auto* out = new std::vector<ServiceSchema>;
    for (const std::string& service : Services()) out->push_back(ReadServiceSchema(service));
    return out;
  }();
  return *schemas;
}

const ServiceSchema& SchemaOf(const std::string& service) {
  for (const ServiceSchema& s : Schemas()) {
    if (s.service == service) return s;
  }
  ADD_FAILURE() << "no service " << service;
  static const ServiceSchema none;
  return none;
}

// ---- statements out of the C++ source -----------------------------------------------------

struct CppToken {
  enum Kind { kIdent, kString, kPunct, kOther } kind;
  std::string text;
  int line;
};

// Identifiers, string literals (raw ones too, with their escapes read), punctuation; comments,
// character literals and preprocessor lines dropped.
std::vector<CppToken> LexCpp(const std::string& src) {
  std::vector<CppToken> out;
  int line = 1;
  size_t i = 0;
  bool line_start = true;
  const auto at = [&](size_t k) { return k < src.size() ? src[k] : '\0'; };
  while (i < src.size()) {
    const char c = src[i];
    if (c == '\n') {
      ++line;
      ++i;
      line_start = true;
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (line_start && c == '#') {
      while (i < src.size() && !(src[i] == '\n' && at(i - 1) != '\\')) ++i;
      continue;
    }
    line_start = false;
    if (c == '/' && at(i + 1) == '/') {
      while (i < src.size() && src[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && at(i + 1) == '*') {
      i += 2;
      while (i < src.size() && !(src[i] == '*' && at(i + 1) == '/')) line += src[i++] == '\n';
      i += 2;
      continue;
    }
    if (c == '\'') {
      for (++i; i < src.size() && src[i] != '\''; ++i) i += src[i] == '\\';
      ++i;
      continue;
    }
    if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = i;
      while (absl::ascii_isalnum(static_cast<unsigned char>(at(i))) || at(i) == '_') ++i;
      const std::string word = src.substr(start, i - start);
      if (at(i) == '"' &&
          (word == "R" || word == "u8R" || word == "uR" || word == "UR" || word == "LR")) {
        const size_t open = src.find('(', i);
        const std::string delimiter = absl::StrCat(")", src.substr(i + 1, open - i - 1), "\"");
        const size_t close = src.find(delimiter, open);
        const std::string body = src.substr(open + 1, close - open - 1);
        out.push_back({CppToken::kString, body, line});
        line += std::count(body.begin(), body.end(), '\n');
        i = close + delimiter.size();
        continue;
      }
      if (at(i) == '"' && (word == "u8" || word == "u" || word == "U" || word == "L"))
        continue;  // prefix
      out.push_back({CppToken::kIdent, word, line});
      continue;
    }
    if (c == '"') {
      std::string body;
      for (++i; i < src.size() && src[i] != '"'; ++i) {
        if (src[i] != '\\') {
          body += src[i];
          continue;
        }
        const char e = at(++i);
        body += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      ++i;
      out.push_back({CppToken::kString, body, line});
      continue;
    }
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      while (absl::ascii_isalnum(static_cast<unsigned char>(at(i))) || at(i) == '.' ||
             at(i) == '\'')
        ++i;
      out.push_back({CppToken::kOther, "0", line});
      continue;
    }
    out.push_back({CppToken::kPunct, std::string(1, c), line});
    ++i;
  }
  return out;
}

struct SourceStatement {
  std::string file;  // relative to the repository: "services/tickets/ticket_store.cc"
  int line = 0;
  std::string sql;  // whitespace collapsed; a piece that is not a literal reads as " ? "
};

std::string Collapse(absl::string_view text) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\n\r"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

bool StartsStatement(absl::string_view literal) {
  const absl::string_view s = absl::StripLeadingAsciiWhitespace(literal);
  for (absl::string_view verb : {"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "REPLACE "}) {
    if (absl::StartsWith(s, verb)) return true;
  }
  return false;
}

// SQL text that names a table but starts no statement: a statement built in pieces the
// scanner cannot follow.
bool LooksLikeSqlFragment(absl::string_view literal) {
  static constexpr absl::string_view kKeywords[] = {"FROM ", "INTO ", "JOIN "};
  for (absl::string_view k : kKeywords) {
    for (size_t at = literal.find(k); at != absl::string_view::npos; at = literal.find(k, at + 1)) {
      const size_t next = at + k.size();
      if (next < literal.size() && (absl::ascii_islower(literal[next]) || literal[next] == '_'))
        return true;
    }
  }
  return false;
}

// The SQL statements a source file builds. A statement starts at a string literal that begins
// with SELECT, INSERT, UPDATE, DELETE or REPLACE and goes on over the literals of the same
// argument (adjacent literals, `+`, a ternary's branches); inside absl::StrCat / StrAppend it
// goes on over the call's other arguments too, a non-literal one reading as " ? ". It ends at
// the end of the argument, the call, or the C++ statement.
std::vector<SourceStatement> ExtractStatements(const std::string& file, const std::string& src,
                                               std::vector<std::string>* unread) {
  const std::vector<CppToken> t = LexCpp(src);
  std::vector<bool> used(t.size(), false);
  std::vector<SourceStatement> out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind != CppToken::kString || used[i] || !StartsStatement(t[i].text)) continue;
    // The call the literal is an argument of.
    std::string call;
    int depth = 0;
    for (size_t k = i; k-- > 0;) {
      const std::string& p = t[k].text;
      if (t[k].kind != CppToken::kPunct) continue;
      if (p == ")" || p == "]") ++depth;
      if (p == "(" || p == "[") {
        if (depth-- == 0) {
          if (k > 0 && t[k - 1].kind == CppToken::kIdent) call = t[k - 1].text;
          break;
        }
      }
      if (depth == 0 && (p == ";" || p == "{" || p == "}")) break;
    }
    const bool concatenates = call == "StrCat" || call == "StrAppend";
    std::string sql;
    bool argument_has_literal = false;
    depth = 0;
    for (size_t j = i; j < t.size(); ++j) {
      const CppToken& tok = t[j];
      if (tok.kind == CppToken::kString) {
        sql += tok.text;
        used[j] = true;
        argument_has_literal = true;
        continue;
      }
      if (tok.kind != CppToken::kPunct) continue;
      const std::string& p = tok.text;
      if (p == ";" || p == "{" || p == "}") break;
      if (p == "(" || p == "[") ++depth;
      if (p == ")" || p == "]") {
        if (depth == 0) break;
        --depth;
      }
      if (p == "," && depth == 0) {
        if (!concatenates) break;
        if (!argument_has_literal) sql += " ? ";
        argument_has_literal = false;
      }
    }
    if (!argument_has_literal) sql += " ? ";
    out.push_back({file, t[i].line, Collapse(sql)});
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].kind == CppToken::kString && !used[i] && LooksLikeSqlFragment(t[i].text)) {
      unread->push_back(absl::StrCat(file, ":", t[i].line, ": \"", t[i].text, "\""));
    }
  }
  return out;
}

std::vector<SourceStatement> AllStatements(std::vector<std::string>* unread) {
  std::vector<SourceStatement> out;
  for (const char* dir : {"common", "services"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
      const std::string file = entry.path().lexically_relative(kRoot).generic_string();
      for (SourceStatement& s : ExtractStatements(file, ReadFile(entry.path()), unread))
        out.push_back(std::move(s));
    }
  }
  return out;
}

// ---- reading a statement ------------------------------------------------------------------

struct SqlToken {
  enum Kind { kWord, kParam, kString, kNumber, kOp, kOpen, kClose, kComma, kOther } kind;
  std::string text;  // words upper-cased, as keywords are compared
  std::string raw;
};

std::vector<SqlToken> LexSql(const std::string& sql) {
  std::vector<SqlToken> out;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '\'') {
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '\\') {
          ++i;
        } else if (sql[i] == '\'') {
          if (i + 1 < sql.size() && sql[i + 1] == '\'') {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
      out.push_back({SqlToken::kString, "'", "'"});
    } else if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '`') {
      const size_t start = i;
      while (i < sql.size() && (absl::ascii_isalnum(static_cast<unsigned char>(sql[i])) ||
                                sql[i] == '_' || sql[i] == '.' || sql[i] == '`' || sql[i] == '$')) {
        ++i;
      }
      std::string raw = sql.substr(start, i - start);
      raw.erase(std::remove(raw.begin(), raw.end(), '`'), raw.end());
      out.push_back({SqlToken::kWord, absl::AsciiStrToUpper(raw), raw});
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      while (i < sql.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.'))
        ++i;
      out.push_back({SqlToken::kNumber, "0", "0"});
    } else if (c == '?') {
      out.push_back({SqlToken::kParam, "?", "?"});
      ++i;
    } else if (c == '(' || c == ')' || c == ',') {
      out.push_back({c == '('   ? SqlToken::kOpen
                     : c == ')' ? SqlToken::kClose
                                : SqlToken::kComma,
                     std::string(1, c), std::string(1, c)});
      ++i;
    } else if (c == '<' || c == '>' || c == '=' || c == '!') {
      size_t n = 1;
      if (i + 1 < sql.size() && (sql[i + 1] == '=' || sql[i + 1] == '>')) ++n;
      if (n == 2 && sql.substr(i, 3) == "<=>") ++n;
      out.push_back({SqlToken::kOp, sql.substr(i, n), sql.substr(i, n)});
      i += n;
    } else {
      out.push_back({SqlToken::kOther, std::string(1, c), std::string(1, c)});
      ++i;
    }
  }
  return out;
}

const std::set<std::string>& Keywords() {
  static const auto* const k = new std::set<std::string>{
      "WHERE",     "JOIN",  "INNER",  "LEFT",   "RIGHT",  "CROSS",     "STRAIGHT_JOIN", "ON",
      "SET",       "ORDER", "GROUP",  "LIMIT",  "FOR",    "VALUES",    "VALUE",         "SELECT",
      "USING",     "AS",    "HAVING", "UNION",  "LOCK",   "PARTITION", "FORCE",         "USE",
      "IGNORE",    "AND",   "OR",     "NOT",    "IN",     "IS",        "NULL",          "EXISTS",
      "DUPLICATE", "KEY",   "SKIP",   "LOCKED", "UPDATE", "DISTINCT",  "INTERVAL"};
  return *k;
}

struct TableRef {
  std::string table;
  std::string alias;  // the table's own name when it has none
  enum Role { kRead, kInsertTarget, kUpdateTarget } role = kRead;
  std::vector<std::string> columns;  // INSERT: the column list; UPDATE: the columns SET
};

// `qualifier.column = ?`, `column IN (...)`, or `a.x = b.y`, where it restricts the whole
// statement: in a WHERE or ON clause, under no OR.
struct Equality {
  std::string qualifier, column;              // left side; qualifier empty when unqualified
  std::string other_qualifier, other_column;  // right side, when it is a column
};

struct ReadStatement {
  std::string verb;
  std::vector<TableRef> tables;
  std::vector<Equality> equalities;
};

std::pair<std::string, std::string> SplitColumn(const std::string& raw) {
  const size_t dot = raw.rfind('.');
  if (dot == std::string::npos) return {"", raw};
  return {raw.substr(0, dot), raw.substr(dot + 1)};
}

ReadStatement ReadSql(const std::string& sql) {
  const std::vector<SqlToken> t = LexSql(sql);
  ReadStatement r;
  if (!t.empty()) r.verb = t.front().text;
  const auto word = [&](size_t k, absl::string_view w) {
    return k < t.size() && t[k].kind == SqlToken::kWord && t[k].text == w;
  };

  // Tables.
  bool first_update = true;
  for (size_t k = 0; k + 1 < t.size(); ++k) {
    if (t[k].kind != SqlToken::kWord) continue;
    const std::string& w = t[k].text;
    if (w != "FROM" && w != "JOIN" && w != "INTO" && w != "UPDATE") continue;
    if (w == "UPDATE" && k > 0 && (word(k - 1, "KEY") || word(k - 1, "FOR")))
      continue;                                      // not a table
    if (t[k + 1].kind != SqlToken::kWord) continue;  // a derived table
    TableRef ref{
        .table = t[k + 1].raw, .alias = t[k + 1].raw, .role = TableRef::kRead, .columns = {}};
    size_t next = k + 2;
    if (word(next, "AS")) ++next;
    if (next < t.size() && t[next].kind == SqlToken::kWord && !Keywords().contains(t[next].text)) {
      ref.alias = t[next].raw;
      ++next;
    }
    if (w == "INTO") {
      ref.role = TableRef::kInsertTarget;
      if (next < t.size() && t[next].kind == SqlToken::kOpen) {
        for (size_t c = next + 1; c < t.size() && t[c].kind != SqlToken::kClose; ++c) {
          if (t[c].kind == SqlToken::kWord) ref.columns.push_back(t[c].raw);
        }
      }
    } else if (w == "UPDATE" && first_update && r.verb == "UPDATE") {
      first_update = false;
      ref.role = TableRef::kUpdateTarget;
      int depth = 0;
      size_t set = next;
      while (set < t.size() && !word(set, "SET")) ++set;
      for (size_t c = set + 1; c < t.size() && !(depth == 0 && word(c, "WHERE")); ++c) {
        depth += t[c].kind == SqlToken::kOpen ? 1 : t[c].kind == SqlToken::kClose ? -1 : 0;
        if (depth == 0 && t[c].kind == SqlToken::kWord && c + 1 < t.size() &&
            t[c + 1].text == "=" && (c == set + 1 || t[c - 1].kind == SqlToken::kComma)) {
          ref.columns.push_back(SplitColumn(t[c].raw).second);
        }
      }
    }
    r.tables.push_back(ref);
  }

  // Which parenthesized groups hold an OR of their own (group 0: the statement).
  std::vector<int> group_of_open(t.size(), -1);
  std::vector<bool> has_or = {false};
  {
    std::vector<int> stack = {0};
    for (size_t k = 0; k < t.size(); ++k) {
      if (t[k].kind == SqlToken::kOpen) {
        has_or.push_back(false);
        stack.push_back(static_cast<int>(has_or.size()) - 1);
        group_of_open[k] = stack.back();
      } else if (t[k].kind == SqlToken::kClose && stack.size() > 1) {
        stack.pop_back();
      } else if (word(k, "OR")) {
        has_or[stack.back()] = true;
      }
    }
  }
  // Equalities in WHERE and ON clauses, under no OR.
  std::vector<int> groups = {0};
  std::vector<bool> region = {false};
  for (size_t k = 0; k < t.size(); ++k) {
    const SqlToken& tok = t[k];
    if (tok.kind == SqlToken::kOpen) {
      groups.push_back(group_of_open[k]);
      region.push_back(region.back());
      continue;
    }
    if (tok.kind == SqlToken::kClose) {
      if (groups.size() > 1) {
        groups.pop_back();
        region.pop_back();
      }
      continue;
    }
    if (tok.kind != SqlToken::kWord) continue;
    if (tok.text == "WHERE" || (tok.text == "ON" && !word(k + 1, "DUPLICATE"))) {
      region.back() = true;
      continue;
    }
    if (tok.text == "ORDER" || tok.text == "GROUP" || tok.text == "LIMIT" || tok.text == "FOR" ||
        tok.text == "JOIN" || tok.text == "HAVING" || tok.text == "UNION" || tok.text == "SELECT" ||
        tok.text == "SET" || tok.text == "VALUES" || tok.text == "ON") {
      region.back() = false;
      continue;
    }
    if (!region.back() || Keywords().contains(tok.text)) continue;
    bool under_or = false;
    for (int g : groups) under_or |= has_or[g];
    if (under_or) continue;
    if (k > 0 && t[k - 1].kind == SqlToken::kOp) continue;  // the right side of another comparison
    const auto [qualifier, column] = SplitColumn(tok.raw);
    if (k + 2 < t.size() && (t[k + 1].text == "=" || t[k + 1].text == "<=>") &&
        t[k + 2].kind == SqlToken::kParam) {
      r.equalities.push_back({qualifier, column, "", ""});
    } else if (k + 2 < t.size() && word(k + 1, "IN") && t[k + 2].kind == SqlToken::kOpen) {
      r.equalities.push_back({qualifier, column, "", ""});
    } else if (k + 2 < t.size() && t[k + 1].text == "=" && t[k + 2].kind == SqlToken::kWord &&
               !Keywords().contains(t[k + 2].text) &&
               (k + 3 >= t.size() || t[k + 3].kind != SqlToken::kOpen)) {
      const auto [other_qualifier, other_column] = SplitColumn(t[k + 2].raw);
      r.equalities.push_back({qualifier, column, other_qualifier, other_column});
    }
  }
  return r;
}

// ---- routing ------------------------------------------------------------------------------

struct Verdict {
  // "store_id", "lookup vindex <name>", "unsharded", "no table", or "" when not routed.
  std::string route;
  std::vector<std::string> problems;
};

Verdict Route(const std::string& sql, const ServiceSchema& schema) {
  Verdict v;
  const ReadStatement r = ReadSql(sql);
  if (r.tables.empty()) {
    v.route = "no table";
    return v;
  }
  struct Ref {
    const TableRef* ref;
    const Table* table = nullptr;  // null: unsharded
    const Keyspace* keyspace = nullptr;
    std::string routed_by;  // the vindex that routes it, once known
  };
  std::vector<Ref> refs;
  for (const TableRef& t : r.tables) {
    const Keyspace* k = schema.KeyspaceOf(t.table);
    if (k == nullptr) {
      v.problems.push_back(absl::StrCat("table ", t.table, " is in no VSchema of the ",
                                        schema.service, " service (db/vschema/aftersales_",
                                        schema.service, "*.json)"));
      continue;
    }
    refs.push_back({&t, k->sharded ? &k->tables.at(t.table) : nullptr, k, ""});
  }
  if (!v.problems.empty()) return v;
  const auto vindex_type = [](const Ref& ref, const std::string& vindex) {
    const auto it = ref.keyspace->vindexes.find(vindex);
    return it == ref.keyspace->vindexes.end() ? std::string() : it->second.type;
  };
  bool any_sharded = false;
  for (Ref& ref : refs) {
    if (ref.table == nullptr) continue;
    any_sharded = true;
    const TableRef& t = *ref.ref;
    const std::string primary = ref.table->primary_column();
    if (t.role == TableRef::kInsertTarget) {
      const bool writes =
          std::any_of(t.columns.begin(), t.columns.end(),
                      [&](const std::string& c) { return absl::EqualsIgnoreCase(c, primary); });
      if (!writes) {
        v.problems.push_back(absl::StrCat("INSERT INTO ", t.table, " does not write ", primary,
                                          ", its primary vindex column: the row has no shard"));
      }
      ref.routed_by = ref.table->column_vindexes.front().second;
      continue;
    }
    if (t.role == TableRef::kUpdateTarget) {
      for (const std::string& c : t.columns) {
        if (absl::EqualsIgnoreCase(c, primary)) {
          v.problems.push_back(
              absl::StrCat("UPDATE ", t.table, " sets ", primary,
                           ", its primary vindex column: a row would move between shards"));
        }
      }
    }
    // By its primary vindex (store_id) when the statement names it, else through a lookup.
    for (const Equality& e : r.equalities) {
      if (!e.other_column.empty() || (!e.qualifier.empty() && e.qualifier != t.alias)) continue;
      const std::optional<std::string> vindex = ref.table->VindexOf(e.column);
      if (!vindex.has_value()) continue;
      if (ref.routed_by.empty() || absl::EqualsIgnoreCase(e.column, primary))
        ref.routed_by = *vindex;
    }
  }
  if (!v.problems.empty()) return v;
  if (!any_sharded) {
    v.route = "unsharded";
    return v;
  }
  // A table joined on a shared vindex to a routed one is on the same shard.
  for (bool changed = true; changed;) {
    changed = false;
    for (const Equality& e : r.equalities) {
      if (e.other_column.empty() || e.qualifier.empty() || e.other_qualifier.empty()) continue;
      for (Ref& a : refs) {
        for (Ref& b : refs) {
          if (a.table == nullptr || b.table == nullptr || a.routed_by.empty() ||
              !b.routed_by.empty())
            continue;
          const bool forward = a.ref->alias == e.qualifier && b.ref->alias == e.other_qualifier;
          const bool backward = a.ref->alias == e.other_qualifier && b.ref->alias == e.qualifier;
          if (!forward && !backward) continue;
          const std::optional<std::string> va =
              a.table->VindexOf(forward ? e.column : e.other_column);
          const std::optional<std::string> vb =
              b.table->VindexOf(forward ? e.other_column : e.column);
          if (va.has_value() && va == vb) {
            b.routed_by = a.routed_by;
            changed = true;
          }
        }
      }
    }
  }
  std::set<std::string> lookups;
  for (const Ref& ref : refs) {
    if (ref.table == nullptr) continue;
    if (ref.routed_by.empty()) {
      v.problems.push_back(
          absl::StrCat(ref.ref->table, " (", ref.ref->alias,
                       ") is not restricted by an equality on store_id or on a column with a "
                       "lookup vindex: every shard would be asked"));
    } else if (absl::StrContains(vindex_type(ref, ref.routed_by), "lookup")) {
      lookups.insert(ref.routed_by);
    }
  }
  if (v.problems.empty()) {
    v.route =
        lookups.empty() ? "store_id" : absl::StrCat("lookup vindex ", absl::StrJoin(lookups, ", "));
  }
  return v;
}

// The services a statement is sent by: its own, or, for common/, every service that holds one
// of its tables.
std::vector<const ServiceSchema*> SendersOf(const SourceStatement& s) {
  std::vector<const ServiceSchema*> out;
  const std::vector<std::string> parts = absl::StrSplit(s.file, '/');
  if (parts.size() > 2 && parts[0] == "services") {
    out.push_back(&SchemaOf(parts[1]));
    return out;
  }
  const ReadStatement r = ReadSql(s.sql);
  for (const ServiceSchema& schema : Schemas()) {
    for (const TableRef& t : r.tables) {
      if (schema.KeyspaceOf(t.table) != nullptr) {
        out.push_back(&schema);
        break;
      }
    }
  }
  return out;
}

// ---- the tests ----------------------------------------------------------------------------

TEST(StoreRouting, EveryStatementOnAStoresRowsReachesOneShard) {
  std::vector<std::string> unread;
  const std::vector<SourceStatement> statements = AllStatements(&unread);
  EXPECT_TRUE(unread.empty())
      << "SQL the test cannot read as part of a statement (build statements so "
         "that one literal starts them):\n"
      << absl::StrJoin(unread, "\n");
  ASSERT_GT(statements.size(), 80u)
      << "the scanner found too few statements to be reading the source";

  std::map<std::string, int> by_route;
  std::map<size_t, int> scatter_uses;
  for (const SourceStatement& s : statements) {
    SCOPED_TRACE(absl::StrCat(s.file, ":", s.line, ": ", s.sql));
    const std::vector<const ServiceSchema*> senders = SendersOf(s);
    const ReadStatement read = ReadSql(s.sql);
    if (senders.empty()) {
      if (read.tables.empty()) {
        ++by_route["no table"];
      } else {
        ADD_FAILURE() << "no service's VSchema holds its tables";
      }
      continue;
    }
    std::set<std::string> routes;
    for (const ServiceSchema* schema : senders) {
      const Verdict v = Route(s.sql, *schema);
      if (!v.problems.empty() || v.route.empty()) {
        std::optional<size_t> declared;
        for (size_t i = 0; i < kScatters.size(); ++i) {
          if (kScatters[i].file == s.file && Collapse(kScatters[i].sql) == s.sql) declared = i;
        }
        // A declared scatter still writes its primary vindex and never moves a row.
        const bool only_unrouted =
            std::all_of(v.problems.begin(), v.problems.end(), [](const std::string& p) {
              return absl::StrContains(p, "every shard would be asked");
            });
        if (declared.has_value() && only_unrouted) {
          scatter_uses[*declared] = 1;
          routes.insert("declared scatter");
          continue;
        }
        ADD_FAILURE() << "as the " << schema->service << " service sends it:\n  "
                      << absl::StrJoin(v.problems, "\n  ")
                      << "\nRoute it by store_id (or a column with a lookup vindex in db/vschema), "
                         "or list it in "
                         "kScatters with the reason it must ask every shard.";
        continue;
      }
      routes.insert(v.route);
    }
    for (const std::string& route : routes) ++by_route[route];
    if (std::getenv("AFTERSALES_SHOW_ROUTES") != nullptr) {
      std::cout << absl::StrJoin(routes, ", ") << "\t" << s.file << ":" << s.line << "\t"
                << s.sql.substr(0, 160) << "\n";
    }
  }
  for (size_t i = 0; i < kScatters.size(); ++i) {
    EXPECT_TRUE(scatter_uses.contains(i))
        << "kScatters lists a statement the code no longer sends, or that is "
           "routed now (then drop it from the list): "
        << kScatters[i].file << ": " << kScatters[i].sql;
  }
  std::cout << "statements by route:";
  for (const auto& [route, n] : by_route) std::cout << "  " << route << " " << n << ";";
  std::cout << "\n";
}

TEST(StoreRouting, AStatementThatAsksEveryShardIsCaught) {
  const ServiceSchema& returns = SchemaOf("returns");
  const ServiceSchema& tickets = SchemaOf("tickets");
  struct Case {
    std::string sql;
    const ServiceSchema* schema;
    std::string route;  // "" when it must be refused
  };
  const std::vector<Case> cases = {
      {"SELECT document FROM returns WHERE store_id = ? AND order_id = ?", &returns, "store_id"},
      {"SELECT document FROM returns WHERE return_id = ? FOR UPDATE", &returns,
       "lookup vindex return_id"},
      {"SELECT document FROM returns WHERE order_id = ?", &returns, ""},
      {"SELECT document FROM returns WHERE store_id = ? OR order_id = ?", &returns, ""},
      {"SELECT document FROM returns WHERE status = ? AND (store_id = ? OR return_id = ?)",
       &returns, ""},
      {"SELECT COUNT(*) FROM returns", &returns, ""},
      {"UPDATE returns SET store_id = ?, document = ? WHERE return_id = ?", &returns, ""},
      {"UPDATE returns SET document = ? WHERE store_id = ? AND return_id = ?", &returns,
       "store_id"},
      {"INSERT INTO returns (return_id, order_id, document) VALUES (?, ?, ?)", &returns, ""},
      {"INSERT INTO returns (return_id, store_id, document) VALUES (?, ?, ?)", &returns,
       "store_id"},
      {"INSERT INTO outbox (subject_id, kind) VALUES (?, ?)", &returns, ""},
      {"DELETE FROM order_locks WHERE order_id = ?", &returns, ""},
      {"SELECT DATE_FORMAT(day, '%Y-%m-%d') FROM site_holidays WHERE site = ?", &returns,
       "unsharded"},
      {"SELECT 1 FROM no_such_table WHERE store_id = ?", &returns, ""},
      {"SELECT body FROM messages WHERE ticket_id = ?", &tickets, "lookup vindex ticket_id"},
      {"SELECT body FROM messages WHERE author = ? AND body = 'ticket_id = ?'", &tickets, ""},
      {"SELECT e.code FROM tracking_events e JOIN shipments s ON s.shipment_id = e.shipment_id "
       "WHERE s.store_id = ?",
       &tickets, "store_id"},
      {"SELECT e.code FROM tracking_events e JOIN shipments s ON s.shipment_id = e.shipment_id "
       "WHERE s.order_id = ?",
       &tickets, ""},
      {"SELECT t.subject FROM ticket_due_changes c JOIN tickets t ON t.order_id = c.ticket_id "
       "WHERE c.store_id = ?",
       &tickets, ""},
  };
  for (const Case& c : cases) {
    const Verdict v = Route(c.sql, *c.schema);
    if (c.route.empty()) {
      EXPECT_FALSE(v.problems.empty()) << c.sql << " passed as " << v.route;
    } else {
      EXPECT_TRUE(v.problems.empty()) << c.sql << ": " << absl::StrJoin(v.problems, "; ");
      EXPECT_EQ(v.route, c.route) << c.sql;
    }
  }
}

TEST(StoreRouting, TheScannerReadsStatementsAsTheCodeBuildsThem) {
  const std::string src = R"cc(
#include "not/a/statement.h"
    absl::StatusOr<Row> A(Transaction& tx, bool lock) {
      // "SELECT in a comment" FROM nothing
      return tx.QueryOne(absl::StrCat("SELECT ", kColumns, " FROM tickets WHERE ticket_id = ?",
                                      lock ? " FOR UPDATE" : ""),
                         {id}, absl::StrCat("ticket ", id, " not found"));
    }
    absl::Status B(Transaction& tx) {
      return tx
          .Execute(
              "UPDATE follow_ups SET state = ? "
              R"(WHERE ticket_id = ?)",
              {done ? "DONE" : "CANCELLED", id})
          .status();
    }
    std::string C() {
      return MultiRowInsert("INSERT INTO messages (message_id, ticket_id)", "(?, ?)", n);
    }
    void D(std::string& sql) {
      std::string s = "SELECT document FROM claims WHERE store_id = ?";
      sql += " FROM tickets WHERE order_id = ?";
    }
  )cc";
  std::vector<std::string> unread;
  const std::vector<SourceStatement> got = ExtractStatements("x.cc", src, &unread);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].sql, "SELECT ? FROM tickets WHERE ticket_id = ? FOR UPDATE");
  EXPECT_EQ(got[1].sql, "UPDATE follow_ups SET state = ? WHERE ticket_id = ?");
  EXPECT_EQ(got[2].sql, "INSERT INTO messages (message_id, ticket_id)");
  EXPECT_EQ(got[3].sql, "SELECT document FROM claims WHERE store_id = ?");
  ASSERT_EQ(unread.size(), 1u);
  EXPECT_TRUE(absl::StrContains(unread[0], "FROM tickets WHERE order_id")) << unread[0];
}

// Every table a migration creates is in its service's VSchemas; every unsharded one has its
// reason; every sharded row of a store sits on its store's shard.
TEST(StoreRouting, TheVSchemasCoverEveryTableAndKeepAStoreOnOneShard) {
  std::set<std::string> unsharded_seen;
  for (const ServiceSchema& schema : Schemas()) {
    SCOPED_TRACE(schema.service);
    ASSERT_FALSE(schema.keyspaces.empty())
        << "no db/vschema/aftersales_" << schema.service << ".json";
    std::set<std::string> created = {"schema_migrations"};
    for (const auto& entry :
         fs::directory_iterator(kRoot / "services" / schema.service / "migrations")) {
      std::string sql;
      for (absl::string_view line : absl::StrSplit(ReadFile(entry.path()), '\n')) {
        if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "--"))
          absl::StrAppend(&sql, line, "\n");
      }
      const std::vector<SqlToken> t = LexSql(sql);
      for (size_t k = 0; k + 2 < t.size(); ++k) {
        if (t[k].text != "CREATE" || t[k + 1].text != "TABLE") continue;
        size_t name = k + 2;
        if (t[name].text == "IF") name += 3;  // IF NOT EXISTS
        created.insert(t[name].raw);
      }
    }
    std::set<std::string> lookup_tables;
    for (const Keyspace& k : schema.keyspaces) {
      for (const auto& [name, vindex] : k.vindexes) {
        if (!vindex.lookup()) continue;
        const std::vector<std::string> at = absl::StrSplit(vindex.lookup_table, '.');
        ASSERT_EQ(at.size(), 2u) << vindex.lookup_table;
        lookup_tables.insert(at[1]);
        EXPECT_EQ(at[0], k.name) << "lookup tables live in their keyspace, sharded by their id";
        EXPECT_TRUE(k.tables.contains(at[1]))
            << "lookup table " << vindex.lookup_table << " has no VSchema entry";
        ASSERT_TRUE(k.tables.contains(vindex.owner)) << name << "'s owner " << vindex.owner;
        EXPECT_EQ(k.tables.at(vindex.owner).primary_column(), "store_id")
            << name
            << ": a lookup's owner is sharded by store, so what it finds is on its store's shard";
      }
      for (const auto& [table, def] : k.tables) {
        if (!k.sharded) {
          EXPECT_TRUE(kUnshardedTables.contains(table))
              << table << " is unsharded: say why in kUnshardedTables";
          unsharded_seen.insert(table);
        } else if (!lookup_tables.contains(table)) {
          ASSERT_FALSE(def.column_vindexes.empty()) << table << " has no primary vindex";
          const std::string& primary = def.column_vindexes.front().second;
          const bool by_store = def.primary_column() == "store_id" &&
                                k.vindexes.at(primary).type == "unicode_loose_xxhash";
          const bool beside_owner = k.vindexes.at(primary).lookup();
          EXPECT_TRUE(by_store || beside_owner)
              << table
              << ": sharded by store_id, or by its parent's id through the "
                 "parent's lookup vindex";
        }
        if (!lookup_tables.contains(table)) {
          EXPECT_TRUE(created.contains(table))
              << table << " is in the VSchema but no migration creates it";
        }
      }
    }
    for (const std::string& table : created) {
      EXPECT_NE(schema.KeyspaceOf(table), nullptr)
          << table << " (created by a migration) is in no VSchema";
    }
  }
  for (const auto& [table, reason] : kUnshardedTables) {
    EXPECT_TRUE(unsharded_seen.contains(table))
        << table << " is in kUnshardedTables but in no unsharded keyspace";
  }
}

// The services keep their one database name: an unqualified table of the sharded keyspace that
// lives in the unsharded one is sent there by a routing rule.
TEST(StoreRouting, RoutingRulesSendEachUnshardedTableToItsKeyspace) {
  std::set<std::pair<std::string, std::string>> wanted;
  for (const ServiceSchema& schema : Schemas()) {
    if (schema.keyspaces.size() < 2) continue;
    for (const auto& [table, def] : schema.keyspaces[1].tables) {
      wanted.insert({absl::StrCat(schema.keyspaces[0].name, ".", table),
                     absl::StrCat(schema.keyspaces[1].name, ".", table)});
    }
  }
  std::set<std::pair<std::string, std::string>> rules;
  const pb::Struct json = ReadJson(kRoot / "db" / "vschema" / "routing_rules.json");
  for (const pb::Value& rule : json.fields().at("rules").list_value().values()) {
    const auto& to = rule.struct_value().fields().at("to_tables").list_value();
    ASSERT_EQ(to.values_size(), 1);
    rules.insert({Field(rule.struct_value(), "from_table"), to.values(0).string_value()});
  }
  EXPECT_EQ(rules, wanted);
}

}  // namespace
}  // namespace aftersales
