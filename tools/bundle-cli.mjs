// Bundles the CLI with esbuild into build/bundle/, for start-up: Node then reads two
// files instead of resolving ~190 modules one by one. `bin/kernelscript` runs
//   build/bundle/launch.js        src/cli/launch.ts alone: answers --help and --version,
//                                 or loads the rest:
//   build/bundle/kernelscript.cjs src/cli/main.ts with every command, the runner and the
//                                 compiler core, as CommonJS so that the launcher can
//                                 compile it with V8's code cache (src/cli/code-cache.ts).
//   build/bundle/lsp-server.cjs   src/lsp/main.ts, the language server with
//                                 vscode-languageserver bundled in, loaded only by
//                                 `kernelscript lsp` (src/cli/commands/lsp.ts): no other
//                                 command's start-up reads it, and the package needs no
//                                 runtime dependency for it.
// build/src/ (tsc's output) stays what the tests import; the bundle is made from the same
// sources. build/bundle/meta.json holds esbuild's metafile of each (which source went into
// which file; tests/unit/cli-bundle.test.ts reads it).
//
//   node tools/bundle-cli.mjs        (run by `make build`)

import { build } from "esbuild";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "build", "bundle");
// Built beside the old bundle and swapped in, so a failed build leaves the old one whole.
const staging = `${output}.tmp-${process.pid}`;

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  // npm dependencies are not bundled (the CLI has none at run time today).
  packages: "external",
  sourcemap: "linked",
  // Less to read, hash and deserialise at each start (~30% of the CLI's load time);
  // KS_DEBUG=1 stack traces are mapped back to the sources (src/cli/launch.ts).
  minify: true,
  metafile: true,
  logLevel: "warning",
};

// CommonJS, not ES modules: Node then never starts its ES module loader (~10 ms), and
// the launcher can compile the CLI's file with V8's code cache. CommonJS has no
// import.meta: the file's own URL, as an ES module would see it.
const commonJs = {
  format: "cjs",
  define: { "import.meta.url": "__ksModuleUrl" },
  banner: { js: 'const __ksModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

rmSync(staging, { recursive: true, force: true });
try {
  const launch = await build({
    ...common,
    ...commonJs,
    entryPoints: [join(root, "src", "cli", "launch.ts")],
    outfile: join(staging, "launch.cjs"),
  });
  const cli = await build({
    ...common,
    ...commonJs,
    entryPoints: [join(root, "src", "cli", "main.ts")],
    outfile: join(staging, "kernelscript.cjs"),
  });
  const lsp = await build({
    ...common,
    ...commonJs,
    // The server's npm libraries go into its file: the installed package has no node_modules.
    packages: "bundle",
    entryPoints: [join(root, "src", "lsp", "main.ts")],
    outfile: join(staging, "lsp-server.cjs"),
  });
  mkdirSync(staging, { recursive: true });
  // Paths in the metafiles as they are once the bundle is in place.
  const meta = JSON.stringify({ launch: launch.metafile, cli: cli.metafile, lsp: lsp.metafile }, null, 1)
    .replaceAll(relative(process.cwd(), staging), relative(process.cwd(), output));
  writeFileSync(join(staging, "meta.json"), meta);
  rmSync(output, { recursive: true, force: true });
  renameSync(staging, output);
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  // esbuild has printed its errors.
  if (!(error instanceof Error && "errors" in error)) console.error(error);
  process.exit(1);
}
