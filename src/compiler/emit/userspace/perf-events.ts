//! The perf-event part of the loader runtime, emitted when the module has `@perf_event`
//! programs. A perf attachment is a counter opened with perf_event_open(2) (disabled),
//! reset, linked to the program with `bpf_program__attach_perf_event`, then enabled. The
//! loader keeps its own duplicate of the counter's fd, so `read()` works whoever owns
//! libbpf's copy, and a generation number so a stale `PerfAttachment` reads -1.
//!
//! C API:
//!   struct perf_options / struct PerfAttachment   the language's built-in types
//!   struct PerfAttachment ks_attach_perf(int prog_fd, struct perf_options, __u32 flags)
//!   __s64 ks_perf_read(struct PerfAttachment)     -1 when invalid
//!   void  ks_detach_perf(struct PerfAttachment)   disable, destroy the link, close
//!   void  ks_perf_release(int prog_fd)            every attachment of a program (-1: all)
//!   int   ks_attach_perf_sampling(int prog_fd)    default main: cpu-clock, 99 Hz, every CPU

import type { IrModule } from "../../ir.js";
import { programTypeInfo } from "../../kernel/program-types.js";
import type { CWriter } from "../c-writer.js";
import { perfEnums, perfStructs } from "../../kernel/perf.js";
import { cTypeName } from "../c-types.js";
import { perfEnumConstantName } from "../../names.js";

/** Sampling frequency of the default loader's cpu-clock events. */
export const defaultSamplingHz = 99;

export function hasPerfPrograms(module: IrModule): boolean {
  return module.programs.some((p) => programTypeInfo[p.programType].attach.kind === "perfSampling");
}

/** Types, the attachment table and its release function (before ks_cleanup uses it). */
export function emitPerfState(w: CWriter, module: IrModule): void {
  if (!hasPerfPrograms(module)) return;
  for (const header of ["fcntl.h", "linux/perf_event.h", "sys/ioctl.h", "sys/syscall.h"]) w.line(`#include <${header}>`);
  w.line();
  w.comment("Built-in perf types of the language (the constants are emitted as their values).");
  for (const e of perfEnums) {
    w.line(`enum ${e.name} { ${e.constants.map((c) => `${perfEnumConstantName(c.name)} = ${c.value}`).join(", ")} };`);
  }
  for (const s of perfStructs) {
    w.block(`struct ${s.name}`, () => {
      for (const f of s.fields) w.line(`${cTypeName(f.type)} ${f.name};`);
    }, ";");
  }
  w.line();
  w.comment("One row per perf attachment; `link_id` of a PerfAttachment is its index.");
  w.block("struct ks_perf_slot", () => {
    w.line("int prog_fd;");
    w.line("int perf_fd;");
    w.line("struct bpf_link *link;");
    w.line("__u64 generation;");
  }, ";");
  w.line("static struct ks_perf_slot ks_perf_slots[KS_MAX_ATTACHMENTS];");
  w.line("static __u64 ks_perf_generation;");
  w.line();
  w.block("static void ks_perf_release_slot(struct ks_perf_slot *slot)", () => {
    w.line("if (slot->generation == 0) return;");
    w.line("ioctl(slot->perf_fd, PERF_EVENT_IOC_DISABLE, 0);");
    w.line("bpf_link__destroy(slot->link);");
    w.line("close(slot->perf_fd);");
    w.line("memset(slot, 0, sizeof(*slot));");
  });
  w.line();
  w.comment("Every perf attachment of a program (prog_fd -1: of all programs).");
  w.block("static void ks_perf_release(int prog_fd)", () => {
    w.line("for (int i = 0; i < KS_MAX_ATTACHMENTS; i++)");
    w.line("    if (prog_fd < 0 || ks_perf_slots[i].prog_fd == prog_fd) ks_perf_release_slot(&ks_perf_slots[i]);");
  });
  w.line();
}

/** Signal handler lines (async-signal-safe: close() only). */
export function perfSignalLines(module: IrModule): string[] {
  if (!hasPerfPrograms(module)) return [];
  return [
    "for (int i = 0; i < KS_MAX_ATTACHMENTS; i++) {",
    "    if (ks_perf_slots[i].generation == 0) continue;",
    "    close(bpf_link__fd(ks_perf_slots[i].link));",
    "    close(ks_perf_slots[i].perf_fd);",
    "}",
  ];
}

export function emitPerfAttach(w: CWriter, module: IrModule): void {
  if (!hasPerfPrograms(module)) return;
  emitOpen(w);
  emitAttachPerf(w);
  emitReadDetach(w);
  emitSampling(w);
}

/** perf_event_open(2) with a cause for each refusal; the fd or -1. */
function emitOpen(w: CWriter): void {
  w.block("static int ks_perf_open(struct perf_event_attr *attr, int pid, int cpu, const char *what)", () => {
    w.line("int fd = (int)syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);");
    w.line("if (fd >= 0) return fd;");
    w.line("int err = errno;");
    w.block("if (attr->type == PERF_TYPE_HARDWARE && (err == ENOENT || err == ENODEV || err == EOPNOTSUPP))", () => {
      w.line('fprintf(stderr, "error: %s: this machine has no PMU for hardware events (common in VMs and containers); count a software event (perf_type_software) instead\\n", what);');
      w.line("return -1;");
    });
    w.block("if (err == ESRCH)", () => {
      w.line('fprintf(stderr, "error: %s: no process with pid %d\\n", what, pid);');
      w.line("return -1;");
    });
    w.block("if (err == ENODEV || (err == EINVAL && cpu >= 0 && cpu >= libbpf_num_possible_cpus()))", () => {
      w.line('fprintf(stderr, "error: %s: CPU %d does not exist or is offline\\n", what, cpu);');
      w.line("return -1;");
    });
    w.block("if (err == EACCES || err == EPERM)", () => {
      w.line('fprintf(stderr, "error: %s: %s; needs root or CAP_PERFMON (see /proc/sys/kernel/perf_event_paranoid)\\n", what, strerror(err));');
      w.line("return -1;");
    });
    w.line("ks_explain_errno(what, err);");
    w.line("return -1;");
  });
  w.line();
  w.comment("Reset, link the program, enable; records the attachment. 0 / -1 (fd closed on failure).");
  w.block("static int ks_perf_link(struct bpf_program *prog, int fd, const char *what)", () => {
    w.line("int slot_index = -1;");
    w.line("for (int i = 0; i < KS_MAX_ATTACHMENTS && slot_index < 0; i++) if (ks_perf_slots[i].generation == 0) slot_index = i;");
    w.block("if (slot_index < 0)", () => {
      w.line('fprintf(stderr, "error: %s: too many perf attachments (at most %d)\\n", what, KS_MAX_ATTACHMENTS);');
      w.line("close(fd);");
      w.line("return -1;");
    });
    w.line("ioctl(fd, PERF_EVENT_IOC_RESET, 0);");
    w.comment("libbpf may close the fd it was given when the link goes; ours is a duplicate.");
    w.line("int owned = fcntl(fd, F_DUPFD_CLOEXEC, 0);");
    w.line("struct bpf_link *link = owned >= 0 ? bpf_program__attach_perf_event(prog, fd) : NULL;");
    w.block("if (!link)", () => {
      w.line("int err = errno;");
      w.line("if (owned >= 0) close(owned);");
      w.line("close(fd);");
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.block("if (ioctl(owned, PERF_EVENT_IOC_ENABLE, 0) != 0)", () => {
      w.line("int err = errno;");
      w.line("bpf_link__destroy(link);");
      w.line("close(owned);");
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.line("struct ks_perf_slot *slot = &ks_perf_slots[slot_index];");
    w.line("slot->prog_fd = bpf_program__fd(prog);");
    w.line("slot->perf_fd = owned;");
    w.line("slot->link = link;");
    w.line("slot->generation = ++ks_perf_generation;");
    w.line("ks_attachments_made++;");
    w.line("return slot_index;");
  });
  w.line();
}

function emitAttachPerf(w: CWriter): void {
  w.block("static KS_UNUSED struct PerfAttachment ks_attach_perf(int prog_fd, struct perf_options options, __u32 flags)", () => {
    w.line("struct PerfAttachment result = { .perf_fd = -1, .link_id = -1, .prog_fd = prog_fd, .generation = 0 };");
    w.line("struct bpf_program *prog = ks_program_of_fd(prog_fd);");
    w.block("if (!prog || bpf_program__type(prog) != BPF_PROG_TYPE_PERF_EVENT)", () => {
      w.line('fprintf(stderr, "error: attach: %d is not a perf_event program loaded by this loader (use load() first)\\n", prog_fd);');
      w.line("return result;");
    });
    w.line("char what[160];");
    w.line('snprintf(what, sizeof(what), "cannot attach perf_event program \'%s\' (type %u, config %llu)", bpf_program__name(prog), (unsigned)options.perf_type, (unsigned long long)options.perf_config);');
    w.block("if (flags != 0)", () => {
      w.line('fprintf(stderr, "error: %s: flags must be 0 for a perf event\\n", what);');
      w.line("return result;");
    });
    w.block("if (options.pid == -1 && options.cpu == -1)", () => {
      w.line('fprintf(stderr, "error: %s: pid -1 (every process) needs one CPU (cpu >= 0); cpu -1 (every CPU) needs one process (pid >= 0)\\n", what);');
      w.line("return result;");
    });
    w.line("struct perf_event_attr attr;");
    w.line("memset(&attr, 0, sizeof(attr));");
    w.line("attr.size = sizeof(attr);");
    w.line("attr.type = (__u32)options.perf_type;");
    w.line("attr.config = options.perf_config;");
    w.line("attr.sample_period = options.period;");
    w.line("attr.wakeup_events = options.wakeup;");
    w.line("attr.inherit = options.inherit;");
    w.line("attr.exclude_kernel = options.exclude_kernel;");
    w.line("attr.exclude_user = options.exclude_user;");
    w.line("attr.disabled = 1;");
    w.line("int fd = ks_perf_open(&attr, options.pid, options.cpu, what);");
    w.line("if (fd < 0) return result;");
    w.line("int index = ks_perf_link(prog, fd, what);");
    w.line("if (index < 0) return result;");
    w.line("result.perf_fd = ks_perf_slots[index].perf_fd;");
    w.line("result.link_id = index;");
    w.line("result.generation = ks_perf_slots[index].generation;");
    w.line("return result;");
  });
  w.line();
}

function emitReadDetach(w: CWriter): void {
  w.comment("The slot behind an attachment, or NULL when it was detached (or never attached).");
  w.block("static struct ks_perf_slot *ks_perf_slot_of(struct PerfAttachment att)", () => {
    w.line("if (att.link_id < 0 || att.link_id >= KS_MAX_ATTACHMENTS || att.generation == 0) return NULL;");
    w.line("struct ks_perf_slot *slot = &ks_perf_slots[att.link_id];");
    w.line("return slot->generation == att.generation && slot->perf_fd == att.perf_fd ? slot : NULL;");
  });
  w.line();
  w.block("static KS_UNUSED __s64 ks_perf_read(struct PerfAttachment att)", () => {
    w.line("struct ks_perf_slot *slot = ks_perf_slot_of(att);");
    w.line("__u64 count = 0;");
    w.line("if (!slot || read(slot->perf_fd, &count, sizeof(count)) != (ssize_t)sizeof(count)) return -1;");
    w.line("return (__s64)count;");
  });
  w.line();
  w.block("static KS_UNUSED void ks_detach_perf(struct PerfAttachment att)", () => {
    w.line("struct ks_perf_slot *slot = ks_perf_slot_of(att);");
    w.line("if (slot) ks_perf_release_slot(slot);");
  });
  w.line();
}

/** The default loader's perf attachment: a cpu-clock sampling event on every online CPU. */
function emitSampling(w: CWriter): void {
  w.block("static KS_UNUSED int ks_attach_perf_sampling(int prog_fd)", () => {
    w.line("struct bpf_program *prog = ks_program_of_fd(prog_fd);");
    w.line("if (!prog) return -1;");
    w.line("int cpus = libbpf_num_possible_cpus();");
    w.line("int attached = 0;");
    w.block("for (int cpu = 0; cpu < cpus; cpu++)", () => {
      w.line("struct perf_event_attr attr;");
      w.line("memset(&attr, 0, sizeof(attr));");
      w.line("attr.size = sizeof(attr);");
      w.line("attr.type = PERF_TYPE_SOFTWARE;");
      w.line("attr.config = PERF_COUNT_SW_CPU_CLOCK;");
      w.line("attr.freq = 1;");
      w.line(`attr.sample_freq = ${defaultSamplingHz};`);
      w.line("attr.disabled = 1;");
      w.line("char what[160];");
      w.line('snprintf(what, sizeof(what), "cannot attach perf_event program \'%s\' to cpu-clock on CPU %d", bpf_program__name(prog), cpu);');
      w.line("int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);");
      w.comment("A possible CPU that is offline has nothing to sample.");
      w.line("if (fd < 0 && errno == ENODEV) continue;");
      w.line("if (fd < 0) fd = ks_perf_open(&attr, -1, cpu, what);");
      w.line("if (fd < 0 || ks_perf_link(prog, fd, what) < 0) return -1;");
      w.line("attached++;");
    });
    w.line("return attached;");
  });
  w.line();
}
