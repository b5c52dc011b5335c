//! The ring buffer part of the user-space runtime: one handler slot and one libbpf
//! sample callback per ring buffer, `ks_dispatch` for `dispatch(…)`, and the event
//! wait the default main uses instead of sleeping. Consumes the IrModule; written after
//! the map accessors (maps.ts: `ks_print_S`) and the user functions' prototypes.
//!
//! C API (all `static`):
//!   KS_RINGBUF_<rb>                        bit naming ring buffer <rb> in a set
//!   __s32 (*ks_ringbuf_<rb>_handler)(struct T *)   NULL: print the record
//!   int  ks_dispatch(unsigned long long set, long long timeout_ns)
//!                                          polls until SIGINT/SIGTERM or the timeout (0; a
//!                                          negative timeout: none) or a handler returns
//!                                          non-zero (that value)
//!   int  ks_events_open(void)              default main: all ring buffers, 0 / -1
//!   void ks_events_wait(double seconds)    polls for up to `seconds`, printing records
//!   void ks_events_close(void)             consumes what is left, frees the ring buffers
//!
//! A record without a handler prints as one line: `<rb>: {field: value, …}` (the struct
//! printers of maps.ts), flushed at once so a pipe sees it as it arrives.

import type { IrMap, IrModule } from "../../ir.js";
import { cTypeName } from "../c-types.js";
import type { CWriter } from "../c-writer.js";
import { functionName, mapName, ringbufBitName, ringbufHandlerName, structPrinterName, perfLostCounterName, perfLostCallbackName, perfDroppedName, ringbufRecordName, ringbufSampleName, perfSampleName, ringbufDroppedName } from "../../names.js";
import { typeToString } from "../../types.js";
import { mapKinds } from "../../kernel/map-kinds.js";

/** Ring buffers and perf event arrays: the maps whose records `dispatch` delivers. */
export function ringbufsOf(module: IrModule): readonly IrMap[] {
  return module.maps.filter((m) => mapKinds[m.mapKind].userView === "records");
}

/** Lines for the default main's `--help`. */
export function ringbufHelpLines(module: IrModule): string[] {
  const ringbufs = ringbufsOf(module);
  if (ringbufs.length === 0) return [];
  return [
    "Prints every record of these ring buffers / perf event arrays as it arrives, one line each (`<name>: {...}`):",
    ...ringbufs.map((m) => m.mapKind === "ringbuf"
      ? `  ${m.name}: ringbuf<${typeToString(m.valueType)}>(${m.maxEntries})`
      : `  ${m.name}: perf_event_array<${typeToString(m.valueType)}>`),
    "and, with each print of the maps, how many records were dropped when that is not zero.",
  ];
}

export function emitRingbufRuntime(w: CWriter, module: IrModule): void {
  const ringbufs = ringbufsOf(module);
  if (ringbufs.length === 0) return;
  const userFunctions = new Set(module.hasUserMain ? module.userFunctions.map((f) => f.name) : []);
  w.comment("Ring buffers: a handler slot and a libbpf sample callback each.");
  ringbufs.forEach((map, i) => w.line(`#define ${ringbufBitName(map.name)} (1ULL << ${i})`));
  w.line("static int ks_dispatch_stop;");
  w.line("static KS_UNUSED long long ks_timeout_ns(__u64 ns) { return ns > 0x7fffffffffffffffULL ? 0x7fffffffffffffffLL : (long long)ns; }");
  w.line();
  for (const map of ringbufs) {
    const record = cTypeName(map.valueType);
    const callback = `${map.name}_callback`;
    // The upstream convention: a user function `<rb>_callback` is the default handler.
    const initial = userFunctions.has(callback) ? ` = ${functionName(callback)}` : "";
    w.line(`static KS_UNUSED __s32 (*${ringbufHandlerName(map.name)})(${record} *)${initial};`);
    w.line();
    const perf = map.mapKind === "perf_event_array";
    if (perf) {
      w.line(`static __u64 ${perfLostCounterName(map.name)};`);
      w.block(`static void ${perfLostCallbackName(map.name)}(void *ctx, int cpu, __u64 count)`, () => {
        w.line("(void)ctx;");
        w.line("(void)cpu;");
        w.line(`${perfLostCounterName(map.name)} += count;`);
      });
      w.block(`static KS_UNUSED __u64 ${perfDroppedName(map.name)}(void)`, () => w.line(`return ${perfLostCounterName(map.name)};`));
    }
    const signature = perf
      ? `static int ${ringbufRecordName(map.name)}(void *data, size_t size)`
      : `static int ${ringbufSampleName(map.name)}(void *ctx, void *data, size_t size)`;
    w.block(signature, () => {
      if (!perf) w.line("(void)ctx;");
      w.line(`if (size < sizeof(${record})) return 0;`);
      w.block(`if (${ringbufHandlerName(map.name)})`, () => {
        w.line(`__s32 result = ${ringbufHandlerName(map.name)}((${record} *)data);`);
        w.comment("Records arrive over time: make what the handler printed visible now, even on a pipe.");
        w.line("fflush(stdout);");
        w.comment("Non-zero stops dispatch; a negative return makes libbpf stop consuming.");
        w.block("if (result != 0)", () => {
          w.line("ks_dispatch_stop = result;");
          w.line("return -1;");
        });
        w.line("return 0;");
      });
      w.line(`fputs("${map.name}: ", stdout);`);
      w.line(`${structPrinterName(typeToString(map.valueType))}(stdout, (const ${record} *)data);`);
      w.line("fputc('\\n', stdout);");
      w.line("fflush(stdout);");
      w.line("return 0;");
    });
    if (perf) {
      w.block(`static void ${perfSampleName(map.name)}(void *ctx, int cpu, void *data, __u32 size)`, () => {
        w.line("(void)ctx;");
        w.line("(void)cpu;");
        w.line(`(void)${ringbufRecordName(map.name)}(data, size);`);
      });
    }
    w.line();
  }
  const perfs = ringbufs.filter((m) => m.mapKind === "perf_event_array");
  const rings = ringbufs.filter((m) => m.mapKind === "ringbuf");

  w.block("static KS_UNUSED int ks_ringbuf_add(struct ring_buffer **rb, struct bpf_map *map, ring_buffer_sample_fn sample)", () => {
    w.line("int fd = bpf_map__fd(map);");
    w.block("if (!*rb)", () => {
      w.line("*rb = ring_buffer__new(fd, sample, NULL, NULL);");
      w.line("if (*rb) return 0;");
    });
    w.line("else if (ring_buffer__add(*rb, fd, sample, NULL) == 0) return 0;");
    w.line("int err = errno;");
    w.line("char what[160];");
    w.line('snprintf(what, sizeof(what), "cannot read ring buffer \'%s\'", bpf_map__name(map));');
    w.line("ks_explain_errno(what, err);");
    w.line("return -1;");
  });
  w.line();

  w.comment("The ring buffer manager and perf buffers of one dispatch() or of the default main.");
  w.block("struct ks_event_set", () => {
    w.line("struct ring_buffer *rb;");
    w.line(`struct perf_buffer *perf[${Math.max(1, perfs.length)}];`);
    w.line("int perf_count;");
  }, ";");
  w.line();
  w.comment("`consume`: deliver what is still buffered first (not after a handler asked to stop).");
  w.block("static void ks_event_set_free(struct ks_event_set *set, bool consume)", () => {
    w.line("if (set->rb && consume) ring_buffer__consume(set->rb);");
    w.line("ring_buffer__free(set->rb);");
    w.block("for (int i = 0; i < set->perf_count; i++)", () => {
      w.line("if (consume) perf_buffer__consume(set->perf[i]);");
      w.line("perf_buffer__free(set->perf[i]);");
    });
    w.line("memset(set, 0, sizeof(*set));");
  });
  w.line();
  w.comment("Opens the ring buffers and perf event arrays of `bits`; 0, or -1 with the cause printed.");
  w.block("static int ks_event_set_open(struct ks_event_set *set, unsigned long long bits)", () => {
    w.line("memset(set, 0, sizeof(*set));");
    w.line("if (ks_open_and_load() != 0) return -1;");
    for (const map of rings) {
      w.block(`if ((bits & ${ringbufBitName(map.name)}) && ks_ringbuf_add(&set->rb, ks_skel->maps.${mapName(map.name)}, ${ringbufSampleName(map.name)}) != 0)`, () => {
        w.line("ks_event_set_free(set, false);");
        w.line("return -1;");
      });
    }
    for (const map of perfs) {
      w.block(`if (bits & ${ringbufBitName(map.name)})`, () => {
        w.comment("libbpf 1.x form (also ≥ 1.3): 64 pages of per-CPU buffer each.");
        w.line(`struct perf_buffer *pb = perf_buffer__new(bpf_map__fd(ks_skel->maps.${mapName(map.name)}), 64, ${perfSampleName(map.name)}, ${perfLostCallbackName(map.name)}, NULL, NULL);`);
        w.block("if (!pb)", () => {
          w.line("int err = errno;");
          w.line(`ks_explain_errno("cannot read perf event array '${map.name}'", err);`);
          w.line("ks_event_set_free(set, false);");
          w.line("return -1;");
        });
        w.line("set->perf[set->perf_count++] = pb;");
      });
    }
    w.line("return 0;");
  });
  w.line();
  w.comment("Waits up to `ms` for records and delivers them; a negative errno on failure.");
  w.block("static int ks_event_set_poll(struct ks_event_set *set, int ms)", () => {
    w.line("int parts = (set->rb ? 1 : 0) + set->perf_count;");
    w.line("int each = parts > 1 ? ms / parts : ms;");
    w.line("int n = 0;");
    w.line("if (set->rb) n = ring_buffer__poll(set->rb, each);");
    w.block("for (int i = 0; i < set->perf_count && n >= 0; i++)", () => {
      w.line("int got = perf_buffer__poll(set->perf[i], each);");
      w.line("n = got < 0 ? got : n + got;");
    });
    w.line("return n;");
  });
  w.line();

  w.comment("dispatch(...): polls until SIGINT/SIGTERM (returns 0) or a handler returns non-zero (returns that);");
  w.comment("dispatch(..., timeout): also returns 0 once `timeout_ns` have passed (a negative timeout: none).");
  w.block("static KS_UNUSED int ks_dispatch(unsigned long long bits, long long timeout_ns)", () => {
    w.comment("A main that waits for records has attached what it attaches: ready (runtime-c/fleet.c).");
    w.line("ks_fleet_ready_once();");
    w.line("struct ks_event_set set;");
    w.line("if (ks_event_set_open(&set, bits) != 0) return -1;");
    w.line("int result = 0;");
    w.line("ks_dispatch_stop = 0;");
    w.comment("What main printed before waiting should not sit in a pipe's buffer.");
    w.line("fflush(stdout);");
    w.line("struct timespec start;");
    w.line("clock_gettime(CLOCK_MONOTONIC, &start);");
    w.block("while (!ks_exiting)", () => {
      w.line("int ms = 100;");
      w.comment("With a timeout: the last poll (0 ms once it has passed, so dispatch(rb, 0) delivers what is there) ends it.");
      w.line("bool last = false;");
      w.block("if (timeout_ns >= 0)", () => {
        w.line("struct timespec now;");
        w.line("clock_gettime(CLOCK_MONOTONIC, &now);");
        w.line("long long left = timeout_ns - ((long long)(now.tv_sec - start.tv_sec) * 1000000000LL + (now.tv_nsec - start.tv_nsec));");
        w.line("long long left_ms = left <= 0 ? 0 : (left + 999999) / 1000000;");
        w.line("if (left_ms < ms) ms = (int)left_ms;");
        w.line("last = left <= 0;");
      });
      w.line("int n = ks_event_set_poll(&set, ms);");
      w.block("if (ks_dispatch_stop)", () => {
        w.line("result = ks_dispatch_stop;");
        w.line("break;");
      });
      w.block("if (n < 0 && n != -EINTR)", () => {
        w.line('ks_explain_errno("polling ring buffers failed", n);');
        w.line("result = -1;");
        w.line("break;");
      });
      w.line("if (last) break;");
    });
    w.line("ks_event_set_free(&set, false);");
    w.line("return result;");
  });
  w.line();

  if (module.hasUserMain) return;
  w.line("static struct ks_event_set ks_events;");
  w.line();
  w.block("static int ks_events_open(void)", () => {
    w.line(`return ks_event_set_open(&ks_events, ${ringbufs.map((m) => ringbufBitName(m.name)).join(" | ")});`);
  });
  w.line();
  w.comment("Polls the ring buffers for up to `seconds`, printing records; returns early on a signal.");
  w.block("static void ks_events_wait(double seconds)", () => {
    w.line("struct timespec start, now;");
    w.line("clock_gettime(CLOCK_MONOTONIC, &start);");
    w.block("while (!ks_exiting)", () => {
      w.line("clock_gettime(CLOCK_MONOTONIC, &now);");
      w.line("double elapsed = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;");
      w.line("if (elapsed >= seconds) break;");
      w.line("int ms = (int)((seconds - elapsed) * 1000.0) + 1;");
      w.line("if (ms > 100) ms = 100;");
      w.line("int n = ks_event_set_poll(&ks_events, ms);");
      w.block("if (n < 0 && n != -EINTR)", () => {
        w.line('ks_explain_errno("polling ring buffers failed", n);');
        w.line("break;");
      });
    });
  });
  w.line();
  w.block("static void ks_events_close(void)", () => {
    w.line("ks_event_set_free(&ks_events, true);");
  });
  w.line();
  w.comment("Drop counts, printed with the maps when not zero.");
  w.block("static void ks_print_drops(FILE *out)", () => {
    w.line("(void)out;");
    for (const map of ringbufs) {
      const count = `${map.mapKind === "ringbuf" ? ringbufDroppedName(map.name) : perfDroppedName(map.name)}()`;
      w.block("", () => {
        w.line(`unsigned long long dropped = (unsigned long long)${count};`);
        w.line(`if (dropped) fprintf(out, "${map.name}: %llu record%s dropped (${map.mapKind === "ringbuf" ? "buffer full" : "lost samples"})\\n", dropped, dropped == 1 ? "" : "s");`);
      });
    }
  });
  w.line();
}
