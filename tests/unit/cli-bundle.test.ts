// The bundled CLI (tools/bundle-cli.mjs → build/bundle/): `--help` and `--version` are
// answered by the launcher alone, without loading the compiler, and the bundle is made
// from the current sources.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/golden.js";
import { cliPath } from "../harness/cli.js";

interface Metafile {
  readonly inputs: Readonly<Record<string, unknown>>;
}

const bundleDir = join(repoRoot, "build", "bundle");

function metafiles(): { launch: Metafile; cli: Metafile; lsp: Metafile; manifests: Metafile } {
  return JSON.parse(readFileSync(join(bundleDir, "meta.json"), "utf8")) as { launch: Metafile; cli: Metafile; lsp: Metafile; manifests: Metafile };
}

test("the launcher's bundle holds no part of the compiler and no command", () => {
  const { launch, cli } = metafiles();
  const inputs = Object.keys(launch.inputs);
  assert.ok(inputs.includes("src/cli/options.ts"), "the help texts are in the launcher");
  assert.deepEqual(inputs.filter((path) => path.startsWith("src/compiler/") || path.startsWith("src/cli/commands/")), []);
  // The rest of the CLI holds them (so the check above looks at the right names).
  assert.ok(Object.keys(cli.inputs).includes("src/compiler/pipeline.ts"));
  assert.ok(Object.keys(cli.inputs).includes("src/cli/commands/check.ts"));
});

test("the language server is a bundle of its own, with its libraries; the CLI's holds neither", () => {
  const { cli, lsp } = metafiles();
  const cliInputs = Object.keys(cli.inputs);
  assert.deepEqual(cliInputs.filter((path) => path.startsWith("src/lsp/") || path.includes("node_modules/")), []);
  const lspInputs = Object.keys(lsp.inputs);
  assert.ok(lspInputs.includes("src/lsp/server.ts"));
  assert.ok(lspInputs.some((path) => path.includes("node_modules/vscode-languageserver/")), "vscode-languageserver is bundled in");
});

const bundleFiles: Readonly<Record<string, string>> = { launch: "launch.cjs", cli: "kernelscript.cjs", lsp: "lsp-server.cjs", manifests: "manifest-text.cjs" };

test("the bundle is newer than every source it was made from (else: make build)", () => {
  for (const [name, meta] of Object.entries(metafiles())) {
    const bundle = statSync(join(bundleDir, bundleFiles[name]!)).mtimeMs;
    // `lazy-builtin:node:…` are modules tools/bundle-cli.mjs writes itself, not files.
    for (const input of Object.keys(meta.inputs).filter((path) => !path.startsWith("lazy-builtin:"))) {
      assert.ok(statSync(join(repoRoot, input)).mtimeMs <= bundle, `${input} changed after build/bundle/ was made: run \`make build\``);
    }
  }
});

/**
 * The files `bin/kernelscript ARGS` reads, recorded by a preloaded module wrapping
 * `fs.readFileSync` (the launcher reads the CLI's bundle with it to compile it).
 */
function filesRead(args: readonly string[]): { status: number | null; stdout: string; read: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "ks-bundle-test-"));
  try {
    const log = join(dir, "read.log");
    const preload = join(dir, "record-reads.cjs");
    writeFileSync(preload, `
const fs = require("node:fs");
const read = fs.readFileSync;
fs.readFileSync = function (path, ...rest) {
  if (typeof path === "string") fs.appendFileSync(${JSON.stringify(log)}, path + "\\n");
  return read.call(this, path, ...rest);
};
`);
    writeFileSync(log, "");
    const run = spawnSync(process.execPath, ["--require", preload, cliPath, ...args], {
      cwd: repoRoot, encoding: "utf8", env: { ...process.env, KS_CACHE_DIR: join(dir, "cache"), KS_DEBUG: undefined },
    });
    return { status: run.status, stdout: run.stdout, read: readFileSync(log, "utf8").split("\n").filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("`--help`, `help check`, `check --help` and `--version` never load the compiler; `check` does", () => {
  const compilerBundle = join(bundleDir, "kernelscript.cjs");
  for (const args of [["--help"], ["help", "check"], ["check", "--help"], ["--version"]]) {
    const run = filesRead(args);
    assert.equal(run.status, 0, args.join(" "));
    assert.match(run.stdout, /kernelscript/);
    assert.ok(!run.read.includes(compilerBundle), `\`${args.join(" ")}\` read ${compilerBundle}`);
  }
  const check = filesRead(["check", "examples/seed_packet_filter.ks"]);
  assert.equal(check.status, 0);
  assert.ok(check.read.includes(compilerBundle), "the recorder sees the compiler being loaded");
});

test("`check` loads neither node:crypto nor node:child_process (tools/bundle-cli.mjs makes them lazy)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-bundle-test-"));
  try {
    const preload = join(dir, "record-builtins.cjs");
    writeFileSync(preload, `
process.on("exit", () => process.stderr.write("loaded: " + process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)).join(" ") + "\\n"));
`);
    const run = spawnSync(process.execPath, ["--require", preload, cliPath, "check", "examples/seed_packet_filter.ks"], {
      cwd: repoRoot, encoding: "utf8", env: { ...process.env, KS_CACHE_DIR: join(dir, "cache"), KS_DEBUG: undefined },
    });
    assert.equal(run.status, 0, run.stderr);
    const loaded = (/^loaded: (.*)$/m.exec(run.stderr)?.[1] ?? "").split(" ");
    assert.ok(loaded.includes("fs"), "the recorder sees the builtins loaded");
    assert.ok(!loaded.includes("crypto"), "check loaded node:crypto");
    assert.ok(!loaded.includes("child_process"), "check loaded node:child_process");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the bundles are ASCII (src/cli/code-cache.ts reads them as Latin-1)", () => {
  for (const file of ["launch.cjs", "kernelscript.cjs"]) {
    const bytes = readFileSync(join(bundleDir, file));
    assert.ok(bytes.every((byte) => byte < 0x80), `${file} has a non-ASCII byte`);
  }
});
