// Behaviour of the reference examples made to build by the "reference test API and type
// rules" work (issue 12): test_functions (`test(prog, XdpTestContext { … })` under
// `kernelscript test`), type_checking and types_demo (helpers returning `&local`, kept in
// per-CPU slots; a helper ending in a bare `match`). Each runs as written
// (../shared/upstream/examples); variants are written to a temporary directory beside a
// copy of the example's `xdp.kh`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildResult } from "../../src/runner/build.js";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes, type ProgRunResult } from "../../src/runner/prog-run.js";
import { verbatimDir } from "../../src/runner/verbatim.js";
import { runCli } from "../harness/cli.js";
import { buildForKernel, compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("upstream-verbatim-tests-types.test", kernelSkipReason());
const env = { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };

const XDP_DROP = 1;
const XDP_PASS = 2;

function retvals(result: ProgRunResult): number[] {
  return result.runs.map((r) => r.retval);
}

function withoutTimes(text: string): string {
  return text.replace(/ {2}\(\d+\.\d+ ms\)/g, "");
}

/** A copy of the example (optionally edited) with the headers it includes, in a temporary directory. */
function withExampleCopy<T>(name: string, edit: (source: string) => string, body: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `ks-verbatim-${name}-`));
  const source = readFileSync(join(verbatimDir, `${name}.ks`), "utf8");
  const edited = edit(source);
  assert.notEqual(edited, source, "the variant's edit applies to the example");
  copyFileSync(join(verbatimDir, "xdp.kh"), join(dir, "xdp.kh"));
  const path = join(dir, `${name}.ks`);
  writeFileSync(path, edited);
  return body(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Builds the verbatim example (compiled as written, -Werror), runs `body`, cleans up. */
function behaviour(name: string, what: string, body: (build: BuildResult) => void): void {
  kernelTest(`${name} (as written): ${what}`, () => {
    const dir = mkdtempSync(join(tmpdir(), `ks-verbatim-run-${name}-`));
    try {
      compileToDirectory(join(verbatimDir, `${name}.ks`), dir);
      const build = buildForKernel(dir);
      assert.ok(build.ok, `make failed:\n${build.stdout}${build.stderr}`);
      body(build);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------
// test_functions: `test(packet_filter, XdpTestContext { packet_size, interface_id, … })`

kernelTest("test_functions (as written): both @test functions pass in the kernel", async () => {
  const run = await runCli(["test", join(verbatimDir, "test_functions.ks")], { env });
  assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
  assert.equal(withoutTimes(run.stdout), [
    "✅ Small packet test passed",
    "ok   test_small_packet",
    "✅ Large packet test passed",
    "ok   test_large_packet",
    "",
    "2 passed, 0 failed",
    "",
  ].join("\n"));
});

kernelTest("test_functions: a filter that drops 500-byte frames fails test_small_packet with the example's own message", async () => {
  await withExampleCopy("test_functions", (s) => s.replace("if (packet_size > 1000)", "if (packet_size > 400)"), async (path) => {
    const run = await runCli(["test", path], { env });
    assert.equal(run.code, 1, `${run.stdout}${run.stderr}`);
    const lines = withoutTimes(run.stdout).split("\n");
    assert.ok(lines.includes("❌ Small packet test failed: expected 2, got 1"), run.stdout);
    assert.ok(lines.includes("FAIL test_small_packet"), run.stdout);
    assert.ok(lines.includes("    the test returned 1 (0 means passed)"), run.stdout);
    assert.ok(lines.includes("ok   test_large_packet"), run.stdout);
    assert.ok(lines.includes("1 passed, 1 failed"), run.stdout);
  });
});

kernelTest("test_functions: packet_size is the exact frame length the program sees (1200 > 1199 drops, 1200 > 1200 passes)", async () => {
  await withExampleCopy("test_functions", (s) => s.replace("if (packet_size > 1000)", "if (packet_size > 1199)"), async (path) => {
    const run = await runCli(["test", path], { env });
    assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
  });
  await withExampleCopy("test_functions", (s) => s.replace("if (packet_size > 1000)", "if (packet_size > 1200)"), async (path) => {
    const run = await runCli(["test", path], { env });
    assert.equal(run.code, 1, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /❌ Large packet test failed: expected 1, got 2/);
  });
});

kernelTest("test_functions: interface_id reaches the kernel as the ingress ifindex (an interface that does not exist fails the run)", async () => {
  await withExampleCopy("test_functions", (s) => s.replace("packet_size: 500,        // Small packet\n    interface_id: 1,", "packet_size: 500,        // Small packet\n    interface_id: 999999,"), async (path) => {
    const run = await runCli(["test", path], { env });
    assert.equal(run.code, 1, `${run.stdout}${run.stderr}`);
    assert.match(withoutTimes(run.stdout), /FAIL test_small_packet\n {4}running program 'packet_filter' failed: No such device \(no interface has the ifindex given in the TestRun\)/);
    assert.match(run.stdout, /ok {3}test_large_packet/);
  });
});

// ---------------------------------------------------------------------------------------
// type_checking: extract_header returns &header (a per-CPU slot); classify/make_decision

const demoSource = 0xc0a80001n;

behaviour("type_checking", "drops frames under 20 bytes and over 1500, passes the rest, counting parsed frames per source", (build) => {
  const result = runPrograms(build.bpfObject, [
    { prog: "packet_analyzer", size: 64 },
    { prog: "packet_analyzer", size: 19, zero: true },
    { prog: "packet_analyzer", size: 1500 },
    { prog: "packet_analyzer", size: 1501 },
  ]);
  // 64 and 1500: TCP within 1500 bytes → Allow → XDP_PASS; 19 bytes: no header → XDP_DROP;
  // 1501: `length` 1501 > 1500 → Block → XDP_DROP.
  assert.deepEqual(retvals(result), [XDP_PASS, XDP_DROP, XDP_PASS, XDP_DROP]);
  assert.equal(integerEntries(findMap(result, "connection_stats")).get(demoSource), 3n);
  // The slot keeps the last returned header: PacketHeader { src_ip, dst_ip, protocol: u8, length: u16 }.
  const slot = findMap(result, "__ks_keep_extract_header__header");
  assert.equal(slot.percpu, true);
  const kept = slot.entries[0]?.values?.find((v) => readUint(v, 0, 4) !== 0n);
  assert.ok(kept, "a CPU's slot holds the header");
  assert.deepEqual([readUint(kept, 0, 4), readUint(kept, 4, 4), readUint(kept, 8, 1), readUint(kept, 10, 2)], [demoSource, 0xc0a80002n, 6n, 1501n]);
});

// ---------------------------------------------------------------------------------------
// types_demo: extract_packet_info returns &info; protocol_from_u8 ends in a bare match

behaviour("types_demo", "counts the demo packet per source and per protocol, records it, and applies packet_filter's action", (build) => {
  const allowed = runPrograms(build.bpfObject, [{ prog: "packet_inspector", size: 64 }, { prog: "packet_inspector", size: 64 }]);
  assert.deepEqual(retvals(allowed), [XDP_PASS, XDP_PASS]);
  assert.equal(integerEntries(findMap(allowed, "connection_count")).get(demoSource), 2n);
  // protocol_from_u8(6) is TCP (6): the per-CPU counter summed over CPUs.
  assert.equal(integerEntries(findMap(allowed, "protocol_stats")).get(6n), 2n);
  // recent_packets[ingress_ifindex = 1 (lo)] is the PacketInfo the helper returned.
  const recent = findMap(allowed, "recent_packets").entries.find((e) => readUint(e.key) === 1n);
  assert.ok(recent, "recent_packets[1] exists");
  assert.deepEqual([0, 4, 10, 12, 14].map((o, i) => readUint(recent.value, o, i < 2 ? 4 : 2)), [demoSource, 0xc0a80002n, 80n, 8080n, 1024n]);
  assert.equal(readUint(recent.value, 8, 1), 6n);

  // packet_filter[that PacketInfo] = FILTER_ACTION_BLOCK (1) → XDP_DROP; REDIRECT (3) → XDP_REDIRECT.
  const info = new Uint8Array(16);
  info.set(uintBytes(demoSource, 4), 0);
  info.set(uintBytes(0xc0a80002n, 4), 4);
  info.set(uintBytes(6, 1), 8);
  info.set(uintBytes(80, 2), 10);
  info.set(uintBytes(8080, 2), 12);
  info.set(uintBytes(1024, 2), 14);
  const blocked = runPrograms(build.bpfObject, [{ prog: "packet_inspector", size: 64 }], {
    presets: [{ map: "packet_filter", key: info, value: uintBytes(1, 4) }],
  });
  assert.deepEqual(retvals(blocked), [XDP_DROP]);
  const redirected = runPrograms(build.bpfObject, [{ prog: "packet_inspector", size: 64 }], {
    presets: [{ map: "packet_filter", key: info, value: uintBytes(3, 4) }],
  });
  assert.deepEqual(retvals(redirected), [4]);
});

// ---------------------------------------------------------------------------------------
// The features of issue 12 this work adds, in tests/cases/emit/reference-values.ks:
// `print` as a value, an integer compared with null, `var x = null`, `str` globals.

const referenceValues = join(repoRoot, "tests/cases/emit/reference-values.ks");

/** A NUL-terminated string at the start of `bytes`. */
function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
}

kernelTest("reference-values: print's value, integer == null, var x = null and str globals in the kernel", () => {
  const build = compileAndBuild(referenceValues);
  try {
    const run = (size: number, presets: { key: number; value: number }[]) => runPrograms(build.bpfObject, [{ prog: "rv_prog", size }], {
      presets: presets.map((p) => ({ map: "rv_values", key: uintBytes(p.key, 4), value: uintBytes(p.value, 4) })),
    });
    const first = run(64, [{ key: 3, value: 42 }]);
    assert.deepEqual(retvals(first), [XDP_PASS]);
    const out = integerEntries(findMap(first, "rv_out"));
    // bpf_printk("len 7\n") wrote 6 bytes; the 64-byte frame leaves `extra` 0, so
    // `extra == null` held; rv_find(3) found the preset 42; rv_find(9) was null (k >= 8).
    assert.equal(out.get(0n), 6n, "print's value is the bytes written");
    assert.equal(out.get(1n), 1n, "`extra == null` is `extra == 0`");
    assert.equal(out.get(2n), 42n, "var found = null, then &rv_values[3]");
    assert.equal(out.get(3n), 1n, "found stays null for k >= 8");
    assert.equal(out.get(4n), 1n, "the str global starts as \"ready\"");
    // The sections' maps are named after the object (cut to 15 bytes): `NAME.data`.
    const section = (suffix: string): Uint8Array => {
      const map = first.maps.find((m) => m.name.endsWith(suffix));
      assert.ok(map, `no ${suffix} map; maps: ${first.maps.map((m) => m.name).join(", ")}`);
      return map.entries[0]!.value;
    };
    const data = section(".data");
    const bss = section(".bss");
    assert.equal(cString(data.subarray(0, 17)), "seen", "the program wrote rv_banner");
    assert.equal(cString(bss.subarray(0, 17)), "ready", "rv_last is the copy taken before");

    const other = run(100, []);
    const outOther = integerEntries(findMap(other, "rv_out"));
    assert.equal(outOther.get(1n), 2n, "`extra == null` is false when extra is 36");
    assert.equal(outOther.get(2n), 99n, "&rv_values[3] is null without the entry");

    // User space: print returns printf's count ("banner ready\n": 13 bytes), the global is
    // read and written through the skeleton; main returns 0 only if both held.
    const main = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(main.status, 0, `main returned ${main.status}:\n${main.stdout}${main.stderr}`);
    assert.match(main.stdout, /^banner ready$/m);
  } finally {
    build.cleanup();
  }
});
