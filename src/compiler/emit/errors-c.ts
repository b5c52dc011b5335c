//! C for `throw`, `try`/`catch`, calls that may throw, `defer` and function exits (the
//! design is in lower/lower-errors.ts). The same C on both sides, except that user
//! space also records where an error was thrown, for the `unhandled error` message.
//!
//! A function with an error frame looks like this (only the parts it uses):
//!
//!     T f(…, struct ks_error *__ks_status) {     // the parameter only if errors leave f
//!         struct ks_error __ks_err = {0};        // it throws, catches or calls a thrower
//!         T __ks_ret; memset 0                   // it has an exit path
//!         __u8 __ks_defer0 = 0; A __ks_defer0_0; // one flag (and captures) per defer
//!         … body: `return e` is `__ks_ret = e; goto __ks_exit;` …
//!         goto __ks_exit;
//!     __ks_raise:                                // an error leaves f
//!         *__ks_status = __ks_err;
//!     __ks_exit:
//!         if (__ks_defer1) { … }  if (__ks_defer0) { … }
//!         return __ks_ret;
//!     }
//!
//! Labels are written only when some `goto` uses them (clang's -Wunused-label).

import type * as ir from "../ir.js";
import { cDeclaration } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import type { Side } from "./c-code.js";
import { cString, intLiteral } from "./c-code.js";
import { errorNames as n, functionName, localName } from "../names.js";
import { i64 } from "../types.js";

/** What `CCodeEmitter` lends this module: expressions and nested statements. */
export interface StatementEmitter {
  expr(e: ir.IrExpr): string;
  statements(statements: readonly ir.IrStmt[]): void;
  statement(s: ir.IrStmt): void;
}

/** The state of the function being written. */
export class ErrorFrameState {
  private labels = 0;
  /** Catch dispatch labels of the enclosing `try`s, innermost last. */
  private readonly handlers: string[] = [];
  private readonly used = new Set<string>();

  constructor(readonly frame: ir.IrErrorFrame, readonly returnsValue: boolean) {}

  /**
   * Every exit goes through `__ks_exit`: there are defers to run or an error to hand
   * back, or catch dispatches whose end C cannot tell is unreachable (-Wreturn-type).
   */
  get hasExitPath(): boolean {
    return this.frame.defers.length > 0 || this.frame.throws || (this.returnsValue && this.frame.handles);
  }

  goto(label: string): string {
    this.used.add(label);
    return `goto ${label};`;
  }

  isUsed(label: string): boolean {
    return this.used.has(label);
  }

  /** Where an error raised here goes: the nearest catch dispatch, else out of the function. */
  handler(): string | undefined {
    return this.handlers[this.handlers.length - 1] ?? (this.frame.throws ? n.raise : undefined);
  }

  withHandler(label: string, body: () => void): void {
    this.handlers.push(label);
    body();
    this.handlers.pop();
  }

  nextLabel(): number {
    return this.labels++;
  }
}

/** `struct ks_error`, written once per C file that uses it. */
export function emitErrorType(w: CWriter, side: Side, functions: readonly ir.IrFunction[]): void {
  if (!functions.some((f) => f.frame?.handles)) return;
  w.comment("Error state of a function that throws or catches: the code and whether one is pending.");
  w.block(n.type, () => {
    w.line("__s64 code;");
    w.line("__u8 thrown;");
    if (side === "user") w.line("const char *origin;");
  }, ";");
  w.line();
}

/** The hidden parameter of functions an error can leave, for their signatures. */
export function errorParameter(fn: ir.IrFunction): string | undefined {
  return fn.frame?.throws ? `${n.type} *${n.status}` : undefined;
}

/** A function body with its error frame: prologue, body, raise and exit paths. */
export function emitFunctionBody(code: StatementEmitter & { errorFrame: ErrorFrameState | undefined }, w: CWriter, fn: ir.IrFunction, cReturnType: string): void {
  const frame = fn.frame;
  if (!frame) {
    code.statements(fn.body);
    return;
  }
  const state = new ErrorFrameState(frame, cReturnType !== "void");
  const outer = code.errorFrame;
  code.errorFrame = state;
  if (frame.handles) w.line(`${n.type} ${n.state} = {0};`);
  if (state.hasExitPath && state.returnsValue) {
    w.line(`${cReturnType} ${n.result};`);
    w.line(`__builtin_memset(&${n.result}, 0, sizeof(${n.result}));`);
  }
  for (const slot of frame.defers) {
    w.line(`__u8 ${n.deferFlag(slot.index)} = 0;`);
    for (const capture of slot.captures) {
      w.line(`${cDeclaration(capture.type, localName(capture.name))};`);
      w.line(`__builtin_memset(&${localName(capture.name)}, 0, sizeof(${localName(capture.name)}));`);
    }
  }
  code.statements(fn.body);
  if (state.hasExitPath) {
    if (state.isUsed(n.raise)) {
      const last = fn.body[fn.body.length - 1];
      if (last?.kind !== "return" && last?.kind !== "throw") w.line(state.goto(n.exit));
      label(w, n.raise);
      w.line(`*${n.status} = ${n.state};`);
    }
    if (state.isUsed(n.exit)) label(w, n.exit);
    for (const slot of [...frame.defers].reverse()) {
      w.withOrigin(slot.span, () => w.block(`if (${n.deferFlag(slot.index)})`, () => code.statement(slot.action)));
    }
    w.line(state.returnsValue ? `return ${n.result};` : "return;");
  }
  code.errorFrame = outer;
}

/** `return` inside a function with an exit path; `undefined` when a plain return does. */
export function emitReturn(state: ErrorFrameState | undefined, w: CWriter, code: StatementEmitter, value: ir.IrExpr | undefined): boolean {
  if (!state?.hasExitPath) return false;
  if (value && state.returnsValue) w.line(`${n.result} = ${code.expr(value)};`);
  w.line(state.goto(n.exit));
  return true;
}

type ErrorStatement = Extract<ir.IrStmt, { kind: "throw" | "try" | "tryCall" | "defer" }>;

export function emitErrorStatement(state: ErrorFrameState | undefined, w: CWriter, side: Side, code: StatementEmitter, s: ErrorStatement): void {
  if (!state && s.kind === "try") {
    // Nothing in the function throws (W0214): the catch clauses can never run.
    w.block("", () => code.statements(s.body));
    return;
  }
  if (!state) throw new Error(`internal: ${s.kind} in a function without an error frame`);
  switch (s.kind) {
    case "throw": {
      w.line(`${n.state}.code = (__s64)${code.expr(s.value)};`);
      w.line(`${n.state}.thrown = 1;`);
      if (side === "user") w.line(`${n.state}.origin = ${cString(s.origin)};`);
      w.line(state.goto(required(state.handler(), s.kind)));
      return;
    }
    case "tryCall": {
      const args = [...s.args.map((a) => code.expr(a)), `&${n.state}`].join(", ");
      const call = `${functionName(s.callee)}(${args})`;
      w.line(s.result ? `${cDeclaration(s.type, localName(s.result))} = ${call};` : `${call};`);
      w.line(`if (${n.state}.thrown)`);
      w.line(`    ${state.goto(required(state.handler(), s.kind))}`);
      return;
    }
    case "defer": {
      const slot = state.frame.defers[s.slot];
      if (!slot) throw new Error("internal: defer without a slot");
      slot.captures.forEach((capture, i) => w.line(`${localName(capture.name)} = ${code.expr(s.values[i]!)};`));
      w.line(`${n.deferFlag(s.slot)} = 1;`);
      return;
    }
    case "try": {
      const id = state.nextLabel();
      const dispatch = n.catchLabel(id);
      state.withHandler(dispatch, () => w.block("", () => code.statements(s.body)));
      // Nothing in the body jumped here: the catch clauses can never run.
      if (!state.isUsed(dispatch)) return;
      const end = n.tryEnd(id);
      w.line(`goto ${end};`);
      label(w, dispatch);
      const caught = (body: readonly ir.IrStmt[]): void => {
        w.line(`${n.state}.thrown = 0;`);
        code.statements(body);
      };
      let first = true;
      let wildcard = false;
      for (const clause of s.catches) {
        w.withOrigin(clause.span, () => {
          if (clause.pattern === undefined) {
            w.line(first ? "{" : "} else {");
            wildcard = true;
          } else {
            w.line(`${first ? "" : "} else "}if (${n.state}.code == ${intLiteral(clause.pattern, i64)}) {`);
          }
        });
        w.indent();
        caught(clause.body);
        w.dedent();
        first = false;
      }
      // No clause matched: on to the enclosing handler (the dispatch is outside its own
      // try), the error still pending.
      const outer = state.handler();
      if (!wildcard && outer) {
        w.line(first ? "{" : "} else {");
        w.line(`    ${state.goto(outer)}`);
        first = false;
      }
      if (!first) w.line("}");
      label(w, `${end}:;`.slice(0, -2), ";");
      return;
    }
  }
}

/** A label, one level left of the statements around it, as C programmers write them. */
function label(w: CWriter, name: string, statement = ""): void {
  w.dedent();
  w.line(`${name}:${statement}`);
  w.indent();
}

function required(label: string | undefined, what: string): string {
  if (!label) throw new Error(`internal: ${what} with nowhere to send the error`);
  return label;
}

/** The generated C `main`'s call of the user's `main` when errors can leave it. */
export function emitUserMainCall(w: CWriter, userMain: ir.IrFunction, userMainName: string, args: readonly string[] = []): void {
  if (!userMain.frame?.throws) {
    w.line(`return ${userMainName}(${args.join(", ")});`);
    return;
  }
  w.line(`${n.type} ${n.state} = {0};`);
  w.line(`int __ks_exit_code = ${userMainName}(${[...args, `&${n.state}`].join(", ")});`);
  w.block(`if (${n.state}.thrown)`, () => {
    w.line(`fprintf(stderr, "unhandled error %lld (thrown in %s)\\n", (long long)${n.state}.code, ${n.state}.origin);`);
    w.line("return 1;");
  });
  w.line("return __ks_exit_code;");
}
