//! What the compiler needs from its environment. The CLI passes a Host backed by the
//! file system, the playground one backed by an in-memory editor, tests one backed by
//! a map. The core itself never touches files.

export interface Host {
  /** The text of the file at `path`, or `undefined` when there is none. */
  readFile(path: string): string | undefined;
  /**
   * The raw bytes of the kernel's BTF (`/sys/kernel/btf/vmlinux` or a given file), or
   * `undefined` where there is none (the playground): kernel types then come from the
   * built-in table.
   */
  readKernelBtf?(): Uint8Array | undefined;
  /**
   * `category/event` of every tracepoint the kernel of that BTF lists in tracefs, or
   * `undefined` where tracefs cannot be read (not mounted, another kernel's BTF, the
   * playground): tracepoint names are then checked against the BTF alone.
   */
  readTracepoints?(): readonly string[] | undefined;
  /**
   * The text of tracefs' `events/CATEGORY/EVENT/format` for that kernel, under the same
   * conditions as `readTracepoints` (`undefined` otherwise): system-call records are
   * checked against it.
   */
  readTracepointFormat?(category: string, event: string): string | undefined;
}

/** `dirname` for '/'-separated paths (no node:path in the core). */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return ".";
  if (slash === 0) return "/";
  return path.slice(0, slash);
}

/** Resolves `spec` (as written in an include/import) relative to the file `from`. */
export function resolveRelative(from: string, spec: string): string {
  if (spec.startsWith("/")) return normalizePath(spec);
  return normalizePath(`${directoryOf(from)}/${spec}`);
}

export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part === ".." && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}

/** File name without directories and without the `.ks` extension: the project name. */
export function baseNameOf(path: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  return file.endsWith(".ks") ? file.slice(0, -3) : file;
}
