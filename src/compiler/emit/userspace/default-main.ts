//! The default user-space program (DESIGN.md section 4) for a `.ks` file without `main`:
//! consumes the IrModule, writes `main()` through a CWriter after the loader runtime
//! (runtime.ts) and the map accessors (maps.ts), whose functions it calls.
//!
//! Behaviour of the emitted binary:
//!   NAME -i IFACE [-i IFACE …] [--skb-mode] [--interval SECONDS] [--count N]
//!   - loads every program; attaches XDP/TC programs to every `-i` interface and other
//!     programs to their declared target;
//!   - prints every map (format in maps.ts) every interval, each print preceded by a
//!     line `--- snapshot K ---`; after SIGINT/SIGTERM one more print under
//!     `--- final ---`; `--count N` stops by itself after N prints (tests);
//!   - then detaches everything and exits 0. Bad usage exits 2 with a usage line; a
//!     failed load or attach exits 1 with a one-line cause.
//!   Status lines ("attached …", "detached …") go to stderr, map contents to stdout.

import type { IrModule, IrProgram } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { binaryFileName, programName, userMapFunctionName } from "../../names.js";
import { attachesToInterface } from "./runtime.js";
import { defaultSamplingHz } from "./perf-events.js";
import { cString } from "../c-code.js";
import { hasKeyValueView } from "./maps.js";
import { typeToString } from "../../types.js";
import { ringbufHelpLines, ringbufsOf } from "./ringbufs.js";
import { printsNextValue } from "../map-kinds-c.js";

/** The target a non-interface program attaches to (its attribute argument or section). */
function declaredTarget(program: IrProgram): string {
  if (program.target !== undefined) return program.target;
  const slash = program.section.indexOf("/");
  return slash < 0 ? "" : program.section.slice(slash + 1);
}

function helpText(module: IrModule): string[] {
  const binary = binaryFileName(module.name);
  const needsInterface = module.programs.some(attachesToInterface);
  const hasXdp = module.programs.some((p) => p.programType === "xdp");
  const printable = module.maps.filter(hasKeyValueView);
  const lines = [
    `usage: ${binary}${needsInterface ? " -i IFACE [-i IFACE ...]" : ""} [--interval SECONDS] [--count N]${hasXdp ? " [--skb-mode]" : ""}`,
    "",
    `Loads the eBPF programs compiled from ${module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1)} and attaches them:`,
  ];
  for (const program of module.programs) {
    const where = attachesToInterface(program)
      ? "to every interface given with -i"
      : program.programType === "perf_event"
        ? `to a software cpu-clock event sampling every online CPU at ${defaultSamplingHz} Hz`
        : `to ${declaredTarget(program) || "its declared target"}`;
    lines.push(`  ${program.name} (${program.programType}) ${where}`);
  }
  if (printable.length > 0) {
    lines.push("Then prints these maps every interval, decoded, one line per entry:");
    for (const map of printable) {
      lines.push(`  ${map.name}: ${map.mapKind}<${typeToString(map.keyType)}, ${typeToString(map.valueType)}>`);
    }
    for (const map of module.maps.filter(printsNextValue)) {
      lines.push(`  ${map.name}: ${map.mapKind}<${typeToString(map.valueType)}> (the value a pop would return next)`);
    }
  } else if (ringbufsOf(module).length === 0) {
    lines.push("It has no maps to print; it keeps the programs attached until stopped.");
  }
  lines.push(...ringbufHelpLines(module));
  lines.push(
    "On Ctrl-C (SIGINT) or SIGTERM it prints the maps once more, detaches and exits 0.",
    "",
    "options:",
  );
  if (needsInterface) {
    lines.push("  -i, --interface IFACE  network interface to attach to (repeatable)");
    if (hasXdp) lines.push("  --skb-mode             attach XDP in generic (SKB) mode instead of the driver's");
  }
  lines.push(
    "  --interval SECONDS     time between prints (default 1; fractions allowed)",
    "  --count N              stop after N prints",
    "  -h, --help             show this help",
  );
  return lines;
}

export function emitDefaultMain(w: CWriter, module: IrModule): void {
  const binary = binaryFileName(module.name);
  const needsInterface = module.programs.some(attachesToInterface);
  const printable = module.maps.filter(hasKeyValueView);

  w.block("static void ks_usage(FILE *out)", () => {
    for (const line of helpText(module)) w.line(`fputs(${cString(line + "\n")}, out);`);
  });
  w.line();

  w.block("static void ks_print_maps(FILE *out)", () => {
    if (printable.length === 0) w.line("(void)out;");
    for (const map of printable) w.line(`${userMapFunctionName(map.name, "print")}(out);`);
    for (const map of module.maps.filter(printsNextValue)) w.line(`${userMapFunctionName(map.name, "print")}(out);`);
    if (ringbufsOf(module).length > 0) w.line("ks_print_drops(out);");
    w.line("fflush(out);");
  });
  w.line();

  // With ring buffers the wait between prints polls them (ringbufs.ts: ks_events_wait).
  const hasRingbufs = ringbufsOf(module).length > 0;
  if (!hasRingbufs) {
    w.comment("Sleeps `seconds`, waking early when a signal sets ks_exiting.");
    w.block("static void ks_sleep(double seconds)", () => {
      w.line("struct timespec left;");
      w.line("left.tv_sec = (time_t)seconds;");
      w.line("left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);");
      w.line("while (!ks_exiting && nanosleep(&left, &left) != 0 && errno == EINTR) {}");
    });
    w.line();
  }

  w.block("int main(int argc, char **argv)", () => {
    if (needsInterface) {
      w.line("const char *interfaces[KS_MAX_ATTACHMENTS];");
      w.line("int interface_count = 0;");
    }
    w.line("double interval = 1.0;");
    w.line("long count = -1;");
    const hasXdp = module.programs.some((p) => p.programType === "xdp");
    if (hasXdp) w.line("__u32 xdp_flags = 0;");
    w.block("for (int i = 1; i < argc; i++)", () => {
      w.line("const char *arg = argv[i];");
      w.line("const char *value = i + 1 < argc ? argv[i + 1] : NULL;");
      w.block('if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)', () => {
        w.line("ks_usage(stdout);");
        w.line("return 0;");
      });
      if (needsInterface) {
        w.block('else if (strcmp(arg, "-i") == 0 || strcmp(arg, "--interface") == 0)', () => {
          w.block("if (!value)", () => {
            w.line(`fprintf(stderr, "error: %s needs an interface name\\nusage: ${binary} -i IFACE (see --help)\\n", arg);`);
            w.line("return 2;");
          });
          w.block("if (interface_count == KS_MAX_ATTACHMENTS)", () => {
            w.line('fprintf(stderr, "error: too many interfaces (at most %d)\\n", KS_MAX_ATTACHMENTS);');
            w.line("return 2;");
          });
          w.line("interfaces[interface_count++] = value;");
          w.line("i++;");
        });
        if (hasXdp) {
          w.block('else if (strcmp(arg, "--skb-mode") == 0)', () => {
            w.line("xdp_flags = XDP_FLAGS_SKB_MODE;");
          });
        }
      }
      w.block('else if (strcmp(arg, "--interval") == 0 && value)', () => {
        w.line("char *end;");
        w.line("interval = strtod(value, &end);");
        w.block("if (*end || !(interval > 0))", () => {
          w.line('fprintf(stderr, "error: --interval needs a positive number of seconds, got \'%s\'\\n", value);');
          w.line("return 2;");
        });
        w.line("i++;");
      });
      w.block('else if (strcmp(arg, "--count") == 0 && value)', () => {
        w.line("char *end;");
        w.line("count = strtol(value, &end, 10);");
        w.block("if (*end || count <= 0)", () => {
          w.line('fprintf(stderr, "error: --count needs a positive integer, got \'%s\'\\n", value);');
          w.line("return 2;");
        });
        w.line("i++;");
      });
      w.block("else", () => {
        w.line(`fprintf(stderr, "error: unknown argument '%s'\\nusage: ${binary}${needsInterface ? " -i IFACE" : ""} [--interval SECONDS] [--count N] (see --help)\\n", arg);`);
        w.line("return 2;");
      });
    });
    const interfacePrograms = module.programs.filter(attachesToInterface).map((p) => p.name);
    if (needsInterface) {
      w.block("if (interface_count == 0)", () => {
        w.line(`fprintf(stderr, "error: no interface given: ${interfacePrograms.join(", ")} must be attached to a network interface\\nusage: ${binary} -i IFACE [-i IFACE ...] (see --help)\\n");`);
        w.line("return 2;");
      });
    }
    w.line();
    w.line("if (ks_open_and_load() != 0) return 1;");
    for (const program of module.programs) {
      // A plain block scopes `fd` per program.
      w.line("{").indent();
      (() => {
        w.line(`int fd = ks_load(${cString(programName(program.name))});`);
        w.line("if (fd < 0) return 1;");
        if (attachesToInterface(program)) {
          w.block("for (int i = 0; i < interface_count; i++)", () => {
            w.line(`if (ks_attach(fd, interfaces[i], ${program.programType === "xdp" ? "xdp_flags" : "0"}) != 0) return 1;`);
            w.line(`fprintf(stderr, "${binary}: attached ${program.name} (${program.programType}) to %s\\n", interfaces[i]);`);
          });
        } else if (program.programType === "perf_event") {
          w.line("int cpus = ks_attach_perf_sampling(fd);");
          w.line("if (cpus < 0) return 1;");
          w.line(`fprintf(stderr, ${cString(`${binary}: attached ${program.name} (perf_event) to cpu-clock at ${defaultSamplingHz} Hz on %d CPUs
`)}, cpus);`);
        } else {
          const target = declaredTarget(program);
          w.line(`if (ks_attach(fd, ${cString(target)}, 0) != 0) return 1;`);
          w.line(`fprintf(stderr, ${cString(`${binary}: attached ${program.name} (${program.programType})${target ? ` to ${target}` : ""}\n`)});`);
        }
      })();
      w.dedent().line("}");
    }
    for (const impl of module.structOps) {
      w.line(`if (ks_register(${cString(impl.name)}) != 0) return 1;`);
      w.line(`fprintf(stderr, ${cString(`${binary}: registered ${impl.name} (${impl.opsType})\n`)});`);
    }
    if (hasRingbufs) {
      w.line("if (ks_events_open() != 0) return 1;");
      w.line(`fprintf(stderr, ${cString(`${binary}: printing records of ${ringbufsOf(module).map((m) => m.name).join(", ")} as they arrive
`)});`);
    }
    w.line(`fprintf(stderr, "${binary}: printing maps every %g s; Ctrl-C to stop\\n", interval);`);
    w.line();
    w.line("long printed = 0;");
    w.block("while (!ks_exiting)", () => {
      w.line(hasRingbufs ? "ks_events_wait(interval);" : "ks_sleep(interval);");
      w.line("if (ks_exiting) break;");
      w.line('printf("--- snapshot %ld ---\\n", ++printed);');
      w.line("ks_print_maps(stdout);");
      w.line("if (count > 0 && printed >= count) break;");
    });
    if (hasRingbufs) w.line("ks_events_close();");
    w.block("if (ks_exiting)", () => {
      w.line('printf("--- final ---\\n");');
      w.line("ks_print_maps(stdout);");
    });
    w.line("ks_cleanup();");
    w.line(`fprintf(stderr, "${binary}: detached everything, exiting\\n");`);
    w.line("return 0;");
  });
}
