//! bpfman's resource for the bytecode image: one `ClusterBpfApplication`
//! (bpfman.io/v1alpha1, bpfman-operator's CRD) listing every program bpfman can attach,
//! each with its links made from the program's attach target (the catalogue's `bpfman`
//! column says how). One resource for the whole object, not one per program: bpfman
//! shares maps and global data between the programs of one application, as the loader
//! does (a counter written by one program and read by another stays one map).
//! Cluster-scoped because the namespaced `BpfApplication` offers only XDP, TC and
//! uprobes; node-level programs (tracepoints, kprobes, fentry) need the cluster one.

import type { IrProgram } from "../ir.js";
import { programTypeInfo, type BpfmanLink } from "../kernel/program-types.js";
import { programName } from "../names.js";
import { applicationLabels } from "./daemonset.js";
import type { DeployOptions } from "./plan.js";

/** The CRD's program `type` and the key of its configuration (the CRD's rule: `type == 'XDP'` needs `xdp`). */
interface BpfmanProgram {
  readonly type: string;
  readonly config: object;
}

/** `fn+0x10` → the function and its offset. */
function functionAndOffset(target: string): { function: string; offset?: number } {
  const plus = target.indexOf("+");
  if (plus < 0) return { function: target };
  return { function: target.slice(0, plus), offset: Number(target.slice(plus + 1)) };
}

/** `/usr/bin/bash:readline+4` → the binary, the function and its offset. */
function userProbeLink(target: string): object {
  const colon = target.lastIndexOf(":");
  const where = functionAndOffset(target.slice(colon + 1));
  return { target: target.slice(0, colon), ...where };
}

function bpfmanProgram(program: IrProgram, link: BpfmanLink, interfaces: readonly string[]): BpfmanProgram {
  const target = program.target ?? "";
  const interfaceSelector = { interfaces: [...interfaces] };
  switch (link) {
    case "xdpInterface":
      return { type: "XDP", config: { links: [{ interfaceSelector }] } };
    case "tcxInterface":
      return { type: "TCX", config: { links: [{ direction: target === "egress" ? "Egress" : "Ingress", interfaceSelector }] } };
    case "tracepoint":
      return { type: "TracePoint", config: { links: [{ name: target }] } };
    case "kprobe":
      return { type: "KProbe", config: { links: [functionAndOffset(target)] } };
    case "kretprobe":
      return { type: "KRetProbe", config: { links: [{ function: target }] } };
    case "fentryOrKprobe":
      return target.includes("+")
        ? { type: "KProbe", config: { links: [functionAndOffset(target)] } }
        : { type: "FEntry", config: { function: target, links: [{ mode: "Attach" }] } };
    case "fexit":
      return { type: "FExit", config: { function: target, links: [{ mode: "Attach" }] } };
    case "uprobe":
      return { type: "UProbe", config: { links: [userProbeLink(target)] } };
    case "uretprobe":
      return { type: "URetProbe", config: { links: [userProbeLink(target)] } };
  }
}

/** The `ClusterBpfApplication` of `programs` (those whose type bpfman attaches). */
export function bpfmanApplication(objectName: string, programs: readonly IrProgram[], options: DeployOptions): object {
  return {
    apiVersion: "bpfman.io/v1alpha1",
    kind: "ClusterBpfApplication",
    metadata: { name: objectName, labels: applicationLabels(objectName) },
    spec: {
      // Every node; narrow it with labels (`matchLabels`) to deploy on some.
      nodeSelector: {},
      byteCode: { image: { url: options.bytecodeImage, imagePullPolicy: "IfNotPresent" } },
      programs: programs.map((program) => {
        const { type, config } = bpfmanProgram(program, programTypeInfo[program.programType].bpfman!, options.interfaces);
        return { name: programName(program.name), type, [type.toLowerCase()]: config };
      }),
    },
  };
}
