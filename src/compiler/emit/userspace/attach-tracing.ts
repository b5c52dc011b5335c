//! Attach functions of the loader runtime for programs that attach to kernel events
//! rather than interfaces: tracepoints and probes (fentry trampolines, kprobes). Each
//! makes a link, which the kernel releases when the loader dies, fills `slot->link`
//! and returns 0, or prints the cause and returns -1.

import type { CWriter } from "../c-writer.js";

/** The attach functions the loader pieces of this module's program types ask for. */
export function emitTracingAttach(w: CWriter, pieces: { readonly tracepointAttach: boolean; readonly probeAttach: boolean; readonly userProbes: boolean }): void {
  if (pieces.tracepointAttach) emitTracepointAttach(w);
  if (pieces.probeAttach) emitProbeAttach(w, pieces.userProbes);
}

/**
 * Probes: the function is in the section name (`fentry/do_exit`, `kprobe/vfs_read+16`,
 * `ksyscall/openat`, `kretprobe/…`, `fexit/…`, `lsm/file_open`); uprobes and USDT
 * probes name a binary and go to runtime-c/attach-uprobe.c.
 * A kprobe may be moved to another function by `attach(p, "other", 0)`; an fentry
 * program is verified against its function's BTF and cannot.
 */
function emitProbeAttach(w: CWriter, userProbes: boolean): void {
  w.block("static int ks_attach_probe(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot)", () => {
    w.line("(void)flags;");
    w.line("const char *section = bpf_program__section_name(prog);");
    w.line("const char *declared = strchr(section, '/');");
    w.line('declared = declared ? declared + 1 : "";');
    if (userProbes) {
      w.comment("uprobes, uretprobes, USDT (runtime-c/attach-uprobe.c): the target names a binary.");
      w.line("int user = ks_user_probe_kind(section);");
      w.line("if (user) return ks_attach_user_probe(prog, user, target && *target ? target : declared, slot);");
    }
    w.line("int kprobe = bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE;");
    w.line("int raw = bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;");
    w.comment("ksyscall/NAME: `attach(p, \"sys_NAME\", 0)` names the same system call; libbpf finds the architecture's wrapper.");
    w.line('int syscall = strncmp(section, "ksyscall/", 9) == 0 || strncmp(section, "kretsyscall/", 12) == 0;');
    w.block('if (syscall && target && strncmp(target, "sys_", 4) == 0 && strcmp(target + 4, declared) == 0)', () => {
      w.line("target = declared;");
    });
    w.block("if (target && *target && strcmp(target, declared) != 0)", () => {
      w.block("if (!kprobe && !raw)", () => {
        w.line('fprintf(stderr, "error: probe \'%s\' was verified against %s when it was loaded; it cannot attach to %s\\n", bpf_program__name(prog), declared, target);');
        w.line("return -1;");
      });
      w.comment("A raw tracepoint program is not tied to its event: the kernel checks at attach time that it reads no more arguments than the event has.");
      w.comment("A kretprobe moved to another function stays a return probe.");
      w.line('int retprobe = strncmp(section, "kretprobe/", 10) == 0;');
      w.line("slot->link = raw ? bpf_program__attach_raw_tracepoint(prog, target) : bpf_program__attach_kprobe(prog, retprobe, target);");
    });
    w.line("else slot->link = bpf_program__attach(prog);");
    w.block("if (!slot->link)", () => {
      w.line("int err = errno;");
      w.line("char what[256];");
      w.line('snprintf(what, sizeof(what), "cannot attach probe \'%s\' to %s", bpf_program__name(prog), target && *target ? target : declared);');
      w.line("struct stat st;");
      w.block('if (kprobe && stat("/sys/kernel/tracing/kprobe_events", &st) != 0 && stat("/sys/kernel/debug/tracing/kprobe_events", &st) != 0)', () => {
        w.line('fprintf(stderr, "error: %s: this kernel has no kprobes (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS are off)\\n", what);');
        w.line("return -1;");
      });
      w.block("if (raw && (err == ENOENT || err == EINVAL))", () => {
        w.line('fprintf(stderr, "error: %s: no such tracepoint, or it passes fewer arguments than the program reads\\n", what);');
        w.line("return -1;");
      });
      w.block("if (err == ENOENT || err == EINVAL)", () => {
        w.line('fprintf(stderr, "error: %s: no such kernel function, or it cannot be probed (inlined, notrace or blacklisted)\\n", what);');
        w.line("return -1;");
      });
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.line("return 0;");
  });
  w.line();
}

function emitTracepointAttach(w: CWriter): void {
  w.comment("libbpf finds a tracepoint's id in tracefs; mount it where this machine has not.");
  w.block("static int ks_ensure_tracefs(void)", () => {
    w.line("struct stat st;");
    w.line('if (stat("/sys/kernel/tracing/events", &st) == 0 || stat("/sys/kernel/debug/tracing/events", &st) == 0) return 0;');
    w.block('if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0)', () => {
      w.line('fprintf(stderr, "error: tracefs is not mounted and mounting it failed: %s; run: mount -t tracefs tracefs /sys/kernel/tracing\\n", strerror(errno));');
      w.line("return -1;");
    });
    w.line("return 0;");
  });
  w.line();
  w.comment("Tracepoint: target is \"category/event\" (as in @tracepoint), e.g. \"sched/sched_switch\".");
  w.block("static int ks_attach_tracepoint(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot)", () => {
    w.line("(void)flags;");
    w.line('const char *slash = target ? strchr(target, \'/\') : NULL;');
    w.block("if (!slash || slash == target || !slash[1])", () => {
      w.line('fprintf(stderr, "error: tracepoint program \'%s\' needs a \\"category/event\\" target, got \'%s\'\\n", bpf_program__name(prog), target ? target : "");');
      w.line("return -1;");
    });
    w.line("char category[128];");
    w.line("size_t length = (size_t)(slash - target);");
    w.block("if (length >= sizeof(category))", () => {
      w.line('fprintf(stderr, "error: tracepoint category in \'%s\' is too long\\n", target);');
      w.line("return -1;");
    });
    w.line("if (ks_ensure_tracefs() != 0) return -1;");
    w.line("memcpy(category, target, length);");
    w.line("category[length] = 0;");
    w.line("slot->link = bpf_program__attach_tracepoint(prog, category, slash + 1);");
    w.block("if (!slot->link)", () => {
      w.line("int err = errno;");
      w.line("char what[256];");
      w.line('snprintf(what, sizeof(what), "cannot attach tracepoint program \'%s\' to %s", bpf_program__name(prog), target);');
      w.block("if (err == ENOENT)", () => {
        w.line('fprintf(stderr, "error: %s: the kernel has no such tracepoint (see /sys/kernel/tracing/events/)\\n", what);');
        w.line("return -1;");
      });
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.line("return 0;");
  });
  w.line();
}
