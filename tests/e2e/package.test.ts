// The npm package as a user gets it: `npm pack` (of the tree `make build` made), the
// tarball's file list (the bundle, the man page, the launcher and the one C tool the CLI
// compiles at run time; no tests, no TypeScript sources, no tools), no runtime
// dependencies, `npm install -g --offline --prefix P` into a fresh prefix with an empty
// npm cache, and the installed `P/bin/kernelscript`, from a directory outside the
// checkout, checking, building and test-running a copy of the seed sketch with a @test.
//
// `npm pack --ignore-scripts`: the package's `prepack` is `make build`, which would
// rebuild build/ under the test files running beside this one; `make test` has just
// built it, and that build is what is packed.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../harness/golden.js";
import { seedSketch } from "../harness/seed-sketch.js";

const run = promisify(execFile);

/** The seed sketch as written, with a test of its behaviour added. */
const seedWithTest = `${seedSketch}
@test
fn drops_and_counts_large_frames() {
    var big = eth_packet().ipv4().udp().pad_to(1401)
    assert(test(packet_filter, TestRun { packet: big, ingress_ifindex: 3 }) == XDP_DROP)
    assert(packet_counts[3] == 1, "counted on the ingress interface")
    var small = eth_packet().ipv4().udp().pad_to(1400)
    assert(test(packet_filter, TestRun { packet: small, ingress_ifindex: 3 }) == XDP_PASS)
}
`;

const isRoot = process.getuid?.() === 0;

interface PackedFile {
  readonly path: string;
}

let temp: string;
let prefix: string;
let work: string;
let files: readonly string[];
let tarball: string;

/** Runs the installed `kernelscript` in `work`, with a cache of its own; never rejects on a non-zero exit. */
async function installed(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(prefix, "bin", "kernelscript"), [...args], {
      cwd: work,
      env: { ...process.env, PATH: `${join(prefix, "bin")}:${process.env["PATH"] ?? ""}`, KS_CACHE_DIR: join(temp, "ks-cache"), NO_COLOR: "1", KS_DEBUG: "" },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), "ks-package-test-"));
  prefix = join(temp, "prefix");
  work = join(temp, "elsewhere");
  mkdirSync(work);
  const npmCache = join(temp, "npm-cache");
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", temp, "--cache", npmCache], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [report] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[];
  files = report!.files.map((file) => file.path).sort();
  tarball = join(temp, report!.filename);
  // Offline, with an empty npm cache: the package must need nothing from a registry.
  await run("npm", ["install", "-g", "--offline", "--no-audit", "--no-fund", "--cache", npmCache, "--prefix", prefix, tarball], { cwd: temp });
});

after(() => rmSync(temp, { recursive: true, force: true }));

describe("npm package", () => {
  it("holds the built JavaScript, the launcher, the man page and nothing a user does not need", () => {
    for (const needed of ["bin/kernelscript", "bin/package.json", "build/bundle/launch.cjs", "build/bundle/kernelscript.cjs", "build/man/kernelscript.1", "package.json", "README.md", "src/runner/native/verify-load.c"]) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    // Source maps (KS_DEBUG=1 stack traces name the TypeScript lines) replace the sources.
    const allowed = [/^bin\/(kernelscript|package\.json)$/, /^build\/bundle\/[\w-]+\.cjs(\.map)?$/, /^build\/man\/kernelscript\.1$/, /^src\/runner\/native\/(verify-load\.c|[\w-]+\.h)$/, /^(package\.json|README\.md|LICENSE)$/];
    const unexpected = files.filter((path) => !allowed.some((pattern) => pattern.test(path)));
    assert.deepEqual(unexpected, [], "no tests, TypeScript sources, tools, examples or build leftovers");
    assert.ok(files.length < 30, `a handful of files, not the tree (${files.length})`);
  });

  it("has no runtime dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(prefix, "lib", "node_modules", "kernelscript", "package.json"), "utf8")) as Record<string, unknown>;
    assert.equal(manifest["dependencies"], undefined);
    assert.equal(manifest["optionalDependencies"], undefined);
    assert.equal(manifest["peerDependencies"], undefined);
  });

  it("installs the command and the man page into the prefix", async () => {
    assert.ok(existsSync(join(prefix, "bin", "kernelscript")));
    assert.ok(existsSync(join(prefix, "share", "man", "man1", "kernelscript.1")));
    const version = await installed(["--version"]);
    assert.equal(version.code, 0, version.stderr);
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    assert.equal(version.stdout, `kernelscript ${manifest.version}\n`);
    const help = await installed(["build", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: kernelscript build FILE\.ks/m);
  });

  it("checks and builds the seed sketch from another directory", async () => {
    writeFileSync(join(work, "seed.ks"), seedWithTest);
    const check = await installed(["check", "seed.ks"]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout + check.stderr, /seed\.ks: no errors/);
    const build = await installed(["build", "seed.ks", "-o", "out"]);
    assert.equal(build.code, 0, build.stdout + build.stderr);
    assert.ok(existsSync(join(work, "out", "seed.bpf.o")) && existsSync(join(work, "out", "seed")), "the object and the loader are built");
    if (isRoot) assert.match(build.stdout, /kernel verifier check: 1 of 1 eBPF programs loaded/, "the verifier check's C tool was built from the package");
  });

  it("test-runs the seed sketch's @test in the kernel", { skip: isRoot ? undefined : "needs root (BPF_PROG_TEST_RUN)" }, async () => {
    writeFileSync(join(work, "seed.ks"), seedWithTest);
    const test = await installed(["test", "seed.ks"]);
    assert.equal(test.code, 0, test.stdout + test.stderr);
    assert.match(test.stdout, /^ok {3}drops_and_counts_large_frames/m);
    assert.match(test.stdout, /^1 passed, 0 failed$/m);
  });

  it("an installed package without its bundle says how to get a working one", async () => {
    const broken = join(temp, "broken");
    cpSync(join(prefix, "lib", "node_modules", "kernelscript"), broken, { recursive: true });
    rmSync(join(broken, "build", "bundle"), { recursive: true });
    const result = await run(process.execPath, [join(broken, "bin", "kernelscript"), "--version"], { cwd: work }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^error: kernelscript is not built yet/m);
    assert.doesNotMatch(result.stderr, /make -C/, "no make: the package has no Makefile");
    assert.match(result.stderr, /npm pack/);
  });
});
