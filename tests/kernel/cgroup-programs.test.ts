// Cgroup programs attached for real (issue 16): the default loader of
// fixtures/cgroup_traffic.ks attaches a cgroup_skb egress program, a cgroup_sock
// sock_create program, a cgroup_sock_addr connect4 program and a sockops program to a
// cgroup v2 directory this test makes (`--cgroup PATH`); a child process moved into that
// cgroup sends UDP datagrams and makes TCP connections over loopback, and the test checks
// what the child saw (EPERM where a program refused) and what the programs counted (also
// through socket storage, `sk_storage`, shared by sockops and cgroup_skb), that
// a process outside the cgroup is not counted, and that nothing stays attached after
// SIGINT or SIGKILL.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { withCgroup } from "./cgroups.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("cgroup-programs.test", kernelSkipReason());
const fixture = join(repoRoot, "tests", "kernel", "fixtures", "cgroup_traffic.ks");
const storageFixture = join(repoRoot, "tests", "kernel", "fixtures", "cgroup_storage.ks");

/** The Python the child runs inside the cgroup: each socket operation and its outcome, as JSON. */
const insideScript = `
import json, socket
out = {}
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 40001))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for i in range(5):
    sent += tx.sendto(b"x" * 100, ("127.0.0.1", 40001))
out["sent_bytes"] = sent
out["received"] = len([rx.recv(2048) for i in range(5)])
def errno_of(f):
    try:
        f()
        return 0
    except OSError as e:
        return e.errno
out["send_dropped"] = errno_of(lambda: tx.sendto(b"y" * 100, ("127.0.0.1", 40002)))
out["raw_socket"] = errno_of(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
out["connect_refused"] = errno_of(lambda: socket.create_connection(("127.0.0.1", 40003), timeout=2))
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 40004))
server.listen(4)
client = socket.create_connection(("127.0.0.1", 40004), timeout=2)
peer, _ = server.accept()
out["client_port"] = client.getsockname()[1]
client.sendall(b"hello")
out["echo"] = peer.recv(16).decode()
print(json.dumps(out))
`;

/** Three datagrams to the counted port from a process outside the cgroup. */
const outsideScript = `
import socket
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    tx.sendto(b"z" * 100, ("127.0.0.1", 40001))
`;

function runInCgroup(cgroup: string | undefined, script: string): string {
  const join_ = cgroup === undefined ? "" : `echo $$ > ${cgroup}/cgroup.procs && `;
  const run = spawnSync("sh", ["-c", `${join_}exec python3 -c "$0"`, script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, `child failed: ${run.stderr}`);
  return run.stdout;
}

/** Programs attached to the cgroup, as bpftool lists them (one line per attachment after its header). */
function attachedTo(cgroup: string): string[] {
  const show = spawnSync("bpftool", ["cgroup", "show", cgroup], { encoding: "utf8" });
  return show.stdout.split("\n").slice(1).filter((line) => line.trim() !== "");
}

const EPERM = 1;

kernelTest("cgroup programs on a cgroup the test makes: egress counting and dropping, sock_create, connect4, sockops", async () => {
  const build = compileAndBuild(fixture);
  try {
    await withCgroup("cgroup", async (cgroup) => {
      const loader = startLoader([build.binary, "--cgroup", cgroup, "--interval", "0.2"]);
      try {
        await loader.waitFor("printing maps");
        for (const [program, type] of [["count_egress", "cgroup_skb"], ["no_raw_sockets", "cgroup_sock"], ["refuse_port", "cgroup_sock_addr"], ["count_established", "sockops"]]) {
          assert.match(loader.stderr(), new RegExp(`attached ${program} \\(${type}\\) to ${cgroup}`));
        }
        assert.equal(attachedTo(cgroup).length, 4, "four programs attached to the cgroup");

        runInCgroup(undefined, outsideScript);
        const inside = JSON.parse(runInCgroup(cgroup, insideScript)) as Record<string, number | string>;
        assert.equal(inside["sent_bytes"], 500);
        assert.equal(inside["received"], 5, "the counted datagrams go on (egress returned 1)");
        assert.equal(inside["send_dropped"], EPERM, "a datagram the egress program drops fails the send with EPERM");
        assert.equal(inside["raw_socket"], EPERM, "sock_create refuses raw sockets in the cgroup");
        assert.equal(inside["connect_refused"], EPERM, "connect4 refuses port 40003");
        assert.equal(inside["echo"], "hello", "connections to other ports work");

        // 5 datagrams of 20 (IPv4) + 8 (UDP) + 100 bytes; the outside process's 3 are not counted.
        await loader.waitFor(/^udp_egress\[1\] = 640$/m);
        await loader.waitFor(/^established\[40004\] = 1$/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const final = parseSnapshots(loader.stdout()).at(-1)!;
        assert.equal(final.label, "final");
        assert.deepEqual([...final.maps.get("udp_egress")!.entries], [["0", "5"], ["1", "640"], ["2", "1"], ["3", "1"]]);
        assert.deepEqual([...final.maps.get("refused_connects")!.entries], [["0", "1"]]);
        // Both ends of the loopback connection are in the cgroup: the passive side on
        // 40004, the active side on the client's port.
        assert.deepEqual(new Map(final.maps.get("established")!.entries), new Map([["40004", "1"], [String(inside["client_port"]), "1"]]));
        // Socket storage: only the two TCP sockets have a value (UDP sockets never get one),
        // and the egress program found each one's value on its packets (the client's data
        // and ACKs, the server's ACK and FIN).
        const tcpPackets = new Map(final.maps.get("tcp_packets")!.entries);
        assert.deepEqual([...tcpPackets.keys()].sort(), ["40004", String(inside["client_port"])].sort());
        for (const [port, packets] of tcpPackets) assert.ok(Number(packets) >= 1, `port ${port}: ${packets} packets`);
        assert.match(loader.stderr(), /detached everything/);
        assert.deepEqual(attachedTo(cgroup), [], "nothing stays attached after SIGINT");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("cgroup programs: SIGKILL releases the links, a missing or non-cgroup directory is one line, --help names --cgroup", async () => {
  const build = compileAndBuild(fixture);
  try {
    await withCgroup("cgroup", async (cgroup) => {
      const loader = startLoader([build.binary, "--cgroup", cgroup]);
      await loader.waitFor("printing maps");
      assert.equal(attachedTo(cgroup).length, 4);
      assert.equal((await loader.stop("SIGKILL")).signal, "SIGKILL");
      assert.ok(await eventually(() => attachedTo(cgroup).length === 0), "the kernel released the links with the process");

      const missing = startLoader([build.binary, "--cgroup", `${cgroup}/nosuch`]);
      assert.equal((await missing.exited).code, 1);
      assert.match(missing.stderr(), /^error: cannot attach 'count_egress' to cgroup .*nosuch: no such directory/m);

      const notCgroup = startLoader([build.binary, "--cgroup", "/tmp"]);
      assert.equal((await notCgroup.exited).code, 1);
      assert.match(notCgroup.stderr(), /^error: cannot attach 'count_egress' to cgroup \/tmp: not a cgroup v2 directory/m);

      const noCgroup = startLoader([build.binary]);
      assert.equal((await noCgroup.exited).code, 2);
      assert.match(noCgroup.stderr(), /^error: no cgroup given: count_egress, no_raw_sockets, refuse_port, count_established must be attached to a cgroup v2 directory/m);

      const help = startLoader([build.binary, "--help"]);
      assert.equal((await help.exited).code, 0);
      assert.match(help.stdout(), /count_egress \(cgroup_skb\) to the cgroup v2 directory given with --cgroup/);
      assert.match(help.stdout(), /--cgroup PATH/);
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("cgrp_storage: a value made for each cgroup at cgroup_mkdir is found again at its cgroup_rmdir", async () => {
  const build = compileAndBuild(storageFixture);
  try {
    await withCgroup("cgroup", async (cgroup) => {
      // Made before the loader runs: no value, so its rmdir records nothing.
      const before = join(cgroup, "before");
      mkdirSync(before);
      const loader = startLoader([build.binary, "--interval", "0.2"]);
      try {
        await loader.waitFor("printing maps");
        const ids: string[] = [];
        for (const name of ["one", "two", "three"]) {
          const dir = join(cgroup, name);
          mkdirSync(dir);
          // A cgroup's id is its directory's inode number (kernfs).
          ids.push(String(statSync(dir).ino));
          rmdirSync(dir);
        }
        const beforeId = String(statSync(before).ino);
        rmdirSync(before);
        for (const id of ids) await loader.waitFor(new RegExp(`^removed\\[${id}\\] = 1$`, "m"));
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const removed = new Map(parseSnapshots(loader.stdout()).at(-1)!.maps.get("removed")!.entries);
        for (const id of ids) assert.equal(removed.get(id), "1", `cgroup ${id}: its own value, made once`);
        assert.equal(removed.get(beforeId), undefined, "a cgroup made before the loader has no value");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});
