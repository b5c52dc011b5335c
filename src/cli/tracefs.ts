//! The tracepoints the running kernel lists in tracefs, for `init` and the checker (the
//! compiler core does no I/O; it receives the list). `KS_TRACEFS=DIR` reads DIR instead
//! of the usual mount points, so tests decide whether tracefs "is mounted".

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const tracefsMounts = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** Where to look; a relative `KS_TRACEFS` is relative to the command's directory `cwd`. */
function mountsOf(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] {
  const override = env["KS_TRACEFS"];
  return override !== undefined && override !== "" ? [resolve(cwd, override)] : tracefsMounts;
}

/** The text of `events/CATEGORY/EVENT/format`, or undefined when no tracefs has it. */
export function readTracepointFormat(env: Readonly<Record<string, string | undefined>>, cwd: string, category: string, event: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(category) || !/^[A-Za-z0-9_.]+$/.test(event)) return undefined;
  for (const mount of mountsOf(env, cwd)) {
    try {
      return readFileSync(join(mount, "events", category, event, "format"), "utf8");
    } catch {
      // Not mounted here, or no such event: try the next mount point.
    }
  }
  return undefined;
}

/**
 * `category/event` for every tracepoint tracefs lists, or undefined when none is readable.
 * A tracefs that is mounted but answers with an error or with no event at all is asked
 * up to three times, a few milliseconds apart: events come and go while other programs
 * add and remove probes, and the kernel's event directories then answer `EINVAL` or
 * `ENOENT` for a moment (seen on 6.18 with uprobe events made and removed in a loop).
 */
export function listTracepoints(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] | undefined {
  for (const mount of mountsOf(env, cwd)) {
    const root = join(mount, "events");
    // Not mounted here (the mount point of an unmounted tracefs is an empty directory).
    if (!isDirectory(root)) continue;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const names = readEvents(root);
      if (names === "refused") break;
      if (names.length > 0) return names;
      pause(5);
    }
  }
  return undefined;
}

/** The events under `root` (none when it cannot be read now), or `refused` when reading it is not allowed. */
function readEvents(root: string): string[] | "refused" {
  let categories: string[];
  try {
    categories = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "EACCES" || code === "EPERM" || code === "ENOTDIR" ? "refused" : [];
  }
  const names: string[] = [];
  for (const category of categories) {
    try {
      for (const event of readdirSync(join(root, category), { withFileTypes: true })) {
        if (event.isDirectory()) names.push(`${category}/${event.name}`);
      }
    } catch {
      // A category going away while it is read is skipped; the others still answer.
    }
  }
  return names;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Waits `ms` milliseconds (synchronously: the callers are synchronous). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
