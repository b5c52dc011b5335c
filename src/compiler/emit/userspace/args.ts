//! The command-line parser generated for `fn main(args: Args) -> i32`.
//!
//! Every field of `Args` is an option named after it (`--limit 5`, `--limit=5`; a field
//! `max_rate` is also accepted as `--max-rate`):
//!   - integers: strtoll/strtoull (decimal, 0x hex, 0 octal), range-checked for the type;
//!     a `u64` also takes a duration (`250ms`);
//!   - bool: a flag without a value (`--verbose` sets it);
//!   - str(N): at most N bytes;
//!   - IPv4/IPv6/MAC addresses, prefixes (LPM-trie key structs), and arrays of any of
//!     these as repeated options (kernel/args-options.ts says which type reads what;
//!     the typed parsers are runtime-c/args-parsers.c).
//! `-h`/`--help` prints every option with its type and exits 0; an unknown option, a
//! missing or bad value, or a stray argument prints one error line and a usage hint to
//! stderr and exits 2. Options not given stay zero (false, empty). Parsing happens
//! before the eBPF object is loaded, so `--help` and usage errors need no privileges.
//!
//! C API: `static int ks_parse_args(int argc, char **argv, struct Args *args)` returns 0
//! to run, 1 after `--help`, -1 on a usage error.

import type { IrModule } from "../../ir.js";
import type { StructLayout, Type } from "../../types.js";
import { intRange, typeToString } from "../../types.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { binaryFileName } from "../../names.js";
import { argsCountField, argsCountFields, argsOptionKind, argsPositionalField, type ArgsOptionKind, type ArgsValueKind } from "../../kernel/args-options.js";
import { pasteRuntimeC } from "./runtime-c.js";
import { fleetOptionRows } from "./fleet-options.js";

function optionName(field: string): string {
  return field;
}

type Structs = (name: string) => StructLayout | undefined;

function structLookup(module: IrModule): Structs {
  return (name) => module.structs.find((s) => s.name === name);
}

interface ArgsField { readonly name: string; readonly type: Type; readonly option: ArgsOptionKind }

/** The fields read from the command line (a list's `NAME_count` is filled in, not read). */
function readFields(module: IrModule, layout: StructLayout): ArgsField[] {
  const structOf = structLookup(module);
  const counts = argsCountFields(layout, structOf);
  return layout.fields.filter((f) => !counts.has(f.name)).map((f) => ({ name: f.name, type: f.type, option: argsOptionKind(f.type, structOf)! }));
}

/** The fields that are `--options` (all read fields but `positional`). */
function optionFields(module: IrModule, layout: StructLayout): ArgsField[] {
  return readFields(module, layout).filter((f) => f.name !== argsPositionalField);
}

function positionalField(module: IrModule, layout: StructLayout): ArgsField | undefined {
  return readFields(module, layout).find((f) => f.name === argsPositionalField);
}

/** `[ARG]` / `[ARG...]` in the usage line. */
function positionalUsage(field: ArgsField | undefined): string {
  if (!field) return "";
  return field.option.kind === "list" ? ` [${positionalName(field)}...]` : ` [${positionalName(field)}]`;
}

function positionalName(field: ArgsField): string {
  return valueName(field.option.value).trim().split("|")[0] || "ARG";
}

function valueName(value: ArgsValueKind): string {
  switch (value.kind) {
    case "bool": return "";
    case "str": return " STR";
    case "int": return value.duration ? " N|DURATION" : " N";
    case "ipv4": case "ipv6": return " ADDR";
    case "mac": return " MAC";
    case "prefix": return " PREFIX";
  }
}

/** What a value of the option is, for `--help` and error messages. */
function valueText(value: ArgsValueKind, type: Type): string {
  switch (value.kind) {
    case "bool": return "flag (bool): set to true when given";
    case "str": return `string, at most ${type.kind === "str" ? type.size : 0} bytes (str(${type.kind === "str" ? type.size : 0}))`;
    case "int": {
      if (type.kind !== "int") return typeToString(type);
      const { min, max } = intRange(type);
      return `integer ${min}..${max} (${typeToString(type)})${value.duration ? ", or a duration in ns: 250ms, 1s, 5m" : ""}`;
    }
    case "ipv4": return "an IPv4 address like 192.0.2.1 (u8[4])";
    case "ipv6": return "an IPv6 address like 2001:db8::1 (u8[16])";
    case "mac": return "a MAC address like 02:00:00:00:00:01 (u8[6])";
    case "prefix": return `an ${value.bytes === 4 ? "IPv4 prefix like 198.18.0.0/15" : "IPv6 prefix like 2001:db8::/32"} (${typeToString(type)})`;
  }
}

/** Help lines: one per option, with its type. */
function helpLines(module: IrModule, layout: StructLayout): string[] {
  const binary = binaryFileName(module.name);
  const rows = optionFields(module, layout).map((f) => {
    const value = f.option.value;
    const element = f.option.kind === "list" && f.type.kind === "array" ? f.type.element : f.type;
    const left = `  --${optionName(f.name)}${valueName(value)}`;
    const right = f.option.kind === "list"
      ? `${valueText(value, element)}; repeatable, at most ${f.option.capacity} (commas also separate values)`
      : valueText(value, element);
    return [left, right] as const;
  });
  rows.push(["  -h, --help", "show this help and exit"]);
  for (const [left, right] of fleetOptionRows) rows.push([`  ${left}`, right]);
  const positional = positionalField(module, layout);
  if (positional) {
    const element = positional.option.kind === "list" && positional.type.kind === "array" ? positional.type.element : positional.type;
    const what = valueText(positional.option.value, element);
    rows.push([`  ${positionalName(positional)}`, positional.option.kind === "list"
      ? `the arguments after the options: ${what}; at most ${positional.option.capacity}`
      : `the argument after the options: ${what}`]);
  }
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: ${binary} [options]${positionalUsage(positional)}`,
    "",
    `Loads the eBPF programs of ${module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1)} and runs main. Options not given are 0 / false / empty.`,
    "",
    "options:",
    ...rows.map(([left, right]) => left.padEnd(width) + right),
  ];
}

/** Whether a field needs the typed parsers of runtime-c/args-parsers.c. */
function usesTypedParsers(value: ArgsValueKind): boolean {
  return value.kind === "ipv4" || value.kind === "ipv6" || value.kind === "mac" || value.kind === "prefix" || (value.kind === "int" && value.duration);
}

export function emitArgsParser(w: CWriter, module: IrModule, layout: StructLayout): void {
  const binary = binaryFileName(module.name);
  const struct = `struct ${layout.name}`;
  const fields = optionFields(module, layout);
  if (fields.some((f) => usesTypedParsers(f.option.value))) pasteRuntimeC(w, "args-parsers");
  w.block("static void ks_args_usage(FILE *out)", () => {
    for (const line of helpLines(module, layout)) w.line(`fputs(${cString(line + "\n")}, out);`);
  });
  w.line();
  w.block(`static int ks_args_error(const char *message, const char *option, const char *value)`, () => {
    w.line(`fprintf(stderr, "error: %s %s, got '%s'\\n", option, message, value);`);
    w.line(`fprintf(stderr, ${cString(`usage: ${binary} [options] (see --help)\n`)});`);
    w.line("return -1;");
  });
  w.line();
  w.block(`static int ks_parse_args(int argc, char **argv, ${struct} *args)`, () => {
    w.line("static const struct option options[] = {");
    w.indent();
    fields.forEach((f, i) => {
      const hasArg = f.option.value.kind === "bool" ? "no_argument" : "required_argument";
      w.line(`{ ${cString(optionName(f.name))}, ${hasArg}, NULL, ${256 + i} },`);
      if (f.name.includes("_")) w.line(`{ ${cString(f.name.replace(/_/g, "-"))}, ${hasArg}, NULL, ${256 + i} },`);
    });
    w.line('{ "help", no_argument, NULL, \'h\' },');
    w.line("{ NULL, 0, NULL, 0 },");
    w.dedent();
    w.line("};");
    const lists = fields.filter((f) => f.option.kind === "list");
    if (lists.length > 0) {
      w.comment("How many values each repeated option got so far, by option.");
      w.line(`int given[${fields.length}] = { 0 };`);
    }
    w.comment("getopt reports unknown options and missing values itself (\"unrecognized option\").");
    w.line("opterr = 1;");
    w.line("int c;");
    w.block('while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)', () => {
      w.line("switch (c) {");
      w.line("case 'h':");
      w.line("    ks_args_usage(stdout);");
      w.line("    return 1;");
      fields.forEach((f, i) => {
        w.line(`case ${256 + i}: {`);
        w.indent();
        if (f.option.kind === "list" && f.type.kind === "array") {
          emitListParse(w, f.name, f.type.element, f.option.value, f.option.capacity, i);
        } else {
          emitValueParse(w, f.name, "optarg", `args->${f.name}`, f.type, f.option.value);
        }
        w.line("break;");
        w.dedent();
        w.line("}");
      });
      w.line("default:");
      w.line(`    fprintf(stderr, ${cString(`usage: ${binary} [options] (see --help)\n`)});`);
      w.line("    return -1;");
      w.line("}");
    });
    const positional = positionalField(module, layout);
    if (positional) emitPositional(w, positional, binary);
    w.block("if (optind < argc)", () => {
      w.line(`fprintf(stderr, "error: unexpected argument '%s' (options are written --name value)\\n", argv[optind]);`);
      w.line(`fprintf(stderr, ${cString(`usage: ${binary} [options]${positionalUsage(positional)} (see --help)\n`)});`);
      w.line("return -1;");
    });
    const counted = argsCountFields(layout, structLookup(module));
    fields.forEach((f, i) => {
      if (counted.has(argsCountField(f.name))) w.line(`args->${argsCountField(f.name)} = given[${i}];`);
    });
    if (positional?.option.kind === "list" && counted.has(argsCountField(positional.name))) {
      w.line(`args->${argsCountField(positional.name)} = positional_given;`);
    }
    if (layout.fields.length === 0) w.line("(void)args;");
    w.line("return 0;");
  });
  w.line();
}

/** The arguments after the options into the `positional` field: one value, or a list (at most its length). */
function emitPositional(w: CWriter, field: ArgsField, binary: string): void {
  const element = field.option.kind === "list" && field.type.kind === "array" ? field.type.element : field.type;
  if (field.option.kind !== "list") {
    w.block("if (optind < argc)", () => {
      w.line("const char *item = argv[optind++];");
      emitValueParse(w, field.name, "item", `args->${field.name}`, element, field.option.value);
    });
    return;
  }
  const capacity = field.option.capacity;
  w.line("int positional_given = 0;");
  w.block("for (; optind < argc; optind++)", () => {
    w.line("const char *item = argv[optind];");
    w.block(`if (positional_given == ${capacity})`, () => {
      w.line(`fprintf(stderr, "error: at most ${capacity} arguments after the options, got '%s' too\\n", item);`);
      w.line(`fprintf(stderr, ${cString(`usage: ${binary} [options]${positionalUsage(field)} (see --help)\n`)});`);
      w.line("return -1;");
    });
    emitValueParse(w, field.name, "item", `args->${field.name}[positional_given]`, element, field.option.value);
    w.line("positional_given++;");
  });
}

/** A repeated option: each value (commas separate several) into the next element. */
function emitListParse(w: CWriter, field: string, element: Type, value: ArgsValueKind, capacity: number, index: number): void {
  w.line("char *copy = strdup(optarg);");
  w.line(`if (!copy) return ks_args_error("cannot be read (out of memory)", ${cString(`--${field}`)}, optarg);`);
  w.line("char *save = NULL;");
  w.block('for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))', () => {
    w.block(`if (given[${index}] == ${capacity})`, () => {
      w.line(`return ks_args_error("takes at most ${capacity} values", ${cString(`--${field}`)}, item);`);
    });
    emitValueParse(w, field, "item", `args->${field}[given[${index}]]`, element, value);
    w.line(`given[${index}]++;`);
  });
  w.line("free(copy);");
}

/** One value from the C string `text` into the place `target`. */
function emitValueParse(w: CWriter, field: string, text: string, target: string, type: Type, value: ArgsValueKind): void {
  // How the error line names what was read: `--deny`, or the positional argument.
  const option = cString(field === argsPositionalField ? "the argument" : `--${optionName(field)}`);
  const fail = (message: string): void => {
    w.line(`return ks_args_error(${cString(message)}, ${option}, ${text});`);
  };
  switch (value.kind) {
    case "bool":
      w.line(`${target} = true;`);
      return;
    case "ipv4": case "ipv6":
      w.block(`if (ks_parse_address(${text}, ${target}, ${value.kind === "ipv4" ? 4 : 16}) != 0)`, () => fail(`expects ${valueText(value, type)}`));
      return;
    case "mac":
      w.block(`if (ks_parse_mac(${text}, ${target}) != 0)`, () => fail(`expects ${valueText(value, type)}`));
      return;
    case "prefix":
      w.block(`if (ks_parse_prefix(${text}, &${target}.prefixlen, (void *)&${target}.${value.addressField}, ${value.bytes}) != 0)`, () => fail(`expects ${valueText(value, type)}`));
      return;
    case "str":
      if (type.kind !== "str") return;
      w.block(`if (strlen(${text}) > ${type.size})`, () => fail(`takes at most ${type.size} bytes`));
      w.line(`memset(&${target}, 0, sizeof(${target}));`);
      w.line(`memcpy(${target}.data, ${text}, strlen(${text}));`);
      return;
    case "int": {
      if (type.kind !== "int") return;
      const { min, max } = intRange(type);
      const message = `expects an integer between ${min} and ${max} (${typeToString(type)})${value.duration ? " or a duration such as 250ms" : ""}`;
      if (value.duration) {
        w.line("__u64 value = 0;");
        w.block(`if (ks_parse_u64_or_duration(${text}, &value) != 0)`, () => fail(message));
        w.line(`${target} = value;`);
        return;
      }
      w.line("char *end = NULL;");
      w.line("errno = 0;");
      if (type.signed) {
        w.line(`long long value = strtoll(${text}, &end, 0);`);
        const range = type.bits === 64 ? "" : ` || value < ${min}LL || value > ${max}LL`;
        w.block(`if (errno != 0 || end == ${text} || *end != '\\0'${range})`, () => fail(message));
      } else {
        w.comment("strtoull accepts \"-1\" (and wraps it): reject a sign explicitly.");
        w.line(`const char *digits = ${text};`);
        w.line("while (isspace((unsigned char)*digits)) digits++;");
        w.line(`unsigned long long value = strtoull(${text}, &end, 0);`);
        const range = type.bits === 64 ? "" : ` || value > ${max}ULL`;
        w.block(`if (*digits == '-' || errno != 0 || end == ${text} || *end != '\\0'${range})`, () => fail(message));
      }
      w.line(`${target} = (${type.signed ? "__s" : "__u"}${type.bits})value;`);
      return;
    }
  }
}
