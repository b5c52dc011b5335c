//! Ir → NAME.bpf.c: maps, helper functions and programs, plus the line map from C lines
//! back to `.ks` spans (kept instead of `#line`, see DESIGN.md section 4).

import { calledNames } from "../ir-walk.js";
import type * as ir from "../ir.js";
import type { ProgramType } from "../ir.js";
import { programTypeInfo, programTypes } from "../kernel/program-types.js";
import type { Type } from "../types.js";
import type { SourceSet } from "../source.js";
import { lineColumnOf } from "../source.js";
import { CCodeEmitter, MapAccessorUse, cString, intLiteral, compoundAccessorNames, compoundValueAccessorNames, emitSourceLevelWarningsOff } from "./c-code.js";
import { accessorHelpers, emitIntegerHelpers } from "./integers-c.js";
import { cTypeName, cParameter } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { emitMapOperations } from "./map-accessors.js";
import { emitKernelGlobals, pinnedCopyTargets } from "./globals-c.js";
import { emitErrorType, emitFunctionBody, errorParameter } from "./errors-c.js";
import { functionName, generatedBanner, kernelModuleName, localName, mapName, programName, sharedHeaderFileName, structOpsProgramName, tailCallMapName } from "../names.js";
import { emitLoopScratchMap, LoopCallbacks } from "./loops-c.js";
import { emitEscapeSlotMaps } from "./pointers-c.js";
import { collectStringUse, emitStringHelpers } from "./strings-c.js";
import { emitTracingHelpers } from "./tracing-c.js";
import { emitKernelCompat } from "./kernel-compat-c.js";
import { emitObjectKfuncs, usesKernelObjects } from "./ringbuf-c.js";
import { emitKernelMapKindHelpers, mapTypeLines, emitDrainCallbacks } from "./map-kinds-c.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { emitVmlinuxInclude } from "./vmlinux-include.js";
import { emitPacketBounds, packetBoundsOf } from "./packets-c.js";

export interface EbpfOutput {
  readonly text: string;
  /** JSON line map: C line → `.ks` file, line, column. */
  readonly lineMap: string;
  /** The same map as `[cLine, "file.ks:LINE"]`, for the loader's verifier messages. */
  readonly lineOrigins: readonly (readonly [number, string])[];
}

export function emitEbpfC(module: ir.IrModule, sources: SourceSet, hasSharedHeader: boolean): EbpfOutput {
  // First pass: find which map accessors the code uses; second pass writes them first.
  const use = new MapAccessorUse();
  writeFunctions(new CWriter(), module, use);

  const w = new CWriter();
  w.line(generatedBanner(module.sourcePath, "c"));
  emitVmlinuxInclude(w, module);
  w.line("#include <bpf/bpf_helpers.h>");
  w.line("#include <bpf/bpf_endian.h>");
  if (module.structOps.length > 0) w.line("#include <bpf/libbpf_version.h>");
  for (const header of programTypeIncludes(module)) w.line(`#include <${header}>`);
  emitKernelCompat(w, module.kernelCompat);
  if (hasSharedHeader) w.line(`#include "${sharedHeaderFileName(module.name)}"`);
  if (usesKernelObjects(module)) emitObjectKfuncs(w);
  emitSourceLevelWarningsOff(w);
  w.line();
  for (const map of module.maps) {
    w.withOrigin(map.span, () => {
      w.block("struct", () => {
        w.line(`__uint(type, ${mapKinds[map.mapKind].bpfMapType});`);
        // A perf event array without a size gets one slot per CPU from libbpf.
        if (map.maxEntries > 0) w.line(`__uint(max_entries, ${map.maxEntries});`);
        mapTypeLines(map).forEach((line) => w.line(line));
        if (map.flags !== 0) w.line(`__uint(map_flags, 0x${map.flags.toString(16)});`);
        if (map.extra !== undefined) w.line(`__uint(map_extra, ${map.extra});`);
      }, ` ${mapName(map.name)} SEC(".maps");`);
    });
    w.line();
  }
  if (module.tailCallTargets.length > 0) {
    w.comment(`tail-call targets: ${module.tailCallTargets.map((t, i) => `${i} = ${t}`).join(", ")}; the loader fills the slots after load`);
    w.block("struct", () => {
      w.line("__uint(type, BPF_MAP_TYPE_PROG_ARRAY);");
      w.line(`__uint(max_entries, ${module.tailCallTargets.length});`);
      w.line("__type(key, __u32);");
      w.line("__type(value, __u32);");
    }, ` ${tailCallMapName} SEC(".maps");`);
    w.line();
  }
  const kfuncs = module.externs.filter((e) => e.kfunc);
  for (const kfunc of kfuncs) {
    const params = kfunc.params.map(cParameter).join(", ") || "void";
    // A kfunc of this file's own kernel module is weak: see IrExtern.fromModule.
    if (kfunc.fromModule) w.line(`extern ${cTypeName(kfunc.returnType)} ${functionName(kfunc.name)}(${params}) __weak __ksym;`);
    else w.line(`extern ${cTypeName(kfunc.returnType)} ${kfunc.name}(${params}) __ksym${kfunc.weak ? " __weak" : ""};`);
  }
  if (kfuncs.length > 0) w.line();
  emitKernelGlobals(w, module);
  emitKernelMapKindHelpers(w, module);
  emitIntegerHelpers(w, "kernel", new Set([...use.integers, ...accessorHelpers(module.maps, use.used, compoundAccessorNames), ...accessorHelpers(module.maps, use.used, compoundValueAccessorNames)]));
  emitMapOperations(w, "kernel", module.maps, use);
  w.line();
  emitErrorType(w, "kernel", [...module.helpers, ...module.programs]);
  emitStringHelpers(w, "kernel", collectStringUse(module));
  emitTracingHelpers(w, "kernel", module, [...module.programs, ...module.helpers]);
  writeFunctions(w, module, use);
  writeStructOps(w, module);
  emitLicense(w, module.license);
  const lineOrigins = w.lineOrigins().map(([cLine, span]): [number, string] => {
    const source = sources.get(span.file);
    const line = source ? lineColumnOf(source, span.start).line : 0;
    return [cLine, `${span.file.slice(span.file.lastIndexOf("/") + 1)}:${line}`];
  });
  return { text: w.toString(), lineMap: lineMapJson(module, w, sources), lineOrigins };
}

/** The object's license section: the file's `license` string, `GPL` by default. */
function emitLicense(w: CWriter, license: ir.IrModule["license"]): void {
  // Printable ASCII only (check/license.ts); `??` would start a trigraph in strict C modes.
  const literal = license.text.includes("??") ? cString(license.text).replaceAll("?", "\\?") : cString(license.text);
  w.withOrigin(license.span, () => {
    w.line(`char LICENSE[] SEC("license") = ${literal};`);
  });
}

function signature(fn: ir.IrFunction, returnType: string, prefix: string, name = functionName(fn.name)): string {
  const hidden = errorParameter(fn);
  const params = [...fn.params.map(cParameter), ...(hidden ? [hidden] : [])].join(", ") || "void";
  return `${prefix}${returnType} ${name}(${params})`;
}

/**
 * The libbpf headers the program types present need (the tracing macros), in catalogue
 * order, each once; struct_ops wrappers use BPF_PROG too.
 */
function programTypeIncludes(module: ir.IrModule): string[] {
  const present = new Set<ProgramType>(module.programs.map((p) => p.programType));
  if (module.structOps.length > 0) present.add(programTypeInfo.struct_ops.programType);
  return [...new Set(programTypes.filter((info) => present.has(info.programType)).flatMap((info) => info.cIncludes))];
}

/**
 * Tracing programs receive their arguments through libbpf's macros (the `cEntry` column):
 * BPF_PROG unpacks a trampoline's u64 array (fentry, tp_btf, raw tracepoints), BPF_KPROBE
 * reads pt_regs (kprobe, uprobe), BPF_KSYSCALL the registers a system call's wrapper was
 * given, BPF_KRETPROBE the return value register, BPF_USDT the notes' argument locations.
 */
function programSignature(program: ir.IrProgram): string {
  const entry = programTypeInfo[program.programType].cEntry;
  switch (entry) {
    case "BPF_PROG": case "BPF_KPROBE": case "BPF_KSYSCALL": case "BPF_KRETPROBE": case "BPF_USDT": {
      const params = program.params.map(cParameter);
      return `int ${entry}(${[programName(program.name), ...params].join(", ")})`;
    }
    case "function":
      return signature(program, "int", "", programName(program.name));
  }
}

function writeFunctions(w: CWriter, module: ir.IrModule, use: MapAccessorUse): void {
  // Loop callbacks: context structs, prototypes and the scratch map before every
  // function (the map's value holds members of all of them), bodies after their function.
  const functions: readonly ir.IrFunction[] = [...module.helpers, ...module.programs];
  const callbacks = new Map(functions.map((fn) => [fn, new LoopCallbacks(fn.name, fn.returnType, fn.body)]));
  for (const loops of callbacks.values()) loops.declarations(w);
  emitLoopScratchMap(w, [...callbacks.values()].flatMap((loops) => loops.scratchMembers()));
  emitEscapeSlotMaps(w, module.escapeSlots ?? []);
  // A helper nothing calls is still the user's code: keep it, and keep clang's
  // -Wunused-function (an error under -Werror) quiet about it.
  const called = calledNames(functions);
  for (const impl of module.structOps) for (const method of impl.methods) called.add(method.helper.name);
  const helperPrefix = (helper: ir.IrFunction): string =>
    called.has(helper.name) ? "static __always_inline " : "static __always_inline __attribute__((unused)) ";
  // Prototypes first: helpers may call each other in any order.
  if (module.helpers.length > 1) {
    for (const helper of module.helpers) w.line(`${signature(helper, cTypeName(helper.returnType), helperPrefix(helper))};`);
    w.line();
  }
  const write = (fn: ir.IrFunction, header: () => void, cSignature: string, returnType: string): void => {
    const loops = callbacks.get(fn)!;
    const code = new CCodeEmitter(w, "kernel", use, loops);
    if (module.helpers.includes(fn) && isRegisterScalar(fn.returnType)) code.hiddenReturnType = returnType;
    code.packetBounds = packetBoundsOf(fn);
    code.pinnedCopies = pinnedCopyTargets(fn);
    w.withOrigin(fn.span, () => {
      header();
      w.block(cSignature, () => {
        emitPacketBounds(w, code.packetBounds);
        emitFunctionBody(code, w, fn, returnType);
      });
    });
    w.line();
    loops.definitions(w, (frame) => new CCodeEmitter(w, "kernel", use, loops, frame));
  };
  for (const helper of module.helpers) {
    write(helper, () => {}, signature(helper, cTypeName(helper.returnType), helperPrefix(helper)), cTypeName(helper.returnType));
  }
  emitDrainCallbacks(w, module);
  for (const program of module.programs) write(program, () => w.line(`SEC("${program.section}")`), programSignature(program), "int");
}

/** A return type that fits a register (the constraint of an `asm` operand). */
function isRegisterScalar(t: Type): boolean {
  return t.kind === "int" || t.kind === "bool" || t.kind === "char" || t.kind === "enum";
}

/**
 * struct_ops: one program per method (BPF_PROG unpacks the kernel's arguments and calls
 * the method's body), then the ops struct itself in a `.struct_ops` section, which
 * libbpf turns into a map that `register()` attaches. With libbpf >= 1.2 the section is
 * `.struct_ops.link`: registration is then a link the kernel drops when the loader dies.
 */
function writeStructOps(w: CWriter, module: ir.IrModule): void {
  if (module.structOps.length === 0) return;
  w.line("#if LIBBPF_MAJOR_VERSION > 1 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION >= 2)");
  w.line('#define KS_STRUCT_OPS_SECTION ".struct_ops.link"');
  w.line("#else");
  w.line('#define KS_STRUCT_OPS_SECTION ".struct_ops"');
  w.line("#endif");
  w.line();
  for (const impl of module.structOps) {
    for (const method of impl.methods) {
      const fn = method.helper;
      const program = structOpsProgramName(impl.name, method.member);
      const params = fn.params.map(cParameter);
      const call = `${functionName(fn.name)}(${fn.params.map((p) => localName(p.name)).join(", ")})`;
      w.withOrigin(fn.span, () => {
        w.line(`SEC("struct_ops/${method.member}")`);
        w.block(`${cTypeName(fn.returnType)} BPF_PROG(${[program, ...params].join(", ")})`, () => {
          w.line(fn.returnType.kind === "void" ? `${call};` : `return ${call};`);
        });
      });
      w.line();
    }
    w.withOrigin(impl.span, () => {
      w.line("SEC(KS_STRUCT_OPS_SECTION)");
      w.block(`struct ${impl.opsType} ${impl.name} =`, () => {
        for (const method of impl.methods) w.line(`.${method.member} = (void *)${structOpsProgramName(impl.name, method.member)},`);
        for (const field of impl.fields) {
          const value = field.value;
          const text = value.kind === "string" ? cString(value.value) : value.kind === "int" ? intLiteral(value.value, value.type) : value.kind === "bool" ? (value.value ? "1" : "0") : "0";
          w.line(`.${field.name} = ${text},`);
        }
      }, ";");
    });
    w.line();
  }
}

/**
 * The kfuncs declared `__weak __ksym` (the file's own module's, and externs the
 * compiling kernel lacked): name in `.ks`, name in C, and the module providing them
 * when it is the file's own. The line map and the loader's verifier report (E0469)
 * name an unresolved call with it.
 */
export function weakKfuncs(module: ir.IrModule): { name: string; cName: string; module: string | undefined }[] {
  return module.externs
    .filter((e) => e.kfunc && (e.fromModule || e.weak))
    .map((e) => ({ name: e.name, cName: e.fromModule ? functionName(e.name) : e.name, module: e.fromModule ? kernelModuleName(module.name) : undefined }));
}

function lineMapJson(module: ir.IrModule, w: CWriter, sources: SourceSet): string {
  const mappings = w.lineOrigins().map(([cLine, span]) => {
    const source = sources.get(span.file);
    const start = source ? lineColumnOf(source, span.start) : { line: 0, column: 0 };
    const end = source ? lineColumnOf(source, span.end) : { line: 0, column: 0 };
    const file = span.file.slice(span.file.lastIndexOf("/") + 1);
    return `    {"cLine": ${cLine}, "file": ${JSON.stringify(file)}, "line": ${start.line}, "column": ${start.column}, "endLine": ${end.line}, "endColumn": ${end.column}}`;
  });
  const source = module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1);
  // Weak kfuncs: a verifier log names an unresolved call only by its C line (E0469).
  const kfuncs = weakKfuncs(module).map((k) => {
    const owner = k.module !== undefined ? `, "module": ${JSON.stringify(k.module)}` : "";
    return `    {"name": ${JSON.stringify(k.name)}, "cName": ${JSON.stringify(k.cName)}${owner}}`;
  });
  const kfuncList = kfuncs.length > 0 ? `,\n  "kfuncs": [\n${kfuncs.join(",\n")}\n  ]` : "";
  return `{\n  "version": 1,\n  "source": ${JSON.stringify(source)},\n  "mappings": [\n${mappings.join(",\n")}\n  ]${kfuncList}\n}\n`;
}
