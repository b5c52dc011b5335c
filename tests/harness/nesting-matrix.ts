// The nesting matrix: every construct that carries state (loops of each lowering, `new`,
// strings, map-value bindings, lookup aliases, entry pointers, ring-buffer records,
// `try`/`throw`, `defer`, `match` as statement and as value, header bindings) nested
// inside every kind of block (if/else, header, pointer and map-entry bindings, loop
// bodies of each lowering, try and catch bodies, match arms and match values, plain
// blocks, helper bodies). Each combination is its own eBPF program (or user-space
// function) that adds what it did to `mx_results[K]`, so one run checks every
// combination's effect separately. The sources are generated here and stored as
// goldens under tests/cases/matrix/ (tests/nesting-matrix.test.ts); the kernel test
// builds them with -Werror, loads every program and runs each once
// (tests/kernel/nesting-matrix.test.ts).

export type Side = "kernel" | "user";

/** A construct for combination `k`: the statements, given how often its container runs them. */
export interface Construct {
  readonly name: string;
  readonly sides: readonly Side[];
  /** Statements that add what they did to `mx_results[k]`. */
  code(k: number, side: Side): string;
  /** The value `mx_results[k]` must hold after the container ran the code `times` times. */
  expected(times: number): bigint;
  /** Ring-buffer records (`MxEvent.id == k`) it submits per run of its code. */
  readonly records?: number;
  /** The diagnostic the compiler gives instead of code when the language (for now) refuses it inside `container` on `side`. */
  refusedIn?(container: Container, side: Side): string | undefined;
}

export interface Container {
  readonly name: string;
  readonly sides: readonly Side[];
  /** How often the inner code runs. */
  readonly times: number;
  /** Its body becomes a loop callback on this side. */
  readonly callback?: Side;
  /** It is (or contains) a loop. */
  readonly loop?: boolean;
  /** It holds an object from `new` while the inner code runs. */
  readonly holdsObject?: boolean;
  /** Statements running `inner` (`k` names the container's own variables). */
  wrap(inner: string, k: number, side: Side): string;
  /** A helper function the container needs (declared before the program). */
  helper?(inner: string, k: number, side: Side): string;
}

const both: readonly Side[] = ["kernel", "user"];
const kernelOnly: readonly Side[] = ["kernel"];

/** Sum of `mx_pairs` (preset to 3 and 4): a map read the compiler cannot fold away. */
const pairSum = 7n;

export const constructs: readonly Construct[] = [
  {
    name: "loop_unrolled", sides: both,
    code: (k) => `var acc_${k}: u64 = 0
for (i_${k} in 0..4) {
    acc_${k} += mx_pairs[i_${k} % 2] + 1
}
mx_results[${k}] += acc_${k}`,
    expected: (t) => BigInt(t) * (2n * pairSum + 4n),
  },
  {
    name: "loop_bounded", sides: both,
    code: (k) => `var acc_${k}: u64 = 0
for (i_${k} in 0..40) {
    acc_${k} += mx_pairs[i_${k} % 2]
}
mx_results[${k}] += acc_${k}`,
    expected: (t) => BigInt(t) * 20n * pairSum,
  },
  {
    // `mx_limit` is a global: a runtime bound, so a bpf_loop() callback in eBPF.
    name: "loop_callback", sides: both,
    code: (k) => `var acc_${k}: u64 = 0
for (i_${k} in 0..mx_limit) {
    acc_${k} += mx_pairs[i_${k} % 2] + 1
}
mx_results[${k}] += acc_${k}`,
    expected: (t) => BigInt(t) * (3n + 4n + 3n + 3n),
  },
  {
    name: "loop_while", sides: both,
    code: (k) => `var j_${k}: u32 = 0
var acc_${k}: u64 = 0
while (j_${k} < 10) {
    acc_${k} += mx_pairs[j_${k} % 2]
    j_${k} += 1
}
mx_results[${k}] += acc_${k}`,
    expected: (t) => BigInt(t) * 5n * pairSum,
  },
  {
    name: "loop_map", sides: both,
    code: (k) => `var acc_${k}: u64 = 0
for (key_${k}, value_${k}) in mx_pairs {
    acc_${k} += value_${k} + key_${k} as u64
}
mx_results[${k}] += acc_${k}`,
    expected: (t) => BigInt(t) * (pairSum + 1n),
  },
  {
    name: "new_delete", sides: both,
    code: (k) => `var o_${k} = new MxObj()
if (o_${k} != null) {
    o_${k}.v = 2
    o_${k}.v += 3
    mx_results[${k}] += o_${k}.v
    delete o_${k}
}`,
    expected: (t) => BigInt(t) * 5n,
  },
  {
    name: "strings", sides: both,
    code: (k) => `var s_${k}: str(8) = "ab"
var t_${k} = s_${k} + "cd"
if (t_${k} == "abcd" && t_${k}[3] == 'd') {
    mx_results[${k}] += 1
}`,
    expected: (t) => BigInt(t),
  },
  {
    name: "map_binding", sides: both,
    code: (k) => `if (var e_${k} = mx_stats[${k}]) {
    e_${k}.count += 3
    mx_results[${k}] = e_${k}.count
}`,
    expected: (t) => BigInt(t) * 3n,
  },
  {
    name: "alias", sides: both,
    code: (k) => `var a_${k} = mx_stats[${k}]
a_${k}.count += 5
mx_results[${k}] = a_${k}.count`,
    expected: (t) => BigInt(t) * 5n,
  },
  {
    name: "entry_pointer", sides: kernelOnly,
    code: (k) => `var p_${k} = &mx_stats[${k}]
if (p_${k} != null) {
    p_${k}.count += 7
    mx_results[${k}] = p_${k}.count
}`,
    expected: (t) => BigInt(t) * 7n,
  },
  {
    name: "ringbuf", sides: kernelOnly, records: 1,
    code: (k) => `if (var r_${k} = mx_events.reserve()) {
    r_${k}.id = ${k}
    mx_events.submit(r_${k})
    mx_results[${k}] += 1
}`,
    expected: (t) => BigInt(t),
  },
  {
    name: "try_throw", sides: both,
    // A throw inside a bpf_loop() callback is not supported yet; the reference analysis
    // treats a throw as leaving the function, so a live object of the container counts
    // as leaked even when the throw is caught.
    refusedIn: (c, side) => (c.callback === side ? "E0501" : c.holdsObject ? "E0420" : undefined),
    code: (k) => `try {
    if (mx_on) {
        throw 4
    }
    mx_results[${k}] += 100
} catch 4 {
    mx_results[${k}] += 1
}`,
    expected: (t) => BigInt(t),
  },
  {
    // Armed once or many times, it runs once, when the function exits.
    name: "defer", sides: both,
    refusedIn: (c) => (c.loop ? "E0503" : undefined),
    code: (k) => `defer mx_mark(${k})`,
    expected: (t) => (t > 0 ? 1n : 0n),
  },
  {
    name: "match_stmt", sides: both,
    code: (k) => `match (mx_sel) {
    1: {
        mx_results[${k}] += 2
    },
    default: {
        mx_results[${k}] += 100
    }
}`,
    expected: (t) => BigInt(t) * 2n,
  },
  {
    name: "match_value", sides: both,
    code: (k) => `var m_${k}: u64 = 1 + match (mx_sel) {
    1: {
        var z_${k}: u64 = mx_pairs[1]
        z_${k} + 3
    },
    default: 100,
}
mx_results[${k}] += m_${k}`,
    expected: (t) => BigInt(t) * 8n,
  },
  {
    name: "header", sides: kernelOnly,
    code: (k) => `if (var ip_${k}: *iphdr = ctx.header(14)) {
    mx_results[${k}] += ip_${k}.protocol as u64
}`,
    expected: (t) => BigInt(t) * 17n,
  },
  {
    // prog-run runs XDP programs with ingress_ifindex 1 (lo).
    name: "context_field", sides: kernelOnly,
    code: (k) => `mx_results[${k}] += ctx.ingress_ifindex as u64 + (ctx.data_end - ctx.data) / 64`,
    expected: (t) => BigInt(t) * 2n,
  },
];

const indent = (text: string, by = "    "): string => text.split("\n").map((l) => (l === "" ? l : by + l)).join("\n");

export const containers: readonly Container[] = [
  { name: "plain", sides: both, times: 1, wrap: (inner) => `{\n${indent(inner)}\n}` },
  { name: "if_then", sides: both, times: 1, wrap: (inner) => `if (mx_on) {\n${indent(inner)}\n}` },
  { name: "if_else", sides: both, times: 1, wrap: (inner) => `if (!mx_on) {\n    mx_results[0] += 1\n} else {\n${indent(inner)}\n}` },
  {
    name: "header", sides: kernelOnly, times: 1,
    wrap: (inner, k) => `if (var eth_c${k}: *ethhdr = ctx.header(0)) {\n${indent(inner)}\n}`,
  },
  {
    name: "pointer", sides: both, times: 1, holdsObject: true,
    wrap: (inner, k) => `if (var obj_c${k} = new MxObj()) {\n    obj_c${k}.v = 1\n${indent(inner)}\n    delete obj_c${k}\n}`,
  },
  {
    name: "map_entry", sides: both, times: 1,
    wrap: (inner, k) => `if (var cfg_c${k} = mx_config[0]) {\n${indent(inner)}\n    cfg_c${k}.count += 1\n}`,
  },
  {
    name: "helper", sides: both, times: 1,
    helper: (inner, k, side) => side === "kernel"
      ? `@helper\nfn mx_helper_${k}(ctx: XdpContext) {\n${indent(inner)}\n}`
      : `fn mx_helper_${k}() {\n${indent(inner)}\n}`,
    wrap: (_inner, k, side) => (side === "kernel" ? `mx_helper_${k}(ctx)` : `mx_helper_${k}()`),
  },
  { name: "loop_unrolled", sides: both, times: 2, loop: true, wrap: (inner, k) => `for (q_c${k} in 0..2) {\n${indent(inner)}\n}` },
  { name: "loop_bounded", sides: both, times: 20, loop: true, wrap: (inner, k) => `for (q_c${k} in 0..20) {\n${indent(inner)}\n}` },
  {
    name: "loop_callback", sides: both, times: 3, callback: "kernel", loop: true,
    wrap: (inner, k) => `for (q_c${k} in 0..mx_rounds) {\n${indent(inner)}\n}`,
  },
  {
    name: "loop_while", sides: both, times: 3, loop: true,
    wrap: (inner, k) => `var w_c${k}: u32 = 0\nwhile (w_c${k} < 3) {\n    w_c${k} += 1\n${indent(inner)}\n}`,
  },
  {
    name: "loop_map", sides: both, times: 2, callback: "kernel", loop: true,
    wrap: (inner, k) => `for (mk_c${k}, mv_c${k}) in mx_pairs {\n${indent(inner)}\n}`,
  },
  { name: "try", sides: both, times: 1, wrap: (inner) => `try {\n${indent(inner)}\n} catch _ {\n    mx_results[0] += 1\n}` },
  {
    name: "catch", sides: both, times: 1,
    wrap: (inner) => `try {\n    if (mx_on) {\n        throw 9\n    }\n} catch 9 {\n${indent(inner)}\n}`,
  },
  {
    name: "match_arm", sides: both, times: 1,
    wrap: (inner) => `match (mx_sel) {\n    1: {\n${indent(inner, "        ")}\n    },\n    default: {\n        mx_results[0] += 1\n    }\n}`,
  },
  {
    // A match inside a larger expression: a value block (C statement expression).
    name: "match_value", sides: both, times: 1,
    wrap: (inner, k) => `var v_c${k}: u64 = 1 + match (mx_sel) {\n    1: {\n${indent(inner, "        ")}\n        1\n    },\n    default: 100,\n}\nif (v_c${k} != 2) {\n    mx_results[0] += 1\n}`,
  },
];

/** `inner` inside `outer`: a block of one kind holding a block of another. */
function nested(outerName: string, innerName: string): Container {
  const outer = containers.find((c) => c.name === outerName)!;
  const inner = containers.find((c) => c.name === innerName)!;
  const callback = outer.callback ?? inner.callback;
  const loop = outer.loop === true || inner.loop === true;
  const holdsObject = outer.holdsObject === true || inner.holdsObject === true;
  return {
    name: `${outer.name}_${inner.name}`,
    sides: outer.sides.filter((side) => inner.sides.includes(side)),
    times: outer.times * inner.times,
    ...(callback ? { callback } : {}), ...(loop ? { loop } : {}), ...(holdsObject ? { holdsObject } : {}),
    wrap: (code, k, side) => outer.wrap(inner.wrap(code, k, side), k, side),
  };
}

/** Two-level nestings where one pass's context meets another's (callbacks, value blocks, bindings). */
const nestedContainers: readonly Container[] = [
  nested("header", "loop_callback"),
  nested("loop_callback", "match_value"),
  nested("match_value", "loop_callback"),
  nested("loop_map", "map_entry"),
  nested("pointer", "try"),
  nested("catch", "loop_unrolled"),
  nested("loop_callback", "loop_bounded"),
];

export interface Combination {
  readonly k: number;
  readonly container: Container;
  readonly construct: Construct;
  readonly side: Side;
  /** The program (eBPF) or function (user space) holding it. */
  readonly name: string;
  /** The diagnostic the compiler must give instead of code, if the language refuses it here. */
  readonly refused: string | undefined;
}

export interface MatrixFile {
  /** File stem under tests/cases/matrix/. */
  readonly name: string;
  readonly side: Side;
  readonly combinations: readonly Combination[];
}

/** Container groups, one file (one eBPF object) each, so a failure names a small file. */
const groups: readonly { readonly suffix: string; readonly containers: readonly string[] }[] = [
  { suffix: "blocks", containers: ["plain", "if_then", "if_else", "header", "pointer", "map_entry", "helper"] },
  { suffix: "loops", containers: ["loop_unrolled", "loop_bounded", "loop_callback", "loop_while", "loop_map"] },
  { suffix: "flow", containers: ["try", "catch", "match_arm", "match_value"] },
  { suffix: "nested", containers: nestedContainers.map((c) => c.name) },
];

/** Every combination, numbered from 1 (`mx_results[0]` counts containers' wrong turns). */
export function matrixFiles(): MatrixFile[] {
  const files: MatrixFile[] = [];
  let k = 1;
  for (const side of both) {
    for (const group of groups) {
      const combinations: Combination[] = [];
      for (const containerName of group.containers) {
        const container = [...containers, ...nestedContainers].find((c) => c.name === containerName)!;
        if (!container.sides.includes(side)) continue;
        for (const construct of constructs) {
          if (!construct.sides.includes(side)) continue;
          const refused = construct.refusedIn?.(container, side);
          const prefix = side === "kernel" ? "mx" : "mxu";
          combinations.push({ k, container, construct, side, name: `${prefix}_${container.name}_${construct.name}`, refused });
          k++;
        }
      }
      if (combinations.length > 0) files.push({ name: `${side}-${group.suffix}`, side, combinations });
    }
  }
  return files;
}

/** Results slots: one per combination plus slot 0. */
export function resultSlots(): number {
  return matrixFiles().reduce((n, f) => n + f.combinations.length, 0) + 1;
}

const declarations = (slots: number): string => `struct MxObj {
    v: u64,
}

struct MxStat {
    count: u64,
}

struct MxEvent {
    id: u32,
    pad: u32,
}

// Slot K: what combination K did; slot 0 counts wrong turns (must stay 0).
var mx_results: array<u32, u64>(${slots})
// Preset to [3, 4] before the runs.
var mx_pairs: array<u32, u64>(2)
var mx_stats: array<u32, MxStat>(${slots})
var mx_config: array<u32, MxStat>(1)
var mx_events: ringbuf<MxEvent>(65536)
// Globals the compiler cannot fold: runtime loop bounds and conditions.
var mx_limit: u32 = 3
var mx_rounds: u32 = 3
var mx_on: bool = true
var mx_sel: u32 = 1
`;

/** The `.ks` source of `file`: only the combinations the compiler accepts (refused ones are checked separately). */
export function matrixSource(file: MatrixFile, slots: number): string {
  const parts: string[] = [
    `// Generated by tests/harness/nesting-matrix.ts: do not edit (UPDATE=1 rewrites it).\n// ${file.side === "kernel" ? "eBPF programs" : "User-space functions"}: ${file.combinations.length} combinations of a construct inside a block.`,
    declarations(slots),
  ];
  const kernelMark = `@helper\nfn mx_mark(k: u32) {\n    mx_results[k] += 1\n}`;
  const userMark = `fn mx_mark(k: u32) {\n    mx_results[k] += 1\n}`;
  parts.push(file.side === "kernel" ? kernelMark : userMark);
  const accepted = file.combinations.filter((c) => c.refused === undefined);
  for (const c of accepted) parts.push(combinationSource(c));
  if (file.side === "kernel") {
    // The loader needs a program; the default one is fine.
  } else {
    const calls = accepted.map((c) => `    ${c.name}()`).join("\n");
    const first = accepted[0]?.k ?? 1;
    const last = (accepted[accepted.length - 1]?.k ?? 0) + 1;
    parts.push(`@xdp
fn mxu_anchor(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}

fn main() -> i32 {
    mx_pairs[0] = 3
    mx_pairs[1] = 4
${calls}
    print("mx 0 %d", mx_results[0])
    for (k in ${first}..${last}) {
        print("mx %d %d", k, mx_results[k])
    }
    return 0
}`);
  }
  return parts.join("\n\n") + "\n";
}

/** One combination alone, in a file of its own (for checking the refused ones). */
export function singleSource(c: Combination, slots: number): string {
  const mark = c.side === "kernel" ? `@helper\nfn mx_mark(k: u32) {\n    mx_results[k] += 1\n}` : `fn mx_mark(k: u32) {\n    mx_results[k] += 1\n}`;
  const anchor = c.side === "user" ? `\n\n@xdp\nfn mxu_anchor(ctx: XdpContext) -> XdpAction {\n    return XDP_PASS\n}\n\nfn main() -> i32 {\n    ${c.name}()\n    return 0\n}` : "";
  return `${declarations(slots)}\n${mark}\n\n${combinationSource(c)}${anchor}\n`;
}

function combinationSource(c: Combination): string {
  const inner = c.construct.code(c.k, c.side);
  const helper = c.container.helper?.(inner, c.k, c.side);
  const body = c.container.wrap(inner, c.k, c.side);
  const fn = c.side === "kernel"
    ? `@xdp\nfn ${c.name}(ctx: XdpContext) -> XdpAction {\n${indent(body)}\n    return XDP_PASS\n}`
    : `fn ${c.name}() {\n${indent(body)}\n}`;
  const header = `// ${c.k}: ${c.construct.name} inside ${c.container.name}`;
  return helper ? `${header}\n${helper}\n\n${fn}` : `${header}\n${fn}`;
}
