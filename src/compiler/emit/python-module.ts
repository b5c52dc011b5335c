//! Ir → `NAME.py`: the module a script started by `exec()` imports (`import NAME`) for
//! typed access to the program's maps through ctypes over libbpf.so.1.
//!
//! Every user struct becomes a `ctypes.Structure` in C field order; ctypes lays it out
//! with the platform's C rules, and the module checks at import that sizes and offsets
//! equal the ones the compiler computed (`NAME.c` carries the same numbers as
//! `_Static_assert`s, so ctypes, the compiler and the C compiler agree). Enums become
//! `enum.IntEnum` classes and read as ints; `str(N)` reads and writes as Python text.

import type * as ir from "../ir.js";
import type { StructLayout, Type } from "../types.js";
import { generatedBanner, isCompilerMapName } from "../names.js";
import { mapKinds } from "../kernel/map-kinds.js";

export interface FieldOffset {
  readonly name: string;
  readonly offset: number;
}

export interface ComputedLayout {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldOffset[];
}

/** Size and alignment of a type under the x86-64/arm64 C ABI (what NAME.h compiles to). */
function sizeAlign(t: Type, structs: ReadonlyMap<string, StructLayout>): { size: number; align: number } | undefined {
  switch (t.kind) {
    case "int": return { size: t.bits / 8, align: t.bits / 8 };
    case "bool": case "char": return { size: 1, align: 1 };
    case "enum": return { size: 4, align: 4 };
    case "str": return { size: t.size + 1, align: 1 };
    case "pointer": return { size: 8, align: 8 };
    case "array": {
      const e = sizeAlign(t.element, structs);
      return e ? { size: e.size * t.length, align: e.align } : undefined;
    }
    case "struct": {
      const layout = structs.get(t.name);
      return layout && layout.origin === "user" ? computeLayout(layout, structs) : undefined;
    }
    default: return undefined;
  }
}

function computeLayout(layout: StructLayout, structs: ReadonlyMap<string, StructLayout>): (ComputedLayout & { align: number }) | undefined {
  let offset = 0;
  let align = 1;
  const fields: FieldOffset[] = [];
  for (const f of layout.fields) {
    if (f.bits !== undefined) return undefined;
    const m = sizeAlign(f.type, structs);
    if (!m) return undefined;
    offset = Math.ceil(offset / m.align) * m.align;
    fields.push({ name: f.name, offset });
    offset += m.size;
    align = Math.max(align, m.align);
  }
  return { name: layout.name, size: Math.max(Math.ceil(offset / align) * align, 0), fields, align };
}

/** Layouts of the user structs the Python module can describe (no bitfields, no kernel types). */
export function structLayouts(module: ir.IrModule): ComputedLayout[] {
  const structs = new Map(module.structs.map((s) => [s.name, s]));
  return module.structs.flatMap((s) => {
    if (s.origin !== "user" || s.fields.length === 0) return [];
    const l = computeLayout(s, structs);
    return l ? [{ name: l.name, size: l.size, fields: l.fields }] : [];
  });
}

/** The Python expression of a codec for `t`, or undefined when it has none. */
function codec(t: Type, describable: ReadonlySet<string>): string | undefined {
  switch (t.kind) {
    case "int": return `_Int(ctypes.c_${t.signed ? "" : "u"}int${t.bits}${t.byteOrder === "big" ? ", big_endian=True" : ""})`;
    case "bool": return "_Bool()";
    case "char": return "_Int(ctypes.c_uint8)";
    case "enum": return "_Int(ctypes.c_uint32)";
    case "str": return `_Str(${t.size})`;
    case "array": {
      const inner = codec(t.element, describable);
      return inner ? `_Array(${inner}, ${t.length})` : undefined;
    }
    case "struct": return describable.has(t.name) ? `_Struct(${t.name})` : undefined;
    default: return undefined;
  }
}

/** The ctypes type of a struct field. */
function ctypeOf(t: Type): string {
  switch (t.kind) {
    case "int": return `ctypes.c_${t.signed ? "" : "u"}int${t.bits}`;
    case "bool": return "ctypes.c_bool";
    case "char": return "ctypes.c_char";
    case "enum": return "ctypes.c_uint32";
    case "str": return `ctypes.c_char * ${t.size + 1}`;
    case "pointer": return "ctypes.c_void_p";
    case "array": return `(${ctypeOf(t.element)}) * ${t.length}`;
    case "struct": return t.name;
    default: return "ctypes.c_uint8";
  }
}

function pyString(text: string): string {
  return JSON.stringify(text);
}

export function emitPythonModule(module: ir.IrModule): string {
  const layouts = structLayouts(module);
  const describable = new Set(layouts.map((l) => l.name));
  const out: string[] = [];
  const line = (text = ""): void => { out.push(text); };
  line(generatedBanner(module.sourcePath, "make"));
  line(`"""Typed access to the maps of \`${module.name}\` from a script the program starts with exec().`);
  line();
  line("The program passes its map file descriptors in KERNELSCRIPT_MAP_FDS (JSON: name -> fd).");
  line("Each map is a module attribute: m[k], m[k] = v, del m[k], k in m, len(m), iteration,");
  line("keys(), values(), items(), get(k, default). Per-CPU maps read as one value per CPU.");
  line('"""');
  line();
  line("import ctypes");
  line("import ctypes.util");
  line("import enum");
  line("import errno");
  line("import json");
  line("import os");
  line();
  line(`PROGRAM = ${pyString(module.name)}`);
  line(`_FDS = json.loads(os.environ.get("KERNELSCRIPT_MAP_FDS", "{}"))`);
  line();
  line();
  line("def _load_libbpf():");
  line("    for name in (\"libbpf.so.1\", ctypes.util.find_library(\"bpf\")):");
  line("        if name:");
  line("            try:");
  line("                return ctypes.CDLL(name, use_errno=True)");
  line("            except OSError:");
  line("                pass");
  line("    raise ImportError(\"libbpf.so.1 not found (install libbpf1)\")");
  line();
  line();
  line("_libbpf = _load_libbpf()");
  line("for _fn in (\"bpf_map_lookup_elem\", \"bpf_map_update_elem\", \"bpf_map_delete_elem\", \"bpf_map_get_next_key\"):");
  line("    getattr(_libbpf, _fn).restype = ctypes.c_int");
  line("_libbpf.bpf_map_lookup_elem.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]");
  line("_libbpf.bpf_map_update_elem.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64]");
  line("_libbpf.bpf_map_delete_elem.argtypes = [ctypes.c_int, ctypes.c_void_p]");
  line("_libbpf.bpf_map_get_next_key.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]");
  line("_libbpf.libbpf_num_possible_cpus.restype = ctypes.c_int");
  line();
  line();
  for (const text of codecClasses) line(text);
  for (const e of module.enums) {
    if (e.origin !== "user") continue;
    line();
    line();
    line(`class ${e.name}(enum.IntEnum):`);
    if (e.constants.length === 0) line("    pass");
    for (const c of e.constants) line(`    ${c.name} = ${c.value}`);
  }
  for (const l of layouts) {
    const s = module.structs.find((x) => x.name === l.name)!;
    line();
    line();
    line(`class ${l.name}(ctypes.Structure):`);
    line(`    _fields_ = [`);
    for (const f of s.fields) line(`        (${pyString(f.name)}, ${ctypeOf(f.type)}),`);
    line("    ]");
  }
  line();
  line();
  line("# (size, {field: offset}) as the compiler laid the structs out; NAME.c asserts the same.");
  line("_LAYOUTS = {");
  for (const l of layouts) {
    line(`    ${pyString(l.name)}: (${l.size}, {${l.fields.map((f) => `${pyString(f.name)}: ${f.offset}`).join(", ")}}),`);
  }
  line("}");
  line("for _name, (_size, _offsets) in _LAYOUTS.items():");
  line("    _cls = globals()[_name]");
  line("    _actual = (ctypes.sizeof(_cls), {f: getattr(_cls, f).offset for f in _offsets})");
  line("    if _actual != (_size, _offsets):");
  line("        raise ImportError(f\"struct {_name}: ctypes layout {_actual} differs from the compiler's {(_size, _offsets)}\")");
  const textFields = layouts.flatMap((l) => module.structs.find((x) => x.name === l.name)!.fields
    .flatMap((f) => (f.type.kind === "str" ? [`_text_field(${l.name}, ${pyString(f.name)}, ${f.type.size})`] : [])));
  if (textFields.length > 0) {
    line();
    line();
    line("def _text_field(cls, name, capacity):");
    line("    \"\"\"Makes the str(N) field `name` read and write Python text.\"\"\"");
    line("    raw = getattr(cls, name)");
    line();
    line("    def get(self):");
    line("        return raw.__get__(self, cls).decode(errors=\"replace\")");
    line();
    line("    def set(self, value):");
    line("        data = value.encode() if isinstance(value, str) else bytes(value)");
    line("        if len(data) > capacity:");
    line("            raise ValueError(f\"{value!r} is longer than str({capacity})\")");
    line("        raw.__set__(self, data)");
    line();
    line("    setattr(cls, name, property(get, set))");
    line();
    line();
    for (const t of textFields) line(t);
  }
  line();
  for (const text of mapClass) line(text);
  line();
  const names: string[] = [];
  for (const m of module.maps) {
    const row = mapKinds[m.mapKind];
    const key = codec(m.keyType, describable);
    const value = codec(m.valueType, describable);
    if (!row.python || !key || !value || isCompilerMapName(m.name)) continue;
    names.push(m.name);
    line(`${m.name} = Map(${pyString(m.name)}, ${pyString(m.mapKind)}, ${key}, ${value}, ${m.maxEntries}${row.perCpu ? ", percpu=True" : ""})`);
  }
  line();
  line(`maps = {${names.map((n) => `${pyString(n)}: ${n}`).join(", ")}}`);
  return out.join("\n") + "\n";
}

const codecClasses: readonly string[] = [
  "class _Int:",
  "    def __init__(self, ctype, big_endian=False):",
  "        self.ctype = ctype.__ctype_be__ if big_endian else ctype",
  "        bits = ctypes.sizeof(ctype) * 8",
  "        signed = ctype(-1).value < 0",
  "        self.range = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)",
  "",
  "    def encode(self, value):",
  "        value = int(value)",
  "        if not self.range[0] <= value <= self.range[1]:",
  "            raise ValueError(f\"{value} does not fit {self.ctype.__name__}\")",
  "        return self.ctype(value)",
  "",
  "    def decode(self, raw):",
  "        return raw.value",
  "",
  "",
  "class _Bool(_Int):",
  "    def __init__(self):",
  "        self.ctype = ctypes.c_bool",
  "",
  "    def encode(self, value):",
  "        return ctypes.c_bool(bool(value))",
  "",
  "",
  "class _Str:",
  "    def __init__(self, capacity):",
  "        self.capacity = capacity",
  "        self.ctype = ctypes.c_char * (capacity + 1)",
  "",
  "    def encode(self, value):",
  "        data = value.encode() if isinstance(value, str) else bytes(value)",
  "        if len(data) > self.capacity:",
  "            raise ValueError(f\"{value!r} is longer than str({self.capacity})\")",
  "        return self.ctype(*data)",
  "",
  "    def decode(self, raw):",
  "        return bytes(raw).split(b\"\\0\", 1)[0].decode(errors=\"replace\")",
  "",
  "",
  "class _Array:",
  "    def __init__(self, element, length):",
  "        self.element, self.length = element, length",
  "        self.ctype = element.ctype * length",
  "",
  "    def encode(self, value):",
  "        items = list(value)",
  "        if len(items) != self.length:",
  "            raise ValueError(f\"expected {self.length} elements, got {len(items)}\")",
  "        return self.ctype(*[self.element.encode(v) for v in items])",
  "",
  "    def decode(self, raw):",
  "        return [self.element.decode(self.element.ctype.from_buffer_copy(raw, i * ctypes.sizeof(self.element.ctype)))",
  "                for i in range(self.length)]",
  "",
  "",
  "class _Struct:",
  "    def __init__(self, cls):",
  "        self.ctype = cls",
  "",
  "    def encode(self, value):",
  "        if not isinstance(value, self.ctype):",
  "            raise TypeError(f\"expected {self.ctype.__name__}, got {type(value).__name__}\")",
  "        return value",
  "",
  "    def decode(self, raw):",
  "        return self.ctype.from_buffer_copy(raw)",
];

const mapClass: readonly string[] = [
  "",
  "class Map:",
  "    \"\"\"One map of the program, reached through the fd the program passed down.\"\"\"",
  "",
  "    def __init__(self, name, kind, key, value, max_entries, percpu=False):",
  "        self.name, self.kind, self.max_entries = name, kind, max_entries",
  "        self._key, self._value = key, value",
  "        self.percpu = percpu",
  "        self._cpus = _libbpf.libbpf_num_possible_cpus() if self.percpu else 1",
  "        self._stride = (ctypes.sizeof(value.ctype) + 7) // 8 * 8 if self.percpu else ctypes.sizeof(value.ctype)",
  "",
  "    @property",
  "    def fd(self):",
  "        if self.name not in _FDS:",
  "            raise RuntimeError(f\"map {self.name}: no fd in KERNELSCRIPT_MAP_FDS; start this script with exec() from the {PROGRAM} program\")",
  "        return _FDS[self.name]",
  "",
  "    def _check(self, rc, what):",
  "        if rc < 0:",
  "            raise OSError(-rc, f\"{what} on map {self.name}: {os.strerror(-rc)}\")",
  "",
  "    def _lookup(self, key):",
  "        k = self._key.encode(key)",
  "        buf = ctypes.create_string_buffer(self._stride * self._cpus)",
  "        rc = _libbpf.bpf_map_lookup_elem(self.fd, ctypes.byref(k), buf)",
  "        if rc == -errno.ENOENT:",
  "            return None",
  "        self._check(rc, \"lookup\")",
  "        values = [self._value.decode(self._value.ctype.from_buffer_copy(buf, i * self._stride)) for i in range(self._cpus)]",
  "        return values if self.percpu else values[0]",
  "",
  "    def __getitem__(self, key):",
  "        value = self._lookup(key)",
  "        if value is None:",
  "            raise KeyError(key)",
  "        return value",
  "",
  "    def get(self, key, default=None):",
  "        value = self._lookup(key)",
  "        return default if value is None else value",
  "",
  "    def __setitem__(self, key, value):",
  "        k = self._key.encode(key)",
  "        buf = ctypes.create_string_buffer(self._stride * self._cpus)",
  "        per_cpu = list(value) if self.percpu and isinstance(value, (list, tuple)) else [value] * self._cpus",
  "        if len(per_cpu) != self._cpus:",
  "            raise ValueError(f\"map {self.name}: expected {self._cpus} per-CPU values, got {len(per_cpu)}\")",
  "        for i, v in enumerate(per_cpu):",
  "            raw = self._value.encode(v)",
  "            ctypes.memmove(ctypes.addressof(buf) + i * self._stride, ctypes.addressof(raw), ctypes.sizeof(raw))",
  "        self._check(_libbpf.bpf_map_update_elem(self.fd, ctypes.byref(k), buf, 0), \"update\")",
  "",
  "    def __delitem__(self, key):",
  "        rc = _libbpf.bpf_map_delete_elem(self.fd, ctypes.byref(self._key.encode(key)))",
  "        if rc == -errno.ENOENT:",
  "            raise KeyError(key)",
  "        self._check(rc, \"delete\")",
  "",
  "    def __contains__(self, key):",
  "        return self._lookup(key) is not None",
  "",
  "    def keys(self):",
  "        size = ctypes.sizeof(self._key.ctype)",
  "        current, following = ctypes.create_string_buffer(size), ctypes.create_string_buffer(size)",
  "        previous = None",
  "        while True:",
  "            rc = _libbpf.bpf_map_get_next_key(self.fd, previous, following)",
  "            if rc == -errno.ENOENT:",
  "                return",
  "            self._check(rc, \"iteration\")",
  "            ctypes.memmove(current, following, size)",
  "            previous = current",
  "            yield self._key.decode(self._key.ctype.from_buffer_copy(current))",
  "",
  "    __iter__ = keys",
  "",
  "    def values(self):",
  "        return [self[k] for k in list(self.keys())]",
  "",
  "    def items(self):",
  "        return [(k, self[k]) for k in list(self.keys())]",
  "",
  "    def __len__(self):",
  "        return sum(1 for _ in self.keys())",
  "",
  "    def __repr__(self):",
  "        return f\"<{self.kind} map {self.name} ({self.max_entries} entries)>\"",
];
