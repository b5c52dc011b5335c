//! E0800–E0849, W0800–W0849: deployment (`kernelscript package`): what a program needs
//! to run on a fleet that the source does not say, and what bpfman cannot do with it.

import { defineError, defineWarning } from "../diagnostic.js";

export const packageNeedsInterface = defineError(
  "E0800",
  "package: an interface program without `--interface`",
  "XDP and TC programs attach to a network interface, which a `.ks` file does not name: the loader takes it on its command line (`-i IFACE`). A package runs the program on every node of a cluster, so `kernelscript package` must know the interface for the DaemonSet's loader arguments and for bpfman's interface selector. Name it with `--interface IFACE` (repeat it, or separate names with commas, for several).",
  (program: string, label: string) => ({
    message: `\`${program}\` is a ${label} program: the package must name the interface it attaches to on each node`,
    label: "attaches to a network interface",
    help: "give `kernelscript package` the node's interface: `--interface eth0` (several: `--interface eth0,eth1`)",
  }),
);

export const bpfmanCannotAttach = defineWarning(
  "W0800",
  "package: a program type bpfman cannot attach",
  "bpfman (and bpfman-operator's `ClusterBpfApplication`) attaches XDP, TC (TCX), tracepoint, kprobe/kretprobe, uprobe/uretprobe, fentry and fexit programs. Other program types are still named in the bytecode image's `io.ebpf.programs` label, but the bpfman resource `kernelscript package` writes leaves them out: bpfman would load them and attach nothing. The DaemonSet's loader attaches every program, so deploy with the DaemonSet when the file has such a program.",
  (program: string, label: string) => ({
    message: `bpfman cannot attach \`${program}\` (a ${label} program): k8s/bpfman/ leaves it out`,
    label: "not attachable by bpfman",
    help: "deploy with the DaemonSet (k8s/daemonset.yaml), whose loader attaches every program",
  }),
);
