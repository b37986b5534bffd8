#include "services/tickets/ticket_store.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "common/time_util.h"

namespace aftersales::tickets::store {
namespace {

using v1::Ticket;

constexpr char kTicketColumns[] =
    "ticket_id, store_id, order_marketplace, order_site, order_id, buyer_id, buyer_name, "
    "buyer_email, buyer_country, buyer_time_zone, buyer_language, buyer_tier, category, channel, "
    "subject, status, assignee, created_at, updated_at, reply_due_at, sla_policy, "
    "sla_business_hours, follow_up_at, resolved_at, late_replies";

// Tickets with no running clock sort after every due one.
absl::Time NoDueTime() { return absl::FromCivil(absl::CivilSecond(9999, 1, 1), absl::UTCTimeZone()); }

std::optional<absl::Time> OptionalTime(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return FromProtoTime(ts);
}

void SetTime(const Row& row, size_t col, google::protobuf::Timestamp* out) {
  if (std::optional<absl::Time> t = row.Time(col)) *out = ToProtoTime(*t);
}

Ticket TicketFromRow(const Row& r) {
  Ticket t;
  t.set_ticket_id(r.String(0));
  t.set_store_id(r.String(1));
  if (!r.String(4).empty()) {
    t.mutable_order()->set_marketplace(static_cast<common::v1::Marketplace>(r.Int(2)));
    t.mutable_order()->set_site(r.String(3));
    t.mutable_order()->set_order_id(r.String(4));
  }
  v1::Buyer* b = t.mutable_buyer();
  b->set_buyer_id(r.String(5));
  b->set_name(r.String(6));
  b->set_email(r.String(7));
  b->set_country(r.String(8));
  b->set_time_zone(r.String(9));
  b->set_language(r.String(10));
  b->set_tier(static_cast<v1::Buyer::Tier>(r.Int(11)));
  t.set_category(static_cast<v1::Category>(r.Int(12)));
  t.set_channel(static_cast<v1::Channel>(r.Int(13)));
  t.set_subject(r.String(14));
  t.set_status(static_cast<Ticket::Status>(r.Int(15)));
  t.set_assignee(r.String(16));
  SetTime(r, 17, t.mutable_created_at());
  SetTime(r, 18, t.mutable_updated_at());
  if (!r.IsNull(19)) SetTime(r, 19, t.mutable_reply_due_at());
  t.set_sla_policy(r.String(20));
  t.set_sla_business_hours(r.Bool(21));
  if (!r.IsNull(22)) SetTime(r, 22, t.mutable_follow_up_at());
  if (!r.IsNull(23)) SetTime(r, 23, t.mutable_resolved_at());
  t.set_late_replies(static_cast<int32_t>(r.Int(24)));
  return t;
}

v1::Message MessageFromRow(const Row& r) {
  v1::Message m;
  m.set_message_id(r.String(0));
  m.set_ticket_id(r.String(1));
  m.set_direction(static_cast<v1::Message::Direction>(r.Int(2)));
  m.set_body(r.String(3));
  m.set_author(r.String(4));
  m.set_automatic(r.Bool(5));
  SetTime(r, 6, m.mutable_created_at());
  return m;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& m) {
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out);
  if (!status.ok()) return absl::InternalError(absl::StrCat("encode: ", status.ToString()));
  return out;
}

absl::Status FromJson(const std::string& json, google::protobuf::Message* m) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // documents written by a newer build stay readable
  auto status = google::protobuf::util::JsonStringToMessage(json, m, options);
  if (!status.ok()) return absl::InternalError(absl::StrCat("stored document: ", status.ToString()));
  return absl::OkStatus();
}

// Where a list goes on. `issued` is the service's clock when page 1 was served (tokens
// expire by it); `since` is the database's clock then, the clock due-time changes are stamped
// with, so that "changed after the list began" compares two readings of one clock. after_due
// and after_id are the place of the last ticket shown.
struct ListCursor {
  absl::Time issued;
  absl::Time since;
  absl::Time after_due;
  std::string after_id;
};

std::string CursorBytes(const ListCursor& c) {
  return absl::StrCat("t3|", absl::ToUnixMicros(c.issued), "|", absl::ToUnixMicros(c.since), "|",
                      absl::ToUnixMicros(c.after_due), "|", c.after_id);
}

absl::StatusOr<ListCursor> ParseCursor(absl::string_view bytes) {
  std::vector<std::string> parts = absl::StrSplit(bytes, absl::MaxSplits('|', 4));
  int64_t issued = 0;
  int64_t since = 0;
  int64_t due = 0;
  if (parts.size() != 5 || parts[0] != "t3" || !absl::SimpleAtoi(parts[1], &issued) ||
      !absl::SimpleAtoi(parts[2], &since) || !absl::SimpleAtoi(parts[3], &due) ||
      parts[4].empty()) {
    // Signed by us but not in this shape: an older build's token.
    return absl::InvalidArgumentError("page_token: from an older version; start again without one");
  }
  return ListCursor{absl::FromUnixMicros(issued), absl::FromUnixMicros(since),
                    absl::FromUnixMicros(due), parts[4]};
}

// What a page token is bound to: every filter of the request (not the token or the page size),
// as bytes the token's MAC covers.
std::string FilterBytes(const v1::ListTicketsRequest& r) {
  v1::ListTicketsRequest filters = r;
  filters.clear_page_token();
  filters.clear_page_size();
  std::string bytes;
  google::protobuf::io::StringOutputStream raw(&bytes);
  google::protobuf::io::CodedOutputStream out(&raw);
  out.SetSerializationDeterministic(true);
  filters.SerializeToCodedStream(&out);
  out.Trim();
  return bytes;
}

std::vector<SqlParam> TicketValues(const Ticket& t) {
  const std::optional<absl::Time> due = OptionalTime(t.has_reply_due_at(), t.reply_due_at());
  return {t.order().marketplace(),
          t.order().site(),
          t.order().order_id(),
          t.buyer().buyer_id(),
          t.buyer().name(),
          t.buyer().email(),
          t.buyer().country(),
          t.buyer().time_zone(),
          t.buyer().language(),
          t.buyer().tier(),
          t.category(),
          t.channel(),
          t.subject(),
          t.status(),
          t.assignee(),
          FromProtoTime(t.updated_at()),
          due,
          due.value_or(NoDueTime()),
          t.sla_policy(),
          t.sla_business_hours(),
          OptionalTime(t.has_follow_up_at(), t.follow_up_at()),
          OptionalTime(t.has_resolved_at(), t.resolved_at()),
          t.late_replies()};
}

// Before an update: the place in the due order the ticket leaves, when it moves, for lists
// paging across the change.
absl::Status RecordDueChange(Transaction& tx, const Ticket& t) {
  const absl::Time sort_due = t.has_reply_due_at() ? FromProtoTime(t.reply_due_at()) : NoDueTime();
  return tx
      .Execute(
          "INSERT INTO ticket_due_changes (store_id, ticket_id, changed_at, old_sort_due_at) "
          "SELECT store_id, ticket_id, UTC_TIMESTAMP(6), sort_due_at FROM tickets "
          "WHERE store_id = ? AND ticket_id = ? AND sort_due_at <> ?",
          {t.store_id(), t.ticket_id(), sort_due})
      .status();
}

}  // namespace

std::string TicketNotFound(absl::string_view ticket_id) {
  return absl::StrCat("ticket ", ticket_id, " not found");
}

std::string OrderNotFound(absl::string_view order_id) {
  return absl::StrCat("order ", order_id, " not found");
}

absl::Status InsertTickets(Transaction& tx, absl::Span<const Ticket> tickets) {
  if (tickets.empty()) return absl::OkStatus();
  std::vector<SqlParam> values;
  values.reserve(tickets.size() * 26);
  for (const Ticket& t : tickets) {
    values.emplace_back(t.ticket_id());
    values.emplace_back(t.store_id());
    for (SqlParam& v : TicketValues(t)) values.push_back(std::move(v));
    values.emplace_back(FromProtoTime(t.created_at()));
  }
  const std::string sql = MultiRowInsert(
      "INSERT INTO tickets (ticket_id, store_id, order_marketplace, order_site, order_id, "
      "buyer_id, buyer_name, buyer_email, buyer_country, buyer_time_zone, buyer_language, "
      "buyer_tier, category, channel, subject, status, assignee, updated_at, reply_due_at, "
      "sort_due_at, sla_policy, sla_business_hours, follow_up_at, resolved_at, late_replies, "
      "created_at)",
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      tickets.size());
  return tx.Execute(sql, values).status();
}

absl::Status UpdateTicket(Transaction& tx, const Ticket& t) {
  RETURN_IF_ERROR(RecordDueChange(tx, t));
  std::vector<SqlParam> values;
  values.reserve(25);
  for (SqlParam& v : TicketValues(t)) values.push_back(std::move(v));
  values.emplace_back(t.store_id());
  values.emplace_back(t.ticket_id());
  return tx
      .Execute(
          "UPDATE tickets SET order_marketplace = ?, order_site = ?, order_id = ?, "
          "buyer_id = ?, buyer_name = ?, buyer_email = ?, buyer_country = ?, "
          "buyer_time_zone = ?, buyer_language = ?, buyer_tier = ?, category = ?, "
          "channel = ?, subject = ?, status = ?, assignee = ?, updated_at = ?, "
          "reply_due_at = ?, sort_due_at = ?, sla_policy = ?, sla_business_hours = ?, "
          "follow_up_at = ?, resolved_at = ?, late_replies = ? "
          "WHERE store_id = ? AND ticket_id = ?",
          values)
      .status();
}

absl::StatusOr<Ticket> ReadTicket(Transaction& tx, const std::string& ticket_id, bool for_update) {
  const std::string sql = absl::StrCat("SELECT ", kTicketColumns, " FROM tickets WHERE ticket_id = ?",
                                       for_update ? " FOR UPDATE" : "");
  absl::StatusOr<Row> row =
      tx.QueryOne(sql, {ticket_id}, TicketNotFound(ticket_id));
  if (!row.ok()) return row.status();
  return TicketFromRow(*row);
}

absl::Status InsertMessages(Transaction& tx, absl::Span<const v1::Message> messages) {
  if (messages.empty()) return absl::OkStatus();
  std::vector<SqlParam> values;
  values.reserve(messages.size() * 7);
  for (const v1::Message& m : messages) {
    values.insert(values.end(), {m.message_id(), m.ticket_id(), m.direction(), m.body(), m.author(),
                                 m.automatic(), FromProtoTime(m.created_at())});
  }
  const std::string sql = MultiRowInsert(
      "INSERT INTO messages (message_id, ticket_id, direction, body, author, automatic, "
      "created_at)",
      "(?, ?, ?, ?, ?, ?, ?)", messages.size());
  return tx.Execute(sql, values).status();
}

absl::Status InsertMessage(Transaction& tx, const v1::Message& m) {
  return InsertMessages(tx, absl::MakeConstSpan(&m, 1));
}

absl::StatusOr<std::vector<v1::Message>> ReadMessages(Transaction& tx, const std::string& ticket_id) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT message_id, ticket_id, direction, body, author, automatic, created_at FROM messages "
      "WHERE ticket_id = ? ORDER BY created_at, message_id",
      {ticket_id});
  if (!rows.ok()) return rows.status();
  std::vector<v1::Message> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(MessageFromRow(r));
  return out;
}

absl::StatusOr<MessageTimes> ReadMessageTimes(Transaction& tx, const std::string& ticket_id) {
  absl::StatusOr<Row> row = tx.QueryOne(
      "SELECT MAX(created_at), MAX(IF(author = ? AND automatic = 1, created_at, NULL)) "
      "FROM messages WHERE ticket_id = ?",
      {kAutoReplyAuthor, ticket_id}, "no row");
  if (!row.ok()) return row.status();
  return MessageTimes{.latest = row->Time(0), .latest_auto_reply = row->Time(1)};
}

absl::Status SyncFollowUp(Transaction& tx, const Ticket& t, absl::Time now) {
  if (t.has_follow_up_at()) {
    return tx.Execute("INSERT INTO follow_ups (ticket_id, due_at, state, attempts, updated_at) "
                      "VALUES (?, ?, 'PENDING', 0, ?) ON DUPLICATE KEY UPDATE due_at = VALUES(due_at), "
                      "state = 'PENDING', attempts = 0, last_error = '', updated_at = VALUES(updated_at)",
                      {t.ticket_id(), FromProtoTime(t.follow_up_at()), now})
        .status();
  }
  return tx.Execute("UPDATE follow_ups SET state = 'CANCELLED', updated_at = ? "
                    "WHERE ticket_id = ? AND state = 'PENDING'",
                    {now, t.ticket_id()})
      .status();
}

namespace {

using Place = std::pair<absl::Time, std::string>;

// The request's filters but the store on the tickets table under `alias` ("" or "t."), each
// "AND ...".
void AppendFilters(const v1::ListTicketsRequest& r, absl::Time now, absl::string_view alias,
                   TicketListQuery& q) {
  if (r.status() != Ticket::STATUS_UNSPECIFIED) {
    absl::StrAppend(&q.sql, " AND ", alias, "status = ?");
    q.params.emplace_back(r.status());
  }
  if (r.category() != v1::CATEGORY_UNSPECIFIED) {
    absl::StrAppend(&q.sql, " AND ", alias, "category = ?");
    q.params.emplace_back(r.category());
  }
  if (!r.assignee().empty()) {
    absl::StrAppend(&q.sql, " AND ", alias, "assignee = ?");
    q.params.emplace_back(r.assignee());
  }
  // On sort_due_at, the column the indexes order by: a range of the index, not a filter over
  // every row of the store. A ticket with no clock sorts at NoDueTime, after every due one.
  if (r.breached_only()) {
    absl::StrAppend(&q.sql, " AND ", alias, "sort_due_at < ?");
    q.params.emplace_back(now);
  }
  if (r.has_due_before()) {
    absl::StrAppend(&q.sql, " AND ", alias, "sort_due_at < ?");
    q.params.emplace_back(std::min(FromProtoTime(r.due_before()), NoDueTime()));
  }
}

// " AND (<due> > ? OR (<due> = ? AND <id> > ?))": after a place in the due order.
void AppendAfter(absl::string_view due, absl::string_view id, const Place& after,
                 TicketListQuery& q) {
  absl::StrAppend(&q.sql, " AND (", due, " > ? OR (", due, " = ? AND ", id, " > ?))");
  q.params.emplace_back(after.first);
  q.params.emplace_back(after.first);
  q.params.emplace_back(after.second);
}

// " AND (<due> < ? OR (<due> = ? AND <id> <= ?))": at or before a place.
void AppendUpTo(absl::string_view due, absl::string_view id, const Place& last,
                TicketListQuery& q) {
  absl::StrAppend(&q.sql, " AND (", due, " < ? OR (", due, " = ? AND ", id, " <= ?))");
  q.params.emplace_back(last.first);
  q.params.emplace_back(last.first);
  q.params.emplace_back(last.second);
}

Place PlaceOf(const Ticket& t) {
  return {t.has_reply_due_at() ? FromProtoTime(t.reply_due_at()) : NoDueTime(), t.ticket_id()};
}

// Which of `ids` changed place in the due order since `since`. The IN list is padded to a few
// fixed lengths, so the statement stays one of a few prepared texts.
absl::StatusOr<std::set<std::string>> MovedSince(Transaction& tx, const std::string& store_id,
                                                 absl::Time since,
                                                 const std::vector<std::string>& ids) {
  std::set<std::string> moved;
  if (ids.empty()) return moved;
  const size_t width = ids.size() <= 51 ? 51 : std::max<size_t>(ids.size(), 201);
  std::string sql =
      "SELECT DISTINCT ticket_id FROM ticket_due_changes WHERE store_id = ? AND changed_at > ? "
      "AND ticket_id IN (";
  std::vector<SqlParam> params = {store_id, since};
  for (size_t i = 0; i < width; ++i) {
    sql += i == 0 ? "?" : ", ?";
    params.emplace_back(ids[std::min(i, ids.size() - 1)]);
  }
  sql += ")";
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  for (const Row& row : *rows) moved.insert(row.String(0));
  return moved;
}

// The tickets that matched the filters and, when the list began, stood after `after` and up
// to `up_to` (when there is one), placed where they stood then: the first change of each since
// the list began holds its place then. Soonest first, at most `limit`.
absl::StatusOr<std::vector<std::pair<Place, Ticket>>> MovedInto(
    Transaction& tx, const v1::ListTicketsRequest& r, absl::Time now, absl::Time since,
    const Place& after, const std::optional<Place>& up_to, int limit) {
  TicketListQuery q;
  std::string columns;
  for (absl::string_view c : absl::StrSplit(kTicketColumns, ", ")) {
    absl::StrAppend(&columns, columns.empty() ? "" : ", ", "t.", c);
  }
  q.sql = absl::StrCat(
      "SELECT ", columns,
      ", c.old_sort_due_at FROM ticket_due_changes c "
      "JOIN tickets t ON t.store_id = c.store_id AND t.ticket_id = c.ticket_id "
      "WHERE c.store_id = ? AND c.changed_at > ? "
      "AND NOT EXISTS (SELECT 1 FROM ticket_due_changes e WHERE e.store_id = c.store_id AND "
      "e.ticket_id = c.ticket_id AND e.changed_at > ? AND e.change_id < c.change_id)");
  q.params = {r.store_id(), since, since};
  AppendAfter("c.old_sort_due_at", "c.ticket_id", after, q);
  if (up_to.has_value()) AppendUpTo("c.old_sort_due_at", "c.ticket_id", *up_to, q);
  AppendFilters(r, now, "t.", q);
  q.sql += " ORDER BY c.old_sort_due_at, c.ticket_id LIMIT ?";
  q.params.emplace_back(limit);
  absl::StatusOr<std::vector<Row>> rows = tx.Query(q.sql, q.params);
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<Place, Ticket>> out;
  for (const Row& row : *rows) {
    Ticket t = TicketFromRow(row);
    Place place{*row.Time(25), t.ticket_id()};
    out.emplace_back(std::move(place), std::move(t));
  }
  return out;
}

}  // namespace

TicketListQuery BuildTicketListQuery(const v1::ListTicketsRequest& r, absl::Time now,
                                     std::optional<absl::Time> after_due,
                                     const std::string& after_id, int limit) {
  TicketListQuery q;
  q.sql = absl::StrCat("SELECT ", kTicketColumns, " FROM tickets WHERE store_id = ?");
  q.params = {r.store_id()};
  AppendFilters(r, now, "", q);
  if (after_due.has_value()) AppendAfter("sort_due_at", "ticket_id", {*after_due, after_id}, q);
  q.sql += " ORDER BY sort_due_at, ticket_id LIMIT ?";
  q.params.emplace_back(limit);
  return q;
}

absl::StatusOr<TicketPage> ListTickets(Transaction& tx, const v1::ListTicketsRequest& r,
                                       absl::Time now, const PageTokenSigner& signer) {
  const std::string filters = FilterBytes(r);
  std::optional<ListCursor> cursor;
  if (!r.page_token().empty()) {
    absl::StatusOr<std::string> bytes = signer.Open(r.page_token(), filters);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<ListCursor> parsed = ParseCursor(*bytes);
    if (!parsed.ok()) return parsed.status();
    if (now - parsed->issued > kPageTokenLifetime) {
      return absl::InvalidArgumentError(
          "page_token: expired (a list pages for an hour); start again without one");
    }
    cursor = *std::move(parsed);
  }
  absl::Time since;
  if (cursor.has_value()) {
    since = cursor->since;
  } else {
    absl::StatusOr<Row> clock = tx.QueryOne("SELECT UTC_TIMESTAMP(6)", {}, "no clock");
    if (!clock.ok()) return clock.status();
    since = *clock->Time(0);
  }

  // Tickets whose place in the due order changed since the list began keep the place they had
  // then: a ticket shown before its due time moved later is not shown again, and one not yet
  // shown whose due time moved earlier is not skipped. The scan in the due order below passes
  // over moved tickets; MovedInto puts them back where they stood.
  const int page_size = r.page_size() == 0 ? 50 : r.page_size();
  const int limit = page_size + 1;
  std::vector<std::pair<Place, Ticket>> candidates;
  std::optional<Place> read_up_to;  // the last row the scan read, while rows remain past it
  std::optional<Place> after;
  if (cursor.has_value()) after = Place{cursor->after_due, cursor->after_id};
  // Each round reads a page's worth; only moved tickets make a second round, and a page of
  // nothing but moved tickets ends at kMaxRounds with a token past them.
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds; ++round) {
    const TicketListQuery q = BuildTicketListQuery(
        r, now, after ? std::optional<absl::Time>(after->first) : std::nullopt,
        after ? after->second : "", limit);
    absl::StatusOr<std::vector<Row>> rows = tx.Query(q.sql, q.params);
    if (!rows.ok()) return rows.status();
    std::vector<Ticket> read;
    std::vector<std::string> ids;
    for (const Row& row : *rows) {
      read.push_back(TicketFromRow(row));
      ids.push_back(read.back().ticket_id());
    }
    absl::StatusOr<std::set<std::string>> moved =
        cursor.has_value() ? MovedSince(tx, r.store_id(), since, ids) : std::set<std::string>();
    if (!moved.ok()) return moved.status();
    for (Ticket& t : read) {
      if (moved->contains(t.ticket_id())) continue;
      Place place = PlaceOf(t);
      candidates.emplace_back(std::move(place), std::move(t));
    }
    if (static_cast<int>(read.size()) < limit) {
      read_up_to.reset();
      break;
    }
    after = read_up_to = PlaceOf(read.back());
    if (static_cast<int>(candidates.size()) >= limit) break;
  }
  if (cursor.has_value()) {
    absl::StatusOr<std::vector<std::pair<Place, Ticket>>> moved_in =
        MovedInto(tx, r, now, since, Place{cursor->after_due, cursor->after_id}, read_up_to, limit);
    if (!moved_in.ok()) return moved_in.status();
    for (auto& c : *moved_in) candidates.push_back(std::move(c));
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  TicketPage page;
  const size_t shown = std::min(candidates.size(), static_cast<size_t>(page_size));
  for (size_t i = 0; i < shown; ++i) page.tickets.push_back(std::move(candidates[i].second));
  // More to come: past the last ticket shown, or, when every candidate was shown but the scan
  // stopped early, past the last row it read (all before it is shown or placed elsewhere).
  std::optional<Place> next;
  if (candidates.size() > shown) {
    next = candidates[shown - 1].first;
  } else if (read_up_to.has_value()) {
    next = read_up_to;
  }
  if (next.has_value()) {
    page.next_page_token = signer.Sign(
        CursorBytes({cursor ? cursor->issued : now, since, next->first, next->second}), filters);
  }
  return page;
}

absl::StatusOr<uint64_t> PurgeDueChanges(Transaction& tx, absl::Duration keep) {
  // The database's clock, the one the changes are stamped with.
  return tx.Execute(
      "DELETE FROM ticket_due_changes WHERE changed_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND "
      "LIMIT 1000",
      {absl::ToInt64Seconds(keep)});
}

absl::StatusOr<std::vector<Ticket>> TicketsOfOrder(Transaction& tx, const std::string& store_id,
                                                   const std::string& order_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query(absl::StrCat("SELECT ", kTicketColumns,
                            " FROM tickets WHERE store_id = ? AND order_id = ? ORDER BY created_at"),
               {store_id, order_id});
  if (!rows.ok()) return rows.status();
  std::vector<Ticket> out;
  for (const Row& row : *rows) {
    out.push_back(TicketFromRow(row));
    absl::StatusOr<std::vector<v1::Message>> messages = ReadMessages(tx, out.back().ticket_id());
    if (!messages.ok()) return messages.status();
    for (auto& m : *messages) *out.back().add_messages() = std::move(m);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DueFollowUps(Transaction& tx, absl::Time now, int limit) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT ticket_id FROM follow_ups WHERE state = 'PENDING' AND due_at <= ? "
               "ORDER BY due_at LIMIT ?",
               {now, limit});
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const Row& r : *rows) out.push_back(r.String(0));
  return out;
}

absl::StatusOr<bool> ClaimFollowUp(Transaction& tx, const std::string& ticket_id, absl::Time now) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT ticket_id FROM follow_ups WHERE ticket_id = ? AND state = 'PENDING' AND "
               "due_at <= ? FOR UPDATE SKIP LOCKED",
               {ticket_id, now});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::StatusOr<int> ReadFollowUpAttempts(Transaction& tx, const std::string& ticket_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT attempts FROM follow_ups WHERE ticket_id = ? FOR UPDATE", {ticket_id});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : static_cast<int>(rows->front().Int(0));
}

absl::Status RecordFollowUpFailure(Transaction& tx, const std::string& ticket_id, int attempts,
                                   std::optional<absl::Time> retry_at, const absl::Status& error,
                                   absl::Time now) {
  return tx
      .Execute("UPDATE follow_ups SET attempts = ?, last_error = LEFT(?, 1000), state = ?, "
               "due_at = COALESCE(?, due_at), updated_at = ? WHERE ticket_id = ? AND "
               "state = 'PENDING'",
               {attempts, error.ToString(), retry_at.has_value() ? "PENDING" : "FAILED", retry_at,
                now, ticket_id})
      .status();
}

absl::StatusOr<std::optional<Ticket>> LockTicketIfFree(Transaction& tx, const std::string& ticket_id) {
  // Read first without a lock: a missing ticket is an error, a busy one is not.
  absl::StatusOr<Ticket> exists = ReadTicket(tx, ticket_id, /*for_update=*/false);
  if (!exists.ok()) return exists.status();
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      absl::StrCat("SELECT ", kTicketColumns, " FROM tickets WHERE ticket_id = ? FOR UPDATE SKIP LOCKED"),
      {ticket_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Ticket>();
  return std::optional<Ticket>(TicketFromRow(rows->front()));
}

absl::Status FinishFollowUp(Transaction& tx, const std::string& ticket_id, bool sent, absl::Time now) {
  return tx.Execute("UPDATE follow_ups SET state = ?, attempts = attempts + 1, updated_at = ? "
                    "WHERE ticket_id = ?",
                    {sent ? "DONE" : "CANCELLED", now, ticket_id})
      .status();
}

absl::Status PutOrder(Transaction& tx, const v1::Order& order, absl::Time now) {
  absl::StatusOr<std::string> json = ToJson(order);
  if (!json.ok()) return json.status();
  std::optional<absl::Time> ordered_at;
  if (order.has_ordered_at()) ordered_at = FromProtoTime(order.ordered_at());
  return tx.Execute("INSERT INTO orders (order_id, store_id, marketplace, site, buyer_id, ordered_at, "
                    "document, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                    "marketplace = VALUES(marketplace), site = VALUES(site), "
                    "buyer_id = VALUES(buyer_id), ordered_at = VALUES(ordered_at), "
                    "document = VALUES(document), updated_at = VALUES(updated_at)",
                    {order.order_id(), order.store_id(), order.marketplace(), order.site(),
                     order.buyer().buyer_id(), ordered_at, *json, now})
      .status();
}

absl::StatusOr<int64_t> CountOrders(Transaction& tx, const std::string& store_id, absl::Time from,
                                    absl::Time to) {
  absl::StatusOr<Row> row = tx.QueryOne(
      "SELECT COUNT(*) FROM orders WHERE store_id = ? AND ordered_at >= ? AND ordered_at < ?",
      {store_id, from, to}, "no count");
  if (!row.ok()) return row.status();
  return row->Int(0);
}

absl::StatusOr<v1::Order> ReadOrder(Transaction& tx, const std::string& store_id,
                                    const std::string& order_id, bool for_update) {
  absl::StatusOr<Row> row = tx.QueryOne(
      absl::StrCat("SELECT document, updated_at FROM orders WHERE store_id = ? AND order_id = ?",
                   for_update ? " FOR UPDATE" : ""),
      {store_id, order_id}, OrderNotFound(order_id));
  if (!row.ok()) return row.status();
  v1::Order order;
  RETURN_IF_ERROR(FromJson(row->String(0), &order));
  SetTime(*row, 1, order.mutable_updated_at());
  return order;
}

absl::StatusOr<v1::Shipment> InsertShipment(Transaction& tx, const v1::Shipment& s) {
  absl::StatusOr<uint64_t> inserted = tx.Execute(
      "INSERT IGNORE INTO shipments (shipment_id, store_id, order_id, carrier, tracking_number, "
      "tracking_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {s.shipment_id(), s.store_id(), s.order_id(), s.carrier(), s.tracking_number(),
       s.tracking_url(), FromProtoTime(s.created_at())});
  if (!inserted.ok()) return inserted.status();
  absl::StatusOr<Row> row = tx.QueryOne(
      "SELECT shipment_id FROM shipments WHERE store_id = ? AND order_id = ? AND carrier = ? AND "
      "tracking_number = ?",
      {s.store_id(), s.order_id(), s.carrier(), s.tracking_number()}, "shipment vanished");
  if (!row.ok()) return row.status();
  return ReadShipment(tx, s.store_id(), s.order_id(), row->String(0));
}

absl::StatusOr<v1::Shipment> ReadShipment(Transaction& tx, const std::string& store_id,
                                          const std::string& order_id,
                                          const std::string& shipment_id) {
  absl::StatusOr<std::vector<v1::Shipment>> all = ReadShipments(tx, store_id, order_id);
  if (!all.ok()) return all.status();
  for (auto& s : *all) {
    if (s.shipment_id() == shipment_id) return std::move(s);
  }
  return absl::NotFoundError(
      absl::StrCat("shipment ", shipment_id, " not found on order ", order_id));
}

absl::Status InsertTrackingEvent(Transaction& tx, const std::string& shipment_id,
                                 const v1::TrackingEvent& e) {
  return tx.Execute("INSERT IGNORE INTO tracking_events (shipment_id, occurred_at, code, "
                    "description, city, postcode, country) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    {shipment_id, FromProtoTime(e.occurred_at()), e.code(), e.description(),
                     e.city(), e.postcode(), e.country()})
      .status();
}

absl::StatusOr<std::vector<v1::Shipment>> ReadShipments(Transaction& tx, const std::string& store_id,
                                                        const std::string& order_id) {
  absl::StatusOr<std::vector<Row>> rows = tx.Query(
      "SELECT shipment_id, order_id, carrier, tracking_number, tracking_url, created_at "
      "FROM shipments WHERE store_id = ? AND order_id = ? ORDER BY created_at, shipment_id",
      {store_id, order_id});
  if (!rows.ok()) return rows.status();
  std::vector<v1::Shipment> out;
  for (const Row& r : *rows) {
    v1::Shipment s;
    s.set_shipment_id(r.String(0));
    s.set_store_id(store_id);
    s.set_order_id(r.String(1));
    s.set_carrier(r.String(2));
    s.set_tracking_number(r.String(3));
    s.set_tracking_url(r.String(4));
    SetTime(r, 5, s.mutable_created_at());
    out.push_back(std::move(s));
  }
  if (out.empty()) return out;
  absl::StatusOr<std::vector<Row>> events = tx.Query(
      "SELECT e.shipment_id, e.occurred_at, e.code, e.description, e.city, e.postcode, e.country "
      "FROM tracking_events e JOIN shipments s ON s.shipment_id = e.shipment_id "
      "WHERE s.store_id = ? AND s.order_id = ? ORDER BY e.occurred_at, e.event_id",
      {store_id, order_id});
  if (!events.ok()) return events.status();
  for (const Row& r : *events) {
    for (auto& s : out) {
      if (s.shipment_id() != r.String(0)) continue;
      v1::TrackingEvent* e = s.add_events();
      SetTime(r, 1, e->mutable_occurred_at());
      e->set_code(r.String(2));
      e->set_description(r.String(3));
      e->set_city(r.String(4));
      e->set_postcode(r.String(5));
      e->set_country(r.String(6));
    }
  }
  return out;
}

absl::Status InsertTemplate(Transaction& tx, const v1::ReplyTemplate& t) {
  absl::Status s = tx.Execute("INSERT INTO reply_templates (store_id, name, language, topic, body, "
                              "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                              {t.store_id(), t.name(), t.language(), t.topic(), t.body(),
                               FromProtoTime(t.created_at())})
                       .status();
  if (s.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat("template '", t.name(), "' in language ",
                                                 t.language(), " already exists for store ",
                                                 t.store_id()));
  }
  return s;
}

absl::StatusOr<bool> UpsertTemplate(Transaction& tx, v1::ReplyTemplate& t) {
  // Read first (locking the row) rather than count affected rows, whose meaning for
  // ON DUPLICATE KEY UPDATE depends on the client's CLIENT_FOUND_ROWS flag.
  absl::StatusOr<std::vector<Row>> existing = tx.Query(
      "SELECT created_at FROM reply_templates WHERE store_id = ? AND name = ? AND language = ? "
      "FOR UPDATE",
      {t.store_id(), t.name(), t.language()});
  if (!existing.ok()) return existing.status();
  if (existing->empty()) {
    RETURN_IF_ERROR(InsertTemplate(tx, t));
    return true;
  }
  RETURN_IF_ERROR(tx.Execute("UPDATE reply_templates SET topic = ?, body = ? "
                             "WHERE store_id = ? AND name = ? AND language = ?",
                             {t.topic(), t.body(), t.store_id(), t.name(), t.language()})
                      .status());
  SetTime(existing->front(), 0, t.mutable_created_at());
  return false;
}

absl::StatusOr<uint64_t> DeleteTemplates(Transaction& tx, const std::string& store_id,
                                         const std::string& name, const std::string& language) {
  if (language.empty()) {
    return tx.Execute("DELETE FROM reply_templates WHERE store_id = ? AND name = ?",
                      {store_id, name});
  }
  return tx.Execute("DELETE FROM reply_templates WHERE store_id = ? AND name = ? AND language = ?",
                    {store_id, name, language});
}

absl::StatusOr<std::vector<v1::ReplyTemplate>> ListTemplates(Transaction& tx,
                                                             const std::string& store_id,
                                                             const std::string& name,
                                                             const std::string& language) {
  std::string sql =
      "SELECT store_id, name, language, topic, body, created_at FROM reply_templates "
      "WHERE store_id = ?";
  std::vector<SqlParam> params = {store_id};
  if (!name.empty()) {
    sql += " AND name = ?";
    params.emplace_back(name);
  }
  if (!language.empty()) {
    sql += " AND language = ?";
    params.emplace_back(language);
  }
  sql += " ORDER BY name, language";
  absl::StatusOr<std::vector<Row>> rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<v1::ReplyTemplate> out;
  for (const Row& r : *rows) {
    v1::ReplyTemplate t;
    t.set_store_id(r.String(0));
    t.set_name(r.String(1));
    t.set_language(r.String(2));
    t.set_topic(r.String(3));
    t.set_body(r.String(4));
    SetTime(r, 5, t.mutable_created_at());
    out.push_back(std::move(t));
  }
  return out;
}

absl::Status PutBusinessHours(Transaction& tx, const std::string& store_id,
                              const v1::BusinessHours& hours, absl::Time now) {
  absl::StatusOr<std::string> json = ToJson(hours);
  if (!json.ok()) return json.status();
  return tx.Execute("INSERT INTO business_hours (store_id, document, updated_at) VALUES (?, ?, ?) "
                    "ON DUPLICATE KEY UPDATE document = VALUES(document), updated_at = VALUES(updated_at)",
                    {store_id, *json, now})
      .status();
}

absl::StatusOr<std::optional<v1::BusinessHours>> ReadBusinessHours(Transaction& tx,
                                                                   const std::string& store_id) {
  absl::StatusOr<std::vector<Row>> rows =
      tx.Query("SELECT document FROM business_hours WHERE store_id = ?", {store_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::BusinessHours>();
  v1::BusinessHours hours;
  RETURN_IF_ERROR(FromJson(rows->front().String(0), &hours));
  return std::optional<v1::BusinessHours>(std::move(hours));
}

}  // namespace aftersales::tickets::store
