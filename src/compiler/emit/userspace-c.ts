//! Ir → NAME.c: the user-space program. The loader runtime (userspace/runtime.ts) and
//! the fd-based map accessors (userspace/maps.ts) come first, then the map operations
//! user code calls, then the user's functions, with `main` wrapped so the object is
//! loaded before the user's code runs. Without a user `main`, the default program
//! (userspace/default-main.ts) is emitted instead.

import type * as ir from "../ir.js";
import { calledNames } from "../ir-walk.js";
import { CCodeEmitter, MapAccessorUse, compoundAccessorNames, compoundValueAccessorNames } from "./c-code.js";
import { accessorHelpers, emitIntegerHelpers } from "./integers-c.js";
import { cTypeName, cParameter } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { emitMapOperations } from "./map-accessors.js";
import { functionName, generatedBanner } from "../names.js";
import { emitLoaderRuntime } from "./userspace/runtime.js";
import { emitMapAccessors } from "./userspace/maps.js";
import { emitDefaultMain } from "./userspace/default-main.js";
import { emitArgsParser } from "./userspace/args.js";
import { emitTakeFleetOptions } from "./userspace/fleet-options.js";
import { emitErrorType, emitFunctionBody, emitUserMainCall, errorParameter } from "./errors-c.js";
import { collectStringUse, emitStringHelpers } from "./strings-c.js";
import { emitTracingHelpers } from "./tracing-c.js";
import { emitRingbufRuntime } from "./userspace/ringbufs.js";
import { emitUserMapKindHelpers } from "./map-kinds-c.js";
import { emitRuntimeCalls } from "./userspace/runtime-calls.js";

/** The user's `main` becomes this; the generated `main` loads everything first. */
const userMainName = "ks_user_main";

export function emitUserspaceC(
  module: ir.IrModule,
  hasSharedHeader: boolean,
  bpfLineOrigins: readonly (readonly [number, string])[],
): string {
  const use = new MapAccessorUse();
  // The accessors the user functions call (written once to find out); without a user
  // `main` the default one runs and the functions are not emitted, nor their accessors.
  if (module.hasUserMain) writeUserFunctions(new CWriter(), module, use);

  const w = new CWriter();
  w.line(generatedBanner(module.sourcePath, "c"));
  emitLoaderRuntime(w, module, { hasSharedHeader, bpfLineOrigins });
  emitMapAccessors(w, module);
  emitUserMapKindHelpers(w, module);
  emitIntegerHelpers(w, "user", new Set([...use.integers, ...accessorHelpers(module.maps, use.used, compoundAccessorNames), ...accessorHelpers(module.maps, use.used, compoundValueAccessorNames)]));
  emitMapOperations(w, "user", module.maps, use);
  w.line();
  if (!module.hasUserMain) {
    emitRingbufRuntime(w, module);
    emitDefaultMain(w, module);
    return w.toString();
  }
  emitErrorType(w, "user", module.userFunctions);
  emitStringHelpers(w, "user", collectStringUse(module));
  emitTracingHelpers(w, "user", module, module.userFunctions);
  for (const fn of module.userFunctions) w.line(`${prototype(fn)};`);
  w.line();
  emitRingbufRuntime(w, module);
  emitRuntimeCalls(w, module);
  writeUserFunctions(w, module, use);
  const argsType = module.userFunctions.find((f) => f.name === "main")?.params[0]?.type;
  const argsLayout = argsType?.kind === "struct" ? module.structs.find((s) => s.name === argsType.name) : undefined;
  if (argsLayout) emitArgsParser(w, module, argsLayout);
  w.block("int main(int argc, char **argv)", () => {
    w.comment("Line by line even into a file or a pipe: a second Ctrl-C ends main at once (runtime.ts).");
    w.line("setvbuf(stdout, NULL, _IOLBF, 0);");
    emitTakeFleetOptions(w);
    if (argsLayout) {
      w.comment("Arguments first: --help and usage errors need no privileges and load nothing.");
      w.line(`struct ${argsLayout.name} args;`);
      w.line("memset(&args, 0, sizeof(args));");
      w.line("int parsed = ks_parse_args(argc, argv, &args);");
      w.line("if (parsed != 0)");
      w.line("    return parsed > 0 ? 0 : 2;");
    } else {
      w.line("(void)argc;");
      w.line("(void)argv;");
    }
    w.line("if (ks_open_and_load() != 0)");
    w.line("    return 1;");
    emitUserMainCall(w, module.userFunctions.find((f) => f.name === "main")!, userMainName, argsLayout ? ["args"] : []);
  });
  return w.toString();
}

function prototype(fn: ir.IrFunction): string {
  const name = fn.name === "main" ? userMainName : functionName(fn.name);
  const hidden = errorParameter(fn);
  const params = [...fn.params.map(cParameter), ...(hidden ? [hidden] : [])].join(", ") || "void";
  // A function `main` never calls is still valid KernelScript: keep cc -Wall -Werror quiet.
  const unused = fn.name === "main" ? "" : "KS_UNUSED ";
  return `static ${unused}${cTypeName(fn.returnType)} ${name}(${params})`;
}

function writeUserFunctions(w: CWriter, module: ir.IrModule, use: MapAccessorUse): void {
  const code = new CCodeEmitter(w, "user", use);
  for (const fn of module.userFunctions) {
    // A function that calls itself on every path ends only with the process (exit, a
    // signal); gcc 12 and clang refuse it under -Wall -Werror (-Winfinite-recursion), a
    // warning older gcc does not know (naming it there would be -Wpragmas).
    const selfCalling = calledNames([fn]).has(fn.name);
    if (selfCalling) {
      w.line("#if defined(__clang__) || __GNUC__ >= 12");
      w.line("#pragma GCC diagnostic push");
      w.line('#pragma GCC diagnostic ignored "-Winfinite-recursion"');
      w.line("#endif");
    }
    w.withOrigin(fn.span, () => w.block(prototype(fn), () => emitFunctionBody(code, w, fn, cTypeName(fn.returnType))));
    if (selfCalling) {
      w.line("#if defined(__clang__) || __GNUC__ >= 12");
      w.line("#pragma GCC diagnostic pop");
      w.line("#endif");
    }
    w.line();
  }
}
