//! E0625–E0631, W0272–W0275: meanings given to KernelScript 0.1.1 constructs the
//! reference implementation accepts without defining them (its `@test` contexts, helpers
//! returning `&local`, `u32 != null`, `print` as a value, `var x = null`).

import { defineError } from "../diagnostic.js";

export const testContextField = defineError(
  "E0625",
  "test context field without a meaning",
  "`test(prog, ctx)` also takes a struct you declare yourself, as KernelScript 0.1.1's examples do (`XdpTestContext { packet_size, interface_id, expected_action }`). Each field must say something the test run can do: `packet_size` is a frame of that many zero bytes, `interface_id` the receiving interface (`ingress_ifindex`), `expected_action` is not used by the run (the test compares the result itself), and a field named like a `TestRun` field (`ingress_ifindex`, `rx_queue_index`, `ifindex`, `mark`, `priority`, `repeat`) sets it. Fields are integers. Any other field would be silently ignored (the reference ignores the whole struct), so it is an error.",
  (struct: string, field: string, why: string, allowed: string) => ({
    message: `\`${struct}.${field}\` ${why}`,
    label: `this \`${struct}\` is the test run's context`,
    help: `the fields a test context may have here: ${allowed}; rename or remove the field, or pass a \`TestRun\``,
  }),
);
