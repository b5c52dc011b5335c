//! Runs a generated loader binary (the default user-space program) as a child process
//! and reads its map prints back (format documented in emit/userspace/maps.ts).

import { spawn, type ChildProcess } from "node:child_process";

export interface LoaderExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LoaderProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once `text` appears on stdout or stderr; rejects on exit or timeout. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<LoaderExit>;
  readonly exited: Promise<LoaderExit>;
}

export function startLoader(argv: readonly string[]): LoaderProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  let done: LoaderExit | undefined;
  const exited = new Promise<LoaderExit>((resolve) => {
    child.on("close", (code, signal) => {
      done = { code, signal };
      resolve(done);
    });
    child.on("error", (error) => {
      err += String(error);
      done = { code: null, signal: null };
      resolve(done);
    });
  });
  const seen = (text: string | RegExp): boolean =>
    typeof text === "string" ? out.includes(text) || err.includes(text) : text.test(out) || text.test(err);
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!seen(text)) {
        if (done) throw new Error(`loader exited (${JSON.stringify(done)}) before printing ${String(text)}\nstderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(signal, timeoutMs = 10_000) {
      if (!done) child.kill(signal);
      const timer = setTimeout(() => {
        if (!done) child.kill("SIGKILL");
      }, timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export interface PrintedMap {
  /** The type text of the header, e.g. `hash<u32, u64>`. */
  readonly type: string;
  /** The count the header states. */
  readonly count: number;
  /** Entry lines, `key text → value text`, in printed order. */
  readonly entries: ReadonlyMap<string, string>;
}

export interface Snapshot {
  /** `snapshot N` or `final`. */
  readonly label: string;
  readonly maps: ReadonlyMap<string, PrintedMap>;
}

/** Splits a loader's stdout into its `--- label ---` snapshots. */
export function parseSnapshots(stdout: string): Snapshot[] {
  const snapshots: { label: string; maps: Map<string, { type: string; count: number; entries: Map<string, string> }> }[] = [];
  for (const line of stdout.split("\n")) {
    const marker = /^--- (.+) ---$/.exec(line);
    if (marker) {
      snapshots.push({ label: marker[1]!, maps: new Map() });
      continue;
    }
    const current = snapshots.at(-1);
    if (!current) continue;
    const header = /^(\w+) \((.+)\): (\d+) (?:non-zero )?entr(?:y|ies)$/.exec(line);
    if (header) {
      current.maps.set(header[1]!, { type: header[2]!, count: Number(header[3]), entries: new Map() });
      continue;
    }
    const entry = /^(\w+)\[(.*)\] = (.*)$/.exec(line);
    if (entry) current.maps.get(entry[1]!)?.entries.set(entry[2]!, entry[3]!);
  }
  return snapshots;
}
