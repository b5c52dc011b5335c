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

export const packageNeedsCgroup = defineError(
  "E0802",
  "package: a cgroup program without `--cgroup` for the loader",
  "Cgroup programs attach to a cgroup v2 directory, which the default loader takes on its command line (`--cgroup PATH`). In a DaemonSet that directory is the node's: give the loader its path after `--` (`kernelscript package app.ks -- --cgroup /sys/fs/cgroup/kubepods.slice`); the DaemonSet then mounts it from the node at the same path.",
  (program: string, label: string) => ({
    message: `\`${program}\` (${label}) attaches to a cgroup, which the loader's arguments must name`,
    label: "attaches to a cgroup v2 directory",
    help: "add the node's cgroup v2 directory for the loader: `kernelscript package FILE.ks -- --cgroup /sys/fs/cgroup/…`",
  }),
);

export const packageLeavesModuleOut = defineWarning(
  "W0801",
  "package: the kernel module is not in the image",
  "`@kfunc` functions make a kernel module, built for one kernel's exact version (its `vermagic`): a module in an image would load on no other kernel, so the loader image does not carry it. On the nodes, the programs that call its kfuncs load only when the module is already loaded there (the loader then finds its kfuncs); the others load and attach as usual.",
  (name: string) => ({
    message: `the kernel module of \`${name}\` is not in the loader image: programs calling its kfuncs load only on nodes where it is loaded already`,
    label: "part of the kernel module",
    help: "build and load the module on each node (`make -C build module` against the node's kernel), or deploy without these kfuncs",
  }),
);
