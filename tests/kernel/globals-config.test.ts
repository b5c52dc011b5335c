// Globals, config blocks, pinned globals and main's Args, against the kernel:
// - shared globals counted by an XDP program are read back from the `.bss` map, a
//   `.data` global written before the run changes what the program does, and a
//   `local var` (kernel-only) global drives the program's decisions;
// - a config threshold has its default in XDP, and `--max-size` on the generated
//   binary's command line (main writes the config) changes which frames are dropped;
// - pinned globals are updated by XDP through the pinned map's entry, and a user-space
//   `main` sees and keeps their values across two runs of the generated loader;
// - the Args parser: --help, bad values (exit 2 with a message), unknown options.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapPinPath, pinDirectory, pinnedGlobalsMapName } from "../../src/compiler/names.js";
import { kernelSkipReason, networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair, xdpAttached } from "../../src/runner/netns.js";
import { findMap, readUint, runPrograms, uintBytes, type MapDump, type ProgRunResult } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_DROP = 1;
const XDP_PASS = 2;

const kernelTest = kernelTests("globals-config.test", kernelSkipReason());
const networkTest = kernelTests("globals-config.test (veth)", networkSkipReason());
const fixture = (name: string): string => join(repoRoot, "tests", "kernel", "fixtures", name);

/** Offset of each global in its section, from the object's symbol table. */
function symbolOffsets(object: string): Map<string, number> {
  const result = spawnSync("readelf", ["-sW", object], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const offsets = new Map<string, number>();
  for (const line of result.stdout.split("\n")) {
    const match = /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+OBJECT\s+\w+\s+\w+\s+\d+\s+(\w+)$/.exec(line);
    if (match) offsets.set(match[2]!, parseInt(match[1]!, 16));
  }
  return offsets;
}

/** libbpf names a section's map `<object prefix>.bss`; find it by its suffix. */
function sectionMap(result: ProgRunResult, section: ".bss" | ".data"): MapDump {
  const map = result.maps.find((m) => m.name.endsWith(section));
  assert.ok(map, `no ${section} map among ${result.maps.map((m) => m.name).join(", ")}`);
  return map;
}

function globalValue(map: MapDump, offsets: Map<string, number>, name: string, size: number): bigint {
  const offset = offsets.get(name);
  assert.notEqual(offset, undefined, `symbol ${name}`);
  return readUint(map.entries[0]!.value, offset, size);
}

kernelTest("shared globals are counted by XDP and read back; a local var decides; a .data value steers", () => {
  const build = compileAndBuild(fixture("gc_globals.ks"));
  try {
    const offsets = symbolOffsets(build.bpfObject);
    const result = runPrograms(build.bpfObject, [
      { prog: "gc_globals", size: 1500, repeat: 2 },
      { prog: "gc_globals", size: 100, repeat: 2 },
      { prog: "gc_globals", size: 1500 },
      // The sixth call: the kernel-only counter is over 5, so the program drops.
      { prog: "gc_globals", size: 100 },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP]);
    const bss = sectionMap(result, ".bss");
    assert.equal(globalValue(bss, offsets, "gc_seen", 8), 6n, "every call counted in the real global");
    assert.equal(globalValue(bss, offsets, "gc_big", 8), 3n, "frames over the .data limit of 1000");
    assert.equal(globalValue(bss, offsets, "gc_calls", 4), 6n, "the local var lives in .bss too");
    assert.equal(globalValue(sectionMap(result, ".data"), offsets, "gc_big_limit", 4), 1000n);

    // What a user-space write does: a lower limit in .data makes 100-byte frames big.
    const data = sectionMap(result, ".data");
    const lowered = uintBytes(0, data.valueSize);
    lowered.set(uintBytes(50, 4), offsets.get("gc_big_limit")!);
    const second = runPrograms(build.bpfObject, [{ prog: "gc_globals", size: 100, repeat: 3 }], {
      presets: [{ map: data.name, key: uintBytes(0, 4), value: lowered }],
    });
    assert.equal(second.runs[0]!.retval, XDP_PASS);
    assert.equal(globalValue(sectionMap(second, ".bss"), offsets, "gc_big", 8), 3n);
  } finally {
    build.cleanup();
  }
});

kernelTest("pinned globals: XDP updates the entry; main keeps values across loader runs", () => {
  const name = `gc_pinned_${process.pid}`;
  const sourceDir = mkdtempSync(join(tmpdir(), "ks-gc-pin-"));
  const ksPath = join(sourceDir, `${name}.ks`);
  copyFileSync(fixture("gc_pinned.ks"), ksPath);
  const build = compileAndBuild(ksPath);
  try {
    // Without a loader nothing is pinned or initialised: the entry starts at zero.
    const result = runPrograms(build.bpfObject, [{ prog: "gc_pinned_count", repeat: 3 }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const entry = findMap(result, pinnedGlobalsMapName).entries[0]!.value;
    assert.equal(readUint(entry, 0, 8), 0n, "gc_runs");
    assert.equal(readUint(entry, 8, 8), 3n, "gc_frames counted through the map lookup");

    const run = (): string => {
      const out = spawnSync(build.binary, [], { encoding: "utf8" });
      assert.equal(out.status, 0, out.stderr);
      return out.stdout.trim();
    };
    assert.equal(run(), "runs=42 frames=0", "first run: the initial value 41, incremented");
    assert.ok(existsSync(mapPinPath(name, pinnedGlobalsMapName)), "pinned under the project's bpffs directory");
    assert.equal(run(), "runs=43 frames=0", "second run: the pinned value, not the initial one");
  } finally {
    rmSync(pinDirectory(name), { recursive: true, force: true });
    rmSync(sourceDir, { recursive: true, force: true });
    build.cleanup();
  }
});

kernelTest("Args: --help lists every option, bad values exit 2 with a message", () => {
  const build = compileAndBuild(fixture("gc_config.ks"));
  try {
    const run = (...args: string[]) => spawnSync(build.binary, args, { encoding: "utf8" });
    const help = run("--help");
    assert.equal(help.status, 0);
    for (const option of [/--iface STR +string, at most 16 bytes/, /--max_size N +integer 0\.\.4294967295 \(u32\)/, /--expect N/, /--quiet +flag/]) {
      assert.match(help.stdout, option);
    }
    const cases: [string[], RegExp][] = [
      [["--max-size", "abc"], /error: --max_size expects an integer between 0 and 4294967295 \(u32\), got 'abc'/],
      [["--max_size=-3"], /got '-3'/],
      [["--expect", "4294967296"], /--expect expects an integer/],
      [["--iface", "a-very-long-interface-name"], /--iface takes at most 16 bytes/],
      [["--bogus"], /unrecognized option '--bogus'/],
      [["stray"], /unexpected argument 'stray'/],
    ];
    for (const [args, message] of cases) {
      const result = run(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /see --help/);
    }
  } finally {
    build.cleanup();
  }
});

networkTest("config: the default threshold applies in XDP; --max-size from main changes it", async () => {
  const build = compileAndBuild(fixture("gc_config.ks"));
  try {
    await withVethPair(async (pair) => {
      const session = async (args: string[], frames: [number, number][], expect: number): Promise<string> => {
        const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "--iface", pair.loaderInterface, "--expect", String(expect), ...args]));
        try {
          const deadline = Date.now() + 10_000;
          while (!xdpAttached(pair)) {
            assert.ok(Date.now() < deadline, `never attached: ${loader.stderr()}`);
            await new Promise((r) => setTimeout(r, 25));
          }
          for (const [size, count] of frames) sendFrames(pair, size, count);
          const exit = await Promise.race([loader.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
          assert.deepEqual(exit, { code: 0, signal: null }, `stdout: ${loader.stdout()} stderr: ${loader.stderr()}`);
          return loader.stdout().trim();
        } finally {
          await loader.stop("SIGKILL");
        }
      };
      assert.equal(await session([], [[500, 2], [1200, 1]], 3), "max_size=1000 dropped=1 passed=2");
      assert.equal(await session(["--max-size", "400"], [[500, 2], [200, 2]], 4), "max_size=400 dropped=2 passed=2");
    });
  } finally {
    build.cleanup();
  }
});
