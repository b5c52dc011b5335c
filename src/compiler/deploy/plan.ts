//! `kernelscript package`'s plan, as pure data: from the IR and the command's options,
//! the labels of both images, their Containerfiles, the Kubernetes objects (a
//! DaemonSet running the static loader; bpfman's `ClusterBpfApplication` for the
//! bytecode image) and the README of how to apply them. The CLI writes the objects as
//! YAML (`yaml` npm, src/cli/package/) and drives podman (src/runner/podman.ts); this
//! module reads no file and runs nothing, so the tests validate its objects directly.
//!
//! Problems only packaging has (an interface program without `--interface`; a program
//! type bpfman cannot attach) are diagnostics of the catalogue's deployment area
//! (`catalog/deployment.ts`), on the program's span.

import type { IrModule, IrProgram } from "../ir.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import { programTypeInfo } from "../kernel/program-types.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { binaryFileName, bpfObjectFileName, programName, staticBinaryFileName } from "../names.js";
import { packageLeavesModuleOut, packageNeedsCgroup, packageNeedsHandover, packageNeedsInterface, bpfmanCannotAttach } from "../diagnostics/catalog/deployment.js";
import { bpfmanApplication } from "./bpfman.js";
import { daemonSetObjects, type LoaderFlags } from "./daemonset.js";
import { packageReadme } from "./readme.js";

export interface DeployOptions {
  /** The loader image's reference (`registry.example.com/team/NAME:TAG`). */
  readonly loaderImage: string;
  /** The bytecode image's reference (`…/NAME-bytecode:TAG`). */
  readonly bytecodeImage: string;
  /** Interfaces XDP and TC programs attach to on every node (`--interface`). */
  readonly interfaces: readonly string[];
  /** The namespace of the DaemonSet and its service account. */
  readonly namespace: string;
  /** More arguments for the loader (after `--`): a user `main`'s own options. */
  readonly loaderArguments: readonly string[];
  /** What `org.opencontainers.image.source` says: where the program comes from. */
  readonly source: string;
  /**
   * The metrics port (`--metrics-port`, default 9464): on the host network, each
   * application on a node needs a port of its own.
   */
  readonly metricsPort?: number;
}

/** One manifest file: its path under the package directory and its YAML documents. */
export interface ManifestFile {
  readonly path: string;
  readonly documents: readonly object[];
}

export interface Deployment {
  /** The project name (`NAME`), as the output files have it. */
  readonly name: string;
  /** A DNS-1123 label made of it, for Kubernetes object names. */
  readonly objectName: string;
  /** `io.ebpf.programs`: every program's C name → bpfman's spelling of its type. */
  readonly programTypes: Readonly<Record<string, string>>;
  /** Labels of the loader image (the Containerfile's LABEL lines). */
  readonly loaderLabels: Readonly<Record<string, string>>;
  readonly loaderContainerfile: string;
  /** The static loader's and the object's file names in the build directory. */
  readonly staticBinary: string;
  readonly bpfObject: string;
  readonly manifests: readonly ManifestFile[];
  /** The programs k8s/bpfman/ leaves out (bpfman cannot attach their type). */
  readonly withoutBpfman: readonly string[];
  readonly readme: string;
}

/** The directory of the package holding the generated build (`make static` runs there). */
export const packageBuildDirectory = "build";

/** The default metrics port (Prometheus' registry lists 9464 for exporters such as this). */
export const defaultMetricsPort = 9464;

/** The loader's flags every fleet loader has (the DaemonSet passes them). */
const fleetFlags: Omit<LoaderFlags, "metricsPort"> = {
  readyFile: "/run/kernelscript-ready/ready",
  pinRoot: "/sys/fs/bpf/kernelscript",
  // Kubernetes' default grace period is 30 s: the loader gives up waiting a little before.
  shutdownTimeoutSeconds: 25,
  terminationGracePeriodSeconds: 30,
};

/** The plan, or undefined when a diagnostic (an error) stops it. */
export function planDeployment(module: IrModule, options: DeployOptions, diags: Diagnostics): Deployment | undefined {
  const name = module.name;
  const objectName = kubernetesName(name);
  const loaderFlags: LoaderFlags = { ...fleetFlags, metricsPort: options.metricsPort ?? defaultMetricsPort };
  let usable = true;
  const needsInterface = module.programs.filter((p) => programTypeInfo[p.programType].attach.kind === "interface");
  if (needsInterface.length > 0 && options.interfaces.length === 0) {
    for (const program of needsInterface) diags.report(packageNeedsInterface, program.span, program.name, programTypeInfo[program.programType].label);
    usable = false;
  }
  const needsCgroup = module.programs.filter((p) => programTypeInfo[p.programType].attach.kind === "cgroup");
  if (needsCgroup.length > 0 && !module.hasUserMain && !options.loaderArguments.includes("--cgroup")) {
    for (const program of needsCgroup) diags.report(packageNeedsCgroup, program.span, program.name, programTypeInfo[program.programType].label);
    usable = false;
  }
  const firstModuleFunction = module.kernelModule.find((f) => f.exported) ?? module.kernelModule[0];
  if (firstModuleFunction) diags.report(packageLeavesModuleOut, firstModuleFunction.span, firstModuleFunction.name);
  // Hand-overs need what a FROM scratch image lacks (CPython, an interpreter): said on
  // `main`, where user space starts (the IR keeps no span of the imports).
  const handover = module.handover;
  const handoverKind = (handover?.pythonModules.length ?? 0) > 0 ? "python" : (handover?.execScripts.length ?? 0) > 0 ? "exec" : undefined;
  const userMain = module.userFunctions.find((f) => f.name === "main") ?? module.userFunctions[0];
  if (handoverKind && userMain) {
    diags.report(packageNeedsHandover, userMain.span, handoverKind);
    usable = false;
  }
  const withoutBpfman = module.programs.filter((p) => programTypeInfo[p.programType].bpfman === undefined);
  for (const program of withoutBpfman) diags.report(bpfmanCannotAttach, program.span, program.name, programTypeInfo[program.programType].label);
  if (!usable) return undefined;

  const programTypes = Object.fromEntries(module.programs.map((p) => [programName(p.name), bpfmanProgramTypeName(programTypeInfo[p.programType].bpfProgType)]));
  const loaderLabels = loaderImageLabels(module, options);
  const manifests: ManifestFile[] = [
    { path: "k8s/daemonset.yaml", documents: daemonSetObjects(module, objectName, options, loaderFlags) },
  ];
  const bpfmanPrograms = module.programs.filter((p) => programTypeInfo[p.programType].bpfman !== undefined);
  if (bpfmanPrograms.length > 0) {
    manifests.push({ path: `k8s/bpfman/${objectName}.yaml`, documents: [bpfmanApplication(objectName, bpfmanPrograms, options)] });
  }
  const plan = {
    name,
    objectName,
    programTypes,
    loaderLabels,
    loaderContainerfile: loaderContainerfile(name, loaderLabels),
    staticBinary: staticBinaryFileName(name),
    bpfObject: bpfObjectFileName(name),
    manifests,
    withoutBpfman: withoutBpfman.map((p) => p.name),
  };
  return { ...plan, readme: packageReadme(plan, options, loaderFlags) };
}

/**
 * bpfman's spelling of a `bpf_prog_type` (its `ProgramType` names, which the
 * `io.ebpf.programs` label holds): the kernel's name in lower case, except that bpfman
 * calls SCHED_CLS `tc` and KPROBE (kprobes and uprobes alike) `probe`.
 */
export function bpfmanProgramTypeName(bpfProgType: string): string {
  const kernelName = bpfProgType.replace(/^BPF_PROG_TYPE_/, "").toLowerCase();
  const renamed: Readonly<Record<string, string>> = { sched_cls: "tc", kprobe: "probe" };
  return renamed[kernelName] ?? kernelName;
}

/**
 * bpfman's spelling of a `bpf_map_type` (the `io.ebpf.maps` label): the kernel's name in
 * lower case with `percpu` written `per_cpu` (`per_cpu_array`, `lru_per_cpu_hash`).
 */
export function bpfmanMapTypeName(bpfMapType: string): string {
  return bpfMapType.replace(/^BPF_MAP_TYPE_/, "").toLowerCase().replace("percpu", "per_cpu");
}

/** `seed_packet_filter` → `seed-packet-filter`: lower case, `-` for the rest, 63 at most. */
export function kubernetesName(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return label === "" ? "kernelscript" : label;
}

/** What the loader needs of the kernel, for the `io.kernelscript.kernel-features` label. */
function kernelFeatures(module: IrModule): { readonly programTypes: string[]; readonly mapTypes: string[] } {
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
  return {
    programTypes: sorted(module.programs.map((p) => programTypeInfo[p.programType].bpfProgType)),
    mapTypes: sorted(module.maps.map((m) => mapKinds[m.mapKind].bpfMapType)),
  };
}

function loaderImageLabels(module: IrModule, options: DeployOptions): Record<string, string> {
  const programs = Object.fromEntries(module.programs.map((p: IrProgram) => [programName(p.name), programTypeInfo[p.programType].label]));
  return {
    "org.opencontainers.image.title": module.name,
    "org.opencontainers.image.description": `KernelScript loader of ${module.name} (statically linked; eBPF object embedded)`,
    "org.opencontainers.image.source": options.source,
    "io.kernelscript.programs": JSON.stringify(programs),
    "io.kernelscript.kernel-features": JSON.stringify(kernelFeatures(module)),
  };
}

/** `LABEL key="value"` lines; a value is a JSON string, which the Containerfile parser reads back as written. */
export function labelLines(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).map(([key, value]) => `LABEL ${key}=${JSON.stringify(value)}`);
}

/** The loader image: the static loader alone, as its entry point. */
function loaderContainerfile(name: string, labels: Readonly<Record<string, string>>): string {
  const binary = binaryFileName(name);
  return [
    `# generated by kernelscript package: the loader of ${name}, statically linked (no libc,`,
    "# libbpf or libelf needed on the node), its eBPF object embedded.",
    "FROM scratch",
    `COPY ${packageBuildDirectory}/${staticBinaryFileName(name)} /${binary}`,
    ...labelLines(labels),
    `ENTRYPOINT ["/${binary}"]`,
    "",
  ].join("\n");
}

/**
 * The bytecode image bpfman pulls: the object at the layer's root, labelled with every
 * program and map (`io.ebpf.maps` comes from the built object: the CLI reads its maps).
 */
export function bytecodeContainerfile(deployment: Deployment, mapTypes: Readonly<Record<string, string>>): string {
  return [
    `# generated by kernelscript package: the eBPF object of ${deployment.name} for bpfman.`,
    "FROM scratch",
    `COPY ${packageBuildDirectory}/${deployment.bpfObject} /${deployment.bpfObject}`,
    ...labelLines({ "io.ebpf.programs": JSON.stringify(deployment.programTypes), "io.ebpf.maps": JSON.stringify(mapTypes) }),
    "",
  ].join("\n");
}
