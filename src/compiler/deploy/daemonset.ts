//! The Kubernetes objects that run the static loader on every node without bpfman: a
//! Namespace (privileged pods admitted), a ServiceAccount and a DaemonSet. Plain objects
//! in the shape of Kubernetes' API (`kubernetes-models` validates them in the tests).
//!
//! The pod: privileged (loading eBPF needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON and
//! CAP_SYS_ADMIN for some types; a privileged container has them and sees the host's
//! bpffs), on the host's network when a program attaches to interfaces (the node's
//! interfaces are only visible there), bpffs and tracefs from the host, the loader's
//! fleet flags (ready file, metrics, pins under a per-application directory of bpffs,
//! a shutdown within the grace period), resource requests and limits, and a readiness
//! probe on the metrics endpoint (the image holds only the loader, so an exec probe has
//! no `cat` to run; see docs/deploy.md).

import type { IrModule } from "../ir.js";
import { programTypeInfo } from "../kernel/program-types.js";
import { binaryFileName } from "../names.js";
import type { DeployOptions } from "./plan.js";

export interface LoaderFlags {
  readonly readyFile: string;
  readonly metricsPort: number;
  /** Each application pins under `pinRoot/NAME`. */
  readonly pinRoot: string;
  readonly shutdownTimeoutSeconds: number;
  readonly terminationGracePeriodSeconds: number;
}

/** Common labels of every object of the application. */
export function applicationLabels(objectName: string): Record<string, string> {
  return { "app.kubernetes.io/name": objectName, "app.kubernetes.io/managed-by": "kernelscript" };
}

/** The loader's command line in the pod (after the image's entry point). */
export function loaderArguments(module: IrModule, objectName: string, options: DeployOptions, flags: LoaderFlags): string[] {
  const interfaceFlags = module.programs.some((p) => programTypeInfo[p.programType].attach.kind === "interface")
    ? options.interfaces.flatMap((name) => ["-i", name])
    : [];
  return [
    "--ready-file", flags.readyFile,
    "--metrics", `0.0.0.0:${flags.metricsPort}`,
    "--pin-dir", `${flags.pinRoot}/${objectName}`,
    "--shutdown-timeout", String(flags.shutdownTimeoutSeconds),
    // A user `main` parses its own options; the default main takes `-i IFACE`.
    ...(module.hasUserMain ? [] : interfaceFlags),
    ...options.loaderArguments,
  ];
}

/** Host paths the loader needs: bpffs always, tracefs for tracing programs, the binaries uprobes name. */
function hostMounts(module: IrModule, loaderArguments: readonly string[]): { name: string; path: string; type: string; readOnly: boolean }[] {
  const mounts = [
    { name: "bpffs", path: "/sys/fs/bpf", type: "Directory", readOnly: false },
    // TC owner records (docs/loader.md): a restarted pod removes what a killed one left.
    { name: "kernelscript-run", path: "/run/kernelscript", type: "DirectoryOrCreate", readOnly: false },
  ];
  const tracing = module.programs.some((p) => programTypeInfo[p.programType].attach.kind === "declaredTarget");
  if (tracing) mounts.push({ name: "tracefs", path: "/sys/kernel/tracing", type: "Directory", readOnly: false });
  // A uprobe's binary must be at the same path in the container as on the node.
  const binaries = new Set(
    module.programs
      .filter((p) => programTypeInfo[p.programType].bpfman === "uprobe" || programTypeInfo[p.programType].bpfman === "uretprobe")
      .map((p) => (p.target ?? "").split(":")[0]!)
      .filter((path) => path.startsWith("/")),
  );
  [...binaries].sort().forEach((path, i) => mounts.push({ name: `probed-binary-${i}`, path, type: "File", readOnly: true }));
  // The cgroup v2 directory `-- --cgroup PATH` names, from the node.
  const cgroup = loaderArguments[loaderArguments.indexOf("--cgroup") + 1];
  if (loaderArguments.includes("--cgroup") && cgroup?.startsWith("/")) mounts.push({ name: "cgroup", path: cgroup, type: "Directory", readOnly: false });
  return mounts;
}

export function daemonSetObjects(module: IrModule, objectName: string, options: DeployOptions, flags: LoaderFlags): object[] {
  const labels = applicationLabels(objectName);
  const selector = { "app.kubernetes.io/name": objectName };
  const hostNetwork = module.programs.some((p) => programTypeInfo[p.programType].attach.kind === "interface");
  const mounts = hostMounts(module, options.loaderArguments);
  const namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: options.namespace,
      // The pods are privileged: the namespace's Pod Security admission must allow it.
      labels: { ...labels, "pod-security.kubernetes.io/enforce": "privileged" },
    },
  };
  const serviceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: objectName, namespace: options.namespace, labels },
    automountServiceAccountToken: false,
  };
  const metricsProbe = { httpGet: { path: "/metrics", port: "metrics" } };
  const container = {
    name: "loader",
    image: options.loaderImage,
    imagePullPolicy: "IfNotPresent",
    args: loaderArguments(module, objectName, options, flags),
    securityContext: { privileged: true },
    ports: [{ name: "metrics", containerPort: flags.metricsPort, protocol: "TCP" }],
    // eBPF map memory is charged to the pod's memory cgroup (kernels ≥ 5.11): large
    // maps need a larger limit.
    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    readinessProbe: { ...metricsProbe, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { ...metricsProbe, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
    volumeMounts: [
      ...mounts.map((m) => ({ name: m.name, mountPath: m.path, ...(m.readOnly ? { readOnly: true } : {}) })),
      { name: "ready", mountPath: flags.readyFile.slice(0, flags.readyFile.lastIndexOf("/")) },
    ],
  };
  const daemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: objectName, namespace: options.namespace, labels },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: {
          labels,
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(flags.metricsPort), "prometheus.io/path": "/metrics" },
        },
        spec: {
          serviceAccountName: objectName,
          ...(hostNetwork ? { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" } : {}),
          terminationGracePeriodSeconds: flags.terminationGracePeriodSeconds,
          // Every node, control plane included: the program belongs on all of them.
          tolerations: [{ operator: "Exists" }],
          containers: [{ ...container, command: [`/${binaryFileName(module.name)}`] }],
          volumes: [
            ...mounts.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } })),
            { name: "ready", emptyDir: { medium: "Memory" } },
          ],
        },
      },
    },
  };
  return [namespace, serviceAccount, daemonSet];
}
