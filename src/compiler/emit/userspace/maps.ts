//! User-space map accessors and printers for every generated `NAME.c`. Consumes the
//! IrModule's maps and user structs, writes C through a CWriter after the loader runtime
//! (runtime.ts: `ks_skel`, `ks_open_and_load`, `KS_UNUSED`).
//!
//! For each key/value map M with C key type K and value type V:
//!   int  ks_map_M_lookup(const K *key, V *value)   0 if found, -1 otherwise
//!   int  ks_map_M_update(const K *key, const V *value)   0 / -1
//!   int  ks_map_M_delete(const K *key)             0 / -1
//!   void ks_map_M_print(FILE *out)
//! Per-CPU maps: lookup sums the integer parts over all possible CPUs (other parts are
//! CPU 0's); update writes the value on every CPU. For each user struct S:
//!   void ks_print_S(FILE *out, const struct S *value)   `{a: 1, b: [1, 2], c: "x"}`
//!
//! Print format (stable; tests and users parse it):
//!   <map> (<kind><<key>, <value>>): <N> entry|entries
//!   <map>[<key>] = <value>                 one line per entry, sorted by key
//! Integers are decimal, bools true/false, chars 'c', char arrays and str "quoted",
//! structs {f: v, …}, other arrays [a, b], pointers 0x…, enums by constant name, types
//! without a known layout (kernel structs) as hex bytes 0x0a0b…. Array maps (plain and
//! per-CPU) have every index present, so they list only entries whose value is not all
//! zero, and the header then says `<N> non-zero entry|entries`.
//! Ring buffers, perf event arrays, program arrays, queues and stacks have no
//! key/value view and get no accessors.

import type { IrMap, IrModule, MapDisplay } from "../../ir.js";
import type { StructLayout, Type } from "../../types.js";
import { mapKinds } from "../../kernel/map-kinds.js";
import { statsFields } from "../../kernel/tracing.js";
import { typeToString } from "../../types.js";
import type { CWriter } from "../c-writer.js";
import { cConstDeclaration, cDeclaration } from "../c-types.js";
import { cString } from "../c-code.js";
import { mapName, structPrinterName, userMapFunctionName, type UserMapFunction } from "../../names.js";
import { pasteRuntimeC } from "./runtime-c.js";
import { emitMetricsWriter } from "./metrics.js";

/** Maps that get accessors and a printer (the default main prints exactly these). */
export function hasKeyValueView(map: IrMap): boolean {
  return mapKinds[map.mapKind].userView === "keyValue";
}

/** Context for the C generators: user struct layouts by name, enum constants by name. */
interface Layouts {
  readonly structs: ReadonlyMap<string, StructLayout>;
  readonly enums: ReadonlyMap<string, readonly { readonly name: string; readonly value: bigint }[]>;
}

export function emitMapAccessors(w: CWriter, module: IrModule): void {
  const layouts: Layouts = {
    structs: new Map(module.structs.filter((s) => s.origin === "user").map((s) => [s.name, s])),
    enums: new Map(module.enums.filter((e) => e.origin === "user").map((e) => [e.name, e.constants])),
  };
  emitPrintHelpers(w);
  if (module.maps.some((m) => m.display !== undefined && hasKeyValueView(m))) pasteRuntimeC(w, "aggregations");
  emitStructPrinters(w, layouts);
  for (const map of module.maps) {
    if (!hasKeyValueView(map)) continue;
    emitAccessors(w, map, layouts);
    emitMapPrinter(w, map, layouts);
  }
  // The --metrics endpoint's map contents (runtime-c/metrics-server.c serves them).
  emitMetricsWriter(w, module);
}

/** `sizeof` operand for a type: the abstract declarator (`__u8 [4]`). */
function sizeOfType(type: Type): string {
  return `sizeof(${cDeclaration(type, "").trimEnd()})`;
}

/** Whether C user space can name the type (kernel structs live only in vmlinux.h). */
function nameable(type: Type, layouts: Layouts): boolean {
  switch (type.kind) {
    case "struct": return type.origin === "user" && layouts.structs.has(type.name);
    case "enum": return type.origin === "user";
    case "array": return nameable(type.element, layouts);
    case "pointer": return true;
    case "int": case "bool": case "char": case "str": return true;
    default: return false;
  }
}

function emitPrintHelpers(w: CWriter): void {
  pasteRuntimeC(w, "print-values");
}

function emitStructPrinters(w: CWriter, layouts: Layouts): void {
  if (layouts.structs.size === 0) return;
  // Declared first: struct fields may be structs declared later in the source.
  for (const name of layouts.structs.keys()) {
    w.line(`static KS_UNUSED void ${structPrinterName(name)}(FILE *out, const struct ${name} *value);`);
  }
  w.line();
  for (const layout of layouts.structs.values()) {
    w.block(`static KS_UNUSED void ${structPrinterName(layout.name)}(FILE *out, const struct ${layout.name} *value)`, () => {
      w.line('fputc(\'{\', out);');
      layout.fields.forEach((field, i) => {
        w.line(`fputs(${cString(`${i === 0 ? "" : ", "}${field.name}: `)}, out);`);
        emitPrintValue(w, field.type, `value->${field.name}`, layouts, 0);
      });
      w.line('fputc(\'}\', out);');
    });
    w.line();
  }
}

/** Statements printing the C lvalue `expr` of `type` to `out`. */
function emitPrintValue(w: CWriter, type: Type, expr: string, layouts: Layouts, depth: number): void {
  switch (type.kind) {
    case "int":
      if (type.signed) w.line(`fprintf(out, "%lld", (long long)${expr});`);
      else w.line(`fprintf(out, "%llu", (unsigned long long)${expr});`);
      return;
    case "bool":
      w.line(`fputs(${expr} ? "true" : "false", out);`);
      return;
    case "char":
      w.line(`ks_print_char(out, ${expr});`);
      return;
    case "str":
      // The text is the first member of `struct ks_strN`, NUL-terminated within N+1.
      w.line(`ks_print_chars(out, (const char *)&${expr}, ${type.size + 1});`);
      return;
    case "pointer":
      w.line(`fprintf(out, "0x%llx", (unsigned long long)(unsigned long)${expr});`);
      return;
    case "enum": {
      const constants = layouts.enums.get(type.name);
      if (!constants || constants.length === 0) {
        w.line(`fprintf(out, "%lld", (long long)${expr});`);
        return;
      }
      // By value, not by C constant name: the printer must not depend on how the
      // shared header spells the constants.
      w.line(`switch ((long long)${expr}) {`);
      const seen = new Set<bigint>();
      for (const constant of constants) {
        if (seen.has(constant.value)) continue;
        seen.add(constant.value);
        w.line(`case ${constant.value}LL: fputs(${cString(constant.name)}, out); break;`);
      }
      w.line(`default: fprintf(out, "%lld", (long long)${expr}); break;`);
      w.line("}");
      return;
    }
    case "struct":
      if (type.origin === "user" && layouts.structs.has(type.name)) {
        w.line(`${structPrinterName(type.name)}(out, &${expr});`);
      } else {
        w.line(`ks_print_hex(out, &${expr}, sizeof(${expr}));`);
      }
      return;
    case "array": {
      if (type.element.kind === "char") {
        w.line(`ks_print_chars(out, (const char *)${expr}, ${type.length});`);
        return;
      }
      const index = `i${depth}`;
      w.line("fputc('[', out);");
      w.block(`for (size_t ${index} = 0; ${index} < ${type.length}; ${index}++)`, () => {
        w.line(`if (${index}) fputs(", ", out);`);
        emitPrintValue(w, type.element, `${expr}[${index}]`, layouts, depth + 1);
      });
      w.line("fputc(']', out);");
      return;
    }
    default:
      w.line(`ks_print_hex(out, &${expr}, sizeof(${expr}));`);
  }
}

/** Statements returning -1/1 from a comparator when `a` and `b` (lvalues) differ. */
function emitCompare(w: CWriter, type: Type, a: string, b: string, layouts: Layouts, depth: number): void {
  switch (type.kind) {
    case "int": case "bool": case "char": case "enum": case "pointer":
      w.line(`if (${a} != ${b}) return ${a} < ${b} ? -1 : 1;`);
      return;
    case "struct": {
      const layout = type.origin === "user" ? layouts.structs.get(type.name) : undefined;
      if (layout) {
        for (const field of layout.fields) emitCompare(w, field.type, `${a}.${field.name}`, `${b}.${field.name}`, layouts, depth);
        return;
      }
      break;
    }
    case "array": {
      if (type.element.kind === "char") {
        w.line(`{ int c = strncmp((const char *)${a}, (const char *)${b}, ${type.length}); if (c) return c < 0 ? -1 : 1; }`);
        return;
      }
      const index = `i${depth}`;
      w.block(`for (size_t ${index} = 0; ${index} < ${type.length}; ${index}++)`, () => {
        emitCompare(w, type.element, `${a}[${index}]`, `${b}[${index}]`, layouts, depth + 1);
      });
      return;
    }
    case "str":
      w.line(`{ int c = strncmp((const char *)&${a}, (const char *)&${b}, ${type.size + 1}); if (c) return c < 0 ? -1 : 1; }`);
      return;
    default:
      break;
  }
  w.line(`{ int c = memcmp(&${a}, &${b}, sizeof(${a})); if (c) return c < 0 ? -1 : 1; }`);
}

/** Statements adding the integer parts of `src` into `dst` (per-CPU aggregation). */
function emitSum(w: CWriter, type: Type, dst: string, src: string, layouts: Layouts, depth: number): void {
  switch (type.kind) {
    case "int":
      w.line(`${dst} += ${src};`);
      return;
    case "struct": {
      const layout = type.origin === "user" ? layouts.structs.get(type.name) : undefined;
      for (const field of layout?.fields ?? []) emitSum(w, field.type, `${dst}.${field.name}`, `${src}.${field.name}`, layouts, depth);
      return;
    }
    case "array": {
      if (!containsInteger(type.element, layouts)) return;
      const index = `i${depth}`;
      w.block(`for (size_t ${index} = 0; ${index} < ${type.length}; ${index}++)`, () => {
        emitSum(w, type.element, `${dst}[${index}]`, `${src}[${index}]`, layouts, depth + 1);
      });
      return;
    }
    default:
      // bools, chars, enums, strings, pointers: keep CPU 0's value.
      return;
  }
}

function containsInteger(type: Type, layouts: Layouts): boolean {
  switch (type.kind) {
    case "int": return true;
    case "array": return containsInteger(type.element, layouts);
    case "struct": return (type.origin === "user" ? layouts.structs.get(type.name)?.fields ?? [] : []).some((f) => containsInteger(f.type, layouts));
    default: return false;
  }
}

function emitAccessors(w: CWriter, map: IrMap, layouts: Layouts): void {
  const typed = nameable(map.keyType, layouts) && nameable(map.valueType, layouts);
  // Types user space cannot name (kernel structs) are handled as bytes.
  const keyParam = typed ? `${cConstDeclaration(map.keyType, "(*key)")}` : "const void *key";
  const valueParam = typed ? cDeclaration(map.valueType, "(*value)") : "void *value";
  const constValueParam = typed ? cConstDeclaration(map.valueType, "(*value)") : "const void *value";
  const fd = `bpf_map__fd(ks_skel->maps.${mapName(map.name)})`;
  const valueSize = typed ? sizeOfType(map.valueType) : `bpf_map__value_size(ks_skel->maps.${mapName(map.name)})`;
  const perCpu = mapKinds[map.mapKind].perCpu;
  const loaded = "if (!ks_skel && ks_open_and_load() != 0) return -1;";

  w.block(`static KS_UNUSED int ${userMapFunctionName(map.name, "lookup")}(${keyParam}, ${valueParam})`, () => {
    w.line(loaded);
    if (!perCpu) {
      w.line(`return bpf_map_lookup_elem(${fd}, key, value) == 0 ? 0 : -1;`);
      return;
    }
    emitPerCpuBuffer(w, valueSize);
    w.block(`if (bpf_map_lookup_elem(${fd}, key, all) != 0)`, () => {
      w.line("free(all);");
      w.line("return -1;");
    });
    w.line(`memcpy(value, all, ${valueSize});`);
    if (typed && containsInteger(map.valueType, layouts)) {
      w.block("for (int cpu = 1; cpu < cpus; cpu++)", () => {
        w.line(`${cConstDeclaration(map.valueType, "(*one)")} = (const void *)(all + (size_t)cpu * slot);`);
        emitSum(w, map.valueType, "(*value)", "(*one)", layouts, 0);
      });
    }
    w.line("free(all);");
    w.line("return 0;");
  });
  w.line();

  w.block(`static KS_UNUSED int ${userMapFunctionName(map.name, "update")}(${keyParam}, ${constValueParam})`, () => {
    w.line(loaded);
    if (!perCpu) {
      w.line(`return bpf_map_update_elem(${fd}, key, value, BPF_ANY) == 0 ? 0 : -1;`);
      return;
    }
    emitPerCpuBuffer(w, valueSize);
    w.line(`for (int cpu = 0; cpu < cpus; cpu++) memcpy(all + (size_t)cpu * slot, value, ${valueSize});`);
    w.line(`int err = bpf_map_update_elem(${fd}, key, all, BPF_ANY);`);
    w.line("free(all);");
    w.line("return err == 0 ? 0 : -1;");
  });
  w.line();

  w.block(`static KS_UNUSED int ${userMapFunctionName(map.name, "delete")}(${keyParam})`, () => {
    w.line(loaded);
    w.line(`return bpf_map_delete_elem(${fd}, key) == 0 ? 0 : -1;`);
  });
  w.line();

  if (typed) {
    w.block(`static int ${userMapFunctionName(map.name, "compare_keys")}(const void *left, const void *right)`, () => {
      w.line(`${cConstDeclaration(map.keyType, "(*a)")} = left;`);
      w.line(`${cConstDeclaration(map.keyType, "(*b)")} = right;`);
      emitCompare(w, map.keyType, "(*a)", "(*b)", layouts, 0);
      w.line("return 0;");
    });
    w.line();
  }
}

function mapTypeText(map: IrMap): string {
  return `${map.mapKind}<${typeToString(map.keyType)}, ${typeToString(map.valueType)}>`;
}

/**
 * `ks_map_M_print`: runtime-c/print-values.c's `ks_print_map` does the walking, sorting
 * and layout; the map gives its sizes, its accessor and how to print a key and a value
 * (types user space cannot name print as hex bytes).
 */
function emitMapPrinter(w: CWriter, map: IrMap, layouts: Layouts): void {
  const typed = nameable(map.keyType, layouts) && nameable(map.valueType, layouts);
  const skelMap = `ks_skel->maps.${mapName(map.name)}`;
  const keySize = typed ? sizeOfType(map.keyType) : `(size_t)bpf_map__key_size(${skelMap})`;
  const valueSize = typed ? sizeOfType(map.valueType) : `(size_t)bpf_map__value_size(${skelMap})`;
  const fn = (name: UserMapFunction): string => userMapFunctionName(map.name, name);
  if (typed) {
    w.block(`static int ${fn("lookup_bytes")}(const void *key, void *value)`, () => w.line(`return ${fn("lookup")}(key, value);`));
    for (const [part, type] of [["key", map.keyType], ["value", map.valueType]] as const) {
      w.block(`static void ${fn(part === "key" ? "print_key" : "print_value")}(FILE *out, const void *${part}_bytes)`, () => {
        w.line(`${cConstDeclaration(type, `(*${part})`)} = ${part}_bytes;`);
        emitPrintValue(w, type, `(*${part})`, layouts, 0);
      });
    }
  }
  if (typed) emitGroupPrinter(w, map, layouts);
  w.block(`static KS_UNUSED void ${fn("print")}(FILE *out)`, () => {
    w.line("if (!ks_skel) return;");
    const fields = [
      cString(map.name), cString(`${map.name} (${mapTypeText(map)})`), keySize, valueSize, mapKinds[map.mapKind].everyIndexPresent ? "true" : "false",
      ...(typed ? [fn("compare_keys"), fn("lookup_bytes"), fn("print_key"), fn("print_value")] : ["NULL", fn("lookup"), "NULL", "NULL"]),
    ];
    w.line(`const struct ks_map_printer printer = { ${fields.join(", ")} };`);
    w.line(`${printCall(map.display)}(out, ${skelMap}, &printer${printArguments(map, typed)});`);
  });
  w.line();
}

/** The runtime-c function printing a map shown as `display` (aggregations.c), or entry by entry. */
function printCall(display: MapDisplay | undefined): string {
  switch (display?.kind) {
    case undefined: return "ks_print_map";
    case "hist": return "ks_print_log2_histogram";
    case "lhist": return "ks_print_linear_histogram";
    case "top": return "ks_print_top";
    case "stats": return "ks_print_stats";
  }
}

function printArguments(map: IrMap, typed: boolean): string {
  const display = map.display;
  switch (display?.kind) {
    case undefined: return "";
    case "hist": return `, ${histogramKey(map, display.bucketField, typed)}`;
    case "lhist": return `, ${histogramKey(map, display.bucketField, typed)}, ${display.min}ULL, ${display.max}ULL, ${display.step}ULL`;
    case "top": return `, ${display.count}`;
    case "stats": {
      const value = cDeclaration(map.valueType, "").trimEnd();
      const offsets = statsFields.map((f) => `__builtin_offsetof(${value}, ${f})`).join(", ");
      return `, (struct ks_stats_fields){ ${offsets} }, ${mapKinds[map.mapKind].perCpu ? "true" : "false"}`;
    }
  }
}

/** aggregations.c's `struct ks_histogram_key`: where the bucket is in the key, how a group prints. */
function histogramKey(map: IrMap, bucketField: string | undefined, typed: boolean): string {
  if (bucketField === undefined || !typed) return "(struct ks_histogram_key){ 0, printer.key_size, NULL }";
  const key = cDeclaration(map.keyType, "").trimEnd();
  return `(struct ks_histogram_key){ __builtin_offsetof(${key}, ${bucketField}), sizeof(((${key} *)0)->${bucketField}), ${userMapFunctionName(map.name, "print_group")} }`;
}

/** Prints a histogram's group: the struct key's fields but its bucket (`{comm: "dd"}`). */
function emitGroupPrinter(w: CWriter, map: IrMap, layouts: Layouts): void {
  const display = map.display;
  if ((display?.kind !== "hist" && display?.kind !== "lhist") || display.bucketField === undefined || map.keyType.kind !== "struct") return;
  const layout = layouts.structs.get(map.keyType.name);
  if (!layout) return;
  w.block(`static void ${userMapFunctionName(map.name, "print_group")}(FILE *out, const void *key_bytes)`, () => {
    w.line(`${cConstDeclaration(map.keyType, "(*key)")} = key_bytes;`);
    w.line("fputc('{', out);");
    layout.fields.filter((f) => f.name !== display.bucketField).forEach((field, i) => {
      w.line(`fputs(${cString(`${i === 0 ? "" : ", "}${field.name}: `)}, out);`);
      emitPrintValue(w, field.type, `(*key).${field.name}`, layouts, 0);
    });
    w.line("fputc('}', out);");
  });
}

/**
 * Declares `cpus`, `slot` and `all`: a zeroed buffer with one value per possible CPU,
 * each slot rounded up to 8 bytes, the layout the kernel uses for per-CPU map values.
 */
function emitPerCpuBuffer(w: CWriter, valueSize: string): void {
  w.line("int cpus = libbpf_num_possible_cpus();");
  w.line("if (cpus <= 0) return -1;");
  w.line(`size_t slot = (${valueSize} + 7) & ~(size_t)7;`);
  w.line("unsigned char *all = calloc((size_t)cpus, slot);");
  w.line("if (!all) return -1;");
}
