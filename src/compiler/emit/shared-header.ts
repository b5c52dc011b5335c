//! NAME.h: the user types both sides share (structs, enums, aliases), written with the
//! kernel's fixed-width names so one header serves the eBPF object and the loader.

import type * as ir from "../ir.js";
import { cDeclaration } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { generatedBanner, sharedHeaderGuard } from "../names.js";
import { intLiteral } from "./c-code.js";
import { emitConfigStructs } from "./globals-c.js";
import { collectStringUse, emitStringStructs } from "./strings-c.js";

export function needsSharedHeader(module: ir.IrModule): boolean {
  return module.structs.length > 0 || module.enums.length > 0 || module.typedefs.length > 0 || module.configs.length > 0 ||
    collectStringUse(module).sizes.size > 0;
}

export function emitSharedHeader(module: ir.IrModule): string {
  const w = new CWriter();
  const guard = sharedHeaderGuard(module.name);
  w.line(generatedBanner(module.sourcePath, "c"));
  w.line(`#ifndef ${guard}`);
  w.line(`#define ${guard}`);
  w.line();
  emitStringStructs(w, collectStringUse(module));
  for (const e of module.enums) {
    w.block(`enum ${e.name}`, () => {
      for (const c of e.constants) w.line(`${c.name} = ${intLiteral(c.value, { kind: "int", bits: 64, signed: c.value < 0n })},`);
    }, ";");
    w.line();
  }
  for (const s of module.structs) {
    w.block(`struct ${s.name}`, () => {
      for (const f of s.fields) w.line(`${cDeclaration(f.type, f.name)};`);
    }, ";");
    w.line();
  }
  for (const t of module.typedefs) {
    w.line(`typedef ${cDeclaration(t.type, t.name)};`);
  }
  if (module.typedefs.length > 0) w.line();
  emitConfigStructs(w, module);
  w.line(`#endif /* ${guard} */`);
  return w.toString();
}
