//! Ir → NAME.bpf.c: maps, helper functions and programs, plus the line map from C lines
//! back to `.ks` spans (kept instead of `#line`, see DESIGN.md section 4).

import type * as ir from "../ir.js";
import type { SourceSet } from "../source.js";
import { lineColumnOf } from "../source.js";
import { CCodeEmitter, MapAccessorUse } from "./c-code.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { emitMapOperations } from "./map-accessors.js";
import { functionName, generatedBanner, sharedHeaderFileName } from "./names.js";
import { emitObjectKfuncs, usesKernelObjects } from "./ringbuf-c.js";

const mapTypeNames: Readonly<Record<ir.IrMap["mapKind"], string>> = {
  hash: "BPF_MAP_TYPE_HASH",
  array: "BPF_MAP_TYPE_ARRAY",
  percpu_hash: "BPF_MAP_TYPE_PERCPU_HASH",
  percpu_array: "BPF_MAP_TYPE_PERCPU_ARRAY",
  lru_hash: "BPF_MAP_TYPE_LRU_HASH",
  lru_percpu_hash: "BPF_MAP_TYPE_LRU_PERCPU_HASH",
  lpm_trie: "BPF_MAP_TYPE_LPM_TRIE",
  ringbuf: "BPF_MAP_TYPE_RINGBUF",
  perf_event_array: "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
  queue: "BPF_MAP_TYPE_QUEUE",
  stack: "BPF_MAP_TYPE_STACK",
  prog_array: "BPF_MAP_TYPE_PROG_ARRAY",
};

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
  w.line('#include "vmlinux.h"');
  w.line("#include <bpf/bpf_helpers.h>");
  w.line("#include <bpf/bpf_endian.h>");
  if (module.programs.some((p) => p.programType === "probe" || p.programType === "kprobe")) w.line("#include <bpf/bpf_tracing.h>");
  if (hasSharedHeader) w.line(`#include "${sharedHeaderFileName(module.name)}"`);
  if (usesKernelObjects(module)) emitObjectKfuncs(w);
  w.line();
  for (const map of module.maps) {
    w.withOrigin(map.span, () => {
      w.block("struct", () => {
        w.line(`__uint(type, ${mapTypeNames[map.mapKind]});`);
        w.line(`__uint(max_entries, ${map.maxEntries});`);
        // A ring buffer has no keys or values: max_entries is its size in bytes.
        if (map.mapKind !== "ringbuf") {
          w.line(`__type(key, ${cTypeName(map.keyType)});`);
          w.line(`__type(value, ${cTypeName(map.valueType)});`);
        }
        if (map.flags !== 0) w.line(`__uint(map_flags, 0x${map.flags.toString(16)});`);
      }, ` ${map.name} SEC(".maps");`);
    });
    w.line();
  }
  emitMapOperations(w, "kernel", module.maps, use);
  w.line();
  writeFunctions(w, module, use);
  w.line('char LICENSE[] SEC("license") = "GPL";');
  const lineOrigins = w.lineOrigins().map(([cLine, span]): [number, string] => {
    const source = sources.get(span.file);
    const line = source ? lineColumnOf(source, span.start).line : 0;
    return [cLine, `${span.file.slice(span.file.lastIndexOf("/") + 1)}:${line}`];
  });
  return { text: w.toString(), lineMap: lineMapJson(module, w, sources), lineOrigins };
}

function signature(fn: ir.IrFunction, returnType: string, prefix: string): string {
  const params = fn.params.map((p) => cDeclaration(p.type, p.name)).join(", ") || "void";
  return `${prefix}${returnType} ${functionName(fn.name)}(${params})`;
}

/**
 * Probes receive the traced function's arguments through libbpf's macros: BPF_PROG
 * unpacks a trampoline's u64 array (fentry), BPF_KPROBE reads pt_regs (kprobe).
 */
function programSignature(program: ir.IrProgram): string {
  switch (program.programType) {
    case "probe": case "kprobe": {
      const macro = program.programType === "probe" ? "BPF_PROG" : "BPF_KPROBE";
      const params = program.params.map((p) => cDeclaration(p.type, p.name));
      return `int ${macro}(${[functionName(program.name), ...params].join(", ")})`;
    }
    case "xdp": case "tc": case "tracepoint": case "tp_btf": case "perf_event": case "struct_ops":
      return signature(program, "int", "");
  }
}

function writeFunctions(w: CWriter, module: ir.IrModule, use: MapAccessorUse): void {
  const code = new CCodeEmitter(w, "kernel", use);
  for (const helper of module.helpers) {
    w.withOrigin(helper.span, () => {
      w.block(signature(helper, cTypeName(helper.returnType), "static __always_inline "), () => code.statements(helper.body));
    });
    w.line();
  }
  for (const program of module.programs) {
    w.withOrigin(program.span, () => {
      w.line(`SEC("${program.section}")`);
      w.block(programSignature(program), () => code.statements(program.body));
    });
    w.line();
  }
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
  return `{\n  "version": 1,\n  "source": ${JSON.stringify(source)},\n  "mappings": [\n${mappings.join(",\n")}\n  ]\n}\n`;
}
