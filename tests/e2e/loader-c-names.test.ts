// A user-space program whose functions are named after every name the loader's headers
// declare or define (src/compiler/loader-c-names.ts), and whose programs, maps and globals
// are named after some: the generated loader must build with -Werror (before the list,
// `fn open()` or `fn getpid()` redefined libc's), and programs and maps named after
// declared functions keep their names (libbpf's, in the object).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loaderCDeclarations, loaderCMacros } from "../../src/compiler/loader-c-names.js";
import { KEYWORDS } from "../../src/compiler/parse/token.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";

test("a loader with a user function named after each name of its C headers builds with -Werror", () => {
  const keywords = new Set<string>(KEYWORDS);
  const objects = new Set(["on_exit", "unix", "socket", "EINTR", "getpid"]);
  const names = [...new Set([...loaderCDeclarations(), ...loaderCMacros()])].filter((name) => !keywords.has(name) && name !== "main" && !objects.has(name));
  const source = [
    "@xdp fn pass_all(ctx: *xdp_md) -> xdp_action { return 2 as xdp_action }",
    "@xdp fn on_exit(ctx: *xdp_md) -> xdp_action {",
    "    socket[0] += 1",
    "    getpid += 1",
    "    EINTR[1] = 1",
    "    return 2 as xdp_action",
    "}",
    "@tc(\"ingress\") fn unix(ctx: *__sk_buff) -> i32 { return 0 }",
    "var socket: array<u32, u64>(4)",
    "var EINTR: hash<u32, u32>(4)",
    "var getpid: u64 = 0",
    ...names.map((name) => `fn ${name}() -> u32 { return 1 }`),
    "fn main() -> i32 {",
    "    var total: u32 = 0",
    ...names.map((name) => `    total = total + ${name}()`),
    "    total = total + socket[0] as u32 + getpid as u32",
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
    // Declared names stay libbpf's names; macros cannot (they would expand in the skeleton).
    const bpfC = readFileSync(join(out, "collide.bpf.c"), "utf8");
    for (const kept of ["int on_exit(", "} socket SEC(\".maps\")", "__u64 getpid"]) assert.ok(bpfC.includes(kept), kept);
    for (const escaped of ["int unix_(", "} EINTR_ SEC(\".maps\")"]) assert.ok(bpfC.includes(escaped), escaped);
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  }
});
