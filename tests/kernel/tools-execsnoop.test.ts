// examples/tools/execsnoop.ks: a program started while the tool runs is printed with
// its pid, its parent (this test process), its user, its command name and the file it
// executed; at SIGINT the exec counts are printed, and nothing is left attached.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests } from "./helpers.js";
import { stopAndCheckDetached, withTool } from "./tools.js";

const kernelTest = kernelTests("tools-execsnoop.test", kernelSkipReason());

kernelTest("execsnoop prints each exec with pid, ppid, uid, comm and file, and the counts at exit", async () => {
  await withTool("execsnoop", ["on_exec"], ["--interval", "60"], async (tool) => {
    await tool.loader.waitFor("printing records of events");
    // `env` executes `/usr/bin/true` in the same process: two execs of one pid.
    const child = spawnSync("/usr/bin/env", ["-i", "/usr/bin/true", "ks-execsnoop-marker"]);
    assert.equal(child.status, 0);
    const pid = child.pid!;
    const uid = process.getuid!();
    await tool.loader.waitFor(`events: {pid: ${pid}, ppid: ${process.pid}, uid: ${uid}, comm: "true", file: "/usr/bin/true"}`);
    assert.match(tool.loader.stdout(), new RegExp(`^events: \\{pid: ${pid}, ppid: ${process.pid}, uid: ${uid}, comm: "env", file: "/usr/bin/env"\\}$`, "m"));
    const final = await stopAndCheckDetached(tool);
    assert.match(final, /^execs \(hash<str\(16\), u64>\): top \d+ of \d+ entr(y|ies)$/m);
    assert.match(final, /^execs\["true"\] = [1-9]\d*$/m);
    assert.match(final, /^execs\["env"\] = [1-9]\d*$/m);
  });
});
