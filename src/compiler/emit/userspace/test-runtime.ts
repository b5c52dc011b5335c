//! The C runtime of the test binary (`NAME.test.c`): packet headers with the kernel's
//! layout (`runtime-c/packet-headers.c`, shared with NAME.h), the test structs, the packet builders
//! (lengths and checksums filled in), `ks_test_exec` over BPF_PROG_TEST_RUN, and the
//! assertion-failure path (a longjmp back to the runner, which reloads the object for the
//! next test).
//!
//! The C is `runtime-c/packet-headers.c`, `runtime-c/test-runtime.c` and
//! `runtime-c/test-trace.c` (`--trace PATH`: what every test observed, as JSON). C API (all `static`):
//!   struct TestPacket ks_pkt_eth(struct ethhdr), ks_pkt_ipv4(p, struct iphdr), …,
//!                     ks_pkt_payload(p, n), ks_pkt_pad_to(p, n), ks_pkt_zeros(n, what)
//!   struct TestResult ks_test_exec(prog, name, kind, struct TestRun)
//!   void ks_test_assert_failed(location, text, message, op, left, right)   (no return)
//!   const char *ks_test_fmt(slot, value, is_signed, labels)                 value text
//!   void ks_test_abort(format, …)                                           (no return)
//!   void ks_test_skip(reason)              the run needs what this machine lacks (no return)
//!   __s32 ks_test_run_command(location, command)                            exit status
//!   struct TestResult ks_trace_run(result, program, has_packet)   records a run under --trace
//!   int ks_trace_open(path), ks_trace_close(void); void ks_trace_test(name, status, dump_maps)
//!   void ks_trace_map(name, map, every_index, per_cpu)            one map's entries, in dump_maps

import type { CWriter } from "../c-writer.js";
import { testPacketCapacity } from "../../kernel/testing.js";
import { pasteRuntimeC } from "./runtime-c.js";


export function emitTestRuntime(w: CWriter): void {
  // The packet buffer's size is the one fact the C takes from the compiler's tables.
  w.line(`#define KS_PACKET_MAX ${testPacketCapacity}`);
  pasteRuntimeC(w, "packet-headers");
  pasteRuntimeC(w, "test-runtime");
  pasteRuntimeC(w, "test-trace");
}
