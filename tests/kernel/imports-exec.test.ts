// Kernel tests of module imports: the eBPF program calls an imported @helper (checked
// through BPF_PROG_TEST_RUN), and the user-space binary prints what imported functions
// return (run as a process).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;

const kernelTest = kernelTests("imports-exec.test", kernelSkipReason());

kernelTest("import_demo.ks: the XDP program drops short packets through the module's @helper", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "import_demo.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "imp_demo_filter", size: 60 },
      { prog: "imp_demo_filter", size: 64 },
      { prog: "imp_demo_filter", size: 200 },
    ]);
    // min_length defaults to 64: 60 is too short, 64 and 200 are not.
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_PASS, XDP_PASS]);
  } finally {
    build.cleanup();
  }
});

kernelTest("import_demo.ks: the user-space binary prints the results of the module's functions", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "import_demo.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    // validate_config → true, get_status → 42, describe → 1500 - 64 (through validate_config);
    // the Python module: payload_room(1500, 42), is_jumbo(9000), describe_interface("eth0", 1500).
    assert.equal(run.stdout,
      "=== Import Demo Results ===\nutils: config valid 1, status 42, window 1436 bytes\n" +
      "network_utils: MTU 1500, payload room 1458, jumbo 1\nnetwork_utils: eth0 (mtu 1500)\nimp_demo_filter loaded\n");
  } finally {
    build.cleanup();
  }
});

kernelTest("a module importing a module: nested module functions run in the user-space binary", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "imports-exec-two-files.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    // mean_size: 6000 / 4; kib: fmt.divide(6000, 1024) in the module's own import.
    // kib(0) throws 3 in the module; main catches it.
    assert.equal(run.stdout, "mean 1500 bytes, 5 KiB\nkib: error 3 from the module\n");
    const result = runPrograms(build.bpfObject, [
      { prog: "imp_emit", size: 100 },
      { prog: "imp_emit", size: 1600 },
      { prog: "imp_emit", size: 16 },
    ]);
    // 16 bytes: the module's @helper throws 4, the program's catch returns XDP_ABORTED.
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_DROP, XDP_ABORTED]);
  } finally {
    build.cleanup();
  }
});
