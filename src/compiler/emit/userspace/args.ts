//! The command-line parser generated for `fn main(args: Args) -> i32`.
//!
//! Every field of `Args` is an option named after it (`--limit 5`, `--limit=5`; a field
//! `max_rate` is also accepted as `--max-rate`):
//!   - integers: strtoll/strtoull (decimal, 0x hex, 0 octal), range-checked for the type;
//!   - bool: a flag without a value (`--verbose` sets it);
//!   - str(N): at most N bytes.
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

function optionName(field: string): string {
  return field;
}

function valueName(type: Type): string {
  return type.kind === "bool" ? "" : type.kind === "str" ? ` STR` : " N";
}

/** Help lines: one per option, with its type. */
function helpLines(module: IrModule, layout: StructLayout): string[] {
  const binary = binaryFileName(module.name);
  const rows = layout.fields.map((f) => {
    const left = `  --${optionName(f.name)}${valueName(f.type)}`;
    let right: string;
    if (f.type.kind === "bool") right = "flag (bool): set to true when given";
    else if (f.type.kind === "str") right = `string, at most ${f.type.size} bytes (str(${f.type.size}))`;
    else if (f.type.kind === "int") {
      const { min, max } = intRange(f.type);
      right = `integer ${min}..${max} (${typeToString(f.type)})`;
    } else right = typeToString(f.type);
    return [left, right] as const;
  });
  rows.push(["  -h, --help", "show this help and exit"]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `usage: ${binary} [options]`,
    "",
    `Loads the eBPF programs of ${module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1)} and runs main. Options not given are 0 / false / empty.`,
    "",
    "options:",
    ...rows.map(([left, right]) => left.padEnd(width) + right),
  ];
}

export function emitArgsParser(w: CWriter, module: IrModule, layout: StructLayout): void {
  const binary = binaryFileName(module.name);
  const struct = `struct ${layout.name}`;
  w.block("static void ks_args_usage(FILE *out)", () => {
    for (const line of helpLines(module, layout)) w.line(`fputs(${cString(line + "\n")}, out);`);
  });
  w.line();
  w.block(`static int ks_args_error(const char *message, const char *option, const char *value)`, () => {
    w.line(`fprintf(stderr, "error: --%s %s, got '%s'\\n", option, message, value);`);
    w.line(`fprintf(stderr, ${cString(`usage: ${binary} [options] (see --help)\n`)});`);
    w.line("return -1;");
  });
  w.line();
  w.block(`static int ks_parse_args(int argc, char **argv, ${struct} *args)`, () => {
    w.line("static const struct option options[] = {");
    w.indent();
    layout.fields.forEach((f, i) => {
      const hasArg = f.type.kind === "bool" ? "no_argument" : "required_argument";
      w.line(`{ ${cString(optionName(f.name))}, ${hasArg}, NULL, ${256 + i} },`);
      if (f.name.includes("_")) w.line(`{ ${cString(f.name.replace(/_/g, "-"))}, ${hasArg}, NULL, ${256 + i} },`);
    });
    w.line('{ "help", no_argument, NULL, \'h\' },');
    w.line("{ NULL, 0, NULL, 0 },");
    w.dedent();
    w.line("};");
    w.comment("getopt reports unknown options and missing values itself (\"unrecognized option\").");
    w.line("opterr = 1;");
    w.line("int c;");
    w.block('while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)', () => {
      w.line("switch (c) {");
      w.line("case 'h':");
      w.line("    ks_args_usage(stdout);");
      w.line("    return 1;");
      layout.fields.forEach((f, i) => {
        w.line(`case ${256 + i}: {`);
        w.indent();
        emitFieldParse(w, f.name, f.type);
        w.line("break;");
        w.dedent();
        w.line("}");
      });
      w.line("default:");
      w.line(`    fprintf(stderr, ${cString(`usage: ${binary} [options] (see --help)\n`)});`);
      w.line("    return -1;");
      w.line("}");
    });
    w.block("if (optind < argc)", () => {
      w.line(`fprintf(stderr, "error: unexpected argument '%s' (options are written --name value)\\n", argv[optind]);`);
      w.line(`fprintf(stderr, ${cString(`usage: ${binary} [options] (see --help)\n`)});`);
      w.line("return -1;");
    });
    if (layout.fields.length === 0) w.line("(void)args;");
    w.line("return 0;");
  });
  w.line();
}

function emitFieldParse(w: CWriter, field: string, type: Type): void {
  const option = cString(optionName(field));
  switch (type.kind) {
    case "bool":
      w.line(`args->${field} = true;`);
      return;
    case "str":
      w.block(`if (strlen(optarg) > ${type.size})`, () => {
        w.line(`return ks_args_error("takes at most ${type.size} bytes", ${option}, optarg);`);
      });
      w.line(`memset(&args->${field}, 0, sizeof(args->${field}));`);
      w.line(`memcpy(args->${field}.data, optarg, strlen(optarg));`);
      return;
    case "int": {
      const { min, max } = intRange(type);
      const message = cString(`expects an integer between ${min} and ${max} (${typeToString(type)})`);
      w.line("char *end = NULL;");
      w.line("errno = 0;");
      if (type.signed) {
        w.line("long long value = strtoll(optarg, &end, 0);");
        const range = type.bits === 64 ? "" : ` || value < ${min}LL || value > ${max}LL`;
        w.block(`if (errno != 0 || end == optarg || *end != '\\0'${range})`, () => {
          w.line(`return ks_args_error(${message}, ${option}, optarg);`);
        });
      } else {
        w.comment("strtoull accepts \"-1\" (and wraps it): reject a sign explicitly.");
        w.line("const char *digits = optarg;");
        w.line("while (isspace((unsigned char)*digits)) digits++;");
        w.line("unsigned long long value = strtoull(optarg, &end, 0);");
        const range = type.bits === 64 ? "" : ` || value > ${max}ULL`;
        w.block(`if (*digits == '-' || errno != 0 || end == optarg || *end != '\\0'${range})`, () => {
          w.line(`return ks_args_error(${message}, ${option}, optarg);`);
        });
      }
      w.line(`args->${field} = (${type.signed ? "__s" : "__u"}${type.bits})value;`);
      return;
    }
    default:
      throw new Error(`internal: Args field ${field} of type ${typeToString(type)} reached the parser`);
  }
}
