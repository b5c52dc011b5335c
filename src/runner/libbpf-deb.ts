//! A private libbpf from Debian's bookworm-backports, for building generated loaders
//! against a newer libbpf than the system's 1.1 (TCX links need ≥ 1.3). The .debs are
//! found in the archive's `Packages.xz`, downloaded once into a cache directory outside
//! the repository, checked against their SHA256 and unpacked with `dpkg-deb -x` into a
//! private prefix. Nothing is installed system-wide.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const debianMirror = "http://deb.debian.org/debian";
export const defaultDebCache = "/var/cache/kernelscript-tests";
const packagesIndex = "dists/bookworm-backports/main/binary-amd64/Packages.xz";

export interface PrivateLibbpf {
  readonly version: string;
  /** `-I` directory (holds `bpf/libbpf.h`). */
  readonly include: string;
  /** `-L` / rpath directory (holds `libbpf.so`). */
  readonly lib: string;
}

/** Why the archive cannot be used (unreachable network), or thrown errors for anything else. */
export class MirrorUnreachable extends Error {}

interface DebEntry {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly sha256: string;
}

function curl(url: string, output: string): void {
  const result = spawnSync("curl", ["-fsS", "--max-time", "120", "-o", output, url], { encoding: "utf8" });
  if (result.status !== 0) {
    const reason = (result.stderr || String(result.error ?? "")).trim();
    // curl exit codes 6/7/28: cannot resolve, cannot connect, timed out.
    if (result.status === 6 || result.status === 7 || result.status === 28 || result.error) {
      throw new MirrorUnreachable(`${debianMirror} is unreachable: ${reason}`);
    }
    throw new Error(`downloading ${url} failed (curl exit ${result.status}): ${reason}`);
  }
}

function parsePackages(text: string): DebEntry[] {
  return text.split(/\n\n+/).map((stanza) => {
    const field = (name: string): string => new RegExp(`^${name}: (.*)$`, "m").exec(stanza)?.[1] ?? "";
    return { name: field("Package"), version: field("Version"), filename: field("Filename"), sha256: field("SHA256") };
  }).filter((entry) => entry.name !== "");
}

/**
 * libbpf1 + libbpf-dev `major.minor.x` from bookworm-backports, unpacked under
 * `cache/libbpf-VERSION/root`. Reuses what an earlier run downloaded.
 */
export function privateLibbpf(majorMinor = "1.4", cache = defaultDebCache): PrivateLibbpf {
  mkdirSync(cache, { recursive: true });
  const index = join(cache, "bookworm-backports-Packages.xz");
  if (!existsSync(index)) {
    curl(`${debianMirror}/${packagesIndex}`, `${index}.tmp`);
    renameSync(`${index}.tmp`, index);
  }
  const xz = spawnSync("xz", ["-dc", index], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (xz.status !== 0) throw new Error(`xz -dc ${index} failed: ${xz.stderr}`);
  const entries = parsePackages(xz.stdout);
  const pick = (name: string): DebEntry => {
    const found = entries.find((e) => e.name === name && new RegExp(`^(\\d+:)?${majorMinor.replace(".", "\\.")}\\.`).test(e.version));
    if (!found) throw new Error(`bookworm-backports has no ${name} ${majorMinor}.x (versions: ${entries.filter((e) => e.name === name).map((e) => e.version).join(", ") || "none"})`);
    return found;
  };
  const debs = [pick("libbpf1"), pick("libbpf-dev")];
  const version = debs[0]!.version.replace(/^\d+:/, "");
  const prefix = join(cache, `libbpf-${version}`);
  const root = join(prefix, "root");
  if (!existsSync(join(prefix, "complete"))) {
    rmSync(prefix, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    for (const deb of debs) {
      const file = join(cache, deb.filename.split("/").pop()!);
      if (!existsSync(file) || sha256(file) !== deb.sha256) {
        curl(`${debianMirror}/${deb.filename}`, `${file}.tmp`);
        renameSync(`${file}.tmp`, file);
      }
      if (sha256(file) !== deb.sha256) throw new Error(`${file}: SHA256 does not match the archive's index`);
      const unpack = spawnSync("dpkg-deb", ["-x", file, root], { encoding: "utf8" });
      if (unpack.status !== 0) throw new Error(`dpkg-deb -x ${file} failed: ${unpack.stderr}`);
    }
    writeFileSync(join(prefix, "complete"), `${version}\n`);
  }
  const lib = join(root, "usr", "lib", "x86_64-linux-gnu");
  const include = join(root, "usr", "include");
  if (!existsSync(join(include, "bpf", "libbpf.h")) || !readdirSync(lib).some((f) => f.startsWith("libbpf.so"))) {
    throw new Error(`${root} does not hold libbpf's headers and library`);
  }
  return { version, include, lib };
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** `LIBBPF_MAJOR_VERSION.LIBBPF_MINOR_VERSION` as the headers in `include` declare it. */
export function headerVersion(include: string): string {
  const text = readFileSync(join(include, "bpf", "libbpf_version.h"), "utf8");
  const major = /LIBBPF_MAJOR_VERSION\s+(\d+)/.exec(text)?.[1];
  const minor = /LIBBPF_MINOR_VERSION\s+(\d+)/.exec(text)?.[1];
  return `${major}.${minor}`;
}
