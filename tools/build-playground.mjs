// Builds the browser playground (playground/) into build/playground/: static files any
// web server can serve, nothing fetched from elsewhere.
//
//   index.html, playground.css   copied from playground/
//   playground.js                playground/src/main.ts: the page (CodeMirror editor, output
//                                views, share links), bundled with its npm libraries
//   compiler-worker.js           playground/src/worker.ts: the pure compiler core in a Web
//                                Worker (typing never waits for a compile), with every
//                                example file bundled in as the worker's file system
//   *.js.map                     source maps (fetched only by a browser's developer tools)
//
// esbuild's metafiles (which source went into which file) go to build/playground-meta.json,
// outside the folder a host serves.
//
// The examples (every examples/*.ks and examples/tools/*.ks, and the files they include or
// import) reach the worker through the virtual module `playground:examples`.
//
//   node tools/build-playground.mjs        (run by `make build` and `make playground`)

import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const examplesDir = join(root, "examples");
const output = join(root, "build", "playground");
// Built beside the old folder and swapped in, so a failed build leaves the old one whole.
const staging = `${output}.tmp-${process.pid}`;

/** `include "x"` and `import name from "x"`: the files an example reads besides itself. */
const dependencyPattern = /^\s*(?:include\s+|import\s+\w+\s+from\s+)"([^"]+)"/gm;

/**
 * The example files, keyed by their path relative to examples/ ('/'-separated, as the
 * compiler's Host sees them): the menu's `.ks` files first, then what they read.
 */
function exampleFiles() {
  const menu = [
    ...readdirSync(examplesDir).filter((f) => f.endsWith(".ks")).sort(),
    ...readdirSync(join(examplesDir, "tools")).filter((f) => f.endsWith(".ks")).sort().map((f) => `tools/${f}`),
  ];
  const files = new Map();
  const pending = [...menu];
  while (pending.length > 0) {
    const path = pending.shift();
    if (files.has(path)) continue;
    const onDisk = join(examplesDir, ...path.split("/"));
    if (!existsSync(onDisk)) continue; // the compiler reports the missing file, as on disk
    const text = readFileSync(onDisk, "utf8");
    files.set(path, text);
    if (!path.endsWith(".ks") && !path.endsWith(".kh")) continue;
    for (const match of text.matchAll(dependencyPattern)) {
      const spec = match[1];
      if (spec.startsWith("/")) continue;
      const resolved = posix.normalize(posix.join(posix.dirname(path), spec));
      if (!resolved.startsWith("..")) pending.push(resolved);
    }
  }
  return { menu, files: Object.fromEntries(files) };
}

const examplesPlugin = {
  name: "playground-examples",
  setup(build) {
    build.onResolve({ filter: /^playground:examples$/ }, (args) => ({ path: args.path, namespace: "playground-examples" }));
    build.onLoad({ filter: /.*/, namespace: "playground-examples" }, () => {
      const { menu, files } = exampleFiles();
      return {
        contents: `export const menu = ${JSON.stringify(menu)};\nexport const files = ${JSON.stringify(files)};\n`,
        loader: "js",
        // esbuild's watch/rebuild would know to look again; the build itself reads them now.
        watchDirs: [examplesDir, join(examplesDir, "tools")],
      };
    });
  },
};

const common = {
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
};

rmSync(staging, { recursive: true, force: true });
try {
  const page = await build({
    ...common,
    entryPoints: [join(root, "playground", "src", "main.ts")],
    outfile: join(staging, "playground.js"),
  });
  const worker = await build({
    ...common,
    entryPoints: [join(root, "playground", "src", "worker.ts")],
    outfile: join(staging, "compiler-worker.js"),
    plugins: [examplesPlugin],
  });
  mkdirSync(staging, { recursive: true });
  for (const file of ["index.html", "playground.css"]) copyFileSync(join(root, "playground", file), join(staging, file));
  writeFileSync(`${output}-meta.json`, JSON.stringify({ page: page.metafile, worker: worker.metafile }, null, 1));
  rmSync(output, { recursive: true, force: true });
  renameSync(staging, output);
} catch (error) {
  rmSync(staging, { recursive: true, force: true });
  // esbuild has printed its errors.
  if (!(error instanceof Error && "errors" in error)) console.error(error);
  process.exit(1);
}
