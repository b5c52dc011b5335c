// The kernel's BTF is read only when a program needs a kernel type: reading and indexing
// it costs ~0.2 s, more than the rest of checking a small program. The host here records
// every BTF read; a program naming only built-in and its own types must never ask.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, type Host } from "../../src/compiler/index.js";
import { repoRoot } from "../harness/golden.js";

const kernelBtfPath = "/sys/kernel/btf/vmlinux";

/** A host over the examples that counts BTF reads; `btf` undefined: a read is a failure. */
function recordingHost(files: Record<string, string>, btf?: Uint8Array): Host & { reads: number } {
  const host = {
    reads: 0,
    readFile: (path: string) => files[path] ?? readExample(path),
    readKernelBtf(): Uint8Array | undefined {
      host.reads++;
      if (btf === undefined) throw new Error("the kernel's BTF was read");
      return btf;
    },
    readTracepoints: () => undefined,
  };
  return host;
}

function readExample(path: string): string | undefined {
  const file = join(repoRoot, path);
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

const ownTypesOnly = `
enum Class { Small = 1, Large = 2 }
struct Seen { count: u64, class: Class }
var seen: HashMap<u32, Seen>;
@helper
fn class_of(size: u64) -> Class {
    if size > 1000 { return Large }
    return Small
}
@xdp
fn classify(ctx: XdpContext) -> XdpAction {
    var s = Seen { count: 1, class: class_of(ctx.data_end - ctx.data) }
    seen[ctx.ingress_ifindex] = s
    return XDP_PASS
}
`;

test("a program naming no kernel type compiles without reading the kernel's BTF", () => {
  // The examples have `@test` functions, so they are compiled as tests too (the test API's types).
  const cases = [
    ...["examples/seed_packet_filter.ks", "examples/match.ks", "examples/packet_parsing.ks"].flatMap((path) => [[path, false], [path, true]] as const),
    ["own.ks", false] as const,
  ];
  for (const [path, testMode] of cases) {
    const host = recordingHost({ "own.ks": ownTypesOnly });
    const result = compile(path, host, { test: testMode });
    assert.deepEqual(result.diagnostics.map((d) => d.code), [], `${path}: no diagnostics`);
    assert.ok(result.files.length > 0, `${path}: compiled`);
    assert.equal(host.reads, 0, `${path}${testMode ? " (test)" : ""}: BTF read`);
  }
});

test("without BTF the built-in perf_event context applies, and a typo still gets it suggested", () => {
  const perf = `
@perf_event
fn on_sample(ctx: *bpf_perf_event_data) -> i32 {
    return ctx.sample_period as i32
}
`;
  const withoutBtf: Host = { readFile: (path) => (path === "perf.ks" ? perf : undefined) };
  assert.deepEqual(compile("perf.ks", withoutBtf).diagnostics.map((d) => d.code), []);
  const typo = perf.replace("*bpf_perf_event_data", "*bpf_perf_event_dat");
  const suggested = compile("perf.ks", { readFile: (path) => (path === "perf.ks" ? typo : undefined) }).diagnostics;
  assert.deepEqual(suggested.map((d) => d.code), ["E0202"]);
  assert.match(JSON.stringify(suggested[0]), /bpf_perf_event_data/);
});

test("a program naming a kernel type reads the BTF once, and finds the type in it", { skip: existsSync(kernelBtfPath) ? false : `no ${kernelBtfPath}` }, () => {
  const host = recordingHost({}, readFileSync(kernelBtfPath));
  const result = compile("examples/tp_btf.ks", host);
  assert.deepEqual(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), []);
  assert.equal(host.reads, 1);
  // The same program without BTF cannot know `task_struct`'s fields.
  const blind = compile("examples/tp_btf.ks", { readFile: readExample });
  assert.notDeepEqual(blind.diagnostics.map((d) => d.code), result.diagnostics.map((d) => d.code));
});
