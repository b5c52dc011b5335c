// Attachment targets the kernel must have (check/kernel-targets.ts) through the real CLI:
// a tracepoint missing from the kernel is a warning when compiling and an error under
// `check --kernel`; tracefs, when there is one (KS_TRACEFS stands in for it), checks the
// category too; without BTF one warning says what was not checked.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasStackTrace, runCli } from "../harness/cli.js";

const btfMissing = existsSync("/sys/kernel/btf/vmlinux") ? undefined : "no kernel BTF at /sys/kernel/btf/vmlinux";
let work: string;

const program = (target: string): string => [
  `@tracepoint("${target}")`,
  "fn on_switch(ctx: *trace_event_raw_sched_switch) -> i32 {",
  "    return 0",
  "}",
  "",
].join("\n");

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-kernel-targets-"));
  for (const event of ["sched/sched_switch", "sched/sched_wakeup"]) mkdirSync(join(work, "tracefs", "events", event), { recursive: true });
  writeFileSync(join(work, "category.ks"), program("shed/sched_switch"));
  writeFileSync(join(work, "event.ks"), program("sched/sched_swich"));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("tracepoint names against the kernel", { skip: btfMissing }, () => {
  it("with tracefs the category is checked: a warning with the whole name suggested, exit 0", async () => {
    const run = await runCli(["check", "category.ks"], { cwd: work, env: { KS_TRACEFS: "tracefs" } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warning\[W0245\]: the kernel has no tracepoint `shed\/sched_switch`$/m);
    assert.match(run.stderr, /= help: did you mean `sched\/sched_switch`\?\n/);
  });

  it("without tracefs only the event is checked (BTF): a right event in a wrong category passes", async () => {
    const run = await runCli(["check", "category.ks"], { cwd: work, env: { KS_TRACEFS: "nothing-here" } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /category\.ks: no errors/);
  });

  it("without tracefs a misspelt event is found in BTF, the help says the category was not checked", async () => {
    const run = await runCli(["check", "event.ks"], { cwd: work, env: { KS_TRACEFS: "nothing-here" } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /= help: did you mean `sched\/sched_switch`\? \(without tracefs the category was not checked\)/);
  });

  it("check --kernel: an error (E0477), exit 1, reported before loading is attempted", async () => {
    const run = await runCli(["check", "--kernel", "event.ks"], { cwd: work, env: { KS_TRACEFS: "tracefs", KS_NO_BPF: "1" } });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error\[E0477\]: this kernel has no tracepoint `sched\/sched_swich`$/m);
    assert.match(run.stderr, /--> event\.ks:1:13/);
    assert.ok(!hasStackTrace(run.stderr));
  });

  it("compile: the warning, and the output is written", async () => {
    const run = await runCli(["compile", "event.ks", "-o", "event-out"], { cwd: work, env: { KS_TRACEFS: "tracefs" } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning\[W0245\]/);
    assert.ok(readdirSync(join(work, "event-out")).includes("event.bpf.c"));
  });

  it("without BTF: one warning names what was not checked", async () => {
    const run = await runCli(["check", "category.ks"], { cwd: work, env: { KS_TRACEFS: "tracefs", BTF: join(work, "no-btf") } });
    assert.equal(run.code, 1, run.stderr); // trace_event_raw_sched_switch is a kernel type: unknown without BTF
    assert.match(run.stderr, /^warning\[W0248\]: tracepoint `shed\/sched_switch` not checked: no kernel BTF to check against$/m);
    assert.doesNotMatch(run.stderr, /W0245/, "tracefs belongs to the running kernel, not to a BTF given with BTF=");
  });
});
