//! The loader's `ks_register(impl)`: attaches a struct_ops map (an `impl` block) to the
//! kernel, which registers it (a TCP congestion control appears in
//! /proc/sys/net/ipv4/tcp_available_congestion_control). The registration is kept in the
//! attachment table, so `ks_cleanup()` (exit, SIGINT, SIGTERM) unregisters it. With
//! libbpf >= 1.2 the map is a `.struct_ops.link` and the kernel also drops it when the
//! loader is killed; with libbpf 1.1 a SIGKILL leaves it registered until the map is
//! deleted (`bpftool struct_ops unregister name IMPL`).

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";

export function emitStructOpsRegister(w: CWriter, module: IrModule): void {
  if (module.structOps.length === 0) return;
  w.comment("register(impl): 0, or -1 with the cause printed.");
  w.block("static KS_UNUSED int ks_register(const char *impl)", () => {
    w.line("if (ks_open_and_load() != 0) return -1;");
    w.line("struct bpf_map *map = bpf_object__find_map_by_name(ks_skel->obj, impl);");
    w.block("if (!map || bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)", () => {
      w.line('fprintf(stderr, "error: register: \'%s\' is not a struct_ops impl of this program\\n", impl);');
      w.line("return -1;");
    });
    w.line("struct ks_attachment *slot = ks_next_attachment(-1, impl);");
    w.line("if (!slot) return -1;");
    w.line("slot->link = bpf_map__attach_struct_ops(map);");
    w.block("if (!slot->link)", () => {
      w.line("int err = errno;");
      w.line("char what[160];");
      w.line('snprintf(what, sizeof(what), "cannot register struct_ops \'%s\'", impl);');
      w.block("if (err == EEXIST)", () => {
        w.line('fprintf(stderr, "error: %s: one with the same name is already registered\\n", what);');
        w.line("return -1;");
      });
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.line("ks_attachment_count++;");
    w.line("ks_attachments_made++;");
    w.line("return 0;");
  });
  w.line();
}
