// src/compiler/loader-c-names.ts is what tools/gen-loader-c-names.ts derives from the
// headers generated loaders include (`cc -E`, `cc -dM -E`): a header added to the runtime
// C or to an emitter, or another libc, must regenerate it (UPDATE=1 does). The names are
// escaped like the C keywords (names.ts).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/golden.js";
import { loaderCNames, loaderCNamesModule, loaderCNamesPath } from "../../tools/gen-loader-c-names.js";
import { functionName, localName } from "../../src/compiler/names.js";

describe("names the loader's C headers declare", () => {
  const derived = loaderCNames(repoRoot);

  it("the committed list is the one the headers give", () => {
    const text = loaderCNamesModule(derived);
    const path = join(repoRoot, loaderCNamesPath);
    if (process.env.UPDATE) writeFileSync(path, text);
    assert.equal(readFileSync(path, "utf8"), text, "run: node build/tools/gen-loader-c-names.js");
  });

  it("finds the declarations of each kind (functions, variables, typedefs, enumerators, macros)", () => {
    const names = new Set(derived);
    for (const name of ["open", "getpid", "close", "read", "write", "exit", "time", "signal", "socket", "stdin", "environ", "size_t", "FILE", "SOCK_STREAM", "EINTR", "sa_handler", "linux"]) {
      assert.ok(names.has(name), name);
    }
    // Members and parameters are not file-scope names.
    for (const name of ["tv_sec", "__fd", "key", "value"]) assert.ok(!names.has(name), name);
  });

  it("every one of them is escaped as a user function or local name", () => {
    for (const name of derived) {
      assert.notEqual(functionName(name), name, name);
      assert.notEqual(localName(name), name, name);
    }
  });
});
