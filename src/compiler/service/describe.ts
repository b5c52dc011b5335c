//! Words and code for hover: what a name is, as KernelScript declarations and, for
//! kernel types, their C. Texts are Markdown with `kernelscript` code blocks.

import type { Semantics, Symbol, FunctionInfo, MapInfo } from "../check/semantics.js";
import { typeToString, primitiveTypes, type MapType, type StructField, type Type } from "../types.js";
import { mapKinds, mapOperations, type MapOperation } from "../kernel/map-kinds.js";
import { programTypeByAttribute } from "../kernel/program-types.js";
import { helperPrototype } from "../kernel/bpf-helpers.js";
import { tracingBuiltins } from "../kernel/tracing.js";
import { byteOrderBuiltins } from "../kernel/headers.js";
import { runtimeBuiltinSignature } from "../check/runtime-builtins.js";
import { builtinNames } from "../check/builtin-calls.js";
import type { Referent } from "./occurrences.js";

const code = (text: string): string => "```kernelscript\n" + text + "\n```";

/** Markdown describing `referent`, or undefined when there is nothing to say. */
export function describeReferent(referent: Referent, semantics: Semantics | undefined): string | undefined {
  switch (referent.kind) {
    case "symbol": return describeSymbol(referent.symbol, semantics);
    case "field": return describeField(referent.owner, referent.origin, referent.name, referent.field);
    case "configField": {
      const field = referent.config.fields.find((f) => f.name === referent.name);
      return field ? code(`${referent.config.name}.${field.name}: ${typeToString(field.type)}`) + "\n\nconfig field (set by user space before the programs load)" : undefined;
    }
    case "type": return describeType(referent.name, semantics);
    case "mapMethod": return describeMapMethod(referent.map, referent.name);
    case "mapKind": {
      const row = mapKinds[referent.mapKind];
      return code(referent.spelling) + `\n\nmap kind \`${referent.mapKind}\`: \`${row.bpfMapType}\`${row.perCpu ? ", one value per CPU" : ""}` +
        (row.defaultEntries > 0 ? `, ${row.defaultEntries} entries when no size is given` : "") + methodsLine(referent.mapKind);
    }
    case "attribute": return describeAttribute(referent.name);
    case "builtin": return describeBuiltin(referent.name);
    case "module": return code(`import ${referent.alias} from "${referent.path}"`) + "\n\nimported KernelScript module";
    case "declaredFunction": return code(`fn ${referent.decl.name.name}(…)`) + "\n\nfunction declared in a header";
    case "file": return `\`${referent.path}\``;
  }
}

function describeSymbol(symbol: Symbol, semantics: Semantics | undefined): string {
  switch (symbol.kind) {
    case "local": return code(`${symbol.isConst ? "const" : "var"} ${symbol.name}: ${typeToString(symbol.type)}`) +
      (symbol.mapAlias ? `\n\ncopy of an entry of map \`${symbol.mapAlias}\` (writes go through)` : "");
    case "entry": return code(`var ${symbol.name}: ${typeToString(symbol.type)}`) + (symbol.map ? `\n\npointer into an entry of map \`${symbol.map}\`` : "");
    case "global": return code(`var ${symbol.info.name}: ${typeToString(symbol.info.type)}`) + "\n\nglobal variable (shared by eBPF and user space)";
    case "config": return code(`config ${symbol.info.name} {\n${symbol.info.fields.map((f) => `    ${f.name}: ${typeToString(f.type)},`).join("\n")}\n}`);
    case "map": return describeMap(symbol.info);
    case "function": return describeFunction(symbol.info);
    case "structOps": return code(`impl ${symbol.info.name}`) + `\n\nstruct_ops \`${symbol.info.opsType}\` (${symbol.info.methods.length} methods)`;
    case "constant": {
      const enumLayout = symbol.type.kind === "enum" ? semantics?.tables.enums.get(symbol.type.name) : undefined;
      const value = enumLayout?.constants.find((c) => c.name === symbol.name)?.value ?? symbol.value;
      return code(`${symbol.name}: ${typeToString(symbol.type)} = ${value}`);
    }
  }
}

function describeMap(info: MapInfo): string {
  const t = info.type;
  const row = mapKinds[t.mapKind];
  const facts = [
    `\`${row.bpfMapType}\``,
    row.typeArguments === "keyValue" ? `key \`${typeToString(t.key)}\`, value \`${typeToString(t.value)}\`` : `value \`${typeToString(t.value)}\``,
    `${t.maxEntries} entries`,
  ];
  if (row.perCpu) facts.push("one value per CPU");
  if (info.pinned) facts.push("pinned");
  return code(`var ${info.name}: ${typeToString(t)}`) + `\n\nmap: ${facts.join(" · ")}${methodsLine(t.mapKind)}`;
}

function methodsLine(kind: MapType["mapKind"]): string {
  const methods = [...mapKinds[kind].methods.keys()];
  return methods.length === 0 ? "" : `\n\nmethods: ${methods.map((m) => `\`${m}\``).join(", ")}`;
}

function describeFunction(info: FunctionInfo): string {
  const params = info.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ");
  const result = info.returnType.kind === "void" ? "" : ` -> ${typeToString(info.returnType)}`;
  const attribute = info.decl.kind === "FunctionDecl" ? info.decl.attributes.map((a) => `@${a.name.name}`).join(" ") : "extern";
  const header = `${attribute ? `${attribute}\n` : ""}fn ${info.name}(${params})${result}`;
  const role = info.role;
  let about: string;
  switch (role.kind) {
    case "program": about = `eBPF program: ${role.info.label}, section \`${role.info.section(role.target)}\`, \`${role.info.bpfProgType}\``; break;
    case "helper": about = "eBPF helper function (compiled into the eBPF object)"; break;
    case "userspace": about = "user-space function (compiled into the loader)"; break;
    case "kfunc": about = "kernel function exported to eBPF (kernel module)"; break;
    case "private": about = "kernel-module function"; break;
    case "test": about = "test function (`kernelscript test`)"; break;
    case "extern": about = "external function"; break;
  }
  return code(header) + `\n\n${about}`;
}

/** A field, with its C type when it is a kernel struct's (from BTF). */
function describeField(owner: string, origin: "user" | "kernel", name: string, field: StructField | undefined): string {
  if (!field) return code(`${owner}.${name}`) + `\n\n\`${owner}\` has no field \`${name}\``;
  const bits = field.bits === undefined ? "" : `:${field.bits}`;
  const text = code(`${owner}.${name}: ${typeToString(field.type)}`);
  return origin === "kernel"
    ? `${text}\n\nkernel struct \`${owner}\` (BTF): \`${cType(field.type, name)}${bits};\``
    : `${text}\n\nfield of struct \`${owner}\``;
}

/** The C declaration of `name` with type `t`, as vmlinux.h spells it. */
export function cType(t: Type, name: string): string {
  switch (t.kind) {
    case "int": return `${t.byteOrder === "big" ? "__be" : t.signed ? "__s" : "__u"}${t.bits} ${name}`;
    case "bool": return `_Bool ${name}`;
    case "char": return `char ${name}`;
    case "void": return `void ${name}`;
    case "str": return `char ${name}[${t.size + 1}]`;
    case "array": return cType(t.element, `${name}[${t.length}]`);
    case "pointer": return cType(t.target, `*${name}`);
    case "struct": return `struct ${t.name} ${name}`;
    case "enum": return `enum ${t.name} ${name}`;
    default: return `${typeToString(t)} ${name}`;
  }
}

function describeType(name: string, semantics: Semantics | undefined): string | undefined {
  const primitive = primitiveTypes.get(name);
  if (primitive) return code(name) + "\n\nbuilt-in type";
  const layout = semantics?.tables.structs.get(name);
  if (layout) {
    const shown = layout.fields.slice(0, 40).map((f) => `    ${f.name}: ${typeToString(f.type)},`);
    if (layout.fields.length > shown.length) shown.push(`    // … ${layout.fields.length - shown.length} more`);
    const size = layout.size === undefined ? "" : `, ${layout.size} bytes`;
    return code(`struct ${name} {\n${shown.join("\n")}\n}`) + `\n\n${layout.origin === "kernel" ? "kernel struct (BTF)" : "struct"}${size}`;
  }
  const enumLayout = semantics?.tables.enums.get(name);
  if (enumLayout) {
    const shown = enumLayout.constants.slice(0, 40).map((c) => `    ${c.name} = ${c.value},`);
    return code(`enum ${name} {\n${shown.join("\n")}\n}`) + (enumLayout.origin === "kernel" ? "\n\nkernel enum" : "");
  }
  const alias = semantics?.typedefs.find((t) => t.name === name);
  if (alias) return code(`type ${name} = ${typeToString(alias.type)}`);
  return undefined;
}

function describeMapMethod(map: MapType, name: string): string | undefined {
  const operation: MapOperation | undefined = mapKinds[map.mapKind].methods.get(name);
  if (!operation) return undefined;
  const row = mapOperations[operation];
  const side = row.side === "both" ? "eBPF and user space" : row.side === "kernel" ? "eBPF only" : "user space only";
  if (row.shape.form !== "plain") return code(`${typeToString(map)}.${name}(…)`) + `\n\nmap method (${side})`;
  const operand = (o: string): string => o === "value" ? `value: ${typeToString(map.value)}` : o === "key" ? `key: ${typeToString(map.key)}` : o;
  const result = row.shape.result === "value" ? typeToString(map.value) : row.shape.result === "valuePointer" ? `*${typeToString(map.value)}` : row.shape.result;
  return code(`${name}(${row.shape.operands.map(operand).join(", ")}) -> ${result}`) + `\n\nmap method of \`${map.mapKind}\` (${side})`;
}

function describeAttribute(name: string): string | undefined {
  const info = programTypeByAttribute.get(name);
  if (!info) return code(`@${name}`);
  return code(`@${name}\n${info.signature}`) + `\n\n${info.label} program: \`${info.bpfProgType}\`${info.contextStruct ? `, context \`*${info.contextStruct}\`` : ""}`;
}

function describeBuiltin(name: string): string | undefined {
  const tracing = tracingBuiltins.get(name);
  if (tracing) {
    return code(`${name}(${Array.from({ length: tracing.arguments }, (_, i) => `a${i}`).join(", ")}) -> ${typeToString(tracing.result)}`) +
      `\n\nbuilt-in${tracing.helper ? ` (calls \`${tracing.helper}\`)` : ""}`;
  }
  const runtime = runtimeBuiltinSignature(name);
  if (runtime) {
    const params = [...runtime.params, ...(runtime.variadic ? ["…"] : [])].join(", ");
    return code(`${name}(${params}) -> ${runtime.result}`) + `\n\nbuilt-in (${runtime.kernel ? "eBPF and user space" : "user space"})`;
  }
  const byteOrder = byteOrderBuiltins.get(name);
  if (byteOrder) {
    const host = `u${byteOrder.bits}`;
    const network = `be${byteOrder.bits}`;
    return code(byteOrder.toNetwork ? `${name}(x: ${host}) -> ${network}` : `${name}(x: ${network}) -> ${host}`) +
      `\n\nbuilt-in: ${byteOrder.toNetwork ? "host to network" : "network to host"} byte order`;
  }
  const helper = helperPrototype(name);
  if (helper) {
    const params = helper.params.map((p) => `${p.type} ${p.name}`).join(", ") + (helper.variadic ? ", ..." : "");
    return "```c\n" + `${helper.returns} ${name}(${params});` + "\n```\n\nBPF helper (libbpf's `bpf_helper_defs.h`)";
  }
  return builtinNames.includes(name) ? code(`${name}(…)`) + "\n\nbuilt-in function (docs/language/)" : undefined;
}
