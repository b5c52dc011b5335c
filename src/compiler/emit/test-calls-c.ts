//! C of the `testCall` IR node (test code only, NAME.test.c): runs through
//! `ks_test_exec`, packet builder steps, assertion failures with their values, record
//! reads (test-records-c.ts) and `run_command`. The
//! functions it calls are the test runtime's (userspace/test-runtime.ts); every run is
//! handed to `ks_trace_run` (runtime-c/test-trace.c), which records it under `--trace`.

import type * as ir from "../ir.js";
import { cTypeName } from "./c-types.js";
import { cString } from "./c-code.js";
import { programName, packetBuilderName, packetDefaultHeaderName, testNextRecordName, testPendingRecordsName } from "../names.js";
import { programTypeInfo, type TestRunSupport } from "../kernel/program-types.js";
import { netfilterHookState } from "../kernel/testing.js";

/**
 * The test runtime's call running `prog` (its skeleton entry and name) on `run`:
 * `ks_test_exec` with the kind of run, or for a netfilter program
 * `ks_test_exec_netfilter` with the hook state of its attribute (userspace/test-runtime.ts).
 */
function testRunCall(support: TestRunSupport, target: string | undefined, prog: string, run: string): string {
  switch (support.kind) {
    case "xdpPacket": return `ks_test_exec(${prog}, KS_TEST_XDP, ${run})`;
    case "skbPacket": return `ks_test_exec(${prog}, KS_TEST_TC, ${run})`;
    case "rawArguments": return `ks_test_exec(${prog}, KS_TEST_RAW_TP, ${run})`;
    case "netfilterPacket": {
      const hook = netfilterHookState(target ?? "");
      return `ks_test_exec_netfilter(${prog}, ${hook.pf}, ${hook.hook}, ${run})`;
    }
    // The checker refuses test runs of such programs (E0384 names why).
    case "unsupported": return `ks_test_exec(${prog}, KS_TEST_TC, ${run})`;
  }
}

/**
 * Whether a run of this kind gives a packet back (BPF_PROG_TEST_RUN's `data_out`): a raw
 * tracepoint has none, and the kernel returns none for a netfilter program; their runs
 * are traced with `packet: null`.
 */
function runHasPacket(support: TestRunSupport): boolean {
  switch (support.kind) {
    case "xdpPacket":
    case "skbPacket":
    case "unsupported":
      return true;
    case "rawArguments":
    case "netfilterPacket":
      return false;
  }
}

/** C of a `testCall` expression (`expr` writes the arguments). */
export function testCallExpression(expr: (e: ir.IrExpr) => string, e: Extract<ir.IrExpr, { kind: "testCall" }>): string {
  const op = e.op;
  switch (op.kind) {
    case "run": {
      const prog = `ks_skel ? ks_skel->progs.${programName(op.program)} : NULL, ${cString(programName(op.program))}`;
      const support = programTypeInfo[op.programType].testRun;
      // Every run goes through the trace (a no-op without --trace), under its `.ks` name.
      const call = `ks_trace_run(${testRunCall(support, op.target, prog, expr(e.args[0]!))}, ${cString(op.program)}, ${runHasPacket(support) ? 1 : 0})`;
      // A statement expression: a run whose value is dropped stays free of -Wunused-value.
      return op.result === "result" ? call : `({ ${cTypeName(e.type)} __ks_retval = (${cTypeName(e.type)})${call}.retval; __ks_retval; })`;
    }
    case "packet": {
      const header = (arg: ir.IrExpr | undefined): string => (arg ? expr(arg) : packetDefaultHeaderName(op.header!));
      if (op.method === "eth") return `ks_pkt_eth(${header(e.args[0])})`;
      if (op.header) return `${packetBuilderName(op.method)}(${expr(e.args[0]!)}, ${header(e.args[1])})`;
      return `${packetBuilderName(op.method)}(${expr(e.args[0]!)}, ${expr(e.args[1]!)})`;
    }
    case "records":
      return op.method === "next" ? `${testNextRecordName(op.map)}(${cString(op.location)})` : `${testPendingRecordsName(op.map)}(${cString(op.location)})`;
    case "context": {
      // The struct is evaluated once; each field the checker gave a meaning fills the run.
      const value = e.args[0]!;
      const steps = op.fields.map((f) => {
        switch (f.role.kind) {
          case "zeroPacket": return `__ks_run.packet = ks_pkt_zeros((__u64)__ks_ctx.${f.name}, ${cString(`${op.struct}.${f.name}`)});`;
          case "runField": return `__ks_run.${f.role.field} = __ks_ctx.${f.name};`;
          case "unused": return `(void)__ks_ctx.${f.name}; /* ${f.role.why} */`;
        }
      });
      return `({ ${cTypeName(value.type)} __ks_ctx = ${expr(value)}; struct TestRun __ks_run; memset(&__ks_run, 0, sizeof(__ks_run)); ${steps.join(" ")} __ks_run; })`;
    }
    case "command":
      return `ks_test_run_command(${cString(op.location)}, ${cString(op.command)})`;
    case "assertFailed": {
      const labels = op.labels
        ? `((const struct ks_test_label[]){ ${op.labels.map((l) => `{ ${cString(l.name)}, ${l.value}LL }`).join(", ")}, { NULL, 0 } })`
        : "NULL";
      const value = (arg: ir.IrExpr | undefined, slot: number): string => {
        if (!arg) return "NULL";
        if (arg.type.kind === "bool") return `(${expr(arg)} ? "true" : "false")`;
        const signed = arg.type.kind === "int" ? arg.type.signed : arg.type.kind === "enum";
        return `ks_test_fmt(${slot}, (long long)${expr(arg)}, ${signed ? 1 : 0}, ${labels})`;
      };
      return `ks_test_assert_failed(${cString(op.location)}, ${cString(op.text)}, ${op.message === undefined ? "NULL" : cString(op.message)}, ` +
        `${op.operator === undefined ? "NULL" : cString(op.operator)}, ${value(e.args[0], 0)}, ${value(e.args[1], 1)})`;
    }
  }
}
