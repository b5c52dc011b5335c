//! Globals and config blocks in C, for both sides.
//!
//! eBPF side (`NAME.bpf.c`):
//!   __u64 g SEC(".bss");                  shared global, zero initial value
//!   __u32 h SEC(".data") = 7;             shared global with a value
//!   static __u32 k SEC(".data") = 1;      `local var`: static, so the skeleton omits it
//!   struct ks_config_net ks_config_net SEC(".data") = { .max = 1500, … };
//!   ks_pinned()->p                        `pin var p`: a field of the pinned-globals map's
//!                                          only entry (lookup; never NULL, see below)
//! User side (`NAME.c`): `ks_skel->bss->g`, `ks_skel->data->h`, `ks_skel->data->ks_config_net.max`
//! (the skeleton maps `.bss`/`.data` into the process, so reads and writes are plain
//! memory accesses that programs see at once) and `ks_pinned_mem->p` (the pinned map's
//! entry mapped with mmap; the map is `BPF_F_MMAPABLE`).
//! Sections are explicit so that a config or global whose values are all zero still
//! lands where the user-space side looks for it.

import type * as ir from "../ir.js";
import { atomicCapable } from "../kernel/builtins.js";
import { isZeroConst } from "../ir.js";
import type { Type } from "../types.js";
import { intLiteral, type Side } from "./c-code.js";
import { cDeclaration, cTypeName, isAggregate, wordAlignedDeclaration } from "./c-types.js";
import { isCallbackLoop, walkStatements } from "../ir-walk.js";
import type { CWriter } from "./c-writer.js";
import { headerFieldPath } from "../kernel/headers.js";
import {
  configStructName, configVariableName, globalName, mapName, mapPinPath, pinnedGlobalsMapName, pinnedGlobalsStructName,
} from "../names.js";

/**
 * The C expression (an lvalue) for a global on one side. In user space the memory is
 * shared with running programs, so scalar and struct globals are accessed as volatile:
 * a loop waiting for a program to change a global must reload it every time.
 */
export function globalReference(side: Side, storage: ir.GlobalStorage, name: string, type: Type): string {
  const member = storage === "config" ? configVariableName(name) : globalName(name);
  if (side === "kernel") return storage === "pinned" ? `ks_pinned()->${member}` : member;
  let place: string;
  switch (storage) {
    case "bss": place = `ks_skel->bss->${member}`; break;
    case "data": place = `ks_skel->data->${member}`; break;
    case "config": place = `ks_skel->data->${member}`; break;
    case "pinned": place = `ks_pinned_mem->${member}`; break;
    case "local": throw new Error(`internal: kernel-only global ${name} reached user-space code`);
  }
  // Arrays and strings are read through calls (copies, compares), which reload them anyway.
  if (type.kind === "array" || type.kind === "str") return place;
  const cType = storage === "config" ? `struct ${configStructName(name)}` : cTypeName(type);
  return `(*(volatile ${cType} *)&${place})`;
}

/**
 * `*address op= value` as one atomic instruction (a C statement), when the type allows
 * one (BPF: `+=`/`-=` on 32/64-bit integers). clang 14 cannot select two 32-bit forms
 * for eBPF ("Unsupported atomic operations"): an atomic subtract, and an atomic add of
 * a value it proves to be zero (`g += 0`, or `m[k] -= x` where x is 0 or the minimum,
 * whose negation it may take as undefined), which it turns into an atomic load. So a
 * 32-bit operand is negated in the unsigned type and hidden from the optimiser.
 */
export function atomicUpdate(side: Side, op: ir.IrAssignOp, type: Type, address: string, value: string): string | undefined {
  if (!atomicCapable(op, type)) return undefined;
  if (side === "user" || (type.kind === "int" && type.bits === 64)) return `__sync_fetch_and_${op === "+" ? "add" : "sub"}(${address}, ${value});`;
  if (op === "+" && /^[1-9][0-9]*$/.test(value)) return `__sync_fetch_and_add(${address}, ${value});`;
  const operand = op === "+" ? `(__u32)(${value})` : `(__u32)0 - (__u32)(${value})`;
  return `{ __u32 __ks_operand = ${operand}; asm volatile("" : "+r"(__ks_operand)); __sync_fetch_and_add(${address}, (${cTypeName(type)})__ks_operand); }`;
}

type StructFields = ReadonlyMap<string, readonly { readonly name: string; readonly type: Type }[]>;

function structFields(module: ir.IrModule): StructFields {
  return new Map(module.structs.map((s) => [s.name, s.fields]));
}

/** A C initializer for a constant of `type` (absent: zero). */
export function constInitializer(value: ir.IrConst | undefined, type: Type, structs: StructFields): string {
  if (!value) return type.kind === "array" || type.kind === "struct" ? "{ 0 }" : "0";
  switch (value.kind) {
    case "int": return type.kind === "int" ? intLiteral(value.value, type) : value.value.toString();
    case "bool": return value.value ? "true" : "false";
    case "array": {
      const element = type.kind === "array" ? type.element : type;
      return `{ ${value.elements.map((e) => constInitializer(e, element, structs)).join(", ")} }`;
    }
    case "struct": {
      if (value.fields.length === 0) return "{ 0 }";
      const fields = type.kind === "struct" ? structs.get(type.name) ?? [] : [];
      return `{ ${value.fields.map((f) => {
        const fieldType = fields.find((d) => d.name === f.name)?.type ?? type;
        return `.${type.kind === "struct" ? headerFieldPath(type.name, f.name) : f.name} = ${constInitializer(f.value, fieldType, structs)}`;
      }).join(", ")} }`;
    }
  }
}

/** Config structs, for the shared header (both sides name them). */
export function emitConfigStructs(w: CWriter, module: ir.IrModule): void {
  for (const config of module.configs) {
    w.withOrigin(config.span, () => {
      w.comment(`config ${config.name}`);
      w.block(`struct ${configStructName(config.name)}`, () => {
        if (config.fields.length === 0) w.line("__u8 unused_;");
        for (const field of config.fields) w.line(`${cDeclaration(field.type, field.name)};`);
      }, ";");
    });
    w.line();
  }
}

/** Shared, kernel-only and pinned globals and the config variables of `NAME.bpf.c`. */
export function emitKernelGlobals(w: CWriter, module: ir.IrModule): void {
  const structs = structFields(module);
  for (const config of module.configs) {
      const fields = config.fields.filter((f) => f.default !== undefined)
        .map((f) => `.${f.name} = ${constInitializer(f.default, f.type, structs)}`);
      w.withOrigin(config.span, () => {
        w.line(`struct ${configStructName(config.name)} ${configVariableName(config.name)} SEC(".data") = { ${fields.join(", ") || "0"} };`);
      });
    }
    for (const global of module.globals) {
      if (global.storage === "pinned") continue;
      // Struct and array globals aligned to 8: their natural alignment may be 1 (bytes
      // only), and `var l = g` of a 200-byte struct would be copied byte by byte.
      const declaration = wordAlignedDeclaration(global.type, globalName(global.name));
      const section = isZeroConst(global.init) ? ".bss" : ".data";
      const zero = section === ".bss";
      w.withOrigin(global.span, () => {
        if (global.storage === "local") {
          w.line(`static ${declaration} __attribute__((unused)) SEC("${section}")${zero ? "" : ` = ${constInitializer(global.init, global.type, structs)}`};`);
        } else {
          w.line(`${declaration} SEC("${section}")${zero ? "" : ` = ${constInitializer(global.init, global.type, structs)}`};`);
        }
      });
    }
    if (module.globals.some((g) => g.storage === "pinned")) {
      w.line();
      w.comment("The pinned globals' entry. An array lookup of index 0 cannot fail; the fallback only");
      w.comment("satisfies the verifier, which wants every lookup result checked.");
      // Aligned like the map's value: its struct and array members are declared 8-byte aligned.
      w.line(`static struct ${pinnedGlobalsStructName} ks_pinned_fallback __attribute__((aligned(8))) SEC(".bss");`);
      w.block(`static __always_inline struct ${pinnedGlobalsStructName} *ks_pinned(void)`, () => {
        w.line("__u32 key = 0;");
        w.line(`struct ${pinnedGlobalsStructName} *entry = bpf_map_lookup_elem(&${pinnedGlobalsMapName}, &key);`);
        w.line("return entry ? entry : &ks_pinned_fallback;");
      });
    }
    if (module.globals.length > 0 || module.configs.length > 0) w.line();
}

/** A pinned struct or array global, read whole: 8-byte aligned in the map's value (lower/lower-globals.ts). */
export function isPinnedAggregate(e: ir.IrExpr): boolean {
  return e.kind === "global" && e.storage === "pinned" && isAggregate(e.type);
}

/**
 * The locals of `fn` (outside loop callbacks, which reach them through pointers) that
 * are assigned a pinned struct or array global (`l = g`): their declarations are 8-byte
 * aligned like `g` (emit/c-code.ts, `declare`), or clang 14 copies byte by byte.
 */
export function pinnedCopyTargets(fn: ir.IrFunction): ReadonlySet<string> {
  const targets = new Set<string>();
  walkStatements<boolean>(fn.body, {
    statement: (s, inCallback) => {
      if (!inCallback && s.kind === "assign" && s.target.kind === "local" && s.op === "=" && isPinnedAggregate(s.value)) targets.add(s.target.name);
    },
    body: (_, owner, inCallback) => inCallback || isCallbackLoop(owner),
  }, false);
  return targets;
}

/**
 * User side of pinned globals: `ks_pinned_mem` (the map's entry, mmapped after load)
 * and `ks_pinned_globals_setup(fresh)`, which writes the initial values when the map
 * was created by this run rather than reused from bpffs.
 */
export function emitPinnedGlobalsRuntime(w: CWriter, module: ir.IrModule): void {
  const pinned = module.globals.filter((g) => g.storage === "pinned");
  if (pinned.length === 0) return;
  const struct = `struct ${pinnedGlobalsStructName}`;
  const structs = structFields(module);
    w.line(`static ${struct} *ks_pinned_mem;`);
    w.line();
    w.comment(`Maps the pinned globals into this process; when ${mapPinPath(module.name, pinnedGlobalsMapName)}`);
    w.comment("did not exist before this run, fills in the declared initial values.");
    w.block("static int ks_pinned_globals_setup(bool fresh)", () => {
      w.line("long page = sysconf(_SC_PAGESIZE);");
      w.line(`size_t size = (sizeof(${struct}) + (size_t)page - 1) / (size_t)page * (size_t)page;`);
      w.line(`void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(ks_skel->maps.${pinnedGlobalsMapName}), 0);`);
      w.block("if (mem == MAP_FAILED)", () => {
        w.line("int err = errno;");
        w.line(`ks_explain_errno("cannot map the pinned globals into memory", err);`);
        w.line("return -1;");
      });
      w.line(`ks_pinned_mem = (${struct} *)mem;`);
      const initial = pinned.filter((g) => g.init !== undefined)
        .map((g) => `.${globalName(g.name)} = ${constInitializer(g.init, g.type, structs)}`);
      if (initial.length > 0) {
        w.block("if (fresh)", () => {
          w.line(`static const ${struct} initial = { ${initial.join(", ")} };`);
          w.line("*ks_pinned_mem = initial;");
        });
      } else {
        w.line("(void)fresh;");
      }
      w.line("return 0;");
    });
    w.line();
}

/** Lines inside `ks_open_and_load`: before load (is the pin new?) and after load. */
export function pinnedGlobalsBeforeLoad(module: ir.IrModule): string[] {
  if (!module.globals.some((g) => g.storage === "pinned")) return [];
  // The pin path set just before (the default place, or --pin-dir's).
  return [`ks_pinned_fresh = access(bpf_map__pin_path(ks_skel->maps.${mapName(pinnedGlobalsMapName)}), F_OK) != 0;`];
}
export function hasPinnedGlobals(module: ir.IrModule): boolean {
  return module.globals.some((g) => g.storage === "pinned");
}

/** Headers the user side needs for pinned globals (mmap) and the Args parser (getopt). */
export function globalsIncludes(module: ir.IrModule): string[] {
  const headers: string[] = [];
  if (hasPinnedGlobals(module)) headers.push("sys/mman.h");
  const main = module.userFunctions.find((f) => f.name === "main");
  if (main && main.params.length > 0) headers.push("getopt.h");
  return headers;
}
