//! Runs programs of a `.bpf.o` in the kernel through BPF_PROG_TEST_RUN with the native
//! `prog-run` tool (src/runner/native/prog-run.c), and decodes what it reports: each
//! run's return value and every map's entries as bytes.

import { spawnSync } from "node:child_process";
import { nativeTool } from "./native-tools.js";
import { setTypeArguments } from "./set-types.js";

export interface ProgRun {
  /** Program (function) name in the object. */
  readonly prog: string;
  /** Bytes of input: an Ethernet/IPv4/UDP frame padded to this size (default 64). */
  readonly size?: number;
  /** Input of `size` zero bytes instead of a frame. */
  readonly zero?: boolean;
  /** Exactly these input bytes (overrides `size` and `zero`). */
  readonly data?: Uint8Array;
  /** XDP `ingress_ifindex` (must name a real device; 1 = lo). Default 1. */
  readonly ifindex?: number;
  /** The kernel runs the program this many times on the same input. Default 1. */
  readonly repeat?: number;
  /** Run on this CPU (the runner pins itself there first): per-CPU maps get this CPU's slot. */
  readonly cpu?: number;
  /** The context bytes: a raw tracepoint's arguments (u64 each, this machine's byte order); no packet is passed. */
  readonly ctx?: Uint8Array;
  /**
   * `repeat` test runs of one run each, timed by the kernel's run-time statistics
   * (BPF_ENABLE_STATS) instead of the test run's duration: every run starts from the
   * input as given (a repeated test run keeps what the program wrote into the packet),
   * and raw tracepoints, whose test run has no repeat, can be timed.
   */
  readonly stats?: boolean;
}

export interface RunResult {
  readonly prog: string;
  readonly size: number;
  readonly repeat: number;
  readonly retval: number;
  /** The kernel's average time per run of the test run, whole nanoseconds. */
  readonly durationNs: number;
  /** This thread's CPU time in the test run call(s), nanoseconds in all. */
  readonly cpuNs: number;
  /** With `stats`: the program's runs and run time (ns) by the kernel's statistics over the test runs. */
  readonly statsRuns: number | undefined;
  readonly statsNs: number | undefined;
  readonly dataSizeOut: number;
  /** The packet after the program ran (XDP/TC may rewrite it). */
  readonly dataOut: Uint8Array;
}

/** Map contents to write after loading and before the first run. */
export interface MapPreset {
  readonly map: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A program array slot to fill, as a loader does for tail calls. */
export interface ProgArraySlot {
  readonly map: string;
  readonly index: number;
  readonly prog: string;
}

export interface RunOptions {
  /** e.g. nsenter into a test namespace, so `ifindex` can name its devices. */
  readonly argvPrefix?: readonly string[];
  readonly presets?: readonly MapPreset[];
  readonly progArrays?: readonly ProgArraySlot[];
  /** Ring buffers whose records are read (consumed) after the runs, into `ringbufs`. */
  readonly ringbufs?: readonly string[];
  /** Start every run at the same time, one thread each (pinned by `cpu`): CPUs contending for the same maps. */
  readonly concurrent?: boolean;
}

export interface MapEntry {
  readonly key: Uint8Array;
  /** The value; for per-CPU maps CPU 0's (see `values`). */
  readonly value: Uint8Array;
  /** Per-CPU maps: one value per possible CPU. */
  readonly values: readonly Uint8Array[] | undefined;
}

export interface MapDump {
  readonly name: string;
  /** `enum bpf_map_type` number. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly percpu: boolean;
  readonly entries: readonly MapEntry[];
}

export interface LoadedProgram {
  readonly name: string;
  /** `enum bpf_prog_type` number. */
  readonly type: number;
  /** Whether the verifier accepted it (it has an fd). */
  readonly loaded: boolean;
  /**
   * Set when the kernel refused the program type itself (fentry under lockdown: EPERM;
   * struct_ops programs of an ops type the kernel's BTF lacks, e.g. `sched_ext_ops`)
   * rather than the verifier rejecting the program: the machine's limit, not ours.
   */
  readonly refused?: string;
  /** Loaded programs: instructions after the verifier's rewriting (`bpftool prog show`'s xlated bytes / 8). */
  readonly xlatedInsns?: number;
  /** Loaded programs: bytes of JIT-compiled code. */
  readonly jitedBytes?: number;
}

export interface ProgRunResult {
  readonly runs: readonly RunResult[];
  readonly programs: readonly LoadedProgram[];
  readonly maps: readonly MapDump[];
  /** Records of the ring buffers named in `RunOptions.ringbufs`, in the order written. */
  readonly ringbufs: readonly { readonly name: string; readonly records: readonly Uint8Array[] }[];
}

export class ProgRunError extends Error {}

function hex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function runArgs(run: ProgRun): string[] {
  const args = ["--prog", run.prog];
  if (run.data) args.push("--data", toHex(run.data));
  else args.push("--size", String(run.size ?? 64));
  if (run.zero && !run.data) args.push("--zero");
  args.push("--ifindex", String(run.ifindex ?? 1), "--repeat", String(run.repeat ?? 1));
  if (run.cpu !== undefined) args.push("--cpu", String(run.cpu));
  if (run.ctx) args.push("--ctx", toHex(run.ctx));
  if (run.stats) args.push("--stats");
  return args;
}

/** Loads `objPath`, executes `runs` in order, then dumps every map. Throws ProgRunError. */
export function runPrograms(objPath: string, runs: readonly ProgRun[], options: RunOptions = {}): ProgRunResult {
  const presetArgs = [
    ...(options.presets ?? []).flatMap((p) => ["--set", p.map, toHex(p.key), toHex(p.value)]),
    ...(options.progArrays ?? []).flatMap((p) => ["--prog-array", p.map, String(p.index), p.prog]),
    ...(options.ringbufs ?? []).flatMap((name) => ["--ringbuf", name]),
    ...(options.concurrent ? ["--concurrent"] : []),
  ];
  const argv = [...(options.argvPrefix ?? []), nativeTool("prog-run"), objPath, ...setTypeArguments(), ...presetArgs, ...runs.flatMap(runArgs)];
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new ProgRunError(`prog-run ${objPath} exited with ${result.status}: ${result.stderr}${result.error ? String(result.error) : ""}`);
  }
  interface RawMap { name: string; type: number; key_size: number; value_size: number; percpu: boolean; entries: { key: string; value?: string; values?: string[] }[] }
  interface RawRun {
    prog: string; size: number; repeat: number; retval: number; duration_ns: number; cpu_ns: number; stats_runs?: number; stats_ns?: number;
    data_size_out: number; data_out: string;
  }
  interface RawProgram { name: string; type: number; loaded: boolean; refused?: string; xlated_insns?: number; jited_bytes?: number }
  const raw = JSON.parse(result.stdout) as { runs: RawRun[]; programs: RawProgram[]; maps: RawMap[]; ringbufs: { name: string; records: string[] }[] };
  return {
    runs: raw.runs.map((r) => ({
      prog: r.prog, size: r.size, repeat: r.repeat, retval: r.retval, durationNs: r.duration_ns, cpuNs: r.cpu_ns,
      statsRuns: r.stats_runs, statsNs: r.stats_ns, dataSizeOut: r.data_size_out,
      dataOut: hex(r.data_out),
    })),
    programs: raw.programs.map(({ xlated_insns, jited_bytes, ...program }) => ({
      ...program,
      ...(xlated_insns !== undefined ? { xlatedInsns: xlated_insns } : {}),
      ...(jited_bytes !== undefined ? { jitedBytes: jited_bytes } : {}),
    })),
    ringbufs: raw.ringbufs.map((r) => ({ name: r.name, records: r.records.map(hex) })),
    maps: raw.maps.map((m) => ({
      name: m.name,
      type: m.type,
      keySize: m.key_size,
      valueSize: m.value_size,
      percpu: m.percpu,
      entries: m.entries.map((e) => {
        const values = e.values?.map(hex);
        return { key: hex(e.key), value: values ? values[0] ?? new Uint8Array() : hex(e.value ?? ""), values };
      }),
    })),
  };
}

/** `value` as `size` little-endian bytes (this machine's byte order), for presets. */
export function uintBytes(value: bigint | number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let rest = BigInt(value);
  for (let i = 0; i < size; i++) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** Little-endian unsigned integer of `size` bytes at `offset` (this machine's byte order). */
export function readUint(bytes: Uint8Array, offset = 0, size = bytes.length - offset): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

/** The map named `name`; throws with the names present when there is none. */
export function findMap(result: ProgRunResult, name: string): MapDump {
  const map = result.maps.find((m) => m.name === name);
  if (!map) throw new ProgRunError(`no map named ${name}; maps: ${result.maps.map((m) => m.name).join(", ")}`);
  return map;
}

/**
 * A map with integer keys and values as `key → value`; per-CPU values are summed over
 * CPUs, as the generated loader does.
 */
export function integerEntries(map: MapDump): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  for (const entry of map.entries) {
    const value = entry.values ? entry.values.reduce((sum, v) => sum + readUint(v), 0n) : readUint(entry.value);
    out.set(readUint(entry.key), value);
  }
  return out;
}
