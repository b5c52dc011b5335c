// The generated kernel module is real kernel C: each source with `@kfunc` functions is
// compiled, then its generated Makefile's `module` target builds NAME_kfuncs.ko with
// kbuild against Debian's 6.12 kernel headers (fetched once into a cache outside the
// repository; this machine has no build tree of its own and cannot load modules, so
// loading is the one step not tested here). Checks: the .ko exists, its modinfo says
// `license: GPL`, the kfunc id set (`.BTF_ids`, BTF_SET8_KFUNCS) holds every kfunc with a
// BTF id resolved by resolve_btfids, and the module carries `.BTF` (pahole). Skipped
// only when deb.debian.org is unreachable.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";
import { kernelBuildTree } from "../../src/runner/kernel-headers.js";

const sources: readonly [string, string, readonly string[]][] = [
  ["examples/kfuncs.ks", "kfuncs", ["ks_tour_classify"]],
  ["examples/upstream/private_kfunc.ks", "private_kfunc", ["process_value"]],
  ["examples/upstream/simple_gfp_test.ks", "simple_gfp_test", ["valid_kfunc_allocation"]],
  ["tests/cases/emit/kmod-basic.ks", "kmod-basic", ["ks_emit_accumulate"]],
];

const tree = kernelBuildTree();
const skip = "skip" in tree ? tree.skip : undefined;

function sh(command: string, args: readonly string[], cwd?: string): { status: number; out: string } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

for (const [path, name, kfuncs] of sources) {
  test(`${path}: make module builds a GPL kfunc module against Linux 6.12 headers`, { skip }, () => {
    assert.ok(!("skip" in tree));
    const dir = mkdtempSync(join(tmpdir(), "ks-kmod-"));
    try {
      compileToDirectory(join(repoRoot, path), dir);
      const moduleName = `${name.replace(/[^A-Za-z0-9_]/g, "_")}_kfuncs`;
      const started = process.hrtime.bigint();
      const make = sh("make", ["module", `KDIR=${tree.kdir}`], dir);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      assert.equal(make.status, 0, make.out);
      console.log(`${path}: ${moduleName}.ko built against ${tree.version} in ${seconds.toFixed(1)} s`);
      const ko = join(dir, `${moduleName}.ko`);
      assert.ok(existsSync(ko), `${ko} exists`);
      assert.doesNotMatch(make.out, /warning:/, "kbuild compiles the module without warnings");

      // modinfo reads the .modinfo section; without the kmod package, readelf shows the same strings.
      const modinfo = sh("sh", ["-c", "command -v modinfo"]).status === 0 ? sh("modinfo", [ko]).out : sh("readelf", ["-p", ".modinfo", ko]).out;
      assert.match(modinfo, /license[:=]\s*GPL\b/);
      assert.match(modinfo, new RegExp(`name[:=]\\s*${moduleName}\\b`));

      const sections = sh("readelf", ["-S", "-W", ko]).out;
      assert.match(sections, /\s\.BTF_ids\s/, "the kfunc id set section");
      assert.match(sections, /\s\.BTF\s/, "module BTF (pahole), without which register_btf_kfunc_id_set fails");
      const symbols = sh("nm", [ko]).out;
      assert.match(symbols, new RegExp(`__BTF_ID__set8__${name.replace(/[^A-Za-z0-9_]/g, "_")}_kfunc_ids`));
      for (const kfunc of kfuncs) assert.match(symbols, new RegExp(`__BTF_ID__func__${kfunc}__\\d+`));
      // The set8: u32 count, u32 flags (BTF_SET8_KFUNCS = 1), then {u32 id, u32 flags} per kfunc.
      const dump = sh("readelf", ["-x", ".BTF_ids", ko]).out;
      const words = [...dump.matchAll(/^\s+0x[0-9a-f]+ ((?:[0-9a-f]{8} ?){1,4})/gm)].flatMap((m) => m[1]!.trim().split(/\s+/))
        .map((w) => Buffer.from(w, "hex").readUInt32LE(0));
      assert.equal(words[0], kfuncs.length, "kfunc count in the id set");
      assert.equal((words[1]! & 1), 1, "BTF_SET8_KFUNCS");
      for (let i = 0; i < kfuncs.length; i++) assert.notEqual(words[2 + 2 * i], 0, "resolve_btfids filled the kfunc's BTF id");
      const source = readFileSync(join(dir, `${name}.mod.c`), "utf8");
      assert.match(source, /MODULE_LICENSE\("GPL"\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
