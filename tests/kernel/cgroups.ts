// A throw-away cgroup v2 directory for kernel tests that attach to a cgroup or move a
// process into one (cgroup programs, cgroup_array).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * `/sys/fs/cgroup/ks-test-<tag>-<pid>` (a cgroup2 mount of its own when /sys/fs/cgroup is
 * not cgroup v2, as on this machine's hybrid hierarchy) with a child `app`, which `body`
 * gets; removed with everything in it afterwards.
 */
export async function withCgroup<T>(tag: string, body: (cgroup: string) => Promise<T>): Promise<T> {
  const root = "/sys/fs/cgroup";
  const base = join(root, `ks-test-${tag}-${process.pid}`);
  const rootType = spawnSync("stat", ["-f", "-c", "%T", root], { encoding: "utf8" }).stdout.trim();
  mkdirSync(base, { recursive: true });
  let mounted = false;
  try {
    if (rootType !== "cgroup2fs") {
      const mount = spawnSync("mount", ["-t", "cgroup2", "none", base], { encoding: "utf8" });
      assert.equal(mount.status, 0, `mount cgroup2: ${mount.stderr}`);
      mounted = true;
    }
    const app = join(base, "app");
    mkdirSync(app);
    try {
      return await body(app);
    } finally {
      // Processes the test left in it go back to the root before it is removed.
      for (const pid of readFileSync(join(app, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
        try {
          writeFileSync(join(base, "cgroup.procs"), pid);
        } catch {
          // It exited meanwhile.
        }
      }
      rmdirSync(app);
    }
  } finally {
    if (mounted) spawnSync("umount", [base]);
    if (existsSync(base)) rmdirSync(base);
  }
}
