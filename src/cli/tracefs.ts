//! The tracepoints the running kernel lists in tracefs, for `init` and the checker (the
//! compiler core does no I/O; it receives the list). `KS_TRACEFS=DIR` reads DIR instead
//! of the usual mount points, so tests decide whether tracefs "is mounted".

import { readdirSync, readFileSync } from "node:fs";
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

/** `category/event` for every tracepoint tracefs lists, or undefined when none is readable. */
export function listTracepoints(env: Readonly<Record<string, string | undefined>>, cwd: string): string[] | undefined {
  for (const mount of mountsOf(env, cwd)) {
    const root = join(mount, "events");
    const categories = readCategories(root);
    if (categories === undefined) continue;
    const names: string[] = [];
    for (const category of categories) {
      try {
        for (const event of readdirSync(join(root, category), { withFileTypes: true })) {
          if (event.isDirectory()) names.push(`${category}/${event.name}`);
        }
      } catch {
        // An unreadable category is skipped; the others still answer.
      }
    }
    if (names.length > 0) return names;
  }
  return undefined;
}

/**
 * The category directories under `root`, or undefined when it cannot be read. A tracefs
 * that is there but answers with an error is asked up to three times: events come and go
 * while other programs add and remove probes.
 */
function readCategories(root: string): string[] | undefined {
  for (let attempt = 1; ; attempt++) {
    try {
      return readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EACCES" || code === "EPERM" || attempt === 3) return undefined;
    }
  }
}
