//! `kernelscript init KIND NAME`: a new project for one program type, typed from the
//! running kernel's BTF (bytes handed in by the CLI; this module does no I/O).
//!
//! A project is `NAME.ks` (the program with the right attribute and the kernel's real
//! signature, a ring buffer of events, and a `main` that loads, attaches, prints every
//! event until Ctrl-C and detaches), a `.kh` header with the kernel types it uses written
//! in KernelScript, and a README. Bad kinds and unknown targets are answered with what
//! was expected and the nearest names the kernel has.

import { Btf, BtfError, type BtfType } from "../kernel/btf.js";
import { BtfRenderer, paramNames, safeName } from "./btf-render.js";
import { syscallRecord } from "./syscall-record.js";
import { isPointerField } from "../kernel/tracepoint-format.js";
import { closestName } from "../suggest.js";
import { tracepointRecordStruct } from "../kernel/program-types.js";
import { btfTracepoints, lookupTracepoint } from "../kernel/tracepoints.js";
import { categoryNotChecked, tracepointListHint } from "../diagnostics/tracepoint-wording.js";
import { counterAttributes, counterInitKinds, counterProject, parseCounterKind, type CounterKind } from "./init-counter.js";

export type InitKind =
  | { readonly kind: "xdp" }
  | { readonly kind: "tc"; readonly direction: "ingress" | "egress" }
  | { readonly kind: "tracepoint"; readonly category: string; readonly event: string }
  | { readonly kind: "probe"; readonly fn: string; readonly offset: string | undefined }
  | { readonly kind: "perf_event" }
  | { readonly kind: "struct_ops"; readonly ops: string }
  | CounterKind;

export interface InitInput {
  readonly kind: string;
  readonly name: string;
  /** The kernel's BTF (`/sys/kernel/btf/vmlinux` or `--btf PATH`). */
  readonly btf: Uint8Array;
  /** Where the BTF came from, for the README and messages. */
  readonly btfPath: string;
  /** `category/event` names from tracefs, when the CLI could read them. */
  readonly tracepoints: readonly string[] | undefined;
  /** tracefs' `events/CATEGORY/EVENT/format` text, when the CLI can read it. */
  readonly tracepointFormat?: (category: string, event: string) => string | undefined;
}

export interface InitFile {
  readonly path: string;
  readonly text: string;
}

/** A refusal: what was wrong, and the one-line suggestion (`help`). */
export interface InitError {
  readonly message: string;
  readonly help: string;
}

/** `run`: the loader's arguments in the README's run line (` --interface eth0`). */
export type InitResult = { readonly ok: true; readonly files: readonly InitFile[]; readonly kind: InitKind; readonly run: string } | ({ readonly ok: false } & InitError);

/** The kinds that do not depend on the kernel: the own generators', then the catalogue's templates. */
export const fixedInitKinds: readonly string[] = ["xdp", "tc/ingress", "tc/egress", "tracepoint/CAT/EVENT", "probe/FN", "probe/FN+OFFSET", "perf_event", ...counterInitKinds()];

/** struct_ops types the kernel registers: `X` with a `bpf_struct_ops_X` value struct. */
export function structOpsNames(btf: Btf): string[] {
  const names: string[] = [];
  for (const name of btf.namesOf(["struct"])) {
    if (!name.startsWith("bpf_struct_ops_")) continue;
    const ops = name.slice("bpf_struct_ops_".length);
    const found = btf.findStruct(ops);
    if (found && found.members.some((m) => isFunctionPointer(btf, m.typeId))) names.push(ops);
  }
  return names.sort();
}

function isFunctionPointer(btf: Btf, typeId: number): boolean {
  const type = btf.resolve(typeId);
  return type.kind === "ptr" && btf.resolve(type.typeId).kind === "func_proto";
}

export function initProject(input: InitInput): InitResult {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(input.name)) {
    return fail(`project name \`${input.name}\` is not an identifier`,
      "it names the directory, the .ks file and the generated C; use letters, digits and `_` (e.g. `my_filter`)");
  }
  let btf: Btf;
  try {
    btf = new Btf(input.btf);
  } catch (error) {
    if (error instanceof BtfError) return fail(`\`${input.btfPath}\` is not usable BTF: ${error.message}`, "pass the kernel's BTF with --btf PATH (normally /sys/kernel/btf/vmlinux)");
    throw error;
  }
  const kind = parseKind(input.kind, btf, input.tracepoints);
  if ("message" in kind) return { ok: false, ...kind };
  const project = generate(kind, input.name, btf, input.btfPath, input.tracepointFormat);
  if ("message" in project) return { ok: false, ...project };
  return { ok: true, files: project.files, kind, run: project.run };
}

function fail(message: string, help: string): InitResult {
  return { ok: false, message, help };
}

function parseKind(text: string, btf: Btf, tracepoints: readonly string[] | undefined): InitKind | InitError {
  if (text === "xdp") return { kind: "xdp" };
  if (text === "perf_event") return { kind: "perf_event" };
  if (text === "tc" || text.startsWith("tc/")) {
    const direction = text.slice(3);
    if (direction === "ingress" || direction === "egress") return { kind: "tc", direction };
    return { message: `\`${text}\` is not a TC kind: the direction must be \`ingress\` or \`egress\``, help: "use `tc/ingress` or `tc/egress`" };
  }
  if (text === "tracepoint" || text.startsWith("tracepoint/")) return tracepointKind(text, btf, tracepoints);
  if (text === "probe" || text.startsWith("probe/")) return probeKind(text, btf);
  const counter = parseCounterKind(text);
  if (counter) return counter;
  const ops = structOpsNames(btf);
  if (ops.includes(text)) return { kind: "struct_ops", ops: text };
  const valid = [...fixedInitKinds, ...ops];
  const near = closestName(text, ["xdp", "tc/ingress", "tc/egress", "perf_event", "tracepoint", "probe", ...counterAttributes(), ...ops, "sched_ext_ops"]);
  const extra = text === "sched_ext_ops" ? " (this kernel has no sched_ext: it was built without CONFIG_SCHED_CLASS_EXT)" : "";
  return {
    message: `unknown project kind \`${text}\`${extra}`,
    help: `${near && near !== text ? `did you mean \`${near}\`? ` : ""}valid kinds: ${valid.join(", ")}`,
  };
}

function tracepointKind(text: string, btf: Btf, tracepoints: readonly string[] | undefined): InitKind | InitError {
  const parts = text.split("/");
  if (parts.length !== 3 || parts[1] === "" || parts[2] === "") {
    return { message: `\`${text}\` does not name a tracepoint`, help: "write `tracepoint/CATEGORY/EVENT`, e.g. `tracepoint/sched/sched_switch` (see /sys/kernel/tracing/events)" };
  }
  const [, category, event] = parts as [string, string, string];
  const target = `${category}/${event}`;
  const record = tracepointRecordStruct(target);
  const verdict = lookupTracepoint(category, event, { tracefs: tracepoints, btf: btfTracepoints(btf) });
  if (verdict.kind === "missing") {
    const unchecked = verdict.categoryChecked ? "" : ` ${categoryNotChecked}`;
    return {
      message: `the kernel has no tracepoint \`${target}\``,
      help: verdict.suggestion ? `did you mean \`tracepoint/${verdict.suggestion}\`?${unchecked}` : tracepointListHint,
    };
  }
  if (!btf.findStruct(record)) {
    return {
      message: `tracepoint \`${target}\` exists, but its record struct \`${record}\` is not in the kernel's BTF`,
      help: "events defined with a shared class use `trace_event_raw_<class>`, which programs cannot name yet; choose an event with its own record (e.g. `tracepoint/sched/sched_switch`)",
    };
  }
  return { kind: "tracepoint", category, event };
}

function probeKind(text: string, btf: Btf): InitKind | InitError {
  const spec = text.slice("probe/".length);
  const match = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\+(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(spec);
  if (text === "probe" || !match) {
    return { message: `\`${text}\` does not name a kernel function`, help: "write `probe/FUNCTION` (fentry) or `probe/FUNCTION+OFFSET` (kprobe), e.g. `probe/vfs_read`" };
  }
  const fn = match[1]!;
  if (!btf.findFunction(fn)) {
    const near = closestName(fn, btf.namesOf(["func"]));
    return { message: `the kernel's BTF has no function \`${fn}\``, help: near ? `did you mean \`probe/${near}${match[2] ? `+${match[2]}` : ""}\`?` : "list traceable functions with `bpftool btf dump file /sys/kernel/btf/vmlinux | grep FUNC`" };
  }
  return { kind: "probe", fn, offset: match[2] };
}

// ---------------------------------------------------------------------------------------
// Generation.

interface Parts {
  readonly header: string;
  readonly rendered: BtfRenderer;
  /** Types of the program's own before the event record (a system call's record struct). */
  readonly types: readonly string[];
  /** Fields of the event record streamed to user space. */
  readonly eventFields: readonly string[];
  /** An aggregation map printed at exit (`@top`, `@hist`), declared before the program. */
  readonly aggregation: { readonly declaration: string; readonly name: string } | undefined;
  readonly program: readonly string[];
  /** The body of the event printer (`e` is the record). */
  readonly print: readonly string[];
  /** `main`: loading, attaching (returning 1 on failure), the message once attached. */
  readonly start: readonly string[];
  readonly attachedMessage: string;
  readonly detach: readonly string[];
  readonly usesArgs: boolean;
  /** How to run it, for the README. */
  readonly run: string;
  readonly summary: string;
  readonly limits: readonly string[];
}

function generate(kind: InitKind, name: string, btf: Btf, btfPath: string, format: InitInput["tracepointFormat"]): { readonly files: InitFile[]; readonly run: string } | InitError {
  if (kind.kind === "counter") {
    const project = counterProject(kind, name, btf, btfPath, kindText(kind));
    return {
      files: [{ path: `${name}.ks`, text: project.source }, ...(project.header ? [project.header] : []), { path: "README.md", text: project.readme }],
      run: project.run,
    };
  }
  const parts = partsFor(kind, name, btf, format);
  if ("message" in parts) return parts;
  const rendered = parts.rendered.result();
  const headerText = [
    `// Kernel types used by ${name}.ks, from the kernel's BTF (${btfPath}),`,
    "// written in KernelScript by `kernelscript init`. The compiler reads the same types from",
    "// BTF; this file documents them and makes the project's types explicit.",
    "",
    rendered.declarations.join("\n\n"),
    "",
  ].join("\n");
  const source = [
    `// ${parts.summary}`,
    `// Made by \`kernelscript init ${kindText(kind)} ${name}\`; build with \`kernelscript build ${name}.ks\`.`,
    "",
    `include "${parts.header}"`,
    "",
    ...parts.types.flatMap((t) => [t, ""]),
    "// One record per event, streamed to user space through the ring buffer.",
    `struct ${name}_event {`,
    ...parts.eventFields.map((f) => `    ${f},`),
    "}",
    "",
    `var ${name}_events: ringbuf<${name}_event>(262144)`,
    `var ${name}_count: array<u32, u64>(1)`,
    ...(parts.aggregation ? [parts.aggregation.declaration] : []),
    "",
    ...parts.program,
    "",
    `fn print_${name}_event(e: *${name}_event) -> i32 {`,
    ...parts.print.map((l) => `    ${l}`),
    "    return 0",
    "}",
    "",
    ...mainLines(name, parts),
    "",
  ].join("\n");
  const readme = [
    `# ${name}`,
    "",
    parts.summary,
    "",
    `Made by \`kernelscript init ${kindText(kind)} ${name}\` from ${btfPath}.`,
    "",
    "## Files",
    "",
    `- \`${name}.ks\` — the eBPF program and its user-space \`main\`.`,
    `- \`${parts.header}\` — the kernel types it uses (${rendered.names.map((n) => `\`${n}\``).join(", ") || "none"}), in KernelScript.`,
    "",
    "## Build and run",
    "",
    "```",
    `kernelscript build ${name}.ks        # writes ${name}/ with ${name}.bpf.o and the loader ${name}/${name}`,
    `sudo ./${name}/${name}${parts.run}`,
    "```",
    "",
    "The loader prints one line per event until Ctrl-C (SIGINT) or SIGTERM; then the rest",
    `of \`main\` runs: it detaches, prints the number of events${parts.aggregation ? ` and \`${parts.aggregation.name}\`` : ""}, and exits 0.`,
    ...(parts.limits.length > 0 ? ["", "## Limits", "", ...parts.limits.map((l) => `- ${l}`)] : []),
    "",
  ].join("\n");
  return {
    files: [
      { path: `${name}.ks`, text: source },
      { path: parts.header, text: headerText },
      { path: "README.md", text: readme },
    ],
    run: parts.run,
  };
}

function kindText(kind: InitKind): string {
  switch (kind.kind) {
    case "xdp": case "perf_event": return kind.kind;
    case "tc": return `tc/${kind.direction}`;
    case "tracepoint": return `tracepoint/${kind.category}/${kind.event}`;
    case "probe": return `probe/${kind.fn}${kind.offset ? `+${kind.offset}` : ""}`;
    case "struct_ops": return kind.ops;
    case "counter": return kind.target === undefined ? kind.attribute : `${kind.attribute}/${kind.target}`;
  }
}

/** Events counted into `NAME_count[0]` and sent as one record. */
function submitLines(name: string, fill: readonly string[], indent = "    "): string[] {
  return [
    `${indent}${name}_count[0] += 1`,
    `${indent}if (var e = ${name}_events.reserve()) {`,
    `${indent}    e.seq = ${name}_count[0]`,
    ...fill.map((line) => `${indent}    ${line}`),
    `${indent}    ${name}_events.submit(e)`,
    `${indent}}`,
  ];
}

/**
 * The long-running `main`: events delivered for up to a second at a time until Ctrl-C
 * (SIGINT) or SIGTERM ends `running()`; then the rest runs — detach, the final report.
 */
function mainLines(name: string, parts: Parts): string[] {
  return [
    ...(parts.usesArgs ? ["struct Args {", "    interface: str(16),", "}", ""] : []),
    parts.usesArgs ? "fn main(args: Args) -> i32 {" : "fn main() -> i32 {",
    ...parts.start.map((l) => `    ${l}`),
    `    printf("${parts.attachedMessage}; Ctrl-C to stop\\n")`,
    `    ${name}_events.on_event(print_${name}_event)`,
    "    var result: i32 = 0",
    "    while (running()) {",
    `        result = dispatch(${name}_events, 1s)`,
    "        if (result != 0) {",
    "            break",
    "        }",
    "    }",
    ...parts.detach.map((l) => `    ${l}`),
    `    printf("%llu events\\n", ${name}_count[0])`,
    ...(parts.aggregation ? [`    ${parts.aggregation.name}.print()`] : []),
    "    return result",
    "}",
  ];
}

function attachLines(call: string, failure: string): string[] {
  return [`if (${call} != 0) {`, `    eprintf("${failure}\\n")`, "    return 1", "}"];
}

/** The processes that caused the most events, printed at exit (`@top`). */
function topByComm(name: string): { readonly declaration: string; readonly name: string } {
  return { declaration: `@top(10) var ${name}_by_comm: percpu_hash<str(16), u64>(1024)`, name: `${name}_by_comm` };
}

function partsFor(kind: Exclude<InitKind, CounterKind>, name: string, btf: Btf, format: InitInput["tracepointFormat"]): Parts | InitError {
  const rendered = new BtfRenderer(btf);
  switch (kind.kind) {
    case "xdp": case "tc": {
      const isXdp = kind.kind === "xdp";
      const handler = isXdp ? `${name}_handler` : `${name}_${kind.kind === "tc" ? kind.direction : ""}_handler`;
      rendered.addStruct(isXdp ? "xdp_md" : "__sk_buff");
      if (isXdp) rendered.addEnum("xdp_action");
      const attribute = kind.kind === "tc" ? `@tc("${kind.direction}")` : "@xdp";
      const signature = isXdp ? `fn ${handler}(ctx: *xdp_md) -> xdp_action` : `fn ${handler}(ctx: *__sk_buff) -> i32`;
      const length = isXdp ? "(ctx.data_end - ctx.data) as u32" : "ctx.len";
      const ifindex = isXdp ? "ctx.ingress_ifindex" : "ctx.ifindex";
      return {
        header: isXdp ? "xdp.kh" : "tc.kh",
        rendered,
        types: [],
        eventFields: ["seq: u64", "ifindex: u32", "length: u32"],
        aggregation: { declaration: `@hist var ${name}_sizes: percpu_array<u32, u64>(65)`, name: `${name}_sizes` },
        program: [
          attribute,
          `${signature} {`,
          `    var length = ${length}`,
          `    ${name}_sizes[log2(length as u64)] += 1   // a log2 histogram (per-CPU: no atomics), printed at exit`,
          ...submitLines(name, [`e.ifindex = ${ifindex}`, "e.length = length"]),
          `    return ${isXdp ? "XDP_PASS" : "TC_ACT_OK"}`,
          "}",
        ],
        print: ['printf("packet %llu: %u bytes on ifindex %u\\n", e.seq, e.length, e.ifindex)'],
        start: [`var prog = load(${handler})`,
          ...attachLines("attach(prog, args.interface, 0)", `could not attach ${handler} to the interface given with --interface`)],
        attachedMessage: `${handler} attached${kind.kind === "tc" ? ` (${kind.direction})` : ""}`,
        detach: ["detach(prog)"],
        usesArgs: true,
        run: " --interface eth0",
        summary: isXdp
          ? "An XDP program: reports every frame arriving on an interface with its size, and a histogram of the sizes at exit; every frame is passed on."
          : `A TC ${kind.direction} program: reports every packet ${kind.direction === "ingress" ? "entering" : "leaving"} an interface with its size, and a histogram of the sizes at exit; every packet goes on.`,
        limits: [],
      };
    }
    case "tracepoint":
      return tracepointParts(kind, name, btf, rendered, format);
    case "probe": {
      const proto = btf.findFunction(kind.fn)!;
      const target = `${kind.fn}${kind.offset ? `+${kind.offset}` : ""}`;
      const handler = safeName(kind.fn);
      let params: string[] = [];
      let value = "0";
      const limits: string[] = [];
      rendered.addStruct("pt_regs");
      if (kind.offset === undefined) {
        params = proto.params.slice(0, 12).map((p, i) => `${safeName(p.name || `arg${i}`)}: ${rendered.typeName(p.typeId)}`);
        const integer = proto.params.findIndex((p) => isInteger(btf.resolve(p.typeId)));
        if (integer >= 0) value = `${safeName(proto.params[integer]!.name || `arg${integer}`)} as u64`;
        limits.push("A probe at a function's entry is an fentry program (BPF trampoline): kernels under lockdown refuse to load it (EPERM).");
      } else {
        limits.push("A probe at an offset is a kprobe: the kernel needs CONFIG_KPROBES, and the registers no longer hold the arguments there.");
      }
      const top = topByComm(name);
      return {
        header: "probe.kh",
        rendered,
        types: [],
        eventFields: ["seq: u64", "pid: u32", "comm: str(16)", "value: u64"],
        aggregation: top,
        program: [
          `// The kernel's prototype: ${kind.fn}${rendered.prototype(proto).slice(2)}`,
          `@probe("${target}")`,
          `fn ${handler}(${params.join(", ")}) -> i32 {`,
          `    ${top.name}[comm()] += 1`,
          ...submitLines(name, ["e.pid = pid()", "e.comm = comm()", `e.value = ${value}`]),
          "    return 0",
          "}",
        ],
        print: ['printf("call %llu: pid %u (%s), value %llu\\n", e.seq, e.pid, e.comm, e.value)'],
        start: [`var prog = load(${handler})`, ...attachLines(`attach(prog, "${target}", 0)`, `could not attach the probe on ${target}`)],
        attachedMessage: `probe attached to ${target}`,
        detach: ["detach(prog)"],
        usesArgs: false,
        run: "",
        summary: `A probe on the kernel function \`${target}\`: one line per call with the calling process${value !== "0" ? " and its first integer argument" : ""}; the busiest processes at exit.`,
        limits,
      };
    }
    case "perf_event": {
      rendered.addStruct("bpf_perf_event_data");
      const top = topByComm(name);
      return {
        header: "perf_event.kh",
        rendered,
        types: [],
        eventFields: ["seq: u64", "cpu: u32", "pid: u32", "comm: str(16)"],
        aggregation: top,
        program: [
          "@perf_event",
          `fn ${name}_handler(ctx: *bpf_perf_event_data) -> i32 {`,
          `    ${top.name}[comm()] += 1`,
          ...submitLines(name, ["e.cpu = bpf_get_smp_processor_id()", "e.pid = pid()", "e.comm = comm()"]),
          "    return 0",
          "}",
        ],
        print: ['printf("sample %llu: cpu %u, pid %u (%s)\\n", e.seq, e.cpu, e.pid, e.comm)'],
        start: [
          `var prog = load(${name}_handler)`,
          "// The software cpu-clock of CPU 0, every 100 ms of its time (period in ns).",
          "var att = attach(prog, perf_options { perf_type: perf_type_software, perf_config: cpu_clock, pid: -1, cpu: 0, period: 100000000 }, 0)",
          "if (att.perf_fd < 0) {",
          '    eprintf("could not open the perf event\\n")',
          "    return 1",
          "}",
        ],
        attachedMessage: `${name}_handler sampling CPU 0`,
        detach: ["detach(att)", "detach(prog)"],
        usesArgs: false,
        run: "",
        summary: "A perf_event program sampling CPU 0 on its software cpu-clock (10 times a second): one line per sample with the process it interrupted; at exit, the processes sampled most.",
        limits: ["Hardware events (`perf_type_hardware`) need a real PMU, often missing in VMs and containers."],
      };
    }
    case "struct_ops":
      return structOpsParts(kind.ops, name, btf, rendered);
  }
}

/**
 * A tracepoint program. A system call's record comes from tracefs' format, with the
 * real argument names (`ctx.filename`); without tracefs it is BTF's shared
 * `trace_event_raw_sys_enter` with `args[6]`, and the source says why.
 */
function tracepointParts(kind: Extract<InitKind, { kind: "tracepoint" }>, name: string, btf: Btf, rendered: BtfRenderer, format: InitInput["tracepointFormat"]): Parts {
  const target = `${kind.category}/${kind.event}`;
  const handler = `${kind.category}_${kind.event}_handler`;
  const top = topByComm(name);
  const formatText = kind.category === "syscalls" ? format?.(kind.category, kind.event) : undefined;
  const record = formatText === undefined ? undefined : syscallRecord(kind.event, formatText);
  let context: string;
  let fields: string[];
  let fill: string[];
  let print: string;
  let what: string;
  const notes: string[] = [];
  const types: string[] = [];
  if (record) {
    // The struct is the program's own (the kernel has no C name for it). Its 8-byte header
    // is the kernel's trace_entry, documented in the .kh but written `common: u64`: the
    // loader's C has no vmlinux.h to embed it from.
    rendered.addStruct("trace_entry");
    types.push(record.declaration);
    context = record.struct;
    const text = record.fields.find((f) => f.type === "*u8");
    const value = record.fields.find((f) => !isPointerField(f.source));
    fields = ["seq: u64", "pid: u32", "comm: str(16)", ...(value ? [`${value.name}: ${value.valueType}`] : []), ...(text ? [`${text.name}: str(128)`] : [])];
    fill = ["e.pid = pid()", "e.comm = comm()",
      ...(value ? [`e.${value.name} = ctx.${value.name}${value.valueType === value.type ? "" : ` as ${value.valueType}`}`] : []),
      ...(text ? [`e.${text.name} = str(ctx.${text.name}, 128)   // a user address: bpf_probe_read_user_str`] : [])];
    const shown = [
      ...(value ? [{ format: `${value.name} ${printfConversion(value.valueType)}`, arg: `e.${value.name}` }] : []),
      ...(text ? [{ format: `${text.name} \\"%s\\"`, arg: `e.${text.name}` }] : []),
    ];
    print = `printf("event %llu: pid %u (%s)${shown.map((s) => `, ${s.format}`).join("")}\\n", e.seq, e.pid, e.comm${shown.map((s) => `, ${s.arg}`).join("")})`;
    what = [value?.name, text?.name].filter((n) => n !== undefined).map((n) => `\`${n}\``).join(" and ") || "no arguments";
  } else {
    context = tracepointRecordStruct(target);
    rendered.addStruct(context);
    const field = firstIntegerField(btf, context);
    if (kind.category === "syscalls") {
      notes.push("// tracefs (events/syscalls/.../format) was not readable, so the system call's argument",
        "// names are unknown here: the record is BTF's shared one, `args[i]` by position (see",
        "// docs/init.md; run init where tracefs is mounted to get the named struct).");
    }
    fields = ["seq: u64", "pid: u32", "comm: str(16)", "value: u64"];
    fill = ["e.pid = pid()", "e.comm = comm()",
      field ? `e.value = ctx.${field} as u64   // \`${field}\` of the record; see tracepoint.kh for the others` : "e.value = 0"];
    print = 'printf("event %llu: pid %u (%s), value %llu\\n", e.seq, e.pid, e.comm, e.value)';
    what = field ? `\`${field}\`` : "(no integer field)";
  }
  return {
    header: "tracepoint.kh",
    rendered,
    types,
    eventFields: fields,
    aggregation: top,
    program: [
      ...notes,
      `@tracepoint("${target}")`,
      `fn ${handler}(ctx: *${context}) -> i32 {`,
      `    ${top.name}[comm()] += 1`,
      ...submitLines(name, fill),
      "    return 0",
      "}",
    ],
    print: [print],
    start: [`var prog = load(${handler})`, ...attachLines(`attach(prog, "${target}", 0)`, `could not attach ${handler} to ${target}`)],
    attachedMessage: `${handler} attached to ${target}`,
    detach: ["detach(prog)"],
    usesArgs: false,
    run: "",
    summary: `A tracepoint program on \`${target}\`: one line per hit with the calling process and the record's ${what}; the busiest processes at exit.`,
    limits: [],
  };
}

const requiredOps: ReadonlyMap<string, readonly string[]> = new Map([["tcp_congestion_ops", ["ssthresh", "undo_cwnd", "cong_avoid"]]]);
const methodBodies: ReadonlyMap<string, string> = new Map([
  ["ssthresh", "    return 16   // a fixed window of 16 segments: replace with your algorithm"],
  ["undo_cwnd", "    return 16"],
]);

function structOpsParts(ops: string, name: string, btf: Btf, rendered: BtfRenderer): Parts {
  rendered.addStruct(ops, true);
  const found = btf.findStruct(ops)!;
  const required = requiredOps.get(ops);
  const methods = found.members.filter((m) => m.name !== "" && isFunctionPointer(btf, m.typeId));
  const chosen = required ? methods.filter((m) => required.includes(m.name) || m.name === "init") : methods.slice(0, 1);
  const program: string[] = [`@struct_ops("${ops}")`, `impl ${name} {`];
  for (const member of chosen) {
    const pointer = btf.resolve(member.typeId);
    const proto = pointer.kind === "ptr" ? btf.resolve(pointer.typeId) : pointer;
    if (proto.kind !== "func_proto") continue;
    const returns = rendered.typeName(proto.returnId);
    const names = paramNames(btf, proto);
    const params = proto.params.map((p, i) => `${names[i]}: ${rendered.typeName(p.typeId)}`);
    program.push(`    fn ${member.name}(${params.join(", ")}) -> ${returns} {`);
    if (member.name === "init") program.push(...submitLines(name, ["e.calls = 1"], "        "));
    const body = methodBodies.get(member.name);
    if (body) program.push(`    ${body}`);
    else if (returns !== "void") program.push(`        return ${returns === "bool" ? "false" : returns.startsWith("*") ? "null" : "0"}`);
    program.push("    }");
  }
  const nameField = found.members.find((m) => m.name === "name");
  if (nameField) program.push(`    name: "${name.slice(0, 15)}",`);
  const others = methods.filter((m) => !chosen.includes(m)).map((m) => m.name);
  if (others.length > 0) program.push(`    // Other methods (prototypes in ${ops}.kh): ${others.join(", ")}`);
  program.push("}");
  return {
    header: `${ops}.kh`,
    rendered,
    types: [],
    eventFields: ["seq: u64", "calls: u32"],
    aggregation: undefined,
    program,
    print: [`printf("${name}: method call %llu (init)\\n", e.seq)`],
    start: attachLines(`register(${name})`, `could not register ${name} as a ${ops}`),
    attachedMessage: ops === "tcp_congestion_ops"
      ? `${name.slice(0, 15)} registered; use it with sysctl net.ipv4.tcp_congestion_control=${name.slice(0, 15)}`
      : `${name} registered`,
    detach: [],
    usesArgs: false,
    run: "",
    summary: ops === "tcp_congestion_ops"
      ? "A TCP congestion control (struct_ops `tcp_congestion_ops`) with a fixed window; one event per connection it starts managing."
      : `A struct_ops implementation of \`${ops}\` (methods typed from the kernel's prototypes).`,
    limits: ops === "tcp_congestion_ops" ? ["The congestion control name is at most 15 characters (TCP_CA_NAME_MAX)."] : [],
  };
}

/** The printf conversion of an integer type named in KernelScript (`i32` → `%d`). */
function printfConversion(type: string): string {
  const wide = type.endsWith("64");
  return type.startsWith("i") ? (wide ? "%lld" : "%d") : (wide ? "%llu" : "%u");
}

function isInteger(type: BtfType): boolean {
  return (type.kind === "int" && !type.isBool && [1, 2, 4, 8].includes(type.size)) || type.kind === "enum";
}

function firstIntegerField(btf: Btf, record: string): string | undefined {
  const found = btf.findStruct(record);
  for (const member of found?.members ?? []) {
    if (member.name === "" || member.name.startsWith("__") || member.bitSize > 0) continue;
    const type = btf.resolve(member.typeId);
    if (type.kind === "int" && !type.isBool && !type.isChar && type.name !== "char" && [1, 2, 4, 8].includes(type.size)) return member.name;
  }
  return undefined;
}
