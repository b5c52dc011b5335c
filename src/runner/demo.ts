//! `make demo`: compiles the seed sketch (examples/seed_packet_filter.ks) through the
//! compiler API, builds it with the generated Makefile, runs it in the kernel through
//! BPF_PROG_TEST_RUN, then (when namespaces can be made) attaches the generated loader
//! to a veth pair in throw-away namespaces and sends it real frames. Prints what passed,
//! what was dropped and what was counted. Exit: 0 ok, 1 failure, 3 environment missing.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildOutputDir } from "./build.js";
import { kernelSkipReason, networkSkipReason } from "./capabilities.js";
import { compileToDirectory } from "./compile.js";
import { parseSnapshots, startLoader } from "./loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, xdpAttached } from "./netns.js";
import { repoRoot } from "./paths.js";
import { findMap, integerEntries, runPrograms } from "./prog-run.js";

const xdpActions = ["XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT"];
const verdict: Record<string, string> = { XDP_DROP: "dropped", XDP_PASS: "passed" };

function say(text = ""): void {
  process.stdout.write(text + "\n");
}

async function main(): Promise<number> {
  const missing = kernelSkipReason();
  if (missing) {
    process.stderr.write(`demo: cannot run here: ${missing}\n`);
    return 3;
  }
  const seed = join(repoRoot, "examples", "seed_packet_filter.ks");
  const work = mkdtempSync(join(tmpdir(), "ks-demo-"));
  try {
    say(`1. Compiling ${relative(repoRoot, seed)}`);
    const project = compileToDirectory(seed, work);
    say(`   wrote ${project.files.map((f) => f.path).join(", ")}`);

    say("2. Building with the generated Makefile (clang -target bpf, bpftool gen skeleton, cc)");
    const build = buildOutputDir(work);
    if (!build.ok) {
      process.stderr.write(`demo: make failed:\n${build.stdout}${build.stderr}`);
      return 1;
    }
    say(`   built ${relative(work, build.bpfObject)} and the loader ./${build.name}`);

    say("3. Loading packet_filter into the kernel (it passed the verifier) and running it with BPF_PROG_TEST_RUN");
    const large = 3;
    const result = runPrograms(build.bpfObject, [
      { prog: "packet_filter", size: 100, ifindex: 1 },
      { prog: "packet_filter", size: 1500, ifindex: 1, repeat: large },
    ]);
    for (const run of result.runs) {
      const action = xdpActions[run.retval] ?? `return value ${run.retval}`;
      const times = run.repeat === 1 ? "once" : `${run.repeat} times`;
      say(`   a ${run.size}-byte frame, run ${times}: ${action} -> ${verdict[action] ?? action}`);
    }
    const counts = integerEntries(findMap(result, "packet_counts"));
    say(`   packet_counts: ${counts.get(1n) ?? 0n} large frames counted for ingress ifindex 1 (lo)`);

    const noNetwork = networkSkipReason();
    if (noNetwork) {
      say(`4. Skipping the veth part: ${noNetwork}`);
      return 0;
    }
    say("4. Attaching the generated loader to a veth pair in two throw-away network namespaces");
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.5"]));
      try {
        await loader.waitFor("printing maps");
        say(`   ./${build.name} -i ${pair.loaderInterface} is running; XDP attached: ${xdpAttached(pair) ? "yes" : "no"}`);
        sendFrames(pair, 100, 5);
        sendFrames(pair, 1500, 3);
        say(`   sent 5 frames of 100 bytes and 3 frames of 1500 bytes from ${pair.peerInterface} (${pair.peerAddress})`);
        await loader.waitFor(/snapshot [2-9]/);
      } finally {
        const exit = await loader.stop("SIGINT");
        say(`   stopped it with SIGINT: exit code ${exit.code}`);
      }
      const final = parseSnapshots(loader.stdout()).at(-1);
      const ifindex = loaderIfindex(pair);
      const dropped = final?.maps.get("packet_counts")?.entries.get(String(ifindex)) ?? "0";
      say(`   its last print: packet_counts[${ifindex}] = ${dropped} (${pair.loaderInterface} has ifindex ${ifindex} in its namespace)`);
      say(`   so ${dropped} large frames were dropped and counted; the small ones passed uncounted`);
      say(`   XDP program left on ${pair.loaderInterface} after exit: ${xdpAttached(pair) ? "YES (bug)" : "none"}`);
    });
    say("Done; the namespaces and the temporary build are removed.");
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
