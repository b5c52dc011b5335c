// A user-space program whose functions are named after every name the loader's headers
// declare or define (src/compiler/loader-c-names.ts): the generated loader must build
// with -Werror (before the list, `fn open()` or `fn getpid()` redefined libc's).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loaderCNames } from "../../src/compiler/loader-c-names.js";
import { KEYWORDS } from "../../src/compiler/parse/token.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";

test("a loader with a user function named after each name of its C headers builds with -Werror", () => {
  const keywords = new Set<string>(KEYWORDS);
  const names = [...loaderCNames].filter((name) => !keywords.has(name) && name !== "main");
  const source = [
    "@xdp fn pass_all(ctx: *xdp_md) -> xdp_action { return 2 as xdp_action }",
    ...names.map((name) => `fn ${name}() -> u32 { return 1 }`),
    "fn main() -> i32 {",
    "    var total: u32 = 0",
    ...names.map((name) => `    total = total + ${name}()`),
    "    return (total == 0) as i32",
    "}",
    "",
  ].join("\n");
  const dir = mkdtempSync(join(tmpdir(), "ks-loader-c-names-"));
  try {
    writeFileSync(join(dir, "collide.ks"), source);
    const out = join(dir, "out");
    compileToDirectory(join(dir, "collide.ks"), out);
    const build = buildCached(out, { werror: true, vmlinuxHeader: testVmlinuxHeader() });
    assert.ok(build.ok, `${build.stdout}\n${build.stderr}`.slice(0, 4000));
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  }
});
