//! Throw-away network namespaces joined by a veth pair, for tests and the demo:
//!
//!   namespace ks-<pid>-<n>-a: veth0 198.18.0.1/30  <──veth──>  namespace ks-<pid>-<n>-b: veth1 198.18.0.2/30
//!
//! Programs attach to veth0 (the "loader" side); frames are sent from veth1. Every
//! address lives inside the namespaces, so nothing reaches the host's networks. Names
//! carry the creating process id, so parallel runs cannot collide, and namespaces left
//! by a process that died (SIGKILL) are removed by the next run. `withVethPair` always
//! deletes its namespaces (deleting a namespace deletes its veth end too); an exit hook
//! covers a process that exits without unwinding.

import { spawnSync } from "node:child_process";
import { nativeTool } from "./native-tools.js";
import { processAlive } from "./processes.js";

export interface VethPair {
  readonly loaderNamespace: string;
  readonly peerNamespace: string;
  readonly loaderInterface: string;
  readonly peerInterface: string;
  readonly loaderAddress: string;
  readonly peerAddress: string;
}

const namePrefix = "ks-";
const live = new Set<string>();
let counter = 0;
let exitHookInstalled = false;

function ip(args: readonly string[]): string {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`ip ${args.join(" ")} failed: ${result.stderr.trim()}${result.error ? String(result.error) : ""}`);
  }
  return result.stdout;
}

function deleteNamespace(name: string): void {
  spawnSync("ip", ["netns", "del", name], { stdio: "ignore" });
  live.delete(name);
}

/** Removes namespaces this module created in processes that no longer exist. */
export function removeStaleNamespaces(): void {
  const listing = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const line of listing.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const match = /^ks-(\d+)-\d+-[ab]$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !processAlive(Number(match[1]))) deleteNamespace(name);
  }
}

export function createVethPair(): VethPair {
  removeStaleNamespaces();
  if (!exitHookInstalled) {
    process.on("exit", () => {
      for (const name of [...live]) deleteNamespace(name);
    });
    exitHookInstalled = true;
  }
  const base = `${namePrefix}${process.pid}-${counter++}`;
  const pair: VethPair = {
    loaderNamespace: `${base}-a`,
    peerNamespace: `${base}-b`,
    loaderInterface: "veth0",
    peerInterface: "veth1",
    loaderAddress: "198.18.0.1",
    peerAddress: "198.18.0.2",
  };
  try {
    for (const ns of [pair.loaderNamespace, pair.peerNamespace]) {
      ip(["netns", "add", ns]);
      live.add(ns);
      // No IPv6: its neighbour discovery and MLD frames would reach the programs under
      // test and make packet counts depend on timing.
      ip(["netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    }
    ip(["-n", pair.loaderNamespace, "link", "add", pair.loaderInterface, "type", "veth",
      "peer", "name", pair.peerInterface, "netns", pair.peerNamespace]);
    ip(["-n", pair.loaderNamespace, "addr", "add", `${pair.loaderAddress}/30`, "dev", pair.loaderInterface]);
    ip(["-n", pair.peerNamespace, "addr", "add", `${pair.peerAddress}/30`, "dev", pair.peerInterface]);
    for (const [ns, dev] of [[pair.loaderNamespace, "lo"], [pair.loaderNamespace, pair.loaderInterface],
      [pair.peerNamespace, "lo"], [pair.peerNamespace, pair.peerInterface]] as const) {
      ip(["-n", ns, "link", "set", dev, "up"]);
    }
  } catch (error) {
    destroyVethPair(pair);
    throw error;
  }
  return pair;
}

export function destroyVethPair(pair: VethPair): void {
  deleteNamespace(pair.loaderNamespace);
  deleteNamespace(pair.peerNamespace);
}

/** Runs `body` with a fresh pair and deletes it afterwards, whatever happens. */
export async function withVethPair<T>(body: (pair: VethPair) => Promise<T> | T): Promise<T> {
  const pair = createVethPair();
  try {
    return await body(pair);
  } finally {
    destroyVethPair(pair);
  }
}

/**
 * argv that runs `command` inside `namespace`'s network namespace. nsenter (not
 * `ip netns exec`) keeps the host's mount namespace, so /sys/fs/bpf pins stay visible.
 */
export function inNamespace(namespace: string, command: readonly string[]): string[] {
  return ["nsenter", `--net=/run/netns/${namespace}`, "--", ...command];
}

/** Sends `count` frames of exactly `size` bytes from the peer end towards the loader end. */
export function sendFrames(pair: VethPair, size: number, count: number): void {
  const argv = inNamespace(pair.peerNamespace, [nativeTool("send-frames"), pair.peerInterface, String(size), String(count)]);
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`send-frames failed: ${result.stderr}${result.error ? String(result.error) : ""}`);
}

/** ifindex of the loader end inside its namespace (the key the seed filter counts under). */
export function loaderIfindex(pair: VethPair): number {
  const text = ip(["-n", pair.loaderNamespace, "-o", "link", "show", "dev", pair.loaderInterface]);
  return Number(/^(\d+):/.exec(text)?.[1] ?? NaN);
}

/** Whether any XDP program is attached to the loader end (as `ip link show` reports it). */
export function xdpAttached(pair: VethPair): boolean {
  const text = ip(["-n", pair.loaderNamespace, "-d", "link", "show", "dev", pair.loaderInterface]);
  return /\bxdp(generic|drv|offload)?\b|prog\/xdp/.test(text);
}
