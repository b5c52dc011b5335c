//! E03xx, continued: type errors of imports, `exec()` and the values passed to Python.
//! Re-exported by types.ts.

import { defineError } from "../diagnostic.js";
import { valueContextText, type ValueContext } from "./wording.js";
import type { Span } from "../../source.js";

// --- imports-exec ---

export const importCycle = defineError(
  "E0371",
  "import cycle",
  "Modules must form a tree: a module cannot import, directly or through other modules, the file that imports it.",
  (cycle: string) => ({
    message: `import cycle: ${cycle}`,
    label: "closes the cycle",
    help: "move what both files need into a third module that imports neither",
  }),
);

export const moduleUsedAsValue = defineError(
  "E0372",
  "module used as a value",
  "A module name only prefixes calls to its functions (`m.f(args)`); it has no value and no fields.",
  (module: string) => ({
    message: `\`${module}\` is an imported module, not a value`,
    label: "module name",
    help: `call one of its functions: \`${module}.function(args)\``,
  }),
);

export const execNotPython = defineError(
  "E0373",
  "exec() of a file that is not Python",
  "`exec(\"script.py\")` replaces the user-space program with a Python script that inherits the program's maps; only `.py` files can be handed over.",
  (path: string) => ({
    message: `\`exec()\` hands the program over to a Python script (\`.py\`), not to \`${path}\``,
    label: "not a `.py` file",
    help: "pass the path of a Python script, e.g. `exec(\"./analysis.py\")`",
  }),
);

// --- exec-python ---

export const pythonAnnotationUnsupported = defineError(
  "E0374",
  "Python type annotation without a KernelScript type",
  "Python parameters and results cross into KernelScript by their annotation: `int` (an integer), `bool`, `str` (a string), `-> None` (no value), or none at all (an integer, result `u64`). Other annotations (`float`, `list`, `dict`, …) have no KernelScript value to convert to.",
  (name: string, what: { readonly parameter: string } | "result", annotation: string, declared: Span) => ({
    message: `the ${what === "result" ? "result" : `parameter \`${what.parameter}\``} of \`${name}\` is annotated \`${annotation}\`, which has no KernelScript type`,
    label: "calls a Python function KernelScript cannot type",
    secondary: [{ span: declared, message: `\`${annotation}\` here` }],
    help: "annotate it `int`, `bool` or `str` (floats: pass scaled integers, e.g. milliseconds), or wrap the function in one that does",
  }),
);

export const pythonValueUnsupported = defineError(
  "E0379",
  "value that cannot be passed to Python",
  "Values passed to Python (arguments of a Python module function or of `exec()`) are converted to Python ints or strings; structs, arrays, pointers and other values have no conversion.",
  (where: ValueContext, expected: "int" | "str" | "either", found: string) => ({
    message: `${valueContextText(where)} must be ${expected === "int" ? "an integer" : expected === "str" ? "a string" : "a string or an integer"}, found \`${found}\``,
    label: "cannot be converted to Python",
    help: "pass an integer or a string (e.g. one field of a struct)",
  }),
);
