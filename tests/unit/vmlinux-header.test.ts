// vmlinux.h is kept in the cache per BTF it came from (src/runner/vmlinux-header.ts):
// made once, reused while the BTF is the same, made again when it changes; a cache that
// cannot be written means no header (the Makefile then dumps it), never an error. A fake
// bpftool stands in for the real one: it writes a header naming the BTF's contents and
// counts its runs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cachedVmlinuxHeaderOf } from "../../src/runner/vmlinux-header.js";
import { cacheDirectory, writeCacheFile } from "../../src/runner/cache-dir.js";

function scratch(): { dir: string; btf: string; bpftool: string; runs: () => number; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-vmlinux-test-"));
  const btf = join(dir, "vmlinux");
  const bpftool = join(dir, "bpftool");
  const log = join(dir, "runs.log");
  writeFileSync(log, "");
  // `bpftool btf dump file FILE format c` → a header quoting FILE's contents.
  writeFileSync(bpftool, `#!/bin/sh\necho run >> '${log}'\n[ "$1 $2 $3" = "btf dump file" ] || exit 1\nprintf '/* from: %s */\\n' "$(cat "$4")"\n`);
  chmodSync(bpftool, 0o755);
  return {
    dir, btf, bpftool,
    runs: () => readFileSync(log, "utf8").split("\n").filter(Boolean).length,
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test("vmlinux.h is dumped once per BTF and dumped again when the BTF changes", () => {
  const s = scratch();
  try {
    const cache = join(s.dir, "cache");
    writeFileSync(s.btf, "kernel A");
    const first = cachedVmlinuxHeaderOf(s.btf, s.bpftool, cache);
    assert.ok(first);
    assert.equal(basename(first), "vmlinux.h", "named so that `-I` its directory finds it");
    assert.equal(readFileSync(first, "utf8"), "/* from: kernel A */\n");
    assert.equal(s.runs(), 1);
    assert.equal(cachedVmlinuxHeaderOf(s.btf, s.bpftool, cache), first, "the same BTF: the same header");
    assert.equal(s.runs(), 1, "and bpftool did not run again");
    // Same size, other contents: a key of size and time alone could miss this.
    writeFileSync(s.btf, "kernel B");
    const second = cachedVmlinuxHeaderOf(s.btf, s.bpftool, cache);
    assert.ok(second);
    assert.notEqual(second, first);
    assert.equal(readFileSync(second, "utf8"), "/* from: kernel B */\n");
    assert.equal(s.runs(), 2);
    // Back to the first kernel: its header is still there.
    writeFileSync(s.btf, "kernel A");
    assert.equal(cachedVmlinuxHeaderOf(s.btf, s.bpftool, cache), first);
    assert.equal(s.runs(), 2);
  } finally {
    s.done();
  }
});

test("no header, and no error, when the cache cannot be written or bpftool fails", () => {
  const s = scratch();
  try {
    writeFileSync(s.btf, "kernel A");
    // A file where the cache directory should be: it cannot be created.
    const blocked = join(s.dir, "blocked");
    writeFileSync(blocked, "");
    assert.equal(cachedVmlinuxHeaderOf(s.btf, s.bpftool, join(blocked, "cache")), undefined);
    assert.equal(cachedVmlinuxHeaderOf(join(s.dir, "no-such-btf"), s.bpftool, join(s.dir, "cache")), undefined);
    writeFileSync(s.bpftool, "#!/bin/sh\nexit 1\n");
    assert.equal(cachedVmlinuxHeaderOf(s.btf, s.bpftool, join(s.dir, "cache2")), undefined);
  } finally {
    s.done();
  }
});

test("the cache directory: KS_CACHE_DIR, XDG_CACHE_HOME, ~/.cache; writes are whole files", () => {
  assert.equal(cacheDirectory({ KS_CACHE_DIR: "/x", XDG_CACHE_HOME: "/y", HOME: "/h" }), "/x");
  assert.equal(cacheDirectory({ KS_CACHE_DIR: "", HOME: "/h" }), undefined);
  assert.equal(cacheDirectory({ XDG_CACHE_HOME: "/y", HOME: "/h" }), "/y/kernelscript");
  assert.equal(cacheDirectory({ XDG_CACHE_HOME: "relative", HOME: "/h" }), "/h/.cache/kernelscript");
  assert.equal(cacheDirectory({ HOME: "/h" }), "/h/.cache/kernelscript");
  const dir = mkdtempSync(join(tmpdir(), "ks-cache-test-"));
  try {
    assert.equal(writeCacheFile(join(dir, "a", "b"), "f", "text"), true);
    assert.equal(readFileSync(join(dir, "a", "b", "f"), "utf8"), "text");
    mkdirSync(join(dir, "a", "b", "g"));
    // A directory in the way: refused, and no temporary file left behind.
    assert.equal(writeCacheFile(join(dir, "a", "b"), "g", "text"), false);
    assert.deepEqual(readdirSync(join(dir, "a", "b")).sort(), ["f", "g"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
