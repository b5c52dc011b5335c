// `%s` of a char/u8 array in an eBPF `print`: the array is copied into a zeroed buffer
// one byte longer, so bpf_printk (whose `%s` reads up to a NUL and takes no precision)
// prints exactly its bytes even when none of them is a NUL. The program fills an array
// with no terminator next to a marker that must not show, runs under BPF_PROG_TEST_RUN,
// and the test reads the line from the trace buffer (before: E0335, not printable).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runPrograms } from "../../src/runner/prog-run.js";
import { kernelTests, withBuiltSource } from "./helpers.js";

const kernelTest = kernelTests("print-char-arrays.test", kernelSkipReason());

const source = `
struct PcaRecord {
    word: u8[6],
    after: u8[4],
}

@xdp
fn pca_print(ctx: *xdp_md) -> xdp_action {
    var r = PcaRecord { word: [75, 83, 112, 99, 97, 33], after: [88, 88, 88, 0] }
    var c: char[3] = ['o', 'k', 0]
    print("pca-%d %s|%s|", ctx.ingress_ifindex, r.word, c)
    return XDP_PASS
}
`;

kernelTest("print(\"%s\", array) in eBPF prints the array's bytes and stops at its end", () => {
  withBuiltSource("print_char_arrays", source, (build) => {
    runPrograms(build.bpfObject, [{ prog: "pca_print" }]);
    const trace = readFileSync("/sys/kernel/tracing/trace", "utf8");
    const lines = trace.split("\n").filter((l) => l.includes("pca-"));
    assert.ok(lines.length > 0, "the line is in the trace buffer");
    assert.match(lines.at(-1)!, /pca-\d+ KSpca!\|ok\|$/);
  });
});
