// src/compiler/loader-c-names.ts is what tools/gen-loader-c-names.ts derives from the
// headers generated loaders include (`cc -E`, `cc -dM -E`): a header added to the runtime
// C or to an emitter, or another libc, must regenerate it (UPDATE=1 does). names.ts
// escapes user names that would collide with them.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/golden.js";
import { loaderCNames, loaderCNamesModule, loaderCNamesPath } from "../../tools/gen-loader-c-names.js";
import { functionName, globalName, localName, mapName, programName } from "../../src/compiler/names.js";

describe("names the loader's C headers declare", () => {
  const derived = loaderCNames(repoRoot);

  it("the committed list is the one the headers give", () => {
    const text = loaderCNamesModule(derived);
    const path = join(repoRoot, loaderCNamesPath);
    if (process.env.UPDATE) writeFileSync(path, text);
    assert.equal(readFileSync(path, "utf8"), text, "run: node build/tools/gen-loader-c-names.js");
  });

  it("finds the declarations of each kind (functions, variables, typedefs, enumerators) and the macros", () => {
    const declarations = new Set(derived.declarations);
    for (const name of ["open", "getpid", "close", "read", "write", "exit", "time", "signal", "socket", "environ", "size_t", "FILE", "on_exit"]) {
      assert.ok(declarations.has(name), name);
    }
    const macros = new Set(derived.macros);
    for (const name of ["EINTR", "SOCK_STREAM", "stdin", "linux", "errno"]) assert.ok(macros.has(name), name);
    // Members and parameters are not file-scope names.
    for (const name of ["tv_sec", "__fd", "key", "value", "sa_handler_"]) assert.ok(!declarations.has(name) && !macros.has(name), name);
  });

  it("functions and locals escape every one of them; programs, maps and globals only the macros", () => {
    for (const name of [...derived.declarations, ...derived.macros]) {
      assert.notEqual(functionName(name), name, name);
      assert.notEqual(localName(name), name, name);
    }
    for (const name of derived.macros) {
      for (const objectName of [programName, mapName, globalName]) assert.notEqual(objectName(name), name, name);
    }
    // libbpf knows programs and maps by these names (skeleton members, pins): kept.
    for (const name of ["on_exit", "open", "socket", "connect", "getpid"]) {
      assert.equal(programName(name), name);
      assert.equal(mapName(name), name);
      assert.equal(globalName(name), name);
    }
  });

  it("escapes stay one-to-one across every kind of name", () => {
    const names = ["open", "open_", "open__", "__ks_u_open", "__ks_u1_open", "EINTR", "EINTR_", "close", "close_", "on_exit", "on_exit_", "plain"];
    const made = new Map<string, string>();
    for (const name of names) {
      for (const [kind, escape] of [["local", localName], ["program", programName]] as const) {
        const c = escape(name);
        const earlier = made.get(c);
        // The same source name may keep one C name in both kinds; two source names never share one.
        assert.ok(earlier === undefined || earlier.endsWith(`:${name}`), `${kind} ${name} → ${c}, also ${earlier}`);
        made.set(c, `${kind}:${name}`);
      }
    }
  });
});
