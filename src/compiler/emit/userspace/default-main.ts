//! The default user-space program (DESIGN.md section 4) for a `.ks` file without `main`:
//! consumes the IrModule, writes `main()` through a CWriter after the loader runtime
//! (runtime.ts) and the map accessors (maps.ts), whose functions it calls. What does not
//! depend on the program (argument parsing, attach loops, the print loop) is
//! `runtime-c/default-main.c`.
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

import type { IrMap, IrModule, IrProgram } from "../../ir.js";
import { programTypeInfo } from "../../kernel/program-types.js";
import type { CWriter } from "../c-writer.js";
import { binaryFileName, mapName, programName, userMapFunctionName } from "../../names.js";
import { isSocketMap } from "../../kernel/map-kinds.js";
import { attachesToCgroup, attachesToInterface } from "./runtime.js";
import { defaultSamplingHz } from "./perf-events.js";
import { cString } from "../c-code.js";
import { hasKeyValueView } from "./maps.js";
import { typeToString } from "../../types.js";
import { ringbufHelpLines, ringbufsOf } from "./ringbufs.js";
import { printsNextValue } from "../map-kinds-c.js";
import { pasteRuntimeC } from "./runtime-c.js";
import { emitTakeFleetOptions, fleetOptionRows } from "./fleet-options.js";

/** Programs whose attach flags choose the XDP mode (`--skb-mode`). */
function choosesXdpMode(program: IrProgram): boolean {
  const attach = programTypeInfo[program.programType].attach;
  return attach.kind === "interface" && attach.xdpModes;
}

/** The target a non-interface program attaches to (its attribute argument or section). */
function declaredTarget(program: IrProgram): string {
  if (program.target !== undefined) return program.target;
  const slash = program.section.indexOf("/");
  return slash < 0 ? "" : program.section.slice(slash + 1);
}

/** How the usage text says an aggregation map is printed (check/aggregations.ts). */
function displayText(map: IrMap): string {
  switch (map.display?.kind) {
    case undefined: return "";
    case "hist": return " (as a log2 histogram)";
    case "lhist": return ` (as a linear histogram from ${map.display.min} to ${map.display.max} by ${map.display.step})`;
    case "top": return ` (its ${map.display.count} largest values)`;
    case "stats": return " (count, average, min, max and sum per key)";
  }
}

/** The sockmaps and sockhashes an `@sk_msg`/`@sk_skb` program is attached to by default. */
function socketMapsOf(module: IrModule): IrMap[] {
  return module.maps.filter((m) => isSocketMap(m.mapKind));
}

function helpText(module: IrModule): string[] {
  const binary = binaryFileName(module.name);
  const needsInterface = module.programs.some(attachesToInterface);
  const needsCgroup = module.programs.some(attachesToCgroup);
  const hasXdp = module.programs.some(choosesXdpMode);
  const printable = module.maps.filter(hasKeyValueView);
  const lines = [
    `usage: ${binary}${needsInterface ? " -i IFACE [-i IFACE ...]" : ""}${needsCgroup ? " --cgroup PATH" : ""} [--interval SECONDS] [--count N]${hasXdp ? " [--skb-mode]" : ""}`,
    "",
    `Loads the eBPF programs compiled from ${module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1)} and attaches them:`,
  ];
  for (const program of module.programs) {
    const where = attachesToInterface(program)
      ? "to every interface given with -i"
      : attachesToCgroup(program)
        ? "to the cgroup v2 directory given with --cgroup"
        : programTypeInfo[program.programType].attach.kind === "perfSampling"
        ? `to a software cpu-clock event sampling every online CPU at ${defaultSamplingHz} Hz`
        : programTypeInfo[program.programType].attach.kind === "socketMap"
          ? `to every socket map (${socketMapsOf(module).map((m) => m.name).join(", ") || "none declared"}); sockets are put in them by a main of your own`
          : `to ${declaredTarget(program) || "its declared target"}`;
    lines.push(`  ${program.name} (${program.programType}) ${where}`);
  }
  if (printable.length > 0) {
    lines.push("Then prints these maps every interval, decoded, one line per entry:");
    for (const map of printable) {
      lines.push(`  ${map.name}: ${map.mapKind}<${typeToString(map.keyType)}, ${typeToString(map.valueType)}>${displayText(map)}`);
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
  if (needsCgroup) lines.push("  --cgroup PATH          cgroup v2 directory to attach to (e.g. /sys/fs/cgroup/NAME)");
  lines.push(
    "  --interval SECONDS     time between prints (default 1; fractions allowed)",
    "  --count N              stop after N prints",
    "  -h, --help             show this help",
    "",
    "fleet options (a DaemonSet's probes and scrapes; see docs/loader.md):",
  );
  const width = Math.max(...fleetOptionRows.map(([left]) => left.length)) + 4;
  for (const [left, right] of fleetOptionRows) lines.push(`  ${left}`.padEnd(width) + right);
  return lines;
}

export function emitDefaultMain(w: CWriter, module: IrModule): void {
  const binary = binaryFileName(module.name);
  const printable = module.maps.filter(hasKeyValueView);
  const hasRingbufs = ringbufsOf(module).length > 0;
  const interfacePrograms = module.programs.filter(attachesToInterface).map((p) => p.name);
  const cgroupPrograms = module.programs.filter(attachesToCgroup).map((p) => p.name);

  w.block("static void ks_usage(FILE *out)", () => {
    for (const line of helpText(module)) w.line(`fputs(${cString(line + "\n")}, out);`);
  });
  w.line();

  w.block("static void ks_print_maps(FILE *out)", () => {
    if (printable.length === 0) w.line("(void)out;");
    for (const map of printable) w.line(`${userMapFunctionName(map.name, "print")}(out);`);
    for (const map of module.maps.filter(printsNextValue)) w.line(`${userMapFunctionName(map.name, "print")}(out);`);
    if (hasRingbufs) w.line("ks_print_drops(out);");
    w.line("fflush(out);");
  });
  w.line();

  // The constant part (argument parsing, attach loops, the print loop) is runtime C.
  w.line(`#define KS_BINARY ${cString(binary)}`);
  if (interfacePrograms.length > 0) w.line(`#define KS_INTERFACE_PROGRAMS ${cString(interfacePrograms.join(", "))}`);
  if (cgroupPrograms.length > 0) w.line(`#define KS_CGROUP_PROGRAMS ${cString(cgroupPrograms.join(", "))}`);
  if (module.programs.some(choosesXdpMode)) w.line("#define KS_HAS_XDP 1");
  // With ring buffers the wait between prints polls them (ringbufs.ts: ks_events_wait).
  w.line(`#define KS_WAIT(seconds) ${hasRingbufs ? "ks_events_wait(seconds)" : "ks_sleep(seconds)"}`);
  pasteRuntimeC(w, "default-main");

  w.block("int main(int argc, char **argv)", () => {
    emitTakeFleetOptions(w);
    w.line("struct ks_default_args args;");
    w.line("int status = ks_default_parse_args(argc, argv, &args);");
    w.line("if (status >= 0) return status;");
    w.line("if (ks_open_and_load() != 0) return 1;");
    for (const program of module.programs) {
      const name = cString(programName(program.name));
      if (attachesToInterface(program)) {
        const flags = choosesXdpMode(program) ? "args.xdp_flags" : "0";
        w.line(`if (ks_default_attach_interfaces(${name}, ${cString(program.programType)}, &args, ${flags}) != 0) return 1;`);
      } else if (attachesToCgroup(program)) {
        w.line(`if (ks_default_attach_cgroup(${name}, ${cString(program.programType)}, &args) != 0) return 1;`);
      } else if (programTypeInfo[program.programType].attach.kind === "perfSampling") {
        w.block("", () => {
          w.line(`int fd = ks_load(${name});`);
          w.line("if (fd < 0) return 1;");
          w.line("int cpus = ks_attach_perf_sampling(fd);");
          w.line("if (cpus < 0) return 1;");
          w.line(`fprintf(stderr, ${cString(`${binary}: attached ${program.name} (perf_event) to cpu-clock at ${defaultSamplingHz} Hz on %d CPUs\n`)}, cpus);`);
        });
      } else if (programTypeInfo[program.programType].attach.kind === "socketMap") {
        for (const map of socketMapsOf(module)) {
          w.line(`if (ks_default_attach_target(${name}, ${cString(mapName(map.name))}, ${cString(`${program.name} (${program.programType}) to ${map.name}`)}) != 0) return 1;`);
        }
      } else {
        const target = declaredTarget(program);
        const shown = `${program.name} (${program.programType})${target ? ` to ${target}` : ""}`;
        w.line(`if (ks_default_attach_target(${name}, ${cString(target)}, ${cString(shown)}) != 0) return 1;`);
      }
    }
    for (const impl of module.structOps) {
      w.line(`if (ks_register(${cString(impl.name)}) != 0) return 1;`);
      w.line(`fprintf(stderr, ${cString(`${binary}: registered ${impl.name} (${impl.opsType})\n`)});`);
    }
    if (hasRingbufs) {
      w.line("if (ks_events_open() != 0) return 1;");
      w.line(`fprintf(stderr, ${cString(`${binary}: printing records of ${ringbufsOf(module).map((m) => m.name).join(", ")} as they arrive\n`)});`);
    }
    w.comment("Everything attached: serve --metrics, write --ready-file.");
    w.line("if (ks_fleet_ready() != 0) return 1;");
    w.line("ks_default_print_loop(&args);");
    if (hasRingbufs) w.line("ks_events_close();");
    w.line("return ks_default_finish();");
  });
}
