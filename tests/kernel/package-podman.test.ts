// The loader image of `kernelscript package`, run by podman as the DaemonSet would run
// it: the container's command line and host mounts are read from the generated
// k8s/daemonset.yaml (privileged; bpffs and /run/kernelscript from the host; the ready
// file's emptyDir as a directory of this test), its network is a namespace this test
// creates (`fp-<pid>-a`, a veth pair to `fp-<pid>-b`, 198.18.0.0/30, removed at the end)
// standing for the node's host network. Checked: the ready file appears, the metrics
// endpoint (the DaemonSet's port) serves the seed's counter in Prometheus' format (a real
// parser reads it) equal to the frames sent, `podman stop` (SIGTERM) ends the container
// with status 0 and leaves nothing attached (ip link, bpftool net and link, no program
// loaded), and
// a second container on the same node keeps counting from the pinned map.
// podman is configured by a containers.conf this test writes (runc, cgroupfs), and its
// ulimits are explicit.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { inNamespace, loaderIfindex, sendFrames, xdpAttached, type VethPair } from "../../src/runner/netns.js";
import { runCli } from "../harness/cli.js";
import { eventually, kernelTests, repoRoot } from "./helpers.js";

const podmanMissing = spawnSync("podman", ["--version"]).status !== 0 ? "podman is not installed (apt-get install podman)" : undefined;
const kernelTest = kernelTests("package-podman.test", networkSkipReason() ?? podmanMissing);

interface MetricFamily {
  readonly name: string;
  readonly metrics: readonly { readonly value: string; readonly labels?: Readonly<Record<string, string>> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => MetricFamily[];

function sh(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A veth pair between two namespaces of this test (names `fp-<pid>-a`/`-b`). */
function createPair(): VethPair {
  const base = `fp-${process.pid}`;
  const pair: VethPair = {
    loaderNamespace: `${base}-a`, peerNamespace: `${base}-b`, loaderInterface: "fpveth0", peerInterface: "fpveth1",
    loaderAddress: "198.18.0.1", peerAddress: "198.18.0.2",
  };
  destroyPair(pair);
  for (const ns of [pair.loaderNamespace, pair.peerNamespace]) {
    sh("ip", ["netns", "add", ns]);
    // No IPv6: its neighbour discovery would reach the program and change the counts.
    sh("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
  }
  sh("ip", ["-n", pair.loaderNamespace, "link", "add", pair.loaderInterface, "type", "veth", "peer", "name", pair.peerInterface, "netns", pair.peerNamespace]);
  sh("ip", ["-n", pair.loaderNamespace, "addr", "add", `${pair.loaderAddress}/30`, "dev", pair.loaderInterface]);
  sh("ip", ["-n", pair.peerNamespace, "addr", "add", `${pair.peerAddress}/30`, "dev", pair.peerInterface]);
  for (const [ns, dev] of [[pair.loaderNamespace, "lo"], [pair.loaderNamespace, pair.loaderInterface], [pair.peerNamespace, "lo"], [pair.peerNamespace, pair.peerInterface]] as const) {
    sh("ip", ["-n", ns, "link", "set", dev, "up"]);
  }
  return pair;
}

function destroyPair(pair: VethPair): void {
  for (const ns of [pair.loaderNamespace, pair.peerNamespace]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
}

/** The container of the DaemonSet: its image, arguments and host mounts (hostPath volumes). */
interface PodSpec {
  readonly image: string;
  readonly args: readonly string[];
  readonly hostMounts: readonly { readonly host: string; readonly container: string; readonly type: string }[];
  readonly readyDirectory: string;
  readonly metricsPort: number;
}

function podSpec(daemonSetYaml: string): PodSpec {
  const daemonSet = parseAllDocuments(daemonSetYaml).map((d) => d.toJS() as Record<string, any>).find((d) => d["kind"] === "DaemonSet")!;
  const pod = daemonSet["spec"]["template"]["spec"];
  const container = pod.containers[0];
  const volumes = new Map<string, Record<string, any>>(pod.volumes.map((v: Record<string, any>) => [v["name"], v]));
  const mounts = container.volumeMounts as { name: string; mountPath: string }[];
  return {
    image: container.image,
    args: container.args,
    hostMounts: mounts.filter((m) => volumes.get(m.name)?.["hostPath"]).map((m) => ({ host: volumes.get(m.name)!["hostPath"].path, container: m.mountPath, type: volumes.get(m.name)!["hostPath"].type })),
    readyDirectory: mounts.find((m) => volumes.get(m.name)?.["emptyDir"])!.mountPath,
    metricsPort: container.ports[0].containerPort,
  };
}

/** The seed's counter for the loader end, scraped over HTTP inside the pod's network. */
function scrapeCount(pair: VethPair, port: number): string | undefined {
  const argv = inNamespace(pair.loaderNamespace, ["curl", "-sS", "--max-time", "5", `http://127.0.0.1:${port}/metrics`]);
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const counts = parsePrometheus(result.stdout).find((f) => f.name === "kernelscript_map_packet_counts");
  assert.ok(counts, `the metrics name the seed's map:\n${result.stdout}`);
  return counts.metrics.find((m) => m.labels?.["key"] === String(loaderIfindex(pair)))?.value ?? "0";
}

/** The id of the XDP program attached to the pod's interface (bpftool net, in its namespace). */
function attachedProgramId(pair: VethPair): number {
  const argv = inNamespace(pair.loaderNamespace, ["bpftool", "-j", "net", "show"]);
  const shown = JSON.parse(sh(argv[0]!, argv.slice(1))) as { xdp?: { devname: string; id: number }[] }[];
  const entry = shown.flatMap((s) => s.xdp ?? []).find((x) => x.devname === pair.loaderInterface);
  assert.ok(entry, `bpftool net shows the XDP program on ${pair.loaderInterface}`);
  return entry.id;
}

function nothingAttached(pair: VethPair, programId: number): void {
  assert.equal(xdpAttached(pair), false, "ip link shows no XDP program");
  const links = JSON.parse(sh("bpftool", ["-j", "link", "show"])) as { prog_id?: number }[];
  assert.deepEqual(links.filter((l) => l.prog_id === programId), [], "bpftool link: no link of the program is left");
  const argv = inNamespace(pair.loaderNamespace, ["bpftool", "-j", "net", "show"]);
  const shown = JSON.parse(sh(argv[0]!, argv.slice(1))) as { xdp?: unknown[]; tc?: unknown[] }[];
  assert.deepEqual(shown.flatMap((s) => [...(s.xdp ?? []), ...(s.tc ?? [])]), []);
  const programs = JSON.parse(sh("bpftool", ["-j", "prog", "show"])) as { name?: string }[];
  assert.deepEqual(programs.filter((p) => p.name === "packet_filter"), [], "the program is unloaded");
}

kernelTest("the loader image under podman: ready file, metrics, SIGTERM detaches, a second container keeps the pinned counts", async () => {
  const work = mkdtempSync(join(tmpdir(), "fleetpkg-podman-"));
  const conf = join(work, "containers.conf");
  writeFileSync(conf, '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n');
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const name = `fp${process.pid}_seed`;
  const source = join(work, `${name}.ks`);
  copyFileSync(join(repoRoot, "examples", "seed_packet_filter.ks"), source);
  const image = `localhost/fp-podman-${process.pid}:test`;
  const containers: string[] = [];
  let pinDirectory: string | undefined;
  const created: string[] = [];
  const pair = createPair();
  try {
    const packaged = await runCli(["package", source, "-o", join(work, "package"), "--image", image, "--interface", pair.loaderInterface], { env: { CONTAINERS_CONF: conf } });
    assert.equal(packaged.code, 0, packaged.stderr);
    const spec = podSpec(readFileSync(join(work, "package", "k8s", "daemonset.yaml"), "utf8"));
    assert.equal(spec.image, image);
    pinDirectory = spec.args[spec.args.indexOf("--pin-dir") + 1];
    assert.equal(pinDirectory, `/sys/fs/bpf/kernelscript/fp${process.pid}-seed`);
    const ready = join(work, "ready");
    sh("mkdir", ["-p", ready]);
    // What the kubelet does for a `DirectoryOrCreate` volume.
    for (const mount of spec.hostMounts.filter((m) => m.type === "DirectoryOrCreate" && !existsSync(m.host))) {
      sh("mkdir", ["-p", mount.host]);
      created.push(mount.host);
    }

    const start = (run: number): string => {
      const container = `fp-${process.pid}-${run}`;
      containers.push(container);
      sh("podman", [
        "run", "--detach", "--name", container, "--privileged", "--network", `ns:/run/netns/${pair.loaderNamespace}`,
        // Explicit limits, at most the host's: root here lacks CAP_SYS_RESOURCE, so runc may
        // only lower them (podman's defaults raise nproc and fail).
        "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
        ...spec.hostMounts.flatMap((m) => ["-v", `${m.host}:${m.container}`]),
        "-v", `${ready}:${spec.readyDirectory}`,
        spec.image, ...spec.args,
      ], env);
      return container;
    };
    const readyFile = join(ready, "ready");
    const logs = (container: string) => spawnSync("podman", ["logs", container], { encoding: "utf8", env }).stderr;
    const waitReady = async (container: string) => {
      assert.ok(await eventually(() => existsSync(readyFile), 30_000), `the ready file appears\n${logs(container)}`);
      assert.match(readFileSync(readyFile, "utf8"), new RegExp(`^attached packet_filter ${pair.loaderInterface}$`, "m"));
    };
    const waitCount = async (expected: number) => {
      let last: string | undefined;
      await eventually(() => (last = scrapeCount(pair, spec.metricsPort)) === String(expected), 15_000);
      assert.equal(last, String(expected), `the counter reads ${expected}`);
    };
    const stop = (container: string, programId: number) => {
      // SIGTERM, as the kubelet sends it; podman's own deadline is the grace period's.
      sh("podman", ["stop", "--time", "30", container], env);
      assert.equal(sh("podman", ["inspect", "--format", "{{.State.ExitCode}}", container], env).trim(), "0", logs(container));
      assert.equal(existsSync(readyFile), false, "the ready file is removed");
      nothingAttached(pair, programId);
    };

    const first = start(1);
    await waitReady(first);
    assert.ok(xdpAttached(pair), "the program is attached to the pod's interface");
    const firstProgram = attachedProgramId(pair);
    assert.deepEqual(readdirSync(pinDirectory), ["packet_counts"], "the map is pinned under the DaemonSet's --pin-dir");
    await waitCount(0);
    const n = 6;
    sendFrames(pair, 1500, n);
    sendFrames(pair, 600, 4); // under 1400 bytes: passed, not counted
    await waitCount(n);
    stop(first, firstProgram);

    const second = start(2);
    await waitReady(second);
    const secondProgram = attachedProgramId(pair);
    await waitCount(n);
    const m = 3;
    sendFrames(pair, 1500, m);
    await waitCount(n + m);
    stop(second, secondProgram);
  } finally {
    for (const container of containers) spawnSync("podman", ["rm", "--force", container], { env, stdio: "ignore" });
    spawnSync("podman", ["rmi", "--force", image, image.replace(/:test$/, "-bytecode:test")], { env, stdio: "ignore" });
    destroyPair(pair);
    if (pinDirectory) rmSync(pinDirectory, { recursive: true, force: true });
    for (const dir of created) spawnSync("rmdir", [dir], { stdio: "ignore" });
    // The shared parent, when no other application pins there.
    try {
      if (readdirSync("/sys/fs/bpf/kernelscript").length === 0) rmSync("/sys/fs/bpf/kernelscript", { recursive: true });
    } catch {
      // Not there.
    }
    rmSync(work, { recursive: true, force: true });
  }
});
