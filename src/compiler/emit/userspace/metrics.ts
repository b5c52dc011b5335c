//! The per-program part of the `--metrics` endpoint (runtime-c/metrics-server.c serves
//! it): `static void ks_metrics_write_maps(struct ks_text *out)`, which writes the maps'
//! contents in the Prometheus text format (version 0.0.4). Consumes the IrModule's maps
//! and user structs; written after the map accessors (maps.ts), whose `lookup` (per-CPU
//! values summed over every CPU) and `compare_keys` it calls.
//!
//! Which maps: the kinds whose `metrics` column (kernel/map-kinds.ts) says so — hash,
//! array, LRU hash and their per-CPU kinds — whose key is an integer (or
//! a struct of integers) and whose value is an integer (or a struct of integers); enums
//! and bools count as integers, network-order integers are shown in host order (a `be64`
//! is left out: no portable conversion without _DEFAULT_SOURCE). Others (ring buffers,
//! perf event arrays, queues, tries with array keys, values with strings or arrays) are
//! left out, with a comment in the C saying why.
//!
//! For each map M: one gauge family `kernelscript_map_M` for an integer value, or one per
//! field F, `kernelscript_map_M_F`, for a struct value; one sample per entry, sorted by
//! key, the key as labels (`key="17"` for an integer key, one label per field for a
//! struct key: integers as the program sees them, an IPv4 address in a u32 stays a
//! number); per-CPU maps say in a comment that the values are sums over the CPUs; at most
//! KS_METRICS_MAX_ENTRIES entries, and `kernelscript_map_M_truncated` says (1) when there
//! were more. Names follow Prometheus' rules (metricsFamilyName, metricsLabelName); a
//! family name that two maps would share is exported once (the first map), the other
//! map's C says so.

import type { IrMap, IrModule } from "../../ir.js";
import type { StructLayout, Type } from "../../types.js";
import { typeToString } from "../../types.js";
import { mapKinds } from "../../kernel/map-kinds.js";
import type { CWriter } from "../c-writer.js";
import { cDeclaration } from "../c-types.js";
import { cString } from "../c-code.js";
import { mapName, metricsFamilyName, metricsLabelName, metricsTruncatedName, userMapFunctionName } from "../../names.js";


/** One exported integer: its C path below the key or value, its label or family suffix, its C type. */
interface Part {
  readonly path: string;
  readonly name: string | undefined;
  readonly type: Type;
}

/** Whether `type` is shown as one integer sample value / label. */
function isInteger(type: Type): boolean {
  switch (type.kind) {
    case "int": return !(type.byteOrder === "big" && type.bits === 64);
    case "enum": case "bool": return true;
    default: return false;
  }
}

/** The integer parts of a key or value type (the type itself, or a struct's fields), or why it is not exported. */
function integerParts(type: Type, structs: ReadonlyMap<string, StructLayout>): Part[] | string {
  if (isInteger(type)) return [{ path: "", name: undefined, type }];
  if (type.kind !== "struct") return `${typeToString(type)} is not an integer or a struct of integers`;
  const layout = type.origin === "user" ? structs.get(type.name) : undefined;
  if (!layout || layout.fields.length === 0) return `struct ${type.name} has no fields user space can name`;
  const parts: Part[] = [];
  for (const field of layout.fields) {
    if (!isInteger(field.type) || field.bits !== undefined) return `field ${field.name} of struct ${type.name} is not a whole integer`;
    parts.push({ path: `.${field.name}`, name: field.name, type: field.type });
  }
  return parts;
}

/** printf conversion and argument for one integer part of `expr`. */
function formatted(part: Part, expr: string): { format: string; argument: string } {
  const value = `${expr}${part.path}`;
  const type = part.type;
  if (type.kind === "int" && type.byteOrder === "big") {
    const host = type.bits === 16 ? `ntohs(${value})` : type.bits === 32 ? `ntohl(${value})` : value;
    return { format: "%llu", argument: `(unsigned long long)${host}` };
  }
  if (type.kind === "int" && !type.signed) return { format: "%llu", argument: `(unsigned long long)${value}` };
  if (type.kind === "bool") return { format: "%d", argument: `${value} ? 1 : 0` };
  return { format: "%lld", argument: `(long long)${value}` };
}

interface ExportedMap {
  readonly map: IrMap;
  readonly keys: readonly Part[];
  readonly values: readonly Part[];
  /** Family name per value part, in order. */
  readonly families: readonly string[];
}

/** The maps exported, and for the others the reason (a C comment). */
function exportedMaps(module: IrModule): { exported: ExportedMap[]; skipped: [string, string][] } {
  const structs = new Map(module.structs.filter((s) => s.origin === "user").map((s) => [s.name, s]));
  const exported: ExportedMap[] = [];
  const skipped: [string, string][] = [];
  const taken = new Set(["kernelscript_up", "kernelscript_programs_attached"]);
  for (const map of module.maps) {
    if (!mapKinds[map.mapKind].metrics) {
      skipped.push([map.name, `a ${map.mapKind} map is not exported`]);
      continue;
    }
    const keys = integerParts(map.keyType, structs);
    const values = integerParts(map.valueType, structs);
    if (typeof keys === "string" || typeof values === "string") {
      skipped.push([map.name, `not exported: ${typeof keys === "string" ? `its key: ${keys}` : `its value: ${values as string}`}`]);
      continue;
    }
    const families = values.map((part) => metricsFamilyName(map.name, part.name));
    const names = [...families, metricsTruncatedName(map.name)];
    const clash = names.find((name) => taken.has(name));
    if (clash !== undefined || new Set(names).size !== names.length) {
      skipped.push([map.name, `not exported: the metric ${clash ?? names[0]} would be written twice (another map or field has that name)`]);
      continue;
    }
    for (const name of names) taken.add(name);
    exported.push({ map, keys, values, families });
  }
  return { exported, skipped };
}

/** `static void ks_metrics_write_maps(struct ks_text *out)`, with one writer per exported map. */
export function emitMetricsWriter(w: CWriter, module: IrModule): void {
  const { exported, skipped } = exportedMaps(module);
  for (const [name, why] of skipped) w.comment(`--metrics: map '${name}': ${why}.`);
  for (const entry of exported) emitMapMetrics(w, entry);
  w.block("static void ks_metrics_write_maps(struct ks_text *out)", () => {
    if (exported.length === 0) w.line("(void)out;");
    for (const { map } of exported) w.line(`${userMapFunctionName(map.name, "metrics")}(out);`);
  });
  w.line();
}

function emitMapMetrics(w: CWriter, entry: ExportedMap): void {
  const { map, keys, values, families } = entry;
  const perCpu = mapKinds[map.mapKind].perCpu;
  const typeText = `${map.mapKind}<${typeToString(map.keyType)}, ${typeToString(map.valueType)}>`;
  const fn = userMapFunctionName(map.name, "metrics");
  w.block(`static void ${fn}(struct ks_text *out)`, () => {
    w.line(`int fd = bpf_map__fd(ks_skel->maps.${mapName(map.name)});`);
    w.line(`struct ks_metrics_row { ${cDeclaration(map.keyType, "key")}; ${cDeclaration(map.valueType, "value")}; };`);
    w.comment("Entries first (the samples of a family must be together, and a struct value makes several).");
    w.line("struct ks_metrics_row *rows = calloc(KS_METRICS_MAX_ENTRIES, sizeof(*rows));");
    w.block("if (!rows)", () => {
      w.line("out->failed = true;");
      w.line("return;");
    });
    w.line("size_t count = 0;");
    w.line("bool truncated = false;");
    w.line(`${cDeclaration(map.keyType, "key")};`);
    w.line(`${cDeclaration(map.keyType, "next")};`);
    w.line("int found = bpf_map_get_next_key(fd, NULL, &next);");
    w.block("while (found == 0)", () => {
      w.block("if (count == KS_METRICS_MAX_ENTRIES)", () => {
        w.line("truncated = true;");
        w.line("break;");
      });
      w.line("key = next;");
      w.comment("An entry deleted since its key was read is left out.");
      w.line(`if (${userMapFunctionName(map.name, "lookup")}(&key, &rows[count].value) == 0) rows[count++].key = key;`);
      w.line("found = bpf_map_get_next_key(fd, &key, &next);");
    });
    w.comment("The key comes first in a row: the map's key comparison sorts the rows.");
    w.line(`qsort(rows, count, sizeof(*rows), ${userMapFunctionName(map.name, "compare_keys")});`);
    const labelFormat = keys.map((part) => `${metricsLabelName(part.name)}=\\"${formatted(part, "").format}\\"`).join(",");
    const labelArguments = keys.map((part) => formatted(part, "rows[i].key").argument);
    values.forEach((part, i) => {
      const family = families[i]!;
      const what = part.name === undefined ? `Entries of map ${map.name}` : `Field ${part.name} of the entries of map ${map.name}`;
      w.line(`ks_text_printf(out, ${cString(`# HELP ${family} ${what} (${typeText}), by key.\n`)});`);
      if (perCpu) w.line(`ks_text_printf(out, ${cString(`# ${family}: a per-CPU map; each value is the sum over all CPUs.\n`)});`);
      w.line(`ks_text_printf(out, ${cString(`# TYPE ${family} gauge\n`)});`);
      const value = formatted(part, "rows[i].value");
      w.block("for (size_t i = 0; i < count; i++)", () => {
        w.line(`ks_text_printf(out, "${family}{${labelFormat}} ${value.format}\\n", ${[...labelArguments, value.argument].join(", ")});`);
      });
    });
    const truncatedName = metricsTruncatedName(map.name);
    w.line(`ks_text_printf(out, ${cString(`# HELP ${truncatedName} 1 when map ${map.name} has more entries than the ${"%d"} exported.\n`)}, KS_METRICS_MAX_ENTRIES);`);
    w.line(`ks_text_printf(out, ${cString(`# TYPE ${truncatedName} gauge\n${truncatedName} %d\n`)}, truncated ? 1 : 0);`);
    w.line("free(rows);");
  });
  w.line();
}
