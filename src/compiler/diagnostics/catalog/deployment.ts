//! E0800–E0849, W0800–W0849: deployment (`kernelscript package`): what a program needs
//! to run on a fleet that the source does not say, and what bpfman cannot do with it.

import { defineError, defineWarning } from "../diagnostic.js";

export const packageNeedsInterface = defineError(
  "E0800",
  "package: an interface program without `--interface`",
  "XDP and TC programs attach to a network interface, which a `.ks` file does not name: the loader takes it on its command line (`-i IFACE`). A package runs the program on every node of a cluster, so `kernelscript package` must know the interface for the DaemonSet's loader arguments and for bpfman's interface selector. Name it with `--interface IFACE` (repeat it, or separate names with commas, for several).",
  (program: string, label: string) => ({
    message: `\`${program}\` (${label}) attaches to a network interface, which the package must name for every node`,
    label: "attaches to a network interface",
    help: "give `kernelscript package` the node's interface: `--interface eth0` (several: `--interface eth0,eth1`)",
  }),
);

export const bpfmanCannotAttach = defineWarning(
  "W0800",
  "package: a program type bpfman cannot attach",
  "bpfman (and bpfman-operator's `ClusterBpfApplication`) attaches XDP, TC (TCX), tracepoint, kprobe/kretprobe, uprobe/uretprobe, fentry and fexit programs. Other program types are still named in the bytecode image's `io.ebpf.programs` label, but the bpfman resource `kernelscript package` writes leaves them out: bpfman would load them and attach nothing. The DaemonSet's loader attaches every program, so deploy with the DaemonSet when the file has such a program.",
  (program: string, label: string) => ({
    message: `bpfman cannot attach \`${program}\` (${label}): k8s/bpfman/ leaves it out`,
    label: "not attachable by bpfman",
    help: "deploy with the DaemonSet (k8s/daemonset.yaml), whose loader attaches every program",
  }),
);

export const packageNeedsHandover = defineError(
  "E0801",
  "package: a hand-over the loader image cannot run",
  "The loader image is `FROM scratch`: the loader, statically linked, and nothing else. A program that imports Python modules embeds CPython, which cannot be linked statically, and `exec()` hands over to a script whose interpreter the image does not have. Package such a program's eBPF side with its own loader image (a Containerfile of yours based on an image with Python), or move the user-space work out of the `.ks` file.",
  (what: "python" | "exec") => ({
    message: what === "python"
      ? "this program imports Python modules, which a statically linked loader cannot embed"
      : "this program hands over to a script with `exec()`, which the loader image has no interpreter for",
    label: "user space of this program",
    help: "`kernelscript build` this program and write the image yourself, or keep the user-space work outside the .ks file",
  }),
);
