//! A reader for the kernel's BTF (`/sys/kernel/btf/vmlinux`), from bytes the Host hands
//! in. It answers what the checker needs to know about kernel types: struct and union
//! members (with bitfields), enums, typedef targets and function prototypes (probe and
//! struct_ops signatures). Indexing is lazy: one pass records where each type starts;
//! members are decoded when a type is asked for. Format: the kernel's
//! Documentation/bpf/btf.rst ("BTF Type and String Encoding").

export type BtfKind =
  | "void" | "int" | "ptr" | "array" | "struct" | "union" | "enum" | "fwd" | "typedef"
  | "volatile" | "const" | "restrict" | "func" | "func_proto" | "var" | "datasec"
  | "float" | "decl_tag" | "type_tag" | "enum64";

/** Kind numbers as the format defines them (index = number). */
const kindByNumber: readonly (BtfKind | undefined)[] = [
  "void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef", "volatile",
  "const", "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag",
  "type_tag", "enum64",
];

export interface BtfMember {
  readonly name: string;
  readonly typeId: number;
  readonly bitOffset: number;
  /** Non-zero for bitfields. */
  readonly bitSize: number;
}

export interface BtfParam {
  readonly name: string;
  readonly typeId: number;
}

/** One decoded type. `typeId` fields refer to other types (0 is `void`). */
export type BtfType =
  | { readonly kind: "void"; readonly id: 0; readonly name: "" }
  | { readonly kind: "int"; readonly id: number; readonly name: string; readonly size: number; readonly signed: boolean; readonly isChar: boolean; readonly isBool: boolean; readonly bits: number }
  | { readonly kind: "ptr" | "typedef" | "volatile" | "const" | "restrict" | "type_tag"; readonly id: number; readonly name: string; readonly typeId: number }
  | { readonly kind: "array"; readonly id: number; readonly name: string; readonly elementId: number; readonly length: number }
  | { readonly kind: "struct" | "union"; readonly id: number; readonly name: string; readonly size: number; readonly members: readonly BtfMember[] }
  | { readonly kind: "enum" | "enum64"; readonly id: number; readonly name: string; readonly size: number; readonly signed: boolean; readonly values: readonly { readonly name: string; readonly value: bigint }[] }
  | { readonly kind: "fwd"; readonly id: number; readonly name: string; readonly union: boolean }
  | { readonly kind: "func"; readonly id: number; readonly name: string; readonly protoId: number }
  | { readonly kind: "func_proto"; readonly id: number; readonly name: string; readonly returnId: number; readonly params: readonly BtfParam[]; readonly variadic: boolean }
  | { readonly kind: "var" | "datasec" | "float" | "decl_tag"; readonly id: number; readonly name: string };

export class BtfError extends Error {}

const headerMagic = 0xeb9f;
const typeHeaderSize = 12;

/** Bytes that follow the 12-byte `struct btf_type` for each kind, given its vlen. */
function extraBytes(kind: BtfKind, vlen: number): number {
  switch (kind) {
    case "int": return 4;
    case "array": return 12;
    case "struct": case "union": return 12 * vlen;
    case "enum": return 8 * vlen;
    case "enum64": return 12 * vlen;
    case "func_proto": return 8 * vlen;
    case "var": return 4;
    case "datasec": return 12 * vlen;
    case "decl_tag": return 4;
    case "void": case "ptr": case "fwd": case "typedef": case "volatile": case "const":
    case "restrict": case "func": case "float": case "type_tag":
      return 0;
  }
}

/** Which kinds are found by name (the others are anonymous or not worth indexing). */
const namedKinds: ReadonlySet<BtfKind> = new Set(["struct", "union", "enum", "enum64", "typedef", "func", "int", "fwd"]);

const latin1 = new TextDecoder("latin1");

/**
 * The reader for these bytes, made once per bytes object: a host that hands in the same
 * bytes again (the CLI's host does per file, the language server per session) does not
 * pay for indexing the kernel's ~150,000 types on every compilation.
 */
export function btfFor(bytes: Uint8Array): Btf {
  let btf = readers.get(bytes);
  if (!btf) {
    btf = new Btf(bytes);
    readers.set(bytes, btf);
  }
  return btf;
}

const readers = new WeakMap<Uint8Array, Btf>();

export class Btf {
  private readonly view: DataView;
  private readonly typeStart: number;
  private readonly stringStart: number;
  private readonly stringEnd: number;
  /** Byte offset of type id N's header at index N (index 0 unused: void). */
  private readonly offsets: number[] = [0];
  private readonly byName = new Map<string, number[]>();
  private readonly decoded = new Map<number, BtfType>();

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < 24) throw new BtfError("BTF data is too short for its header");
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = this.view.getUint16(0, true);
    if (magic !== headerMagic) {
      throw new BtfError(magic === 0x9feb ? "big-endian BTF is not supported" : "not BTF data (bad magic number)");
    }
    const headerLength = this.view.getUint32(4, true);
    const typeOffset = this.view.getUint32(8, true);
    const typeLength = this.view.getUint32(12, true);
    const stringOffset = this.view.getUint32(16, true);
    const stringLength = this.view.getUint32(20, true);
    this.typeStart = headerLength + typeOffset;
    this.stringStart = headerLength + stringOffset;
    this.stringEnd = this.stringStart + stringLength;
    const typeEnd = this.typeStart + typeLength;
    if (typeEnd > bytes.length || this.stringEnd > bytes.length) throw new BtfError("BTF sections run past the end of the data");
    for (let at = this.typeStart; at < typeEnd;) {
      if (at + typeHeaderSize > typeEnd) throw new BtfError(`BTF type at offset ${at} is cut short`);
      const info = this.view.getUint32(at + 4, true);
      const kind = kindByNumber[(info >>> 24) & 0x1f];
      if (!kind || kind === "void") throw new BtfError(`unknown BTF kind ${(info >>> 24) & 0x1f} at offset ${at}`);
      const id = this.offsets.length;
      this.offsets.push(at);
      if (namedKinds.has(kind)) {
        const name = this.string(this.view.getUint32(at, true));
        if (name !== "") {
          const ids = this.byName.get(name);
          if (ids) ids.push(id);
          else this.byName.set(name, [id]);
        }
      }
      at += typeHeaderSize + extraBytes(kind, info & 0xffff);
      if (at > typeEnd) throw new BtfError(`BTF type ${id} runs past the type section`);
    }
  }

  /** Number of types, void included. */
  get typeCount(): number {
    return this.offsets.length;
  }

  private string(offset: number): string {
    const start = this.stringStart + offset;
    if (start >= this.stringEnd) return "";
    let end = this.bytes.indexOf(0, start);
    if (end < 0 || end > this.stringEnd) end = this.stringEnd;
    // Names are ASCII; latin1 keeps any other byte as one character, as before.
    return latin1.decode(this.bytes.subarray(start, end));
  }

  type(id: number): BtfType {
    if (id === 0) return { kind: "void", id: 0, name: "" };
    const cached = this.decoded.get(id);
    if (cached) return cached;
    const at = this.offsets[id];
    if (at === undefined) throw new BtfError(`no BTF type with id ${id}`);
    const type = this.decode(id, at);
    this.decoded.set(id, type);
    return type;
  }

  private decode(id: number, at: number): BtfType {
    const view = this.view;
    const name = this.string(view.getUint32(at, true));
    const info = view.getUint32(at + 4, true);
    const vlen = info & 0xffff;
    const kindFlag = (info >>> 31) === 1;
    const kind = kindByNumber[(info >>> 24) & 0x1f]!;
    const sizeOrType = view.getUint32(at + 8, true);
    const extra = at + typeHeaderSize;
    switch (kind) {
      case "int": {
        const data = view.getUint32(extra, true);
        const encoding = (data >>> 24) & 0x0f;
        return { kind, id, name, size: sizeOrType, signed: (encoding & 1) !== 0, isChar: (encoding & 2) !== 0, isBool: (encoding & 4) !== 0, bits: data & 0xff };
      }
      case "ptr": case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
        return { kind, id, name, typeId: sizeOrType };
      case "array":
        return { kind, id, name, elementId: view.getUint32(extra, true), length: view.getUint32(extra + 8, true) };
      case "struct": case "union": {
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++) {
          const m = extra + 12 * i;
          const offset = view.getUint32(m + 8, true);
          members.push({
            name: this.string(view.getUint32(m, true)),
            typeId: view.getUint32(m + 4, true),
            bitOffset: kindFlag ? offset & 0xffffff : offset,
            bitSize: kindFlag ? offset >>> 24 : 0,
          });
        }
        return { kind, id, name, size: sizeOrType, members };
      }
      case "enum": {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const e = extra + 8 * i;
          values.push({ name: this.string(view.getUint32(e, true)), value: kindFlag ? BigInt(view.getInt32(e + 4, true)) : BigInt(view.getUint32(e + 4, true)) });
        }
        return { kind, id, name, size: sizeOrType, signed: kindFlag, values };
      }
      case "enum64": {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const e = extra + 12 * i;
          const raw = (BigInt(view.getUint32(e + 8, true)) << 32n) | BigInt(view.getUint32(e + 4, true));
          values.push({ name: this.string(view.getUint32(e, true)), value: kindFlag ? BigInt.asIntN(64, raw) : raw });
        }
        return { kind, id, name, size: sizeOrType, signed: kindFlag, values };
      }
      case "fwd": return { kind, id, name, union: kindFlag };
      case "func": return { kind, id, name, protoId: sizeOrType };
      case "func_proto": {
        const params: BtfParam[] = [];
        let variadic = false;
        for (let i = 0; i < vlen; i++) {
          const p = extra + 8 * i;
          const param = { name: this.string(view.getUint32(p, true)), typeId: view.getUint32(p + 4, true) };
          // A trailing nameless void parameter marks `...`.
          if (i === vlen - 1 && param.typeId === 0 && param.name === "") variadic = true;
          else params.push(param);
        }
        return { kind, id, name, returnId: sizeOrType, params, variadic };
      }
      case "var": case "datasec": case "float": case "decl_tag":
        return { kind, id, name };
      case "void":
        throw new BtfError("void has no entry in the type section");
    }
  }

  /** Types called `name` of one of `kinds` (first match wins, as in C's tag namespaces). */
  find(name: string, kinds: readonly BtfKind[]): BtfType | undefined {
    for (const id of this.byName.get(name) ?? []) {
      const type = this.type(id);
      if (kinds.includes(type.kind)) return type;
    }
    return undefined;
  }

  /** A struct or union with members (a `fwd` declaration does not count). */
  findStruct(name: string): Extract<BtfType, { kind: "struct" | "union" }> | undefined {
    const type = this.find(name, ["struct", "union"]);
    return type?.kind === "struct" || type?.kind === "union" ? type : undefined;
  }

  /** The prototype of the kernel function `name`. */
  findFunction(name: string): Extract<BtfType, { kind: "func_proto" }> | undefined {
    const func = this.find(name, ["func"]);
    if (func?.kind !== "func") return undefined;
    const proto = this.type(func.protoId);
    return proto.kind === "func_proto" ? proto : undefined;
  }

  /** Skips typedefs and qualifiers (`const`, `volatile`, …) to the type underneath. */
  resolve(id: number): BtfType {
    let type = this.type(id);
    for (let guard = 0; guard < 64; guard++) {
      switch (type.kind) {
        case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
          type = this.type(type.typeId);
          continue;
        default:
          return type;
      }
    }
    throw new BtfError(`typedef cycle at BTF type ${id}`);
  }

  /** Skips qualifiers only, keeping typedef names (`__u32`, `pid_t`). */
  skipQualifiers(id: number): BtfType {
    let type = this.type(id);
    while (type.kind === "volatile" || type.kind === "const" || type.kind === "restrict" || type.kind === "type_tag") {
      type = this.type(type.typeId);
    }
    return type;
  }

  /** Every name of `kind` (for did-you-mean suggestions). */
  namesOf(kinds: readonly BtfKind[]): string[] {
    const names: string[] = [];
    for (const [name, ids] of this.byName) {
      if (ids.some((id) => kinds.includes(kindByNumber[(this.view.getUint32(this.offsets[id]! + 4, true) >>> 24) & 0x1f]!))) names.push(name);
    }
    return names;
  }
}
