//! emit(): Ir → EmittedFile[] (NAME.bpf.c, its line map, NAME.c, NAME.h when there are
//! shared types, Makefile). Deterministic: same input, same bytes.

import type * as ir from "../ir.js";
import type { SourceSet } from "../source.js";
import { emitEbpfC } from "./ebpf-c.js";
import { emitMakefile } from "./makefile.js";
import { bpfSourceFileName, lineMapFileName, moduleSourceFileName, pythonModuleFileName, sharedHeaderFileName, testSourceFileName, userSourceFileName } from "../names.js";
import { emitTestC } from "./testing-c.js";
import { emitKbuild, emitKernelModuleC, hasKernelModule } from "./kmod-c.js";
import { emitSharedHeader, needsSharedHeader } from "./shared-header.js";
import { emitUserspaceC } from "./userspace-c.js";
import { emitPythonModule } from "./python-module.js";

/** `exec()`: the generated `NAME.py` and each script; imported Python modules: a copy each. */
function emitHandoverFiles(module: ir.IrModule): EmittedFile[] {
  const h = module.handover;
  if (!h) return [];
  const files: EmittedFile[] = [];
  if (h.execScripts.length > 0) files.push({ path: pythonModuleFileName(module.name), text: emitPythonModule(module) });
  for (const s of h.execScripts) files.push({ path: s.fileName, text: s.text });
  for (const m of h.pythonModules) files.push({ path: m.fileName, text: m.text });
  return files;
}

export interface EmitOptions {
  readonly makefile: boolean;
  /** Test mode: also NAME.test.c and the Makefile's `test` target (emit/testing-c.ts). */
  readonly test?: boolean;
}

export interface EmittedFile {
  /** Name relative to the output directory, e.g. `app.bpf.c`. */
  readonly path: string;
  readonly text: string;
}

export function emit(module: ir.IrModule, sources: SourceSet, options: EmitOptions): EmittedFile[] {
  const hasSharedHeader = needsSharedHeader(module);
  const ebpf = emitEbpfC(module, sources, hasSharedHeader);
  const files: EmittedFile[] = [
    { path: bpfSourceFileName(module.name), text: ebpf.text },
    { path: lineMapFileName(module.name), text: ebpf.lineMap },
    { path: userSourceFileName(module.name), text: emitUserspaceC(module, hasSharedHeader, ebpf.lineOrigins) },
  ];
  if (hasSharedHeader) files.push({ path: sharedHeaderFileName(module.name), text: emitSharedHeader(module) });
  if (hasKernelModule(module)) {
    files.push({ path: moduleSourceFileName(module.name), text: emitKernelModuleC(module, hasSharedHeader) });
    files.push({ path: "Kbuild", text: emitKbuild(module) });
  }
  if (options.test) files.push({ path: testSourceFileName(module.name), text: emitTestC(module, hasSharedHeader, ebpf.lineOrigins) });
  if (options.makefile) files.push({ path: "Makefile", text: emitMakefile(module, options.test ?? false) });
  files.push(...emitHandoverFiles(module));
  return files;
}
