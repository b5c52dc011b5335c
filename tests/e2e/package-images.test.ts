// `kernelscript package` end to end with podman (root): the seed and a file of many
// program types packaged into images, inspected with skopeo: the bytecode image's labels
// parse as bpfman parses them and name every program and map of the object with bpfman's
// types, its one layer holds the object at its root; the loader image holds exactly one
// file, a static ELF executable (no PT_INTERP, no PT_DYNAMIC), with the loader's labels.
// `--push oci:DIR` writes both images into an OCI layout (no registry runs here);
// `--no-images` needs no podman; without podman the command says what to install (exit 3).
// podman is configured by a containers.conf this test writes (runc, cgroupfs: what this
// machine needs), never by the machine's own; every image is removed afterwards.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../harness/cli.js";
import { repoRoot } from "../harness/golden.js";

const skip = process.getuid?.() !== 0
  ? "needs root (podman's storage and the kernel verifier check)"
  : spawnSync("podman", ["--version"]).status !== 0 ? "needs podman (apt-get install podman)" : undefined;

const seed = join(repoRoot, "examples", "seed_packet_filter.ks");
const multi = join(repoRoot, "tests", "e2e", "fixtures", "package-multi.ks");
let work = "";
let env: Record<string, string> = {};
const images: string[] = [];

function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  assert.equal(result.status, 0, `${command} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

interface Inspected {
  readonly labels: Record<string, string>;
  /** Each layer's file list and the directory it was unpacked into. */
  readonly layers: { readonly files: string[]; readonly dir: string }[];
}

/** skopeo's view of an image: its labels, and its layers copied out and unpacked. */
function inspect(reference: string): Inspected {
  const info = JSON.parse(run("skopeo", ["inspect", reference])) as { Labels: Record<string, string> };
  const copy = mkdtempSync(join(work, "image-"));
  run("skopeo", ["copy", "--quiet", reference, `dir:${copy}`]);
  const manifest = JSON.parse(readFileSync(join(copy, "manifest.json"), "utf8")) as { layers: { digest: string }[] };
  const layers = manifest.layers.map((layer, i) => {
    const blob = join(copy, layer.digest.replace(/^sha256:/, ""));
    const dir = join(copy, `layer-${i}`);
    mkdirSync(dir);
    run("tar", ["-xf", blob, "-C", dir]);
    const files = run("tar", ["-tf", blob]).split("\n").filter((f) => f !== "" && !f.endsWith("/"));
    return { files, dir };
  });
  return { labels: info.Labels, layers };
}

/** The ELF program header types of `path` (64-bit little-endian). */
function programHeaderTypes(path: string): number[] {
  const elf = readFileSync(path);
  assert.equal(elf.subarray(0, 4).toString("latin1"), "\x7fELF");
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const entrySize = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  return Array.from({ length: count }, (_, i) => elf.readUInt32LE(phoff + i * entrySize));
}
const PT_DYNAMIC = 2;
const PT_INTERP = 3;

async function packageImages(source: string, name: string, extra: readonly string[] = []): Promise<{ loader: string; bytecode: string; dir: string }> {
  const dir = join(work, `${name}-package`);
  const loader = `localhost/fleetpkg-e2e-${name}:test`;
  const bytecode = `localhost/fleetpkg-e2e-${name}-bytecode:test`;
  images.push(loader, bytecode);
  const result = await runCli(["package", source, "-o", dir, "--image", loader, "--interface", "fpkg0", ...extra], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`images: ${loader} \\(loader\\), ${bytecode} \\(bytecode for bpfman\\)`));
  return { loader, bytecode, dir };
}

/** The object's maps as bpftool sees them (names only): the label must name each. */
function objectMapNames(object: string): string[] {
  const types = (JSON.parse(run("bpftool", ["-j", "btf", "dump", "file", object, "format", "raw"])) as { types: { id: number; kind: string; name: string; vars?: { type_id: number }[] }[] }).types;
  const byId = new Map(types.map((t) => [t.id, t]));
  return types.filter((t) => t.kind === "DATASEC" && (t.name === ".maps" || /^\.(bss|data|rodata)/.test(t.name)))
    .flatMap((section) => (section.name === ".maps" ? (section.vars ?? []).map((v) => byId.get(v.type_id)!.name) : [section.name]))
    .sort();
}

describe("kernelscript package: images", { skip }, () => {
  before(() => {
    work = mkdtempSync(join(tmpdir(), "fleetpkg-e2e-"));
    const conf = join(work, "containers.conf");
    writeFileSync(conf, '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n');
    env = { CONTAINERS_CONF: conf };
  });
  after(() => {
    for (const image of images) spawnSync("podman", ["rmi", "--force", image], { env: { ...process.env, ...env } });
    rmSync(work, { recursive: true, force: true });
  });

  it("the seed: a bytecode image bpfman can read and a loader image of one static binary", async () => {
    const { loader, bytecode, dir } = await packageImages(seed, "seed");
    const byte = inspect(`containers-storage:${bytecode}`);
    assert.deepEqual(JSON.parse(byte.labels["io.ebpf.programs"]!), { packet_filter: "xdp" });
    assert.deepEqual(JSON.parse(byte.labels["io.ebpf.maps"]!), { packet_counts: "hash" });
    assert.equal(byte.layers.length, 1);
    assert.deepEqual(byte.layers[0]!.files, ["seed_packet_filter.bpf.o"]);
    assert.deepEqual(readFileSync(join(byte.layers[0]!.dir, "seed_packet_filter.bpf.o")), readFileSync(join(dir, "build", "seed_packet_filter.bpf.o")));

    const load = inspect(`containers-storage:${loader}`);
    assert.deepEqual(load.layers.flatMap((l) => l.files), ["seed_packet_filter"]);
    const types = programHeaderTypes(join(load.layers[0]!.dir, "seed_packet_filter"));
    assert.ok(types.length > 0);
    assert.ok(!types.includes(PT_INTERP) && !types.includes(PT_DYNAMIC), `program headers ${types.join(",")}: not static`);
    assert.equal(load.labels["org.opencontainers.image.title"], "seed_packet_filter");
    assert.equal(load.labels["org.opencontainers.image.source"], "seed_packet_filter.ks");
    assert.deepEqual(JSON.parse(load.labels["io.kernelscript.programs"]!), { packet_filter: "XDP" });
    assert.deepEqual(JSON.parse(load.labels["io.kernelscript.kernel-features"]!), { programTypes: ["BPF_PROG_TYPE_XDP"], mapTypes: ["BPF_MAP_TYPE_HASH"] });
    const config = JSON.parse(run("podman", ["image", "inspect", loader])) as { Config: { Entrypoint: string[] } }[];
    assert.deepEqual(config[0]!.Config.Entrypoint, ["/seed_packet_filter"]);
    for (const file of ["Containerfile.loader", "Containerfile.bytecode", "k8s/daemonset.yaml", "k8s/bpfman/seed-packet-filter.yaml", "README.md"]) {
      assert.ok(existsSync(join(dir, file)), file);
    }
  });

  it("many program types: every program and every map of the object, with bpfman's types", async () => {
    const { bytecode, dir } = await packageImages(multi, "multi");
    const byte = inspect(`containers-storage:${bytecode}`);
    assert.deepEqual(JSON.parse(byte.labels["io.ebpf.programs"]!), {
      count_rx: "xdp", count_tx: "tc", on_exec: "tracepoint", on_readline: "probe", on_unlink: "probe", after_unlink: "tracing", keep_all: "socket_filter",
    });
    const maps = JSON.parse(byte.labels["io.ebpf.maps"]!) as Record<string, string>;
    assert.deepEqual(Object.keys(maps).sort(), objectMapNames(join(dir, "build", "package-multi.bpf.o")));
    assert.equal(maps["hits"], "hash");
    assert.equal(maps["per_cpu"], "per_cpu_array");
    assert.deepEqual(byte.layers[0]!.files, ["package-multi.bpf.o"]);
  });

  it("--push oci:DIR writes both images into an OCI layout", async () => {
    const layout = join(work, "layout");
    const { loader, bytecode } = await packageImages(seed, "pushed", ["--push", `oci:${layout}`]);
    for (const reference of [loader, bytecode]) {
      const info = JSON.parse(run("skopeo", ["inspect", `oci:${layout}:${reference.slice(reference.lastIndexOf("/") + 1)}`])) as { Labels: Record<string, string> };
      assert.ok(Object.keys(info.Labels).length > 0, reference);
    }
    const labels = (JSON.parse(run("skopeo", ["inspect", `oci:${layout}:fleetpkg-e2e-pushed-bytecode:test`])) as { Labels: Record<string, string> }).Labels;
    assert.deepEqual(JSON.parse(labels["io.ebpf.programs"]!), { packet_filter: "xdp" });
  });

  it("--no-images needs no podman; without podman the command names the package to install (exit 3) and writes nothing", async () => {
    const bin = join(work, "bin-without-podman");
    mkdirSync(bin);
    // Every tool the build needs, but not podman.
    for (const tool of ["make", "clang", "cc", "bpftool", "pkg-config", "sh", "mv", "grep", "sed", "uname", "ld", "as", "collect2", "llc", "rm", "llvm-strip"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (found) spawnSync("ln", ["-s", found, join(bin, tool)]);
    }
    const missing = join(work, "missing-package");
    const refused = await runCli(["package", seed, "-o", missing, "--interface", "fpkg0"], { env: { ...env, PATH: bin } });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /podman/);
    assert.match(refused.stderr, /apt-get install -y podman/);
    assert.equal(existsSync(missing), false);
    const filesOnly = join(work, "files-only");
    const written = await runCli(["package", seed, "-o", filesOnly, "--interface", "fpkg0", "--no-images"], { env: { ...env, PATH: `${bin}:/usr/lib/gcc/x86_64-linux-gnu/12` } });
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(readdirSync(filesOnly).sort(), ["Containerfile.bytecode", "Containerfile.loader", "README.md", "build", "k8s"]);
    assert.ok(existsSync(join(filesOnly, "build", "seed_packet_filter.static")));
  });

  it("E0800 without --interface: exit 1, the diagnostic on the program, nothing written", async () => {
    const out = join(work, "no-interface");
    const result = await runCli(["package", seed, "-o", out, "--no-images"], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error\[E0800\]/);
    assert.match(result.stderr, /--interface eth0/);
    assert.equal(existsSync(out), false);
  });
});
