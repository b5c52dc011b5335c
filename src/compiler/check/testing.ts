//! `@test` functions and what only they may use: `test(prog, run)`, `test_run(prog, run)`,
//! `assert(cond[, "msg"])`, the packet builders (`eth_packet().ipv4().udp()…`) and the
//! `TestRun`/`TestResult`/`TestPacket` structs (kernel/testing.ts has the tables).
//!
//! Facts for lowering (where each assert is, its source text) go into `TestingFacts`.

import type * as ast from "../ast.js";
import { forEachChild } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types-features.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { errorType, typeToString, u32, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkCondition, checkEach, checkExpr, checkExprAs } from "./expressions.js";
import { asInteger, checkAssignable } from "./conversions.js";
import { unparenthesize } from "../ast.js";
import * as referenceErrors from "../diagnostics/catalog/reference-semantics.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo, Semantics } from "./semantics.js";
import { programTypeFor, programTypeInfo, type ProgramTypeInfo } from "../kernel/program-types.js";
import { packetHeaderByName } from "../kernel/headers.js";
import {
  contextFieldsByRunKind, packetMethodByName, testBuiltinNames, testPacketCapacity, testPacketStruct,
  testResultStruct, testRunStruct, testStructNames, type PacketMethod, type TestRunKind,
  testContextFieldByName, testContextFields, type TestContextRole,
} from "../kernel/testing.js";
import type { ProgramType } from "../ir.js";
import { checkRecordRead, checkRunCommand, sourceLocation, type RecordRead } from "./test-events.js";

/** What lowering needs to know about the test code of a file. */
export interface TestingFacts {
  /** Each `assert(...)`: its `.ks` location and the source text of its condition. */
  readonly asserts: Map<ast.CallExpr, { readonly location: string; readonly text: string }>;
  /** `test()`/`test_run()` calls: the program they run and its type. */
  readonly runs: Map<ast.CallExpr, { readonly program: string; readonly programType: ProgramType; readonly target: string | undefined; readonly context: TestContextUse | undefined }>;
  /** `@test` functions that run at least one program. */
  readonly running: Set<FunctionInfo>;
  /** `@helper`s test code calls (compiled into the test binary too). */
  readonly helpers: Set<FunctionInfo>;
  /** `rb.next()` / `rb.pending()` on a ring buffer or perf event array (test-events.ts). */
  readonly records: Map<ast.CallExpr, RecordRead>;
  /** `run_command("…")`: the command line and where the call is. */
  readonly commands: Map<ast.CallExpr, { readonly command: string; readonly location: string }>;
}

export function newTestingFacts(): TestingFacts {
  return { asserts: new Map(), runs: new Map(), running: new Set(), helpers: new Set(), records: new Map(), commands: new Map() };
}

const packetType: Type = { kind: "struct", name: testPacketStruct, origin: "kernel" };
const runType: Type = { kind: "struct", name: testRunStruct, origin: "kernel" };
const resultType: Type = { kind: "struct", name: testResultStruct, origin: "kernel" };

/** (A set: every call of a name asks.) */
const testBuiltins: ReadonlySet<string> = new Set(testBuiltinNames);

function inTest(c: ExprChecker): boolean {
  return c.fn.info.role.kind === "test";
}

function isPacket(type: Type): boolean {
  return type.kind === "struct" && type.name === testPacketStruct;
}

/**
 * The test builtins and packet methods; undefined when `expr` is neither (the caller
 * goes on with ordinary calls). A user function of the same name wins.
 */
export function checkTestCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type | undefined {
  const callee = expr.callee;
  if (callee.kind === "NameExpr") {
    const name = callee.name.name;
    if (!testBuiltins.has(name) || scope.lookup(name)) return undefined;
    c.ctx.exprTypes.set(callee, errorType);
    if (!inTest(c)) {
      c.ctx.diags.report(nameErrors.testOnlyBuiltin, callee.span, `\`${name}()\``);
      checkEach(c, scope, expr.args);
      return errorType;
    }
    switch (name) {
      case "test": case "test_run": return checkRun(c, scope, expr, name);
      case "assert": return checkAssert(c, scope, expr);
      case "run_command": return checkRunCommand(c, scope, expr);
      default: return checkPacketStart(c, scope, expr);
    }
  }
  const records = checkRecordRead(c, scope, expr);
  if (records) return records;
  if (callee.kind !== "FieldExpr" || !inTest(c) || !packetMethodByName.has(callee.field.name)) return undefined;
  if (callee.target.kind === "NameExpr") {
    const symbol = scope.lookup(callee.target.name.name);
    if (!(symbol?.kind === "local" && isPacket(symbol.type))) return undefined;
  } else if (callee.target.kind !== "CallExpr" && callee.target.kind !== "FieldExpr" && callee.target.kind !== "ParenExpr") {
    return undefined;
  }
  const target = checkExpr(c, scope, callee.target);
  if (target.kind === "error") {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (!isPacket(target)) {
    c.ctx.diags.report(typeErrors.badPacketBuilder, callee.field.span, { kind: "notAPacket", method: callee.field.name, type: typeToString(target) });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  return checkPacketMethod(c, scope, expr as ast.CallExpr & { readonly callee: ast.FieldExpr }, packetMethodByName.get(callee.field.name)!);
}

function checkRun(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  const { ctx } = c;
  // Counted even when the call has errors: W0231 is about tests with no run at all.
  ctx.testing.running.add(c.fn.info);
  const [progArg, runArg] = expr.args;
  if (expr.args.length !== 2 || !progArg || !runArg) {
    ctx.diags.report(typeErrors.testNeedsProgram, expr.span, name, { count: expr.args.length });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const progType = checkExpr(c, scope, progArg);
  const symbol = progArg.kind === "NameExpr" ? ctx.references.get(progArg) : undefined;
  const runFound = checkExpr(c, scope, runArg, runType);
  // A struct of the file is KernelScript 0.1.1's test context; its fields are checked
  // once the program type is known.
  const userContext = runFound.kind === "struct" && runFound.origin === "user" ? runFound.name : undefined;
  if (!userContext) checkAssignable(ctx, runArg, runFound, runType, { kind: "testRun", program: name });
  if (progType.kind === "error") return errorType;
  if (progType.kind !== "programRef" || symbol?.kind !== "function" || symbol.info.role.kind !== "program") {
    ctx.diags.report(typeErrors.testNeedsProgram, progArg.span, name, { type: typeToString(progType) });
    return errorType;
  }
  const info = symbol.info;
  const role = info.role as Extract<FunctionInfo["role"], { kind: "program" }>;
  const programType = programTypeFor(role.info, role.target);
  const typeInfo = programTypeInfo[programType];
  const runKind = typeInfo.testRun.kind;
  if (runKind === "unsupported") {
    ctx.diags.report(typeErrors.notTestRunnable, progArg.span, info.name, `\`@${role.info.attribute ?? programType}\``, typeInfo.testRun.why);
    return errorType;
  }
  if (runArg.kind === "StructLiteral" && runArg.typeName.name === testRunStruct) {
    for (const field of runArg.fields) {
      const kinds = contextFieldsByRunKind.get(field.name.name);
      if (kinds && !kinds.includes(runKind)) {
        const allowed = [...contextFieldsByRunKind].filter(([, k]) => k.includes(runKind)).map(([f]) => `\`${f}\``).join(", ");
        ctx.diags.report(typeErrors.contextFieldForType, field.name.span, field.name.name, info.name, typeInfo.label, allowed);
      }
    }
  }
  let context: TestContextUse | undefined;
  if (userContext) {
    context = checkTestContext(c, runArg, userContext, typeInfo, runKind);
    if (!context) return errorType;
  }
  ctx.testing.runs.set(expr, { program: info.name, programType, target: role.target, context });
  // Programs returning an integer whose values an enum names (TC: `tc_action`) give a
  // result typed as the enum, so it compares with TC_ACT_* and a failed assert names it.
  const returned: Type = typeInfo.resultEnum !== undefined && info.returnType.kind === "int"
    ? { kind: "enum", name: typeInfo.resultEnum, origin: "kernel" } : info.returnType;
  return name === "test" ? returned : resultType;
}

/** A user struct given to `test()`: each field and what it fills in the run (kernel/testing.ts). */
export interface TestContextUse {
  readonly struct: string;
  readonly fields: readonly { readonly name: string; readonly role: TestContextRole }[];
}

function checkTestContext(c: ExprChecker, runArg: ast.Expr, struct: string, typeInfo: ProgramTypeInfo, runKind: TestRunKind): TestContextUse | undefined {
  const { ctx } = c;
  const layout = ctx.structs.get(struct);
  if (!layout) return undefined;
  const allowed = testContextFields.filter((f) => f.runKinds.includes(runKind)).map((f) => `\`${f.name}\``).join(", ");
  const fields: { name: string; role: TestContextRole }[] = [];
  let ok = true;
  for (const field of layout.fields) {
    const meaning = testContextFieldByName.get(field.name);
    let why: referenceErrors.TestContextFieldProblem | undefined;
    if (!meaning) why = { kind: "meaningless" };
    else if (!meaning.runKinds.includes(runKind)) why = { kind: "otherRun", run: typeInfo.label };
    else if (!asInteger(field.type) || field.type.kind === "bool") why = { kind: "notInteger", type: typeToString(field.type) };
    if (why || !meaning) {
      ctx.diags.report(referenceErrors.testContextField, runArg.span, struct, field.name, why ?? { kind: "meaningless" }, allowed);
      ok = false;
      continue;
    }
    fields.push({ name: field.name, role: meaning.role });
  }
  return ok ? { struct, fields } : undefined;
}

function checkAssert(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const [condition, message] = expr.args;
  if (!condition || expr.args.length > 2) {
    ctx.diags.report(typeErrors.assertArguments, expr.span, { count: expr.args.length });
    checkEach(c, scope, expr.args);
    return voidType;
  }
  checkCondition(c, scope, condition);
  if (message) {
    checkExpr(c, scope, message);
    if (message.kind !== "StringLiteral") ctx.diags.report(typeErrors.assertArguments, message.span, "messageNotLiteral");
  }
  ctx.testing.asserts.set(expr, new AssertSite(ctx, expr.span, condition.span));
  return voidType;
}

/**
 * Where an assert is and the text of its condition, worked out when lowering first asks:
 * only test builds lower asserts, and a file may have thousands.
 */
class AssertSite {
  constructor(private readonly ctx: CheckContext, private readonly call: Span, private readonly condition: Span) {}

  get location(): string {
    return sourceLocation(this.ctx, this.call);
  }

  get text(): string {
    const file = this.ctx.inputs.sources.get(this.condition.file);
    const written = file ? file.text.slice(this.condition.start, this.condition.end) : "condition";
    // Most conditions are on one line with single spaces: no new string for those.
    return /\s\s|[^\S ]/.test(written) ? written.replace(/\s+/g, " ") : written;
  }
}

function checkPacketStart(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const arg = expr.args[0];
  if (expr.args.length > 1) {
    c.ctx.diags.report(typeErrors.badPacketBuilder, expr.span, { kind: "ethArguments", count: expr.args.length });
    checkEach(c, scope, expr.args);
    return packetType;
  }
  if (arg) checkExprAs(c, scope, arg, { kind: "struct", name: "ethhdr", origin: "kernel" }, { kind: "ethernetHeader" });
  return packetType;
}

function checkPacketMethod(c: ExprChecker, scope: Scope, expr: ast.CallExpr & { readonly callee: ast.FieldExpr }, method: PacketMethod): Type {
  const { ctx } = c;
  const arg = expr.args[0];
  if (method.header) {
    if (expr.args.length > 1) {
      ctx.diags.report(typeErrors.badPacketBuilder, expr.span, { kind: "headerArguments", method: method.name, header: method.header, count: expr.args.length });
      checkEach(c, scope, expr.args);
    } else if (arg) {
      checkExprAs(c, scope, arg, { kind: "struct", name: method.header, origin: "kernel" }, { kind: "testPacketHeader", method: method.name });
    }
  } else if (expr.args.length !== 1 || !arg) {
    ctx.diags.report(typeErrors.badPacketBuilder, expr.span, { kind: "payloadArguments", method: method.name, count: expr.args.length });
    checkEach(c, scope, expr.args);
  } else {
    checkExprAs(c, scope, arg, u32, { kind: "testPacketByteCount", method: method.name });
    if (arg.kind === "IntLiteral" && arg.value > BigInt(testPacketCapacity)) {
      ctx.diags.report(safetyErrors.testPacketTooLarge, arg.span, String(arg.value), testPacketCapacity);
    }
  }
  checkLayerOrder(c, expr, method);
  return packetType;
}

/**
 * The packet methods called before `call` in a chain that starts at `eth_packet()`, in
 * call order; undefined if the chain starts elsewhere.
 */
function earlierMethods(call: ast.CallExpr & { readonly callee: ast.FieldExpr }): PacketMethod[] | undefined {
  const earlier: PacketMethod[] = [];
  let e = call.callee.target;
  for (;;) {
    if (e.kind === "ParenExpr") e = e.expr;
    else if (e.kind === "CallExpr" && e.callee.kind === "FieldExpr") {
      const method = packetMethodByName.get(e.callee.field.name);
      if (method) earlier.push(method);
      e = e.callee.target;
    } else if (e.kind === "CallExpr" && e.callee.kind === "NameExpr" && e.callee.name.name === "eth_packet") return earlier.reverse();
    else return undefined;
  }
}

/** Wire order, checked when the whole chain is visible from `eth_packet()`. */
function checkLayerOrder(c: ExprChecker, expr: ast.CallExpr & { readonly callee: ast.FieldExpr }, method: PacketMethod): void {
  const earlier = earlierMethods(expr);
  if (!earlier) return;
  const network = earlier.find((m) => m.layer === "l3");
  const field = expr.callee.field;
  let why: typeErrors.PacketLayerProblem | undefined;
  if (method.layer !== "payload" && earlier.some((m) => m.layer === "payload")) why = { kind: "afterPayload" };
  else if (method.layer === "l3" && network) why = { kind: "secondNetworkHeader", network: network.name };
  else if (method.layer === "l4" && earlier.some((m) => m.layer === "l4")) why = { kind: "secondTransportHeader" };
  else if (method.layer === "l4" && !network) why = { kind: "noNetworkHeader", method: method.name };
  else if (method.layer === "l4" && method.needs && method.needs !== "ip" && network && method.needs !== network.name) {
    why = { kind: "otherNetworkHeader", method: method.name, needs: method.needs, network: network.name };
  }
  if (why) c.ctx.diags.report(typeErrors.packetLayerOrder, field.span, method.name, why);
}

/** Fields of these struct literals may be omitted in test code (zero: the default). */
export function testFieldsOptional(c: ExprChecker, struct: string): boolean {
  return testStructNames.has(struct) || (inTest(c) && packetHeaderByName.has(struct));
}

/** `TestRun { … }` and friends outside a test. */
export function checkTestTypeSide(c: ExprChecker, name: ast.Ident): void {
  if (testStructNames.has(name.name) && !inTest(c)) {
    c.ctx.diags.report(nameErrors.testOnlyBuiltin, name.span, `\`${name.name}\``);
  }
}

/** Reports a call of a `@test` function (run only by the runner). */
export function checkTestCallee(ctx: CheckContext, info: FunctionInfo, span: import("../source.js").Span): void {
  if (info.role.kind === "test") ctx.diags.report(nameErrors.testFunctionCalled, span, info.name);
}

/** `@test fn name()` or `@test fn name() -> i32`. */
export function checkTestSignature(ctx: CheckContext, info: FunctionInfo): void {
  if (info.role.kind !== "test" || info.decl.kind !== "FunctionDecl") return;
  const decl = info.decl;
  if (decl.params.length > 0) {
    ctx.diags.report(nameErrors.testSignature, decl.params[0]!.name.span, info.name, "parameters");
  } else if (info.returnType.kind !== "void" && info.returnType.kind !== "int" && info.returnType.kind !== "error") {
    ctx.diags.report(nameErrors.testSignature, decl.returnType?.span ?? decl.name.span, info.name, { returns: typeToString(info.returnType) });
  }
}

/** After a test's body: did it run a program? */
export function finishTestFunction(ctx: CheckContext, info: FunctionInfo): void {
  if (info.role.kind === "test" && info.decl.kind === "FunctionDecl" && !ctx.testing.running.has(info)) {
    ctx.diags.report(nameErrors.testRunsNoProgram, info.decl.name.span, info.name);
  }
}

/** `test(…)` as a whole statement: its result is dropped. */
export function checkTestResultUse(c: ExprChecker, expr: ast.Expr): void {
  if (expr.kind !== "CallExpr" || !c.ctx.testing.runs.has(expr) || expr.callee.kind !== "NameExpr") return;
  c.ctx.diags.report(nameErrors.testResultIgnored, expr.span, expr.callee.name.name);
}

/** A `@helper` called from test code must be plain C that also builds in user space. */
export function checkHelperFromTest(c: ExprChecker, info: FunctionInfo, span: import("../source.js").Span): boolean {
  if (!inTest(c) || info.role.kind !== "helper") return false;
  const why = unportable(c.ctx, info, new Set());
  if (why) c.ctx.diags.report(codegenErrors.helperNotPortable, span, info.name, why);
  c.ctx.testing.helpers.add(info);
  return true;
}

function unportable(ctx: CheckContext, info: FunctionInfo, seen: Set<FunctionInfo>): codegenErrors.Unportable | undefined {
  if (seen.has(info)) return undefined;
  seen.add(info);
  const decl = info.decl;
  if (decl.kind !== "FunctionDecl" || !decl.body) return { kind: "noBody" };
  for (const p of info.params) {
    if (!portableType(p.type)) return { kind: "parameterType", name: p.name, type: typeToString(p.type) };
  }
  let why: codegenErrors.Unportable | undefined;
  const visit = (node: ast.Node): void => {
    if (why) return;
    if (node.kind === "NameExpr") {
      const symbol = ctx.references.get(node);
      if (symbol?.kind === "map") why = { kind: "usesMap", name: node.name.name };
      else if (symbol?.kind === "global" || symbol?.kind === "config") why = { kind: "usesGlobal", name: node.name.name };
      else if (symbol?.kind === "function") {
        const callee = symbol.info;
        if (callee.role.kind !== "helper") why = { kind: "refersTo", name: callee.name };
        else {
          const inner = unportable(ctx, callee, seen);
          if (inner) why = { kind: "callsUnportable", callee: callee.name, inner };
          else ctx.testing.helpers.add(callee);
        }
      }
    } else if (node.kind === "CallExpr" && node.callee.kind === "NameExpr" && !ctx.references.has(node.callee)) {
      why = { kind: "kernelOnlyCall", name: node.callee.name.name };
    } else if (node.kind === "CallExpr" && node.callee.kind !== "NameExpr") {
      why = { kind: "indirectCall" };
    } else if (node.kind === "WhileStmt" || node.kind === "ForRangeStmt" || node.kind === "ForInStmt") {
      why = { kind: "loop" };
    } else if (node.kind === "IfStmt" && node.binding) {
      why = { kind: "binding" };
    } else if (node.kind === "ReturnStmt" && node.value && unparenthesize(node.value).kind === "UnaryExpr" && (unparenthesize(node.value) as ast.UnaryExpr).op === "&") {
      // In eBPF a returned `&local` lives in a per-CPU map (W0272); there is none here.
      why = { kind: "returnsAddress" };
    } else if (node.kind === "ThrowStmt" || node.kind === "TryStmt" || node.kind === "DeferStmt") {
      why = { kind: "errorHandling" };
    } else if (node.kind === "VarStmt") {
      const symbol = ctx.declarations.get(node);
      if (symbol?.kind === "local" && !portableType(symbol.type)) why = { kind: "variableType", name: symbol.name, type: typeToString(symbol.type) };
    }
    if (!why) forEachChild(node, visit);
  };
  visit(decl.body);
  return why;
}

function portableType(type: Type): boolean {
  switch (type.kind) {
    case "int": case "bool": case "char": case "enum": case "intLiteral": return true;
    case "struct": return type.origin === "user";
    case "array": return portableType(type.element);
    default: return false;
  }
}

/** Test mode: the file must have at least one `@test` function. */
export function requireTests(semantics: Semantics, diags: Diagnostics): void {
  if (semantics.functions.some((f) => f.role.kind === "test")) return;
  diags.report(nameErrors.noTestFunctions, { file: semantics.sourcePath, start: 0, end: 0 }, semantics.sourcePath);
}

