//! Loader code that fills the compiler-made program array of tail calls: after the
//! skeleton is loaded, slot `i` gets the fd of `module.tailCallTargets[i]`. Runs inside
//! `ks_open_and_load`, so both the default main and a user `main` get it.

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { programName, tailCallMapName } from "../../names.js";

export function emitTailCallSetup(w: CWriter, module: IrModule): void {
  if (module.tailCallTargets.length === 0) return;
  w.comment(`Tail calls jump through ${tailCallMapName}: put each target program in its slot.`);
  w.block("", () => {
    w.line(`int array_fd = bpf_map__fd(ks_skel->maps.${tailCallMapName});`);
    w.line("struct bpf_program *targets[] = {");
    for (const target of module.tailCallTargets) w.line(`    ks_skel->progs.${programName(target)},`);
    w.line("};");
    w.block("for (__u32 slot = 0; slot < sizeof(targets) / sizeof(targets[0]); slot++)", () => {
      w.line("int prog_fd = bpf_program__fd(targets[slot]);");
      w.comment("Left unloaded (the test binary without the kernel module): so are the programs jumping to it.");
      w.line("if (prog_fd < 0) continue;");
      w.block("if (bpf_map_update_elem(array_fd, &slot, &prog_fd, BPF_ANY) != 0)", () => {
        w.line("int err = errno;");
        w.line(`fprintf(stderr, "error: cannot register tail-call target '%s' in slot %u: %s\\n", bpf_program__name(targets[slot]), slot, strerror(err));`);
        w.line("return -1;");
      });
    });
  });
}
