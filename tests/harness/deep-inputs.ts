// Programs that nest one construct `n` levels deep, for the nesting-limit tests and the
// core fuzzer. Each generator returns a whole `.ks` file; the construct sits inside an
// XDP program (or at the top level for declarations), so at a small depth most of them
// are valid programs that go through every stage of the compiler.

export interface DeepConstruct {
  readonly name: string;
  /** A bracket or block kind (the CLI test runs these 20,000 deep). */
  readonly bracketOrBlock: boolean;
  readonly make: (n: number) => string;
}

const repeat = (text: string, n: number): string => text.repeat(Math.max(0, n));

/** `body` inside an XDP program that has `x: u32`, `arr: u32[4]`, map `m` and helper `f`. */
function inProgram(body: string, declarations = ""): string {
  return `${declarations}
var m: hash<u32, u32>(16)
struct S { s: *S, v: u32 }
@helper
fn f(a: u32) -> u32 {
  return a
}
@xdp
fn p(ctx: *xdp_md) -> xdp_action {
  var x: u32 = 1
  var arr: u32[4] = [1, 2, 3, 4]
${body}
  return XDP_PASS
}
`;
}

const value = (expr: string): string => inProgram(`  var a: u32 = ${expr}\n  x = a\n`);

/** Statements nested `n` deep: `open(i)` … `close(i)` around an assignment. */
function statements(n: number, open: (i: number) => string, close: (i: number) => string): string {
  let text = "";
  for (let i = 0; i < n; i++) text += open(i);
  text += "x = x + 1\n";
  for (let i = n - 1; i >= 0; i--) text += close(i);
  return inProgram(text);
}

export const deepConstructs: readonly DeepConstruct[] = [
  // Expressions.
  { name: "parentheses", bracketOrBlock: true, make: (n) => value(`${repeat("(", n)}x${repeat(")", n)}`) },
  { name: "right-nested sums", bracketOrBlock: false, make: (n) => value(`${repeat("x + (", n)}x${repeat(")", n)}`) },
  { name: "flat sum", bracketOrBlock: false, make: (n) => value(Array.from({ length: n + 1 }, () => "x").join(" + ")) },
  { name: "flat || chain", bracketOrBlock: false, make: (n) => inProgram(`  if (${Array.from({ length: n + 1 }, () => "x == 1").join(" || ")}) { x = 2 }\n`) },
  { name: "prefix operators", bracketOrBlock: false, make: (n) => value(`${repeat("~", n)}x`) },
  { name: "casts", bracketOrBlock: false, make: (n) => value(`x${repeat(" as u32", n)}`) },
  { name: "nested calls", bracketOrBlock: true, make: (n) => value(`${repeat("f(", n)}x${repeat(")", n)}`) },
  { name: "nested indexes", bracketOrBlock: true, make: (n) => value(`${repeat("arr[", n)}0${repeat("] & 3", n)}`) },
  { name: "array literals", bracketOrBlock: true, make: (n) => inProgram(`  var a = ${repeat("[", n)}1${repeat("]", n)}\n`) },
  { name: "struct literals", bracketOrBlock: true, make: (n) => inProgram(`  var a = ${repeat("T { t: ", n)}1${repeat(" }", n)}\n`, "struct T { t: u32 }") },
  { name: "field chain", bracketOrBlock: false, make: (n) => inProgram(`  var q: *S = null\n  var a = q${repeat(".s", n)}.v\n`) },
  { name: "index chain", bracketOrBlock: false, make: (n) => value(`arr${repeat("[0]", n)}`) },
  { name: "call chain", bracketOrBlock: false, make: (n) => value(`f${repeat("(x)", n)}`) },
  { name: "match expressions", bracketOrBlock: true, make: (n) => value(`${repeat("match (x) { 0: ", n)}x${repeat(", default: 1 }", n)}`) },
  { name: "sizeof of pointers", bracketOrBlock: false, make: (n) => value(`sizeof(${repeat("*", n)}u32) as u32`) },
  // Statements with bodies.
  { name: "blocks", bracketOrBlock: true, make: (n) => statements(n, () => "{\n", () => "}\n") },
  { name: "if", bracketOrBlock: true, make: (n) => statements(n, () => "if (x > 0) {\n", () => "}\n") },
  { name: "else blocks", bracketOrBlock: true, make: (n) => statements(n, () => "if (x == 0) {\n} else {\n", () => "}\n") },
  {
    name: "else-if chain", bracketOrBlock: false,
    make: (n) => inProgram(`  if (x == 0) {\n    x = 1\n${Array.from({ length: n }, (_, i) => `  } else if (x == ${i + 1}) {\n    x = 2\n`).join("")}  }\n`),
  },
  { name: "while", bracketOrBlock: true, make: (n) => statements(n, () => "while (x < 10) {\n", () => "}\n") },
  { name: "for range", bracketOrBlock: true, make: (n) => statements(n, (i) => `for (i${i} in 0..2) {\n`, () => "}\n") },
  { name: "try", bracketOrBlock: true, make: (n) => statements(n, () => "try {\n", () => "} catch _ {\n}\n") },
  {
    name: "catch bodies", bracketOrBlock: true,
    make: (n) => statements(n, () => "try {\nif (x == 7) {\nthrow 1\n}\n} catch _ {\n", () => "}\n"),
  },
  { name: "match statements", bracketOrBlock: true, make: (n) => statements(n, () => "match (x) {\n0: {\n", () => "}\ndefault: {\n}\n}\n") },
  { name: "map-entry bindings", bracketOrBlock: true, make: (n) => statements(n, () => "if (var e = m[x]) {\n", () => "}\n") },
  {
    name: "header bindings", bracketOrBlock: true,
    make: (n) => statements(n, (i) => `if (var h${i}: *ethhdr = ctx.header(0)) {\n`, () => "}\n"),
  },
  // Types.
  { name: "pointer types", bracketOrBlock: false, make: (n) => inProgram(`  var q: ${repeat("*", n)}u32 = null\n`) },
  { name: "array suffixes", bracketOrBlock: false, make: (n) => inProgram(`  var q: u8${repeat("[1]", n)}\n`) },
  { name: "[T; N] arrays", bracketOrBlock: true, make: (n) => inProgram(`  var q: ${repeat("[", n)}u8${repeat("; 1]", n)}\n`) },
  { name: "function types", bracketOrBlock: true, make: (n) => `var g: ${repeat("fn(a: ", n)}u32${repeat(") -> u32", n)}\n${inProgram("")}` },
  { name: "function return types", bracketOrBlock: false, make: (n) => `var g: ${repeat("fn() -> ", n)}u32\n${inProgram("")}` },
  { name: "generic arguments", bracketOrBlock: true, make: (n) => `var g: ${repeat("hash<u32, ", n)}u32${repeat(">", n)}\n${inProgram("")}` },
  { name: "struct field types", bracketOrBlock: false, make: (n) => inProgram("", `struct D { d: ${repeat("*", n)}u32 }`) },
  // Declarations.
  { name: "attribute arguments", bracketOrBlock: true, make: (n) => `@xdp(${repeat("flag(", n)}1${repeat(")", n)})\nfn q(ctx: *xdp_md) -> xdp_action {\n  return XDP_PASS\n}\n` },
  { name: "unclosed fn (", bracketOrBlock: false, make: (n) => repeat("fn (\n", n) },
  { name: "enum value", bracketOrBlock: true, make: (n) => inProgram("", `enum E { A = ${repeat("(", n)}1${repeat(")", n)} }`) },
];

/** `n` structs, each holding the next (by value, or through a pointer), used as a map value. */
export function structChain(n: number, link: "value" | "pointer"): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`struct S${i} { v: u32, next: ${link === "pointer" ? "*" : ""}S${i + 1} }`);
  lines.push(`struct S${n} { v: u32 }`);
  lines.push("var chain: hash<u32, S0>(16)");
  return `${lines.join("\n")}\n${inProgram("  if (var e = chain[x]) {\n    x = e.v\n  }\n")}`;
}

/** `n` type aliases, each a pointer to (or an array of) the previous one. */
export function aliasChain(n: number, link: "pointer" | "array"): string {
  const lines = ["type T0 = u32"];
  for (let i = 1; i <= n; i++) lines.push(link === "pointer" ? `type T${i} = *T${i - 1}` : `type T${i} = T${i - 1}[1]`);
  return `${lines.join("\n")}\n${inProgram(`  var q: T${n}\n`)}`;
}
