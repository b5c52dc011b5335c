//! The loader runtime of every generated `NAME.c`: includes, skeleton open/load with
//! pinning and verifier-log capture, program lookup, attach/detach with a table of
//! attachments, cleanup and signal handling. Consumes the IrModule, writes C through a
//! CWriter; the user-space emitter calls it first, then `emitMapAccessors` (maps.ts) and
//! either the user's functions or `emitDefaultMain` (default-main.ts).
//!
//! C API (all `static`, called by generated user code):
//!   struct <skel> *ks_skel;                       the loaded skeleton (NULL until loaded)
//!   volatile sig_atomic_t ks_exiting;             set by SIGINT/SIGTERM (a second one ends a user main)
//!   int  ks_open_and_load(void);                  0 / -1 (idempotent, prints the cause)
//!   int  ks_load(const char *program_name);       program fd or -1
//!   int  ks_attach(int prog_fd, const char *target, __u32 flags);   0 / -1
//!   void ks_detach(int prog_fd);                  idempotent
//!   void ks_cleanup(void);                        detach all, destroy skeleton; atexit
//!
//! Signals (SIGINT, SIGTERM, and SIGHUP/SIGPIPE when the terminal or the reader of its
//! output goes away): the handler only sets `ks_exiting`. The default main's loop polls
//! it, prints a last snapshot and returns; a user `main` sees it through `sleep()`,
//! `running()` and `dispatch()` (which return at once) and runs to its end; either way
//! `ks_cleanup` runs from atexit and stdio is flushed by exit(). With a user `main`, a
//! second signal while it still runs ends the process from the handler: it detaches with
//! async-signal-safe calls only (close() of each link fd; the kernel releases a link when
//! its last fd closes) and `_exit(128 + signo)`s — running libbpf's destructors from a
//! signal handler could deadlock inside malloc. The generated `main` makes stdout
//! line-buffered for a user `main`, so even then only an unfinished line is lost.

import { emitKernelModuleLoader, hasModuleToLoad } from "./kmod-loader.js";
import { emitHandoverRuntime, emitHandoverState, handoverSignalLines } from "./handover.js";
import { emitPythonIncludes, emitPythonRuntime } from "./python-c.js";
import { emitTracingAttach } from "./attach-tracing.js";
import { emitTcAttach, emitTcRelease, tcBeforeLoad } from "./attach-tc.js";
import { emitStructOpsRegister } from "./struct-ops.js";
import { emitPerfAttach, emitPerfState, hasPerfPrograms, perfSignalLines } from "./perf-events.js";
import type { IrModule, IrProgram, ProgramType } from "../../ir.js";
import { CWriter } from "../c-writer.js";
import { cString, emitSourceLevelWarningsOff } from "../c-code.js";
import { emitPinnedGlobalsRuntime, globalsIncludes, hasPinnedGlobals, pinnedGlobalsBeforeLoad } from "../globals-c.js";
import {
  binaryFileName,
  mapName,
  mapPinPath,
  programName,
  pinDirectory,
  pinnedGlobalsMapName,
  sharedHeaderFileName,
  skeletonHeaderFileName,
  skeletonName,
  bpfSourceFileName,
} from "../../names.js";
import { emitTailCallSetup } from "./tail-calls.js";
import { emitVerifierReport } from "./verifier-table.js";
import { pasteRuntimeC, type RuntimeCFile } from "./runtime-c.js";
import { programTypeInfo, programTypes, type AttachMethod, type LoaderPiece } from "../../kernel/program-types.js";

export interface LoaderRuntimeOptions {
  /** Whether `NAME.h` (shared structs/enums) is emitted and must be included. */
  readonly hasSharedHeader: boolean;
  /**
   * Optional line map of `NAME.bpf.c`: `[cLine, "app.ks:LINE"]`. When given, a verifier
   * rejection is explained at the `.ks` line of the failing instruction
   * (`verifier-table.ts`).
   */
  readonly bpfLineOrigins?: readonly (readonly [number, string])[];
  /**
   * The test binary: a kernel module that cannot be loaded is not an error; the programs
   * calling its kfuncs are left unloaded (kmod-loader.ts, `emitOptionalModule`).
   */
  readonly optionalModule?: boolean;
}

/**
 * The loader's attach table: one row per `enum bpf_prog_type` of the catalogue
 * (kernel/program-types.ts), in catalogue order, naming the attach function when this
 * module has a program of that type (a type without code still gets its row, so the
 * error names it).
 */
function attachTableRows(present: ReadonlySet<ProgramType>): { progType: string; label: string; attachFunction: string | undefined }[] {
  const rows = new Map<string, { progType: string; label: string; attachFunction: string | undefined }>();
  for (const info of programTypes) {
    // A type newer than Debian 12's UAPI headers is written by value (its typeBeforeLoad).
    const progType = info.typeBeforeLoad === undefined ? info.bpfProgType : `(enum bpf_prog_type)${info.typeBeforeLoad.progType} /* ${info.bpfProgType} */`;
    const row = rows.get(info.bpfProgType) ?? { progType, label: info.loaderLabel, attachFunction: undefined };
    rows.set(info.bpfProgType, row);
    const attached = attachFunction(info.attach);
    if (attached !== undefined && (present.has(info.programType) || info.attachAlwaysEmitted)) row.attachFunction = attached;
  }
  return [...rows.values()];
}

/** The function the attach table names for an attach method, if the table attaches it. */
function attachFunction(attach: AttachMethod): string | undefined {
  switch (attach.kind) {
    case "interface":
    case "declaredTarget":
    case "cgroup":
    case "socketMap":
      return attach.function;
    case "perfSampling":
    case "register":
      return undefined;
  }
}

/** The loader runtime pieces of the program types present, each once, in catalogue order. */
function loaderPieces(present: ReadonlySet<ProgramType>): LoaderPiece[] {
  const pieces = new Map<string, LoaderPiece>();
  for (const info of programTypes) {
    if (!present.has(info.programType) && !info.attachAlwaysEmitted) continue;
    for (const piece of info.loaderPieces) pieces.set("runtimeC" in piece ? piece.runtimeC : piece.generated, piece);
  }
  return [...pieces.values()];
}

export function emitLoaderRuntime(w: CWriter, module: IrModule, opts: LoaderRuntimeOptions): void {
  emitIncludes(w, module, opts);
  emitState(w, module);
  emitPerfState(w, module);
  emitLogCapture(w, module, opts);
  emitSignals(w, module);
  emitPinnedGlobalsRuntime(w, module);
  emitKernelModuleLoader(w, module, opts.optionalModule);
  emitOpenAndLoad(w, module, opts.optionalModule ?? false);
  emitProgramLookup(w);
  emitAttach(w, module);
  emitPerfAttach(w, module);
  emitStructOpsRegister(w, module);
  emitHandoverRuntime(w, module);
  emitPythonRuntime(w, module);
  // The fleet options (runtime-c/fleet.c): the metrics server first, whose address the ready file names.
  pasteRuntimeC(w, "metrics-server");
  pasteRuntimeC(w, "fleet");
}

function emitIncludes(w: CWriter, module: IrModule, opts: LoaderRuntimeOptions): void {
  emitPythonIncludes(w, module);
  if (module.handover) w.line("#include <fcntl.h>");
  pasteRuntimeC(w, "system-includes");
  for (const header of globalsIncludes(module)) w.line(`#include <${header}>`);
  // Shared types first: the skeleton declares globals and configs of those types.
  if (opts.hasSharedHeader) w.line(`#include "${sharedHeaderFileName(module.name)}"`);
  w.line(`#include "${skeletonHeaderFileName(module.name)}"`);
  w.line();
  pasteRuntimeC(w, "prelude");
  emitSourceLevelWarningsOff(w);
  w.line();
}

function emitState(w: CWriter, module: IrModule): void {
  w.line(`static struct ${skeletonName(module.name)} *ks_skel;`);
  w.line("static volatile sig_atomic_t ks_exiting;");
  w.line(`#define KS_BINARY_NAME ${cString(binaryFileName(module.name))}`);
  w.line();
  pasteRuntimeC(w, "attachments");
  pasteRuntimeC(w, "fleet-state");
}

/**
 * libbpf prints through a callback; we keep everything it says in a buffer so that a
 * failed load can be explained in one line, with the verifier log in a file.
 */
function emitLogCapture(w: CWriter, module: IrModule, opts: LoaderRuntimeOptions): void {
  pasteRuntimeC(w, "libbpf-log");

  const origins = [...(opts.bpfLineOrigins ?? [])].sort((a, b) => a[0] - b[0]);
  w.comment(`Line map of ${bpfSourceFileName(module.name)}: C line -> .ks location (sorted).`);
  w.line("static const struct { int c_line; const char *origin; } ks_line_map[] = {");
  w.indent();
  for (const [line, origin] of origins) w.line(`{ ${line}, ${cString(origin)} },`);
  w.line("{ 0, NULL },");
  w.dedent();
  w.line("};");
  w.line();
  emitVerifierReport(w, module);

  pasteRuntimeC(w, "explain-errno");
}

function emitSignals(w: CWriter, module: IrModule): void {
  emitHandoverState(w, module);
  w.comment("Ends the loader now, from a signal handler: the shutdown deadline (--shutdown-timeout), or");
  w.comment("a second signal while a user main still runs (a loop that never asks). It detaches with");
  w.comment("async-signal-safe calls only (close, unlink, _exit; the kernel releases a link when its last");
  w.comment("fd closes): running libbpf's destructors here could deadlock inside malloc. stdout is");
  w.comment("line-buffered with a user main, so only a line not yet ended with a newline can be lost.");
  w.block("static void ks_force_exit(int status)", () => {
    w.line("if (ks_fleet.ready_file) unlink(ks_fleet.ready_file);");
    w.line("for (int i = 0; i < ks_attachment_count; i++) {");
    w.line("    if (ks_attachments[i].link) close(bpf_link__fd(ks_attachments[i].link));");
    w.line("    else if (ks_attachments[i].link_fd >= 0) close(ks_attachments[i].link_fd);");
    w.comment("    A clsact filter is not a link: remove it (netlink syscalls on a stack buffer).");
    w.line("    else ks_release_tc(&ks_attachments[i]);");
    w.line("}");
    for (const line of perfSignalLines(module)) w.line(line);
    for (const line of handoverSignalLines(module)) w.line(line);
    w.line("_exit(status);");
  });
  w.line();
  w.block("static void ks_on_signal(int signo)", () => {
    w.comment("The shutdown deadline passed (armed by the first stop signal): detach and end now.");
    w.line("if (signo == SIGALRM) ks_force_exit(128 + ks_stop_signal);");
    if (!module.hasUserMain) {
      w.comment("The default main polls ks_exiting: it prints once more, detaches and exits.");
      w.block("if (!ks_exiting)", () => {
        w.line("ks_exiting = 1;");
        w.line("ks_fleet_on_first_stop(signo);");
      });
      return;
    }
    w.comment("The first signal asks main to finish: sleep()/dispatch() return at once, running() is false.");
    w.block("if (!ks_exiting)", () => {
      w.line("ks_exiting = 1;");
      w.line("ks_fleet_on_first_stop(signo);");
      w.line("return;");
    });
    w.comment("A second one while main still runs: end now.");
    w.line("ks_force_exit(128 + signo);");
  });
  w.line();
  pasteRuntimeC(w, "signal-handlers");
}

function emitOpenAndLoad(w: CWriter, module: IrModule, optionalModule: boolean): void {
  const skel = skeletonName(module.name);
  const pinned = module.maps.filter((m) => m.pinned);
  emitTcRelease(w, module);
  pasteRuntimeC(w, "release");

  // --pin-dir pins every map (runtime-c/pin-dir.c): the pin runtime is there whenever there are maps.
  const pinnable = module.maps.length > 0;
  if (pinnable) {
    pasteRuntimeC(w, "bpffs");
    pasteRuntimeC(w, "pin-check");
    pasteRuntimeC(w, "pin-dir");
  }
  if (pinned.length > 0) {
    w.comment("Pinned maps live in the machine's bpffs (runtime-c/bpffs.c), under a directory of this program.");
    w.block("static int ks_prepare_pin_directory(void)", () => {
      w.line("if (ks_prepare_bpffs() != 0) return -1;");
      w.block(`if (mkdir(${cString(pinDirectory(module.name))}, 0700) != 0 && errno != EEXIST)`, () => {
        w.line("int err = errno;");
        w.line(`fprintf(stderr, "error: cannot create ${pinDirectory(module.name)}: %s\\n", strerror(err));`);
        w.line("return -1;");
      });
      w.line("return 0;");
    });
    w.line();
  }

  // What this program adds around opening and loading: hooks of runtime-c/open-and-load.c.
  const beforeLoad = new CWriter();
  if (pinnable) {
    beforeLoad.comment("--pin-dir: every map pinned there instead (runtime-c/pin-dir.c).");
    beforeLoad.line(pinned.length > 0 ? "if (ks_fleet.pin_dir) {" : "if (ks_fleet.pin_dir && ks_pin_every_map() != 0) return -1;");
    if (pinned.length > 0) {
      beforeLoad.line("    if (ks_pin_every_map() != 0) return -1;");
      beforeLoad.line("} else {");
    }
  }
  if (pinned.length > 0) {
    beforeLoad.indent();
    beforeLoad.line("if (ks_prepare_pin_directory() != 0) return -1;");
    beforeLoad.comment("A pin path set before load makes libbpf reuse the pinned map (contents kept) or pin a new one.");
    for (const map of pinned) {
      beforeLoad.block(`if (bpf_map__set_pin_path(ks_skel->maps.${mapName(map.name)}, ${cString(mapPinPath(module.name, map.name))}) != 0)`, () => {
        beforeLoad.line("int err = errno;");
        beforeLoad.line(`ks_explain_errno("cannot set the pin path of map '${map.name}'", err);`);
        beforeLoad.line("return -1;");
      });
    }
    beforeLoad.comment("A pin an earlier version of the program left must fit this one (runtime-c/pin-check.c).");
    for (const map of pinned) {
      const label = map.name === pinnedGlobalsMapName ? `the \`pin var\` globals (map '${pinnedGlobalsMapName}')` : `map '${map.name}'`;
      beforeLoad.line(`if (ks_check_pinned_map(ks_skel->maps.${mapName(map.name)}, ${cString(label)}) != 0) return -1;`);
    }
    beforeLoad.dedent();
    beforeLoad.line("}");
  }
  for (const line of pinnedGlobalsBeforeLoad(module)) beforeLoad.line(line);
  for (const line of tcBeforeLoad(module)) beforeLoad.line(line);
  for (const line of typesBeforeLoad(module)) beforeLoad.line(line);
  if (optionalModule) beforeLoad.line("ks_prepare_module_callers(ks_skel->obj);");

  const afterLoad = new CWriter();
  emitTailCallSetup(afterLoad, module);
  if (hasPinnedGlobals(module)) afterLoad.line("if (ks_pinned_globals_setup(ks_pinned_fresh) != 0) return -1;");

  w.line(`#define KS_SKEL_OPEN() ${skel}__open()`);
  w.line(`#define KS_SKEL_LOAD(skel) ${skel}__load(skel)`);
  w.line(`#define KS_SKEL_DESTROY(skel) ${skel}__destroy(skel)`);
  w.line(`#define KS_OBJECT_NAME ${cString(module.name)}`);
  if (hasModuleToLoad(module) && !optionalModule) w.line("#define KS_BEFORE_OPEN() ks_load_kernel_module()");
  if (hasPerfPrograms(module)) w.line("#define KS_RELEASE_MORE(prog_fd) ks_perf_release(prog_fd)");
  if (hasPinnedGlobals(module)) w.line("static bool ks_pinned_fresh;");
  const hooks = [["ks_before_load", "KS_BEFORE_LOAD", beforeLoad], ["ks_after_load", "KS_AFTER_LOAD", afterLoad]] as const;
  for (const [fn, macro, body] of hooks) {
    const text = body.toString().replace(/\n+$/, "");
    if (text === "") continue;
    w.block(`static int ${fn}(void)`, () => {
      for (const line of text.split("\n")) w.line(line);
      w.line("return 0;");
    });
    w.line(`#define ${macro}() ${fn}()`);
  }
  pasteRuntimeC(w, "open-and-load");
}

function emitProgramLookup(w: CWriter): void {
  pasteRuntimeC(w, "program-lookup");
}

function emitAttach(w: CWriter, module: IrModule): void {
  w.comment("Attach functions per program type: fill in `link` or `link_fd` of *slot, return 0 / -1.");
  w.line("typedef int (*ks_attach_fn)(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot);");
  w.line();
  // Attach code only for the program types this module has (smaller loaders): constant
  // C files first, then the generated attach functions.
  const present = new Set(module.programs.map((p) => p.programType));
  const pieces = loaderPieces(present);
  for (const piece of pieces) if ("runtimeC" in piece) pasteRuntimeC(w, piece.runtimeC as RuntimeCFile);
  const generated = new Set(pieces.flatMap((piece) => ("generated" in piece ? [piece.generated] : [])));
  const userProbes = pieces.some((piece) => "runtimeC" in piece && piece.runtimeC === "attach-uprobe");
  emitTracingAttach(w, { tracepointAttach: generated.has("tracepointAttach"), probeAttach: generated.has("probeAttach"), userProbes });
  emitTcAttach(w, module);

  w.line("static const struct { enum bpf_prog_type type; const char *label; ks_attach_fn attach; } ks_attach_table[] = {");
  w.indent();
  for (const row of attachTableRows(present)) {
    w.line(`{ ${row.progType}, ${cString(row.label)}, ${row.attachFunction ?? "NULL"} },`);
  }
  w.dedent();
  w.line("};");
  w.line();

  pasteRuntimeC(w, "attach");

  w.block("static KS_UNUSED void ks_detach(int prog_fd)", () => {
    w.line("int kept = 0;");
    w.block("for (int i = 0; i < ks_attachment_count; i++)", () => {
      w.block("if (ks_attachments[i].prog_fd != prog_fd)", () => {
        w.line("ks_attachments[kept++] = ks_attachments[i];");
        w.line("continue;");
      });
      w.line("ks_release(&ks_attachments[i]);");
    });
    w.line("ks_attachment_count = kept;");
    w.line("KS_RELEASE_MORE(prog_fd);");
  });
  w.line();
}

/** Programs of a type libbpf 1.1 cannot tell from its section: the type set by value. */
function typesBeforeLoad(module: IrModule): string[] {
  return module.programs.flatMap((program) => {
    const byValue = programTypeInfo[program.programType].typeBeforeLoad;
    if (byValue === undefined) return [];
    const prog = `ks_skel->progs.${programName(program.name)}`;
    return [
      `bpf_program__set_type(${prog}, (enum bpf_prog_type)${byValue.progType} /* ${programTypeInfo[program.programType].bpfProgType} */);`,
      `bpf_program__set_expected_attach_type(${prog}, (enum bpf_attach_type)${byValue.attachType});`,
    ];
  });
}

/** Programs whose default-main target is the cgroup v2 directory of `--cgroup`. */
export function attachesToCgroup(program: IrProgram): boolean {
  return programTypeInfo[program.programType].attach.kind === "cgroup";
}

/** Program types whose default-main target is an interface from `-i`. */
export function attachesToInterface(program: IrProgram): boolean {
  return programTypeInfo[program.programType].attach.kind === "interface";
}
