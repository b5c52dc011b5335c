//! emit(): Ir → EmittedFile[] (NAME.bpf.c, its line map, NAME.c, NAME.h when there are
//! shared types, Makefile). Deterministic: same input, same bytes.

import type * as ir from "../ir.js";
import type { SourceSet } from "../source.js";
import { emitEbpfC } from "./ebpf-c.js";
import { emitMakefile } from "./makefile.js";
import { bpfSourceFileName, lineMapFileName, moduleSourceFileName, sharedHeaderFileName, userSourceFileName } from "./names.js";
import { emitKbuild, emitKernelModuleC, hasKernelModule } from "./kmod-c.js";
import { emitSharedHeader, needsSharedHeader } from "./shared-header.js";
import { emitUserspaceC } from "./userspace-c.js";

export interface EmitOptions {
  readonly makefile: boolean;
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
  if (options.makefile) files.push({ path: "Makefile", text: emitMakefile(module) });
  return files;
}
