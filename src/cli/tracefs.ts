//! The tracepoints the running kernel lists in tracefs, for `init` and the checker (the
//! compiler core does no I/O; it receives the list). `KS_TRACEFS=DIR` reads DIR instead
//! of the usual mount points, so tests decide whether tracefs "is mounted".

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const tracefsMounts = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

function mountsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const override = env["KS_TRACEFS"];
  return override !== undefined && override !== "" ? [override] : tracefsMounts;
}

/** The text of `events/CATEGORY/EVENT/format`, or undefined when no tracefs has it. */
export function readTracepointFormat(env: Readonly<Record<string, string | undefined>>, category: string, event: string): string | undefined {
  if (!/^[A-Za-z0-9_]+$/.test(category) || !/^[A-Za-z0-9_.]+$/.test(event)) return undefined;
  for (const mount of mountsOf(env)) {
    try {
      return readFileSync(join(mount, "events", category, event, "format"), "utf8");
    } catch {
      // Not mounted here, or no such event: try the next mount point.
    }
  }
  return undefined;
}

/** `category/event` for every tracepoint tracefs lists, or undefined when none is readable. */
export function listTracepoints(env: Readonly<Record<string, string | undefined>>): string[] | undefined {
  for (const mount of mountsOf(env)) {
    const root = join(mount, "events");
    let categories: string[];
    try {
      categories = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
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
