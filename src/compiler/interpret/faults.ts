//! Why an interpreted run stops early, as values the runner turns into a test status:
//! a failed `assert` or test-runtime check (`TestFailure`, the test fails with the same
//! text the test binary prints), a construct that has no exact answer off-kernel
//! (`NotExact`, the test is skipped with an E07xx diagnostic), an exhausted budget
//! (`BudgetExceeded`), or an internal fault of the interpreter itself (`InternalFault`,
//! never a stack trace to the user).

import type { Span } from "../source.js";

/** The test failed: `message` is what the test binary would print under its FAIL line. */
export class TestFailure {
  constructor(readonly message: string) {}
}

/** Something the interpreter cannot compute exactly: the test is skipped, with the reason. */
export class NotExact {
  constructor(readonly what: string, readonly why: string, readonly span: Span | undefined) {}
}

/** The step budget or the call depth ran out (an endless loop, a runaway recursion). */
export class BudgetExceeded {
  constructor(readonly kind: "steps" | "depth", readonly limit: number, readonly span: Span | undefined) {}
}

/** The interpreter met something it should never meet (a bug, not the user's). */
export class InternalFault {
  constructor(readonly message: string, readonly span: Span | undefined) {}
}

/** `throw code` travelling to the nearest `try` (or out of a function that throws). */
export class Thrown {
  constructor(readonly code: bigint, readonly origin: string) {}
}

/** A program's `bpf_tail_call` that succeeded: the rest of the caller does not run. */
export class TailCalled {
  constructor(readonly target: string) {}
}

export type Stop = TestFailure | NotExact | BudgetExceeded | InternalFault;

export function isStop(value: unknown): value is Stop {
  return value instanceof TestFailure || value instanceof NotExact || value instanceof BudgetExceeded || value instanceof InternalFault;
}
