// The SQLite floor of one event (issue 16): the statements each service runs per event, as its
// SQL profile lists them (LIAISON_SQL_PROFILE=1, then `service.stats`), prepared once and run from
// C on copies of a mesh's databases, with the services' pragmas (WAL, synchronous=FULL), G events
// per commit at the producer and GC at the consumers. No JSON, no sockets, no threads: what SQLite
// alone costs for the guarantees (the change, its history row, the outbox row and key sequence,
// the relay's cursors; each consumer's inbox check, seen row, watermark and its own rows). When a
// service's statements change, change them here too. Run by Tests/bench-compare. Prints a line
// per service: its name, CPU (user + sys) µs per event, wall µs per event.
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
static double cpu(void) { struct rusage u; getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6; }
static double wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static sqlite3 *open_db(const char *p) {
  sqlite3 *db; if (sqlite3_open(p, &db)) { fprintf(stderr, "open %s\n", p); exit(1); }
  const char *pr[] = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
    "PRAGMA wal_autocheckpoint=0", "PRAGMA mmap_size=268435456", "PRAGMA cache_size=-16384", "PRAGMA temp_store=MEMORY"};
  for (unsigned i = 0; i < sizeof pr / sizeof *pr; i++) sqlite3_exec(db, pr[i], 0, 0, 0);
  return db; }
static sqlite3_stmt *prep(sqlite3 *db, const char *s) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v3(db, s, -1, SQLITE_PREPARE_PERSISTENT, &st, 0)) { fprintf(stderr, "%s: %s\n", s, sqlite3_errmsg(db)); exit(1); }
  return st;
}
static void step(sqlite3_stmt *s) {
  int r;
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {}
  if (r != SQLITE_DONE) { fprintf(stderr, "step: %s\n", sqlite3_errmsg(sqlite3_db_handle(s))); exit(1); }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}
static void ex(sqlite3 *db, const char *s) {
  if (sqlite3_exec(db, s, 0, 0, 0)) { fprintf(stderr, "%s: %s\n", s, sqlite3_errmsg(db)); exit(1); }
}
#define T(st, i, v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC)
#define I(st, i, v) sqlite3_bind_int64(st, i, v)
enum { K = 256 };
static char ids[K][40], docs[K][4096], search[K][512], summary[K][2048], keys[K][64], status[K][32], country[K][8];
static long long starts[K];
static int N = 20000, G = 15, GC = 15;  // events; per commit at the producer, at the consumers
static void report(const char *name, double c0, double w0) {
  printf("%s %.1f %.1f\n", name, (cpu() - c0) * 1e6 / N, (wall() - w0) * 1e6 / N); }

static void delegations(const char *path) {
  sqlite3 *db = open_db(path);
  sqlite3_stmt *q = prep(db, "SELECT id, doc, search, summary, status, country, starts_utc FROM delegations LIMIT 256");
  int n = 0; while (sqlite3_step(q) == SQLITE_ROW && n < K) {
    snprintf(ids[n], 40, "%s", sqlite3_column_text(q, 0)); snprintf(docs[n], 4096, "%s", sqlite3_column_text(q, 1));
    snprintf(search[n], 512, "%s", sqlite3_column_text(q, 2)); snprintf(summary[n], 2048, "%s", sqlite3_column_text(q, 3));
    snprintf(status[n], 32, "%s", sqlite3_column_text(q, 4)); snprintf(country[n], 8, "%s", sqlite3_column_text(q, 5));
    starts[n] = sqlite3_column_int64(q, 6); snprintf(keys[n], 64, "delegation/%.39s", ids[n]); n++; } sqlite3_finalize(q);
  sqlite3_stmt *load = prep(db, "SELECT doc FROM delegations WHERE id = ?"),
    *ver = prep(db, "SELECT version FROM delegations WHERE id = ?"),
    // A change leaving status, country and start as they were (the services' first UPDATE).
    *upd = prep(db, "UPDATE delegations SET version = ?, direction = ?, partner_kind = ?, continent = ?, region = ?, ends_utc = ?, "
      "search = ?, doc = ?, updated_ms = ?, summary = ? WHERE id = ? AND status = ? AND country = ? AND starts_utc = ?"),
    *links = prep(db, "SELECT partner_id, lead FROM delegation_partners WHERE delegation_id = ?"),
    *book = prep(db, "SELECT item, starts_utc, ends_utc, venue, hosts, title FROM bookings WHERE delegation_id = ?"),
    *head = prep(db, "SELECT hash FROM history ORDER BY seq DESC LIMIT 1"),
    *hist = prep(db, "INSERT INTO history(delegation_id, version, at_ms, uid, action, changes, hash) VALUES(?,?,?,?,?,?,?)"),
    *okey = prep(db, "INSERT INTO outbox_keys(partition_key, last_seq) VALUES(?, 1) "
      "ON CONFLICT(partition_key) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq"),
    *out = prep(db, "INSERT INTO outbox(id, type, partition_key, key_seq, created_ms, event) VALUES(?, ?, ?, ?, ?, ?)"),
    *cur = prep(db, "INSERT INTO relay_cursor(subscriber, partition_key, last_acked_seq) VALUES(?, ?, ?) "
      "ON CONFLICT(subscriber, partition_key) DO UPDATE SET last_acked_seq = max(last_acked_seq, excluded.last_acked_seq)"),
    *sp = prep(db, "SAVEPOINT sp1"), *rel = prep(db, "RELEASE sp1"), *begin = prep(db, "BEGIN IMMEDIATE"), *commit = prep(db, "COMMIT"),
    *relay = prep(db, "SELECT seq, id, type, partition_key, key_seq, event FROM outbox WHERE seq > ? ORDER BY seq LIMIT 64");
  char ev[8192], id[40], hash[65]; memset(hash, 'a', 64); hash[64] = 0;
  double c0 = cpu(), w0 = wall(); long long seq = 0;
  for (int i = 0; i < N; i += G) {
    for (int j = i; j < i + G && j < N; j++) { T(load, 1, ids[j % n]); step(load); }  // the change's read, outside the writer
    step(begin);
    for (int j = i; j < i + G && j < N; j++) {
      int k = j % n; step(sp);
      T(ver, 1, ids[k]); step(ver);
      I(upd, 1, 100 + j); T(upd, 2, "inbound"); T(upd, 3, "other"); T(upd, 4, "Africa"); T(upd, 5, "Eastern Africa");
      I(upd, 6, starts[k] + 3600); T(upd, 7, search[k]); T(upd, 8, docs[k]); I(upd, 9, 1796022249597LL + j); T(upd, 10, summary[k]);
      T(upd, 11, ids[k]); T(upd, 12, status[k]); T(upd, 13, country[k]); I(upd, 14, starts[k]); step(upd);
      if (sqlite3_changes(db) != 1) { fprintf(stderr, "the UPDATE matched no row\n"); exit(1); }
      T(links, 1, ids[k]); step(links); T(book, 1, ids[k]); step(book); step(head);
      T(hist, 1, ids[k]); I(hist, 2, 100 + j); I(hist, 3, 1796022249597LL + j); I(hist, 4, 1000); T(hist, 5, "update");
      T(hist, 6, "{\"notes\":{\"from\":\"change 1\",\"to\":\"change 2\"}}"); T(hist, 7, hash); step(hist);
      T(okey, 1, keys[k]); step(okey);
      snprintf(id, 40, "evt-%020d%08d", 1000000 + j, j); snprintf(ev, sizeof ev, "{\"specversion\":\"1.0\",\"data\":%s}", docs[k]);
      T(out, 1, id); T(out, 2, "delegation.updated"); T(out, 3, keys[k]); I(out, 4, j); I(out, 5, 1796022249597LL + j);
      T(out, 6, ev); step(out);
      step(rel); }
    step(commit);
    // The relay reads what was committed and writes both subscribers' acks in one transaction.
    I(relay, 1, seq); while (sqlite3_step(relay) == SQLITE_ROW) seq = sqlite3_column_int64(relay, 0); sqlite3_reset(relay);
    step(begin);
    for (int j = i; j < i + G && j < N; j++) for (int s = 0; s < 2; s++) {
      T(cur, 1, s ? "agreements" : "notifications"); T(cur, 2, keys[j % n]); I(cur, 3, j); step(cur); }
    step(commit);
  }
  report("delegations", c0, w0);
  ex(db, "PRAGMA wal_checkpoint(TRUNCATE)"); sqlite3_close_v2(db);
}

// A consumer: inbox check, then in the batch's transaction per event: savepoint, `apply`, seen + watermark.
static void consumer(const char *name, const char *path, int notif) {
  sqlite3 *db = open_db(path);
  sqlite3_stmt *seen = prep(db, "SELECT 1 FROM inbox_seen WHERE source = ? AND id = ?"),
    *wm = prep(db, "SELECT last_seq FROM inbox_watermarks WHERE source = ? AND partition_key = ?"),
    *ins = prep(db, "INSERT INTO inbox_seen(source, id, seen_ms) VALUES(?, ?, ?)"),
    *wmset = prep(db, "INSERT INTO inbox_watermarks(source, partition_key, last_seq, updated_ms) VALUES(?, ?, ?, ?) "
      "ON CONFLICT(source, partition_key) DO UPDATE SET last_seq = excluded.last_seq, updated_ms = excluded.updated_ms"),
    *sp1 = prep(db, "SAVEPOINT sp1"), *rel1 = prep(db, "RELEASE sp1"), *sp2 = prep(db, "SAVEPOINT sp2"), *rel2 = prep(db, "RELEASE sp2"),
    *begin = prep(db, "BEGIN IMMEDIATE"), *commit = prep(db, "COMMIT"), *a = 0, *b = 0, *c = 0;
  if (notif) {
    a = prep(db, "SELECT doc FROM visits WHERE id = ?");
    b = prep(db, "INSERT INTO visits(id, doc, status, schedule_version, updated_ms) VALUES(?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
      "doc = excluded.doc, status = excluded.status, schedule_version = excluded.schedule_version, updated_ms = excluded.updated_ms");
    c = prep(db, "INSERT INTO jobs(event_id, event_type, source, partition_key, sequence, delegation_id, schedule_version, "
      "received_ms) VALUES(?,?,?,?,?,?,?,?)");
  } else {
    a = prep(db, "SELECT last_sequence FROM delegation_projection WHERE id = ?");
    b = prep(db, "INSERT INTO delegation_projection(id, ref, title, partner_name, partner_name_local, partner_kind, country, "
      "continent, region, "
      "starts_at, ends_at, time_zone, status, version, last_sequence, events_applied, out_of_order, updated_ms, date_known) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?) ON CONFLICT(id) DO UPDATE SET ref = excluded.ref, title = excluded.title, "
      "partner_name = excluded.partner_name, partner_name_local = excluded.partner_name_local, partner_kind = excluded.partner_kind, "
      "country = excluded.country, continent = excluded.continent, region = excluded.region, starts_at = excluded.starts_at, "
      "ends_at = excluded.ends_at, time_zone = excluded.time_zone, status = excluded.status, version = excluded.version, "
      "last_sequence = max(last_sequence, excluded.last_sequence), events_applied = events_applied + 1, "
      "out_of_order = out_of_order + excluded.out_of_order, updated_ms = excluded.updated_ms, date_known = excluded.date_known");
    c = prep(db, "SELECT agreement_id FROM agreement_links WHERE delegation_id = ?");
  }
  char id[40]; double c0 = cpu(), w0 = wall();
  for (int i = 0; i < N; i += GC) {
    for (int j = i; j < i + GC && j < N; j++) {
      snprintf(id, 40, "evt-%020d%08d", 2000000 + j, j);
      T(seen, 1, "delegations"); T(seen, 2, id); step(seen); T(wm, 1, "delegations"); T(wm, 2, keys[j % K]); step(wm); }
    step(begin); step(sp1);
    for (int j = i; j < i + GC && j < N; j++) {
      int k = j % K; step(sp2); snprintf(id, 40, "evt-%020d%08d", 2000000 + j, j);
      if (notif) {
        T(a, 1, ids[k]); step(a);
        T(b, 1, ids[k]); T(b, 2, docs[k]); T(b, 3, "confirmed"); I(b, 4, 2); I(b, 5, 1796022249597LL + j); step(b);
        T(c, 1, id); T(c, 2, "delegation.updated"); T(c, 3, "delegations"); T(c, 4, keys[k]); I(c, 5, j); T(c, 6, ids[k]); I(c, 7, 2);
        I(c, 8, 1796022249597LL + j); step(c);
      } else {
        T(a, 1, ids[k]); step(a);
        const char *v[] = {ids[k], "DEL-2026-0001", "Benchmark visit title", "Benchmark partner", 0, "other", "UG", "Africa",
          "Eastern Africa", "2027-03-12T09:00", "2027-03-12T10:30", "Africa/Kampala", "confirmed"};
        for (int p = 0; p < 13; p++) { if (v[p]) T(b, p + 1, v[p]); else sqlite3_bind_null(b, p + 1); }
        I(b, 14, 100 + j); I(b, 15, j); I(b, 16, 0); I(b, 17, 1796022249597LL + j); sqlite3_bind_null(b, 18); step(b);
        T(c, 1, ids[k]); step(c);
      }
      T(ins, 1, "delegations"); T(ins, 2, id); I(ins, 3, 1796022249597LL + j); step(ins);
      T(wmset, 1, "delegations"); T(wmset, 2, keys[k]); I(wmset, 3, j); I(wmset, 4, 1796022249597LL + j); step(wmset);
      step(rel2); }
    step(rel1); step(commit);
  }
  report(name, c0, w0);
  ex(db, "PRAGMA wal_checkpoint(TRUNCATE)"); sqlite3_close_v2(db);
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: floor DELEGATIONS.db NOTIFICATIONS.db AGREEMENTS.db [N] [G] [G at the consumers]\n"); return 64; }
  if (argc > 4) N = atoi(argv[4]);
  if (argc > 5) G = GC = atoi(argv[5]);
  if (argc > 6) GC = atoi(argv[6]);
  delegations(argv[1]); consumer("notifications", argv[2], 1); consumer("agreements", argv[3], 0);
}
