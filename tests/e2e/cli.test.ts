// The command-line contract of DESIGN.md section 5, through the real `bin/kernelscript`:
// exit codes, usage and help texts, the internal-error path, and how `compile` and
// `build` treat the output directory.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, hasStackTrace, runCli } from "../harness/cli.js";
import { seedSketch } from "../harness/seed-sketch.js";

/** A program with an unknown name in it: the compiler must reject it. */
const brokenProgram = `@xdp
fn f(ctx: XdpContext) -> XdpAction {
    return no_such_name
}
`;

let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-cli-test-"));
  writeFileSync(join(work, "seed.ks"), seedSketch);
  writeFileSync(join(work, "broken.ks"), brokenProgram);
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Why the compiler core cannot compile the seed sketch yet, or undefined when it can. */
async function compilerNotReady(): Promise<string | undefined> {
  const run = await runCli(["check", "seed.ks"], { cwd: work });
  return run.code === 0 ? undefined : `the compiler does not accept the seed sketch yet (exit ${run.code}): ${run.stderr.split("\n")[0]}`;
}

/** Entries of `work` other than the inputs: leftovers of an output or a staging dir. */
function outputsIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => !name.endsWith(".ks"));
}

describe("usage", () => {
  it("prints the general help with every command and exits 0", async () => {
    const run = await runCli(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: kernelscript COMMAND \[OPTIONS\]$/m);
    for (const command of ["compile", "build", "check", "test", "run", "init", "fmt", "lsp"]) {
      assert.match(run.stdout, new RegExp(`^  ${command}\\b`, "m"), `help lists ${command}`);
    }
    assert.equal(run.stderr, "");
  });

  it("prints a command's help, generated from its flags", async () => {
    const run = await runCli(["compile", "--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: kernelscript compile FILE\.ks \[-o DIR\] \[--no-makefile\] \[--test\] \[--deny-warnings\]$/m);
    assert.match(run.stdout, /-o, --output DIR/);
    assert.deepEqual((await runCli(["help", "check"])).stdout, (await runCli(["check", "-h"])).stdout);
  });

  it("prints the version", async () => {
    const run = await runCli(["--version"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^kernelscript \d+\.\d+\.\d+/);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ["no command", [], /no command given/],
    ["an unknown command, with a suggestion", ["compil", "a.ks"], /unknown command `compil` \(did you mean `compile`\?\)/],
    ["an unknown flag", ["compile", "a.ks", "--fast"], /unknown option `--fast` for `compile`/],
    ["a missing file argument", ["compile"], /`compile` needs FILE\.ks/],
    ["an extra argument", ["check", "a.ks", "b.ks"], /unexpected argument `b\.ks`/],
    ["a flag without its value", ["compile", "a.ks", "-o"], /option `-o` needs a value \(DIR\)/],
    ["a value outside the choices", ["check", "a.ks", "--format", "xml"], /must be one of `text`, `json`, not `xml`/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with usage on ${what}`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /^Usage: kernelscript /m);
      assert.equal(run.stdout, "");
    });
  }

  it("has a runner for every command of the option tables (none is left unimplemented)", async () => {
    const { commands } = await import("../../src/cli/options.js");
    const { runners } = await import("../../src/cli/commands/index.js");
    assert.deepEqual(commands.map((c) => c.name).filter((name) => !(name in runners)), []);
    assert.deepEqual(Object.keys(runners).filter((name) => !commands.some((c) => c.name === name)), []);
  });

  it("works from any directory and through a symlink", async () => {
    const link = join(work, "ks-link");
    symlinkSync(cliPath, link);
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync(process.execPath, [link, "--version"], { cwd: tmpdir(), encoding: "utf8" });
    assert.match(out, /^kernelscript /);
    rmSync(link);
  });
});

describe("internal errors", () => {
  it("exit 70 with a report line and no stack trace", async () => {
    const run = await runCli(["check", "seed.ks"], { cwd: work, env: { KS_TEST_INTERNAL_ERROR: "1" } });
    assert.equal(run.code, 70);
    assert.match(run.stderr, /^internal compiler error: deliberate failure/m);
    assert.match(run.stderr, /please report it on the KernelScript issue tracker with the input file \(seed\.ks\)/);
    assert.ok(!hasStackTrace(run.stderr), run.stderr);
  });

  it("show the stack only with KS_DEBUG=1", async () => {
    const run = await runCli(["check", "seed.ks"], { cwd: work, env: { KS_TEST_INTERNAL_ERROR: "1", KS_DEBUG: "1" } });
    assert.equal(run.code, 70);
    assert.match(run.stderr, /^\s{4}at /m);
  });
});

describe("check", () => {
  it("reports a missing input file as a diagnostic and exits 1", async (t) => {
    const run = await runCli(["check", "nope.ks"], { cwd: work });
    if (run.code === 70) return t.skip(`compiler core not loadable yet: ${run.stderr.split("\n")[0]}`);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error\[E0200\]: cannot read `nope\.ks`\n  --> nope\.ks/m);
    assert.match(run.stderr, /^error: could not compile `nope\.ks` due to 1 previous error$/m);
  });

  it("reports errors with exit 1 and a clean file with exit 0", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const broken = await runCli(["check", "broken.ks"], { cwd: work });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^error\[E\d{4}\]: .*\n  --> broken\.ks:3:12$/m);
    const clean = await runCli(["check", "seed.ks"], { cwd: work });
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, "seed.ks: no errors\n");
    assert.deepEqual(outputsIn(work), [], "check writes nothing");
  });

  it("prints JSON on stdout with --format json", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const run = await runCli(["check", "broken.ks", "--format", "json"], { cwd: work });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as { diagnostics: { file: string; line: number; column: number; severity: string }[] };
    assert.equal(report.diagnostics[0]?.file, "broken.ks");
    assert.equal(report.diagnostics[0]?.line, 3);
    assert.equal(report.diagnostics[0]?.column, 12);
    assert.equal(report.diagnostics[0]?.severity, "error");
  });
});

describe("compile", () => {
  it("writes NAME.bpf.c, NAME.c and the Makefile into -o DIR", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const run = await runCli(["compile", "seed.ks", "-o", "out"], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const files = readdirSync(join(work, "out"));
    for (const name of ["seed.bpf.c", "seed.c", "Makefile"]) assert.ok(files.includes(name), `out/ has ${name}: ${files.join(", ")}`);
    assert.match(readFileSync(join(work, "out", "seed.bpf.c"), "utf8"), /SEC\("xdp"\)/);
    assert.match(run.stdout, /^compiled seed\.ks into out\/: .*seed\.bpf\.c/);
    assert.deepEqual(outputsIn(work), ["out"], "no staging directory is left behind");
    assert.equal(statSync(join(work, "out")).mode & 0o777, 0o755, "an ordinary directory, not mkdtemp's private one");

    // A second compile replaces the previous output as a whole.
    writeFileSync(join(work, "out", "stale.txt"), "from an earlier run");
    const again = await runCli(["compile", "seed.ks", "-o", "out", "--no-makefile"], { cwd: work });
    assert.equal(again.code, 0, again.stderr);
    const replaced = readdirSync(join(work, "out"));
    assert.ok(!replaced.includes("stale.txt") && !replaced.includes("Makefile"), replaced.join(", "));
    assert.ok(replaced.includes("seed.bpf.c"));
    rmSync(join(work, "out"), { recursive: true });
  });

  it("defaults the output directory to ./NAME", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const run = await runCli(["compile", "seed.ks"], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(work, "seed", "seed.bpf.c")));
    rmSync(join(work, "seed"), { recursive: true });
  });

  it("writes nothing when the program has errors, and keeps an existing output", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const run = await runCli(["compile", "broken.ks", "-o", "out"], { cwd: work });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /could not compile `broken\.ks`/);
    assert.deepEqual(outputsIn(work), []);

    mkdirSync(join(work, "previous"));
    writeFileSync(join(work, "previous", "seed.bpf.c"), "// generated by kernelscript\n");
    const failed = await runCli(["compile", "broken.ks", "-o", "previous"], { cwd: work });
    assert.equal(failed.code, 1);
    assert.deepEqual(readdirSync(join(work, "previous")), ["seed.bpf.c"]);
    rmSync(join(work, "previous"), { recursive: true });
  });

  it("refuses to replace a directory that is not kernelscript output", async () => {
    mkdirSync(join(work, "mine"));
    writeFileSync(join(work, "mine", "notes.txt"), "precious");
    for (const output of ["mine", ".", ".."]) {
      const run = await runCli(["compile", "seed.ks", "-o", output], { cwd: work });
      assert.equal(run.code, 2, `-o ${output}: ${run.stderr}`);
      assert.match(run.stderr, /refusing to replace|contains the working directory/);
    }
    assert.equal(readFileSync(join(work, "mine", "notes.txt"), "utf8"), "precious");
    rmSync(join(work, "mine"), { recursive: true });
  });
});

describe("build", () => {
  it("exits 3 and prints the apt-get line when the toolchain is missing", async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    const run = await runCli(["build", "seed.ks", "-o", "out"], { cwd: work, env: { PATH: "/nonexistent" } });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^error: missing `clang` \(compiles the eBPF program\)$/m);
    assert.match(run.stderr, /= fix: (sudo )?apt-get install -y .*clang/);
    assert.deepEqual(outputsIn(work), [], "nothing is written when the build cannot run");
  });

  it("produces NAME.bpf.o and the loader NAME", { timeout: 180_000 }, async (t) => {
    const reason = await compilerNotReady();
    if (reason) return t.skip(reason);
    if (!existsSync("/usr/include/bpf/libbpf.h") || !existsSync("/sys/kernel/btf/vmlinux")) {
      return t.skip("needs libbpf headers and kernel BTF");
    }
    const run = await runCli(["build", "seed.ks", "-o", "built"], { cwd: work });
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`);
    assert.match(run.stdout, /built built\/seed\.bpf\.o \(eBPF object\) and built\/seed /);
    assert.ok(existsSync(join(work, "built", "seed.bpf.o")));
    assert.ok(existsSync(join(work, "built", "seed")));
    rmSync(join(work, "built"), { recursive: true });
  });
});
