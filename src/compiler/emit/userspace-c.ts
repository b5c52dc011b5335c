//! Ir → NAME.c: the user-space program. The loader runtime (userspace/runtime.ts) and
//! the fd-based map accessors (userspace/maps.ts) come first, then the map operations
//! user code calls, then the user's functions, with `main` wrapped so the object is
//! loaded before the user's code runs. Without a user `main`, the default program
//! (userspace/default-main.ts) is emitted instead.

import type * as ir from "../ir.js";
import { CCodeEmitter, MapAccessorUse } from "./c-code.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { emitMapOperations } from "./map-accessors.js";
import { functionName, generatedBanner } from "./names.js";
import { emitLoaderRuntime } from "./userspace/runtime.js";
import { emitMapAccessors } from "./userspace/maps.js";
import { emitDefaultMain } from "./userspace/default-main.js";
import { emitRingbufRuntime } from "./userspace/ringbufs.js";

/** The user's `main` becomes this; the generated `main` loads everything first. */
const userMainName = "ks_user_main";

export function emitUserspaceC(
  module: ir.IrModule,
  hasSharedHeader: boolean,
  bpfLineOrigins: readonly (readonly [number, string])[],
): string {
  const use = new MapAccessorUse();
  writeUserFunctions(new CWriter(), module, use);

  const w = new CWriter();
  w.line(generatedBanner(module.sourcePath, "c"));
  emitLoaderRuntime(w, module, { hasSharedHeader, bpfLineOrigins });
  emitMapAccessors(w, module);
  emitMapOperations(w, "user", module.maps, use);
  w.line();
  if (!module.hasUserMain) {
    emitRingbufRuntime(w, module);
    emitDefaultMain(w, module);
    return w.toString();
  }
  for (const fn of module.userFunctions) w.line(`${prototype(fn)};`);
  w.line();
  emitRingbufRuntime(w, module);
  writeUserFunctions(w, module, use);
  w.block("int main(int argc, char **argv)", () => {
    w.line("(void)argc;");
    w.line("(void)argv;");
    w.line("if (ks_open_and_load() != 0)");
    w.line("    return 1;");
    w.line(`return ${userMainName}();`);
  });
  return w.toString();
}

function prototype(fn: ir.IrFunction): string {
  const name = fn.name === "main" ? userMainName : functionName(fn.name);
  const params = fn.params.map((p) => cDeclaration(p.type, p.name)).join(", ") || "void";
  return `static ${cTypeName(fn.returnType)} ${name}(${params})`;
}

function writeUserFunctions(w: CWriter, module: ir.IrModule, use: MapAccessorUse): void {
  const code = new CCodeEmitter(w, "user", use);
  for (const fn of module.userFunctions) {
    w.withOrigin(fn.span, () => w.block(prototype(fn), () => code.statements(fn.body)));
    w.line();
  }
}
