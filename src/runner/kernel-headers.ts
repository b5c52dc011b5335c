//! A kernel build tree for building the generated kernel modules where the running
//! kernel has none: Debian's linux-headers/linux-kbuild packages of a 6.12 kernel
//! (bookworm-backports), downloaded with curl into a cache outside the repository and
//! unpacked with `dpkg-deb -x` (never installed). The headers package's Makefile
//! includes its `-common` sibling by absolute path; the unpacked copy is pointed at
//! the cache instead.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const kernelHeadersCache = "/var/cache/kernelscript-tests/linux-headers-6.12";
const mirror = "http://deb.debian.org/debian";
const packagesIndex = `${mirror}/dists/bookworm-backports/main/binary-amd64/Packages.xz`;

export type KernelTree = { readonly kdir: string; readonly version: string } | { readonly skip: string };

function run(command: string, args: readonly string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync(command, args, { input, maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, stdout: r.stdout ?? Buffer.alloc(0), stderr: `${r.stderr?.toString() ?? ""}${r.error ? String(r.error) : ""}` };
}

/** The amd64 headers, their -common package and linux-kbuild of the newest 6.12 in the index. */
function packageFiles(index: string): string[] | undefined {
  const files = [...index.matchAll(/^Filename: (\S+)$/gm)].map((m) => m[1]!);
  const headers = files.filter((f) => /\/linux-headers-6\.12\.\d+\+deb12-amd64_[^/]*_amd64\.deb$/.test(f)).sort();
  const newest = headers.at(-1);
  const version = newest?.match(/linux-headers-(6\.12\.\d+)\+deb12/)?.[1];
  if (!newest || !version) return undefined;
  const common = files.find((f) => f.includes(`/linux-headers-${version}+deb12-common_`));
  const kbuild = files.find((f) => f.includes(`/linux-kbuild-${version}+deb12_`));
  return common && kbuild ? [newest, common, kbuild] : undefined;
}

/** Fetches (once) and unpacks the tree; `skip` says why not (network, tools). */
export function kernelBuildTree(): KernelTree {
  const ready = join(kernelHeadersCache, "ready");
  if (existsSync(ready)) {
    const [kdir, version] = readFileSync(ready, "utf8").trim().split("\n");
    if (kdir && version && existsSync(kdir)) return { kdir, version };
  }
  for (const tool of ["curl", "xz", "dpkg-deb"]) {
    if (!run("sh", ["-c", `command -v ${tool}`]).ok) return { skip: `${tool} is not installed` };
  }
  mkdirSync(kernelHeadersCache, { recursive: true });
  const index = run("curl", ["-fsS", "-m", "60", packagesIndex]);
  if (!index.ok) return { skip: `deb.debian.org is unreachable (${index.stderr.trim().split("\n")[0]})` };
  const unpacked = run("xz", ["-dc"], index.stdout);
  const files = unpacked.ok ? packageFiles(unpacked.stdout.toString()) : undefined;
  if (!files) throw new Error("bookworm-backports lists no linux-headers-6.12.*+deb12-amd64 with its -common and linux-kbuild packages");
  const root = join(kernelHeadersCache, "root");
  rmSync(root, { recursive: true, force: true });
  for (const file of files) {
    const deb = join(kernelHeadersCache, file.slice(file.lastIndexOf("/") + 1));
    if (!existsSync(deb)) {
      const got = run("curl", ["-fsS", "-m", "600", "-o", `${deb}.part`, `${mirror}/${file}`]);
      if (!got.ok) return { skip: `deb.debian.org is unreachable (${got.stderr.trim().split("\n")[0]})` };
      run("mv", [`${deb}.part`, deb]);
    }
    const x = run("dpkg-deb", ["-x", deb, root]);
    if (!x.ok) throw new Error(`dpkg-deb -x ${deb} failed: ${x.stderr}`);
  }
  const src = join(root, "usr", "src");
  const arch = readdirSync(src).find((d) => /^linux-headers-6\.12\.\d+\+deb12-amd64$/.test(d));
  if (!arch) throw new Error(`no linux-headers-*-amd64 directory in ${src}`);
  const kdir = join(src, arch);
  const makefile = join(kdir, "Makefile");
  writeFileSync(makefile, readFileSync(makefile, "utf8").replace(/include \/usr\/src\//g, `include ${src}/`));
  const version = arch.replace(/^linux-headers-/, "");
  writeFileSync(ready, `${kdir}\n${version}\n`);
  return { kdir, version };
}
