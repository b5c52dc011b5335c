//! The command line as data: every command, argument and flag is declared once here;
//! the argv parser and the `--help` texts are generated from these declarations, so the
//! help can never disagree with what is accepted.

import { UsageError } from "./failures.js";

export interface FlagSpec {
  /** Key in `ParsedCommand.flags`. */
  readonly name: string;
  readonly long: string;
  readonly short?: string;
  /** Placeholder of the value (`DIR`) when the flag takes one; boolean flags have none. */
  readonly value?: string;
  /** Allowed values, when the set is closed. */
  readonly choices?: readonly string[];
  readonly description: string;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  /** The last argument only: any number of words, none included (`fmt FILE…`). */
  readonly repeated?: true;
  /** Allowed values, when the set is closed. */
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments, all required except a `repeated` last one. */
  readonly arguments: readonly ArgumentSpec[];
  readonly flags: readonly FlagSpec[];
  /** Words after `--` are passed on (to the user-space program of `run`). */
  readonly passThrough?: string;
}

const outputFlag: FlagSpec = {
  name: "output",
  long: "--output",
  short: "-o",
  value: "DIR",
  description: "output directory (default: ./NAME, NAME being the file's base name)",
};

const denyWarningsFlag: FlagSpec = {
  name: "denyWarnings",
  long: "--deny-warnings",
  description: "treat every warning as an error (also `KS_DENY_WARNINGS=1`, or `// kernelscript: deny-warnings` in the file)",
};

/** Shells `kernelscript completion SHELL` writes a script for (src/cli/completion.ts). */
export const completionShells = ["bash", "zsh", "fish"] as const;

const sourceArgument: ArgumentSpec = { name: "FILE.ks", description: "the KernelScript source file" };

export const commands: readonly CommandSpec[] = [
  {
    name: "compile",
    summary: "write NAME.bpf.c, NAME.c, NAME.h and a Makefile into a directory",
    arguments: [sourceArgument],
    flags: [
      outputFlag,
      { name: "noMakefile", long: "--no-makefile", description: "do not write the Makefile" },
      { name: "test", long: "--test", description: "test mode: also write NAME.test.c and a `make test` target (needs @test functions)" },
      denyWarningsFlag,
    ],
  },
  {
    name: "build",
    summary: "compile, then run make: DIR/NAME.bpf.o and the loader DIR/NAME; as root, also load each program (verifier check)",
    arguments: [sourceArgument],
    flags: [
      outputFlag,
      { name: "noKernelCheck", long: "--no-kernel-check", description: "do not load the programs into the kernel to check them with its verifier" },
      denyWarningsFlag,
    ],
  },
  {
    name: "check",
    summary: "report errors and warnings only; writes nothing",
    arguments: [sourceArgument],
    flags: [
      {
        name: "format",
        long: "--format",
        value: "FORMAT",
        choices: ["text", "json"],
        description: "`text` (default, on stderr) or `json` (one object on stdout)",
      },
      { name: "test", long: "--test", description: "also check the test-mode rules (the file must have @test functions)" },
      {
        name: "kernel",
        long: "--kernel",
        description: "also build the eBPF object and load every program into this kernel (root): verifier rejections are shown on the .ks line",
      },
      denyWarningsFlag,
    ],
  },
  {
    name: "explain",
    summary: "show the generated C and (as root, after a build) the kernel's instructions for one .ks line",
    arguments: [{ name: "FILE.ks:LINE", description: "the source file and a line number in it" }],
    flags: [outputFlag],
  },
  {
    name: "test",
    summary: "build in test mode and run every @test function in the kernel (BPF_PROG_TEST_RUN; needs root), or in the interpreter (--interpret)",
    arguments: [sourceArgument],
    flags: [
      { name: "filter", long: "--filter", value: "SUBSTR", description: "run only the tests whose name contains SUBSTR" },
      {
        name: "interpret",
        long: "--interpret",
        description: "run the tests in the reference interpreter instead of the kernel (no root, no bpf(); automatic, with a notice, when either is missing)",
      },
      {
        name: "trace",
        long: "--trace",
        value: "FILE",
        description: "write what every test observed (runs, return values, packets, map contents) to FILE as JSON (docs/language/testing.md)",
      },
      {
        name: "stepLimit",
        long: "--step-limit",
        value: "N",
        description: "with --interpret: the steps (statements, loop iterations, calls) one test may take (default 20000000)",
      },
      {
        name: "format",
        long: "--format",
        value: "FORMAT",
        choices: ["text", "json", "tap"],
        description: "`text` (default), `json` (one object on stdout) or `tap` (TAP version 14 on stdout); build output and diagnostics go to stderr",
      },
      {
        name: "output",
        long: "--output",
        short: "-o",
        value: "DIR",
        description: "keep the test build in DIR (default: a temporary directory, removed afterwards)",
      },
      denyWarningsFlag,
    ],
  },
  {
    name: "run",
    summary: "build (only what changed since the last run), then run the loader with ARGS as root and exit with its exit code",
    arguments: [sourceArgument],
    flags: [
      { ...outputFlag, description: "build into DIR (default: a directory of the cache, ~/.cache/kernelscript/run/NAME-HASH, kept for the next run)" },
      denyWarningsFlag,
    ],
    passThrough: "ARGS",
  },
  {
    name: "package",
    summary: "build a loader image (the loader statically linked, FROM scratch) and a bpfman bytecode image with podman, and write Kubernetes manifests (a DaemonSet; bpfman's ClusterBpfApplication) and a README into a directory",
    arguments: [sourceArgument],
    flags: [
      { ...outputFlag, description: "package directory (default: ./NAME-package)" },
      { name: "image", long: "--image", value: "NAME:TAG", description: "the loader image's name (default: localhost/NAME:latest); the bytecode image is NAME-bytecode:TAG" },
      { name: "interface", long: "--interface", value: "IFACE[,IFACE…]", description: "the interfaces XDP and TC programs attach to on every node (needed when the file has such programs)" },
      { name: "namespace", long: "--namespace", value: "NS", description: "the namespace of the DaemonSet (default: kernelscript)" },
      { name: "metricsPort", long: "--metrics-port", value: "PORT", description: "the loader's metrics port in the DaemonSet (default: 9464; on the host network each application on a node needs its own)" },
      { name: "noImages", long: "--no-images", description: "write the files and build the loader, but build no image (no podman needed)" },
      {
        name: "push",
        long: "--push",
        value: "DEST",
        description: "then push both images: to a registry path (`registry.example.com/team`: the images and the manifests are named there) or a local destination (`oci:DIR`)",
      },
      denyWarningsFlag,
    ],
    passThrough: "ARGS",
  },
  {
    name: "init",
    // Static: the launcher's bundle holds no compiler (tests/unit/cli-bundle.test.ts); an
    // unknown KIND is answered with every kind, derived from the program-type catalogue.
    summary: "start a project typed from the kernel's BTF (KIND: xdp, tc/ingress, tc/egress, tracepoint/CAT/EVENT, probe/FN[+OFF], perf_event, tcp_congestion_ops or another struct_ops, or any other program type's attribute with an optional /TARGET: cgroup_skb/egress, uprobe, sk_msg, …; an unknown KIND is answered with the list of all)",
    arguments: [
      { name: "KIND", description: "the program type to start from" },
      { name: "NAME", description: "project name (an identifier): NAME/NAME.ks, the .kh header, README.md" },
    ],
    flags: [
      { name: "btf", long: "--btf", value: "PATH", description: "kernel BTF to type the project from (default: /sys/kernel/btf/vmlinux)" },
      { ...outputFlag, description: "directory to create (default: ./NAME; must not exist)" },
    ],
  },
  {
    name: "completion",
    summary: "print the shell completion script for SHELL, made from these option tables (e.g. `source <(kernelscript completion bash)`)",
    arguments: [{ name: "SHELL", description: "`bash`, `zsh` or `fish`", choices: completionShells }],
    flags: [],
  },
  {
    name: "fmt",
    summary: "rewrite .ks/.kh files in the canonical layout, in place (comments kept; the syntax tree is checked to be unchanged)",
    arguments: [{ name: "FILE", description: "the .ks/.kh files to format (none with --stdin)", repeated: true }],
    flags: [
      { name: "check", long: "--check", description: "write nothing; list the files that are not formatted and exit 1 if there are any" },
      { name: "stdin", long: "--stdin", description: "format standard input and write the result to standard output" },
    ],
  },
  {
    name: "lsp",
    summary: "run the language server (LSP) on stdin/stdout, for editors",
    arguments: [],
    flags: [{ name: "stdio", long: "--stdio", description: "talk over stdin/stdout (the only transport, and the default; language clients pass it)" }],
  },
];

/** The exit codes (DESIGN.md section 5), for the help and the man page. */
export const exitCodes: readonly { readonly code: string; readonly meaning: string }[] = [
  { code: "0", meaning: "success" },
  { code: "1", meaning: "the program has errors (diagnostics on stderr); `test`: a test failed" },
  { code: "2", meaning: "bad command-line usage" },
  { code: "3", meaning: "the machine lacks a tool, header, privilege or BTF (the fix is printed)" },
  { code: "70", meaning: "internal compiler error (please report it)" },
  { code: "129, 130, 143", meaning: "stopped by SIGHUP, SIGINT or SIGTERM after undoing partial work" },
  { code: "other", meaning: "`run`, once the loader ran: the loader's own exit code (128 + N when signal N ended it)" },
];

export const helpFlag: FlagSpec = { name: "help", long: "--help", short: "-h", description: "show this help" };
export const versionFlag: FlagSpec = { name: "version", long: "--version", short: "-V", description: "print the version" };

export interface ParsedCommand {
  readonly kind: "command";
  readonly command: CommandSpec;
  readonly args: readonly string[];
  /** Boolean flags map to `true`, valued flags to their value; absent flags are absent. */
  readonly flags: ReadonlyMap<string, string | true>;
  readonly passThrough: readonly string[];
}

export type ParsedArgv =
  | ParsedCommand
  | { readonly kind: "help"; readonly command: CommandSpec | undefined }
  | { readonly kind: "version" };

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name);
}

/** Parses `argv` (without `node` and the script). Throws `UsageError` on bad input. */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError("no command given");
  if (first === "-h" || first === "--help") return { kind: "help", command: undefined };
  if (first === "-V" || first === "--version") return { kind: "version" };
  if (first === "help") {
    const topic = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && !topic) throw new UsageError(`unknown command \`${rest[0]}\``);
    return { kind: "help", command: topic };
  }
  if (first.startsWith("-")) throw new UsageError(`unknown option \`${first}\` (a command comes first)`);
  const command = findCommand(first);
  if (!command) throw new UsageError(`unknown command \`${first}\`${suggestion(first, commands.map((c) => c.name))}`);
  return parseCommandArgs(command, rest);
}

function parseCommandArgs(command: CommandSpec, words: readonly string[]): ParsedArgv {
  const flags = new Map<string, string | true>();
  const args: string[] = [];
  const passThrough: string[] = [];
  const known = [...command.flags, helpFlag];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === "--") {
      // After `--`: arguments for the program (`run`), or positionals that start with `-`.
      const remaining = words.slice(i + 1);
      if (command.passThrough !== undefined) passThrough.push(...remaining);
      else args.push(...remaining);
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      args.push(word);
      continue;
    }
    const equals = word.startsWith("--") ? word.indexOf("=") : -1;
    const spelled = equals >= 0 ? word.slice(0, equals) : word;
    const flag = known.find((f) => f.long === spelled || f.short === spelled);
    if (!flag) {
      const names = known.map((f) => f.long);
      throw new UsageError(`unknown option \`${spelled}\` for \`${command.name}\`${suggestion(spelled, names)}`, command.name);
    }
    if (flag === helpFlag) return { kind: "help", command };
    if (flag.value === undefined) {
      if (equals >= 0) throw new UsageError(`option \`${flag.long}\` takes no value`, command.name);
      flags.set(flag.name, true);
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = word.slice(equals + 1);
    else value = words[++i];
    if (value === undefined || value === "") {
      throw new UsageError(`option \`${spelled}\` needs a value (${flag.value})`, command.name);
    }
    if (flag.choices && !flag.choices.includes(value)) {
      throw new UsageError(`option \`${flag.long}\` must be one of ${flag.choices.map((c) => `\`${c}\``).join(", ")}, not \`${value}\``, command.name);
    }
    flags.set(flag.name, value);
  }
  const repeated = command.arguments[command.arguments.length - 1]?.repeated === true;
  const required = command.arguments.length - (repeated ? 1 : 0);
  if (args.length < required) {
    const missing = command.arguments.slice(args.length, required).map((a) => a.name).join(" ");
    throw new UsageError(`\`${command.name}\` needs ${missing}`, command.name);
  }
  if (!repeated && args.length > command.arguments.length) {
    throw new UsageError(`unexpected argument \`${args[command.arguments.length]}\` for \`${command.name}\``, command.name);
  }
  command.arguments.forEach((argument, i) => {
    const value = args[i];
    if (value !== undefined && argument.choices && !argument.choices.includes(value)) {
      throw new UsageError(`${argument.name} must be one of ${argument.choices.map((c) => `\`${c}\``).join(", ")}, not \`${value}\``, command.name);
    }
  });
  return { kind: "command", command, args, flags, passThrough };
}

/** ` (did you mean `x`?)` for a near miss, or "". */
function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean \`${best}\`?)`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    row = next;
  }
  return row[b.length]!;
}

// ---------------------------------------------------------------------------------------
// Help texts, generated from the declarations above.

export function usageLine(command: CommandSpec): string {
  const parts = ["kernelscript", command.name, ...command.arguments.map((a) => (a.repeated ? `[${a.name}…]` : a.name))];
  for (const flag of command.flags) {
    const spelled = flag.short ?? flag.long;
    parts.push(flag.value === undefined ? `[${spelled}]` : `[${spelled} ${flag.value}]`);
  }
  if (command.passThrough !== undefined) parts.push(`[-- ${command.passThrough}]`);
  return parts.join(" ");
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usageLine(command)}`, "", `${capitalize(command.summary)}.`];
  if (command.arguments.length > 0) {
    lines.push("", "Arguments:");
    lines.push(...table(command.arguments.map((a) => [a.name, a.description])));
  }
  lines.push("", "Options:");
  lines.push(...table([...command.flags, helpFlag].map((flag) => [flagColumn(flag), flag.description])));
  return lines.join("\n") + "\n";
}

export function generalHelp(): string {
  const lines = [
    "kernelscript: one .ks file in, eBPF C + libbpf loader + Makefile out",
    "",
    "Usage: kernelscript COMMAND [OPTIONS]",
    "",
    "Commands:",
    ...table(commands.map((command) => [usageLine(command).replace(/^kernelscript /, ""), command.summary])),
    "",
    "Options:",
    ...table([helpFlag, versionFlag].map((flag) => [flagColumn(flag), flag.description])),
    "",
    "Run `kernelscript COMMAND --help` for the options of one command.",
    "",
    "Exit codes:",
    ...table(exitCodes.map(({ code, meaning }) => [code, meaning])),
  ];
  return lines.join("\n") + "\n";
}

export function flagColumn(flag: FlagSpec): string {
  const spelled = flag.short ? `${flag.short}, ${flag.long}` : `    ${flag.long}`;
  return flag.value === undefined ? spelled : `${spelled} ${flag.value}`;
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
