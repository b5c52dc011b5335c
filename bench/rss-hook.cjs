// Preloaded (`node --require`) into a command the compiler benchmark runs: when the
// process exits, writes its peak resident set size (kilobytes, from getrusage) to the
// file named by KS_BENCH_RSS_FILE. bench/compiler.ts reads it.
"use strict";
const file = process.env.KS_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
