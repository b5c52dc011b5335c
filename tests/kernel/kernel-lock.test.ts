// The machine-wide kernel-test lock (tests/kernel/helpers.ts): a kernel test holds it
// while it runs, and lets it go only around builds (outsideKernelLock), so another test
// file's kernel test can use the kernel meanwhile; it is held again before the build returns.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests, outsideKernelLock } from "./helpers.js";

const kernelTest = kernelTests("kernel-lock.test", kernelSkipReason());
const lock = join(tmpdir(), "kernelscript-kernel-tests.lock");

function lockOwner(): number | undefined {
  const owner = join(lock, "owner");
  return existsSync(owner) ? Number(readFileSync(owner, "utf8")) : undefined;
}

kernelTest("a kernel test holds the lock, lets it go around a build and holds it again afterwards", () => {
  assert.equal(lockOwner(), process.pid, "held while the test runs");
  const during = outsideKernelLock(() => lockOwner());
  assert.notEqual(during, process.pid, "not held by this process during the build");
  assert.equal(lockOwner(), process.pid, "held again once the build returns");
  assert.throws(() => outsideKernelLock(() => { throw new Error("the build failed"); }), /the build failed/);
  assert.equal(lockOwner(), process.pid, "held again after a build that threw");
});
