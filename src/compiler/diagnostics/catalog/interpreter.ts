//! E07xx: running without a kernel (`kernelscript test --interpret`, the playground). The
//! reference interpreter (src/compiler/interpret/) reports these instead of guessing a
//! value it cannot know; the test is skipped with the diagnostic as its reason.

import { defineError } from "../diagnostic.js";

export const notExactWithoutKernel = defineError(
  "E0700",
  "no exact answer without a kernel",
  "The interpreter runs `@test` functions without the kernel, with the language's own semantics. A few constructs have no answer it could compute exactly: fields of kernel structs read through BTF (`task_struct`, `sk_buff`), kfuncs of the kernel itself, attaching programs to kernel events (`load`, `attach`, `run_command`), interfaces other than the loopback device. The test is reported skipped rather than run on a guessed value. Run it in kernel mode (`sudo kernelscript test FILE.ks`).",
  (what: string, why: string) => ({
    message: `${what} cannot be computed exactly without a kernel: ${why}`,
    label: "needs the kernel",
    help: "run this test in the kernel: `sudo kernelscript test FILE.ks` (the test is skipped here)",
  }),
);

export const stepBudgetExceeded = defineError(
  "E0701",
  "step budget exhausted",
  "The interpreter counts every statement, loop iteration and call of a test against a budget, so a loop that never ends stops with this error instead of hanging. Raise the budget (`--step-limit`) when a test really does that much work.",
  (limit: number) => ({
    message: `the test did not finish within ${limit} interpreter steps (an endless loop?)`,
    label: "still running here",
    help: "check the loop's condition, or raise the budget with `--step-limit N`",
  }),
);

export const callDepthExceeded = defineError(
  "E0702",
  "calls nested too deeply",
  "The interpreter bounds how deeply calls nest (recursion in user-space functions), so runaway recursion stops with this error instead of exhausting memory.",
  (limit: number) => ({
    message: `calls nested deeper than ${limit} levels`,
    label: "this call went too deep",
    help: "check the recursion's base case",
  }),
);

export const interpreterFault = defineError(
  "E0703",
  "internal interpreter error",
  "The interpreter met something it cannot run (a bug of the interpreter, or an operation the verifier would refuse such as a packet access outside the packet). The test fails; please report it with the program.",
  (detail: string) => ({
    message: `the interpreter could not run this: ${detail}`,
    label: "here",
    help: "run the test in the kernel (`sudo kernelscript test FILE.ks`) and report the difference",
  }),
);
