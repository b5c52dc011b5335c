//! Test mode: the records eBPF programs submit to ring buffers and perf event arrays,
//! read by `@test` functions (`rb.next()`, `rb.pending()`). Written into NAME.test.c
//! after the ring-buffer runtime (ringbufs.ts owns the perf lost counters `dropped()`
//! reads).
//!
//! Readers are opened right after each test's fresh load — a perf event array delivers
//! only to a reader that exists when the program outputs, a ring buffer keeps its
//! records until read — and closed after the test, so each test sees its own records.
//! Records are copied out in arrival order (per CPU for perf event arrays).
//!
//! C API (all `static`):
//!   struct T ks_test_next_<rb>(location)      the oldest unread record; fails the test when none
//!   __u32   ks_test_pending_<rb>(location)    how many records are waiting
//!   void    ks_test_records_open_all(void)    after each load
//!   void    ks_test_records_close_all(void)   after each test

import type { IrMap, IrModule } from "../ir.js";
import { cTypeName } from "./c-types.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { cString } from "./c-code.js";
import type { CWriter } from "./c-writer.js";
import { mapName, testRecordsName, perfLostCounterName, testNextRecordName, testPendingRecordsName } from "../names.js";

const recordRuntime = String.raw`/* The records of one ring buffer or perf event array, as a test reads them. */
struct ks_test_records {
    const char *map;
    size_t record_size;
    int perf;
    __u64 *lost;          /* perf event arrays: the counter dropped() reads */
    void *reader;         /* struct ring_buffer * or struct perf_buffer * */
    int open_error;
    unsigned char *data;
    size_t count, capacity, taken;
};

static int ks_test_records_push(struct ks_test_records *r, const void *data, size_t size)
{
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? r->capacity * 2 : 16;
        unsigned char *grown = realloc(r->data, capacity * r->record_size);
        if (!grown) return -ENOMEM;
        r->data = grown;
        r->capacity = capacity;
    }
    unsigned char *slot = r->data + r->count * r->record_size;
    /* Perf samples are padded to 8 bytes: copy the record, zero what a short one lacks. */
    memset(slot, 0, r->record_size);
    memcpy(slot, data, size < r->record_size ? size : r->record_size);
    r->count++;
    return 0;
}

static int ks_test_ring_sample(void *ctx, void *data, size_t size)
{
    return ks_test_records_push(ctx, data, size);
}

static void ks_test_perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
    (void)cpu;
    (void)ks_test_records_push(ctx, data, size);
}

static void ks_test_perf_lost(void *ctx, int cpu, __u64 count)
{
    struct ks_test_records *r = ctx;
    (void)cpu;
    if (r->lost) *r->lost += count;
}

static KS_UNUSED void ks_test_records_open(struct ks_test_records *r, struct bpf_map *map)
{
    int fd = bpf_map__fd(map);
    r->reader = r->perf ? (void *)perf_buffer__new(fd, 8, ks_test_perf_sample, ks_test_perf_lost, r, NULL)
                        : (void *)ring_buffer__new(fd, ks_test_ring_sample, r, NULL);
    r->open_error = r->reader ? 0 : errno;
}

static KS_UNUSED void ks_test_records_close(struct ks_test_records *r)
{
    if (r->reader && r->perf) perf_buffer__free(r->reader);
    else if (r->reader) ring_buffer__free(r->reader);
    free(r->data);
    r->reader = NULL;
    r->data = NULL;
    r->count = r->capacity = r->taken = 0;
    if (r->lost) *r->lost = 0;
}

static const char *ks_test_records_kind(const struct ks_test_records *r)
{
    return r->perf ? "perf event array" : "ring buffer";
}

/* Collects what arrived since the last call; the number of unread records. */
static KS_UNUSED size_t ks_test_records_poll(struct ks_test_records *r, const char *location, const char *method)
{
    const char *kind = ks_test_records_kind(r);
    if (!r->reader)
        ks_test_abort("%s: %s.%s(): cannot read %s '%s': %s", location, r->map, method, kind, r->map, strerror(r->open_error));
    int err = r->perf ? perf_buffer__consume(r->reader) : ring_buffer__consume(r->reader);
    if (err < 0) ks_test_abort("%s: %s.%s(): reading %s '%s' failed: %s", location, r->map, method, kind, r->map, strerror(-err));
    return r->count - r->taken;
}

static KS_UNUSED const void *ks_test_records_take(struct ks_test_records *r, const char *location)
{
    const char *kind = ks_test_records_kind(r);
    if (ks_test_records_poll(r, location, "next") == 0 && r->taken == 0)
        ks_test_abort("%s: %s.next(): no record in %s '%s' (none was submitted during this test)", location, r->map, kind, r->map);
    if (r->count == r->taken)
        ks_test_abort("%s: %s.next(): no unread record in %s '%s' (%zu submitted during this test, all read)", location, r->map, kind, r->map, r->taken);
    return r->data + (r->taken++) * r->record_size;
}
`;

function recordMaps(module: IrModule): readonly IrMap[] {
  return module.maps.filter((m) => mapKinds[m.mapKind].userView === "records");
}

export function emitTestRecords(w: CWriter, module: IrModule): void {
  const maps = recordMaps(module);
  if (maps.length > 0) {
    w.lines_(recordRuntime);
  }
  for (const map of maps) {
    const record = cTypeName(map.valueType);
    const perf = map.mapKind === "perf_event_array";
    const state = testRecordsName(map.name);
    w.line(`static struct ks_test_records ${state} = { ${cString(map.name)}, sizeof(${record}), ${perf ? 1 : 0}, ${perf ? `&${perfLostCounterName(map.name)}` : "NULL"}, NULL, 0, NULL, 0, 0, 0 };`);
    w.block(`static KS_UNUSED ${record} ${testNextRecordName(map.name)}(const char *location)`, () => {
      w.line(`${record} record;`);
      w.line(`memcpy(&record, ks_test_records_take(&${state}, location), sizeof(record));`);
      w.line("return record;");
    });
    w.block(`static KS_UNUSED __u32 ${testPendingRecordsName(map.name)}(const char *location)`, () => {
      w.line(`return (__u32)ks_test_records_poll(&${state}, location, "pending");`);
    });
    w.line();
  }
  w.block("static void ks_test_records_open_all(void)", () => {
    for (const map of maps) w.line(`ks_test_records_open(&${testRecordsName(map.name)}, ks_skel->maps.${mapName(map.name)});`);
  });
  w.block("static void ks_test_records_close_all(void)", () => {
    for (const map of maps) w.line(`ks_test_records_close(&${testRecordsName(map.name)});`);
  });
  w.line();
}
