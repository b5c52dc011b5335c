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
// The examples (every examples/*.ks and examples/tools/*.ks, and every other file under
// examples/ but upstream/, which they may include, import or exec) reach the worker
// through the virtual module `playground:examples`.
//
//   node tools/build-playground.mjs        (run by `make build` and `make playground`)

import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const examplesDir = join(root, "examples");
const output = join(root, "build", "playground");
// Built beside the old folder and swapped in, so a failed build leaves the old one whole.
const staging = `${output}.tmp-${process.pid}`;

/**
 * The example files, keyed by their path relative to examples/ ('/'-separated, as the
 * compiler's Host sees them): the menu (every examples/*.ks and examples/tools/*.ks), and
 * every file of examples/ they may read (`include`, `import … from`, `exec(…)` name
 * headers, Python files and programs by path): the whole tree but upstream/, the
 * reference examples (tests/upstream-verbatim.test.ts), which are not in the menu.
 */
function exampleFiles() {
  const menu = [
    ...readdirSync(examplesDir).filter((f) => f.endsWith(".ks")).sort(),
    ...readdirSync(join(examplesDir, "tools")).filter((f) => f.endsWith(".ks")).sort().map((f) => `tools/${f}`),
  ];
  const files = {};
  const walk = (dir) => {
    for (const entry of readdirSync(join(examplesDir, ...dir.split("/").filter(Boolean)), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (path !== "upstream") walk(path);
      } else if (entry.isFile()) {
        files[path] = readFileSync(join(examplesDir, ...path.split("/")), "utf8");
      }
    }
  };
  walk("");
  return { menu, files };
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
