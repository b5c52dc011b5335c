// Array fields of a tracepoint context copied with `=` (tests/kernel/fixtures/context_arrays.ks):
// a `__builtin_memcpy` from the context made clang read it through a moved context
// pointer and the verifier refused the program (E0464, "dereference of modified ctx
// ptr"); the copy is now one constant-offset load per element. The test connects to
// 127.0.0.2 and ::1 and expects the addresses the kernel put in the record.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("context-arrays.test", kernelSkipReason());

// Closed ports: a refused connect still goes from CLOSE to SYN_SENT.
const v4 = 39881;
const v6 = 39882;
const connects = `
import socket
for family, address in ((socket.AF_INET, ("127.0.0.2", ${v4})), (socket.AF_INET6, ("::1", ${v6}))):
    s = socket.socket(family)
    try:
        s.connect(address)
    except OSError:
        pass
    s.close()
`;

kernelTest("u8[4] and u8[16] context fields copied with = carry the connect's addresses", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "context_arrays.ks"));
  const loader = startLoader([build.binary]);
  try {
    await loader.waitFor(/^ready$/m);
    const python = spawnSync("python3", ["-c", connects], { encoding: "utf8" });
    assert.equal(python.status, 0, python.stderr);
    const events = (): string[] => loader.stdout().split("\n").filter((l) => l.startsWith("event ") && (l.includes(` ${v4} `) || l.includes(` ${v6} `)));
    assert.ok(await eventually(() => events().length === 2, 5000), `${loader.stdout()}${loader.stderr()}`);
    // IPv4: saddr 127.0.0.1 (the route to 127.0.0.2 picks it), daddr 127.0.0.2; the
    // IPv6 field of an IPv4 socket holds the v4-mapped address.
    assert.deepEqual(events(), [
      `event ${v4} 127.0.0.1 127.0.0.2 ::ffff:127.0.0.2`,
      `event ${v6} 0.0.0.0 0.0.0.0 ::1`,
    ]);
    assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});
