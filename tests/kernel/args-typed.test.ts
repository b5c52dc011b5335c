// The generated Args parser's typed options (kernel/args-options.ts): a u64 takes a
// duration, arrays are repeated options (commas too) with their `NAME_count`, u8[4] /
// u8[16] / u8[6] are IPv4 / IPv6 / MAC addresses, an LPM-key struct is a prefix, the
// `positional` field takes the arguments after the options; main
// prints what it got (so the program is loaded: a kernel test). Bad values exit 2 with
// one line naming the option, what it expects and what was given.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("args-typed.test", kernelSkipReason());

kernelTest("typed options: durations, repeated ports and prefixes, addresses, MAC, positional arguments; --help; bad values exit 2", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "args_typed.ks"));
  try {
    const run = (...args: string[]) => spawnSync(build.binary, args, { encoding: "utf8" });
    const ok = run("--interval", "250ms", "--port", "80", "--ports", "1,2", "--ports", "3", "--deny", "198.18.0.0/15",
      "--deny", "10.0.0.1,192.168.0.0/16", "--deny6", "2001:db8::/32", "--peer", "192.0.2.1", "--peer6", "::1",
      "--mac", "02:00:00:00:00:0a", "--verbose", "first", "second");
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, [
      "interval 250000000 port 80 ports 3: 1 2 3",
      "deny 3: 198.18.0.0/15 10.0.0.1/32 192.168.0.0/16",
      "deny6 2001:db8::/32 peer 192.0.2.1 peer6 ::1 mac 02:00:00:00:00:0a verbose 1",
      "positional 2: [first] [second]",
      "",
    ].join("\n"));
    // Host bits of a prefix are cleared, as iptables and nft do.
    const masked = run("--deny", "198.18.0.1/24", "--deny", "10.255.255.255/9,1.2.3.4/0", "--deny6", "2001:db8:ffff::1/33");
    assert.equal(masked.status, 0, masked.stderr);
    assert.match(masked.stdout, /^deny 3: 198\.18\.0\.0\/24 10\.128\.0\.0\/9 0\.0\.0\.0\/0\ndeny6 2001:db8:8000::\/33 /m);
    assert.match(run("--interval", "2m").stdout, /^interval 120000000000 /);
    assert.match(run("--interval", "17").stdout, /^interval 17 /, "a plain number stays a number");
    assert.match(run().stdout, /ports 0:\ndeny 0:\n/, "no values: the counts are 0");

    const help = run("--help");
    assert.equal(help.status, 0);
    for (const line of [/--interval N\|DURATION +integer .*or a duration/, /--ports N +integer 0\.\.65535 \(u16\); repeatable, at most 4/,
      /--deny PREFIX +an IPv4 prefix like 198\.18\.0\.0\/15 \(V4Key\); repeatable, at most 8/, /--peer6 ADDR +an IPv6 address/, /--mac MAC +a MAC address/]) {
      assert.match(help.stdout, line);
    }
    assert.doesNotMatch(help.stdout, /_count/, "the count fields are not options");
    assert.match(help.stdout, /^usage: args_typed \[options\] \[STR\.\.\.\]$/m);
    assert.match(help.stdout, /^ {2}STR +the arguments after the options: string, at most 16 bytes \(str\(16\)\); at most 3$/m);

    const bad: [string[], RegExp][] = [
      [["--interval", "5sec"], /^error: --interval expects an integer between 0 and 18446744073709551615 \(u64\) or a duration such as 250ms, got '5sec'$/m],
      [["--deny", "1.2.3.4/33"], /^error: --deny expects an IPv4 prefix like 198\.18\.0\.0\/15 \(V4Key\), got '1\.2\.3\.4\/33'$/m],
      [["--deny", "10.0.0.0/8,nope"], /got 'nope'/],
      [["--ports", "1,2,3,4,5"], /^error: --ports takes at most 4 values, got '5'$/m],
      [["--peer", "::1"], /^error: --peer expects an IPv4 address like 192\.0\.2\.1 \(u8\[4\]\), got '::1'$/m],
      [["--mac", "02:00:00:00:00"], /--mac expects a MAC address/],
      [["--port", "65536"], /--port expects an integer between 0 and 65535/],
      [["a", "b", "c", "d"], /^error: at most 3 arguments after the options, got 'd' too$/m],
      [["a-positional-argument-too-long"], /^error: the argument takes at most 16 bytes, got 'a-positional-argument-too-long'$/m],
    ];
    for (const [args, message] of bad) {
      const result = run(...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /see --help/);
    }
  } finally {
    build.cleanup();
  }
});
