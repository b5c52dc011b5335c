// Writes src/compiler/loader-c-names.ts: every ordinary identifier the C headers of a
// generated loader declare (functions, variables, typedefs, enumerators) or define as
// macros, so that names.ts escapes a user name that would collide with one of them
// (`fn open()`, `var stdin`, `fn EINTR()`). Derived, not guessed:
//  1. the headers: every `#include <…>` of the runtime C files and of the loaders in
//     the emit goldens (tests/cases/emit/*.out.txt, their `NAME.c` and `NAME.test.c`);
//  2. `cc -E` of a file including all of them, scanned declaration by declaration at
//     file scope; `cc -dM -E` for the macros (the predefined ones too: `linux`, `unix`).
//
//   node build/tools/gen-loader-c-names.js      (or: UPDATE=1 node --test build/tests/unit/loader-c-names.test.js)
//
// tests/unit/loader-c-names.test.ts fails when the committed list differs from this one,
// and builds a loader with a user function named after each of them.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const loaderCNamesPath = "src/compiler/loader-c-names.ts";
const runtimeCDir = "src/compiler/emit/userspace/runtime-c";
const emitCasesDir = "tests/cases/emit";

/** The `#include <…>` headers of generated loaders (and of their test runners). */
export function loaderHeaders(root: string): string[] {
  const headers = new Set<string>();
  const take = (text: string): void => {
    for (const m of text.matchAll(/#include <([^>$]+)>/g)) headers.add(m[1]!);
  };
  for (const file of readdirSync(join(root, runtimeCDir)).filter((f) => f.endsWith(".c"))) take(readFileSync(join(root, runtimeCDir, file), "utf8"));
  for (const file of readdirSync(join(root, emitCasesDir)).filter((f) => f.endsWith(".out.txt"))) {
    // Only the user-space files: `----- NAME.c -----` and `----- NAME.test.c -----` sections.
    const sections = readFileSync(join(root, emitCasesDir, file), "utf8").split(/^----- (\S+) -----$/m);
    for (let i = 1; i + 1 < sections.length; i += 2) {
      if (sections[i]!.endsWith(".c") && !sections[i]!.endsWith(".bpf.c") && !sections[i]!.endsWith(".mod.c")) take(sections[i + 1]!);
    }
  }
  return [...headers].sort();
}

const notNames = new Set([
  "__attribute__", "__attribute", "__asm__", "__asm", "asm", "__typeof__", "__typeof", "typeof", "__extension__",
  "sizeof", "_Static_assert", "__inline", "__inline__", "inline", "__restrict", "__restrict__", "restrict",
  "_Alignas", "_Alignof", "__alignof__", "__builtin_va_list", "__builtin_offsetof", "_Noreturn", "__thread",
  "struct", "union", "enum", "const", "volatile", "static", "extern", "typedef", "register", "auto",
  "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "__signed__", "__const",
  "_Float128", "_Float64", "_Float32", "_Float64x", "_Float32x", "__int128", "_Complex",
]);

/**
 * The names a preprocessed translation unit declares at file scope: a function's name
 * (an identifier before `(` outside parentheses, or `(*name(` returning a function
 * pointer), a variable's or typedef's (the identifier before `;`, `,`, `=` or `[`,
 * or in `(*name)`), and enumerators. Struct and union members and parameters are not.
 */
export function declaredNames(preprocessed: string): Set<string> {
  const text = preprocessed.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  const tokens = [...text.matchAll(/[A-Za-z_]\w*|\d[\w.]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S/g)].map((m) => m[0]);
  const names = new Set<string>();
  const isName = (t: string | undefined): t is string => t !== undefined && /^[A-Za-z_]\w*$/.test(t) && !notNames.has(t);
  let paren = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "(") paren++;
    else if (t === ")") paren--;
    else if (t === "{") {
      // A body at file scope: an enum's (its enumerators are names), a struct's, or a function's.
      const isEnum = tokens[i - 1] === "enum" || tokens[i - 2] === "enum";
      let depth = 1;
      let expectEnumerator = isEnum;
      for (i++; i < tokens.length && depth > 0; i++) {
        const u = tokens[i]!;
        if (u === "{") depth++;
        else if (u === "}") depth--;
        else if (isEnum && depth === 1 && expectEnumerator && isName(u)) {
          names.add(u);
          expectEnumerator = false;
        } else if (isEnum && depth === 1 && u === ",") expectEnumerator = true;
      }
      i--;
    } else if (isName(t) && paren <= 1) {
      const next = tokens[i + 1];
      const prev = tokens[i - 1];
      if (prev === "struct" || prev === "union" || prev === "enum" || prev === ".") continue;
      if (paren === 0 && (next === "(" || next === ";" || next === "," || next === "=" || next === "[" || next === "}")) names.add(t);
      else if (paren === 1 && prev === "*" && tokens[i - 2] === "(" && (next === ")" || next === "(")) names.add(t);
    }
  }
  return names;
}

/** The names `cc -dM -E` lists as macros. */
export function macroNames(defines: string): Set<string> {
  return new Set([...defines.matchAll(/^#define ([A-Za-z_]\w*)/gm)].map((m) => m[1]!));
}

/** The headers' file-scope declarations and their macros (a name may be both: `errno`, `stdin`). */
export interface LoaderCNames {
  readonly declarations: readonly string[];
  readonly macros: readonly string[];
}

export function loaderCNames(root: string): LoaderCNames {
  const source = loaderHeaders(root).map((h) => `#include <${h}>\n`).join("");
  const python = execFileSync("python3-config", ["--includes"], { encoding: "utf8" }).trim().split(/\s+/);
  const cc = (flags: readonly string[]): string => execFileSync("cc", [...flags, ...python, "-x", "c", "-"], { input: source, encoding: "utf8", maxBuffer: 1 << 28 });
  return { declarations: [...declaredNames(cc(["-E", "-P"]))].sort(), macros: [...macroNames(cc(["-dM", "-E"]))].sort() };
}

function nameSetText(names: readonly string[]): string {
  // 150 names a line, space-separated: the file stays short (tidy's line limit).
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 150) lines.push(`    "${names.slice(i, i + 150).join(" ")}",`);
  return `new Set([\n${lines.join("\n")}\n  ].join(" ").split(" "))`;
}

export function loaderCNamesModule(names: LoaderCNames): string {
  return `// generated by tools/gen-loader-c-names.ts from the C headers a loader includes; do not edit.
// Every identifier they declare at file scope or define as a macro: a user name equal to
// one of them is escaped where it would collide (names.ts). tests/unit/loader-c-names.test.ts
// keeps it current. The sets are made on first use: a command that emits no C (\`check\`)
// does not pay for 17k names at start-up.

let declarations: ReadonlySet<string> | undefined;
let macros: ReadonlySet<string> | undefined;

/** Functions, variables, typedefs and enumerators declared at file scope. */
export function loaderCDeclarations(): ReadonlySet<string> {
  return (declarations ??= ${nameSetText(names.declarations)});
}

/** Macros (the predefined ones too: \`linux\`, \`unix\`). */
export function loaderCMacros(): ReadonlySet<string> {
  return (macros ??= ${nameSetText(names.macros)});
}
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  const names = loaderCNames(root);
  writeFileSync(join(root, loaderCNamesPath), loaderCNamesModule(names));
  console.log(`wrote ${loaderCNamesPath} (${names.declarations.length} declarations, ${names.macros.length} macros)`);
}
