// Ring buffers and `new`/`delete` in the kernel: records an XDP program writes are read
// back (prog-run --ringbuf) and decoded; discarded records never arrive; objects made
// with `new` pass the verifier and carry values into a map; the generated loaders print
// records as they arrive (default main) and call `on_event` handlers from `dispatch`
// (user main), both attached to a veth pair.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason, networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader, type LoaderProcess } from "../../src/runner/loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, xdpAttached, type VethPair } from "../../src/runner/netns.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("ringbuf-objects.test", kernelSkipReason());
const networkTest = kernelTests("ringbuf-objects.test (veth)", networkSkipReason());
const tour = join(repoRoot, "examples", "ringbuf_events.ks");

/** struct PacketEvent { ifindex: u32, length: u32, seq: u64 } as laid out in C. */
function decodePacketEvent(bytes: Uint8Array): { ifindex: bigint; length: bigint; seq: bigint } {
  assert.equal(bytes.length, 16, "one PacketEvent is 16 bytes");
  return { ifindex: readUint(bytes, 0, 4), length: readUint(bytes, 4, 4), seq: readUint(bytes, 8, 8) };
}

kernelTest("one record per packet with its ifindex, length and sequence; runts are discarded", () => {
  const build = compileAndBuild(tour);
  try {
    const sizes = [64, 100, 50, 1500, 59, 60];
    const result = runPrograms(build.bpfObject, sizes.map((size) => ({ prog: "packet_events", size })), { ringbufs: ["events"] });
    assert.deepEqual(result.runs.map((r) => r.retval), sizes.map(() => 2), "XDP_PASS for every packet");
    const records = result.ringbufs.find((r) => r.name === "events")!.records.map(decodePacketEvent);
    // 50 and 59 bytes are reserved and then discarded: they never reach the ring.
    assert.deepEqual(records, [
      { ifindex: 1n, length: 64n, seq: 1n },
      { ifindex: 1n, length: 100n, seq: 2n },
      { ifindex: 1n, length: 1500n, seq: 4n },
      { ifindex: 1n, length: 60n, seq: 6n },
    ]);
    assert.deepEqual([...integerEntries(findMap(result, "seen"))], [[1n, 6n]], "every packet was counted");
    assert.deepEqual([...integerEntries(findMap(result, "lost"))], [[0n, 0n]], "nothing was lost");
  } finally {
    build.cleanup();
  }
});

kernelTest("a full ring buffer: reserve returns null and the else branch counts the loss", () => {
  const build = compileAndBuild(tour);
  try {
    // 16384 bytes hold 16384 / (16 + 8) = 682 records; nobody reads while the program runs.
    const result = runPrograms(build.bpfObject, [{ prog: "packet_events", size: 64, repeat: 1000 }], { ringbufs: ["events"] });
    const records = result.ringbufs[0]!.records.length;
    const lost = integerEntries(findMap(result, "lost")).get(0n)!;
    assert.ok(records > 600 && records < 700, `about 682 records fit, got ${records}`);
    assert.equal(BigInt(records) + lost, 1000n, "every packet either produced a record or was counted as lost");
    assert.deepEqual(decodePacketEvent(result.ringbufs[0]!.records[0]!), { ifindex: 1n, length: 64n, seq: 1n });
  } finally {
    build.cleanup();
  }
});

kernelTest("new/delete in XDP: the object's values reach the map (object_allocation)", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "object_allocation.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "packet_inspector", size: 64 },
      { prog: "packet_inspector", size: 100 },
      { prog: "packet_inspector", size: 80, repeat: 99 },
    ]);
    assert.ok(result.programs.every((p) => p.loaded), "the verifier accepts new/delete");
    // After 101 packets the count passes 100: the last run returns XDP_DROP.
    assert.deepEqual(result.runs.map((r) => r.retval), [2, 2, 1]);
    const tracker = findMap(result, "conn_tracker");
    assert.equal(tracker.entries.length, 1);
    assert.deepEqual([...tracker.entries[0]!.key], [...uintBytes(0x08080808, 4)]);
    const value = tracker.entries[0]!.value;
    assert.equal(readUint(value, 0, 8), 101n, "packet_count");
    assert.equal(readUint(value, 8, 8), 64n + 100n + 99n * 80n, "byte_count");
    assert.equal(readUint(value, 16, 8), 12345n, "first_seen");
    assert.equal(readUint(value, 24, 8), 12346n, "last_seen");
  } finally {
    build.cleanup();
  }
});

networkTest("default loader prints each record as it arrives, decoded; SIGINT exits 0 and detaches", async () => {
  const build = compileAndBuild(tour);
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.2"]));
      try {
        await loader.waitFor("printing records of events");
        const ifindex = loaderIfindex(pair);
        sendFrames(pair, 100, 3);
        sendFrames(pair, 200, 2);
        await loader.waitFor(/length: 200, seq: \d+\}\n(?:.*\n)*.*length: 200/);
        const lines = loader.stdout().split("\n").filter((l) => l.startsWith("events: "));
        const ours = lines.filter((l) => / length: (100|200),/.test(l));
        assert.deepEqual(ours.map((l) => /length: (\d+)/.exec(l)![1]), ["100", "100", "100", "200", "200"]);
        for (const line of ours) assert.match(line, new RegExp(`^events: \\{ifindex: ${ifindex}, length: \\d+, seq: \\d+\\}$`));
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        assert.ok(!xdpAttached(pair), "no XDP program is left on the interface");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

/** A user main that registers a handler and dispatches until the handler says stop. */
function dispatchProgram(iface: string): string {
  return `
struct Hit { length: u32, ifindex: u32 }
var hits: ringbuf<Hit>(4096)
var handled: array<u32, u64>(1)

@xdp fn rbo_dispatch(ctx: XdpContext) -> XdpAction {
    if (var h = hits.reserve()) {
        h.length = (ctx.data_end - ctx.data) as u32
        h.ifindex = ctx.ingress_ifindex
        hits.submit(h)
    }
    return XDP_PASS
}

fn on_hit(hit: *Hit) -> i32 {
    if (hit.length != 150) {
        return 0
    }
    handled[0] += 1
    print("hit %u bytes", hit.length)
    if (handled[0] >= 3) {
        return 7
    }
    return 0
}

fn main() -> i32 {
    var prog = load(rbo_dispatch)
    if (attach(prog, "${iface}", 0) != 0) {
        return 1
    }
    hits.on_event(on_hit)
    print("dispatching")
    var stopped = dispatch(hits)
    print("dispatch returned %d", stopped)
    detach(prog)
    return 0
}
`;
}

/**
 * Builds the dispatch program for a fresh veth pair, starts it in the loader's
 * namespace, waits until it dispatches, runs `body`, and cleans everything up.
 */
async function withDispatchingLoader(body: (loader: LoaderProcess, pair: VethPair) => Promise<void>): Promise<void> {
  await withVethPair(async (pair) => {
    const dir = mkdtempSync(join(tmpdir(), "ks-rbo-"));
    const source = join(dir, "rbo_dispatch.ks");
    writeFileSync(source, dispatchProgram(pair.loaderInterface));
    const build = compileAndBuild(source);
    try {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary]));
      try {
        // Records wait in the ring until read, so sending after this races with nothing.
        await loader.waitFor("dispatching");
        await body(loader, pair);
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

networkTest("user main: on_event handler runs per record; its non-zero return stops dispatch", async () => {
  await withDispatchingLoader(async (loader, pair) => {
    sendFrames(pair, 150, 5);
    const exit = await loader.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    assert.equal(loader.stdout().match(/^hit 150 bytes$/gm)?.length, 3, loader.stdout());
    assert.match(loader.stdout(), /^dispatch returned 7$/m);
    assert.ok(!xdpAttached(pair));
  });
});

networkTest("user main: SIGTERM during dispatch returns 0 from dispatch and the program finishes", async () => {
  await withDispatchingLoader(async (loader, pair) => {
    const exit = await loader.stop("SIGTERM");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    assert.match(loader.stdout(), /^dispatch returned 0$/m);
    assert.ok(!xdpAttached(pair));
  });
});
