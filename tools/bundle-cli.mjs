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
//   build/bundle/manifest-text.cjs src/cli/package/manifest-text.ts with `yaml` bundled
//                                 in, loaded only by `kernelscript package`.
// build/src/ (tsc's output) stays what the tests import; the bundle is made from the same
// sources. build/bundle/meta.json holds esbuild's metafile of each (which source went into
// which file; tests/unit/cli-bundle.test.ts reads it).
//
//   node tools/bundle-cli.mjs        (run by `make build`)

import { build } from "esbuild";
import { isAscii } from "node:buffer";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "build", "bundle");
// Built beside the old bundle and swapped in, so a failed build leaves the old one whole.
const staging = `${output}.tmp-${process.pid}`;

/**
 * `node:crypto` and `node:child_process` as modules that load the real one on first use:
 * esbuild hoists every import of every bundled module to start-up, and these two cost
 * ~5 ms each there, although `check` never hashes nor spawns. Each exported function is
 * a wrapper calling the real module's; only functions are offered (a class or a
 * constant imported from them fails the bundle here, loudly, rather than misbehaving).
 */
const lazyBuiltins = ["node:crypto", "node:child_process"];
const lazyBuiltinsPlugin = {
  name: "lazy-builtins",
  setup(build) {
    const filter = new RegExp(`^(${lazyBuiltins.join("|")})$`);
    // The wrapper module's own `require` is the real, external one.
    build.onResolve({ filter }, (args) =>
      args.namespace === "lazy-builtin" ? { path: args.path, external: true } : { path: args.path, namespace: "lazy-builtin" });
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, async (args) => {
      const real = await import(args.path);
      const name = JSON.stringify(args.path);
      const functions = Object.keys(real).filter((key) => key !== "default" && /^[a-z]\w*$/.test(key) && typeof real[key] === "function");
      const contents = [
        "let loaded;",
        `const real = () => (loaded ??= require(${name}));`,
        ...functions.map((key) => `export function ${key}(...args) { return real().${key}(...args); }`),
      ].join("\n");
      return { contents, loader: "js" };
    });
  },
};

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
  // esbuild keeps `//!` comments (our module headers) as "legal comments": they are most
  // of the non-ASCII characters left, and the launcher reads the bundle as Latin-1, which
  // is right only for ASCII (see the check below).
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [lazyBuiltinsPlugin],
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
  const manifests = await build({
    ...common,
    ...commonJs,
    // `yaml` goes into its file: only `kernelscript package` loads it (src/cli/package/).
    packages: "bundle",
    entryPoints: [join(root, "src", "cli", "package", "manifest-text.ts")],
    outfile: join(staging, "manifest-text.cjs"),
  });
  mkdirSync(staging, { recursive: true });
  // src/cli/code-cache.ts reads the bundle as Latin-1: Node 20 decodes UTF-8 at ~30 MB/s
  // here (~40 ms for the bundle), Latin-1 in well under a millisecond, and the two agree
  // on ASCII. esbuild escapes every other character in strings (charset "ascii").
  for (const file of ["launch.cjs", "kernelscript.cjs"]) {
    if (!isAscii(readFileSync(join(staging, file)))) throw new Error(`bundle-cli: ${file} is not ASCII (src/cli/code-cache.ts reads it as Latin-1)`);
  }
  // Paths in the metafiles as they are once the bundle is in place.
  const meta = JSON.stringify({ launch: launch.metafile, cli: cli.metafile, lsp: lsp.metafile, manifests: manifests.metafile }, null, 1)
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
