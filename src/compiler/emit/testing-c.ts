//! Test mode: Ir → NAME.test.c, the test binary's source. It is the loader runtime
//! (with pinning off, so tests never touch the maps a deployed loader pinned), the map
//! accessors, the test runtime (userspace/test-runtime.ts), the user-space functions
//! except `main`, the `@helper`s tests call (as user-space C), the `@test` functions and
//! a runner `main`:
//!
//!   NAME.test [--filter SUBSTR] [--report PATH] [--trace PATH]
//!     for each test in source order: destroy and reload the eBPF object (fresh maps and
//!     globals), run the test under setjmp, print `ok   name  (0.4 ms)` or `FAIL name`
//!     with the failure beneath, or `skip name  (reason)`; then `N passed, N failed`
//!     (`, N skipped`, `, N filtered out`); exit 1 if any failed. `--report PATH` also
//!     writes each result as a line to PATH (test-runtime.c, `ks_test_report_result`),
//!     which `kernelscript test --format json|tap` reads. `--trace PATH` writes what each
//!     test observed — its runs, and at its end the entries of every map whose kind is
//!     traced (`offKernel.traced` in kernel/map-kinds.ts, as the interpreter's trace) — as
//!     JSON (runtime-c/test-trace.c), on CPU 0.
//!
//! A test whose code neither ran nor attached a program fails ("ran no eBPF program").
//! A test that runs a program this machine could not load (it calls a kfunc of the
//! file's kernel module, which is unavailable: userspace/kmod-loader.ts) is
//! `skip name  (reason)`; a failure before that run still fails it. `--quiet-rejection`
//! (used by `kernelscript test`, which explains the log on the `.ks` line): a verifier
//! rejection is only written to NAME.verifier.log, whose name the FAIL line gives.

import type * as ir from "../ir.js";
import { emitUserMapKindHelpers } from "./map-kinds-c.js";
import { CCodeEmitter, MapAccessorUse, cString, compoundAccessorNames, compoundValueAccessorNames } from "./c-code.js";
import { accessorHelpers, emitIntegerHelpers } from "./integers-c.js";
import { cTypeName, cParameter } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { emitMapOperations } from "./map-accessors.js";
import { errorNames, functionName, generatedBanner, isCompilerMapName, mapName, verifierLogFileName, testCaseName } from "../names.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { emitLoaderRuntime } from "./userspace/runtime.js";
import { emitMapAccessors } from "./userspace/maps.js";
import { emitErrorType, emitFunctionBody, errorParameter } from "./errors-c.js";
import { collectStringUse, emitStringHelpers } from "./strings-c.js";
import { emitTracingHelpers } from "./tracing-c.js";
import { emitRingbufRuntime } from "./userspace/ringbufs.js";
import { emitTestRuntime } from "./userspace/test-runtime.js";
import { emitTestRecords } from "./test-records-c.js";

/** The module as the test binary sees it: no `main`, no pins; tests and helpers are user functions. */
function testView(module: ir.IrModule): ir.IrModule {
  return {
    ...module,
    maps: module.maps.map((m) => ({ ...m, pinned: false })),
    userFunctions: [...module.userFunctions.filter((f) => f.name !== "main"), ...(module.testHelpers ?? []), ...(module.testFunctions ?? [])],
    hasUserMain: true,
  };
}

export function emitTestC(
  original: ir.IrModule,
  hasSharedHeader: boolean,
  bpfLineOrigins: readonly (readonly [number, string])[],
): string {
  const module = testView(original);
  const use = new MapAccessorUse();
  writeFunctions(new CWriter(), module, use);

  const w = new CWriter();
  w.line(generatedBanner(module.sourcePath, "c"));
  w.line("#include <setjmp.h>");
  w.line("#include <stdarg.h>");
  w.line("#include <fcntl.h>");
  w.line("#include <sys/wait.h>");
  emitLoaderRuntime(w, module, { hasSharedHeader, bpfLineOrigins, optionalModule: true });
  emitMapAccessors(w, module);
  emitIntegerHelpers(w, "user", new Set([...use.integers, ...accessorHelpers(module.maps, use.used, compoundAccessorNames), ...accessorHelpers(module.maps, use.used, compoundValueAccessorNames)]));
  emitMapOperations(w, "user", module.maps, use);
  emitUserMapKindHelpers(w, module);
  w.line();
  emitTestRuntime(w);
  emitErrorType(w, "user", module.userFunctions);
  emitStringHelpers(w, "user", collectStringUse(module));
  emitTracingHelpers(w, "user", module, module.userFunctions);
  for (const fn of module.userFunctions) w.line(`${prototype(fn)};`);
  w.line();
  emitRingbufRuntime(w, module);
  emitTestRecords(w, module);
  writeFunctions(w, module, use);
  emitRunner(w, original);
  return w.toString();
}

function prototype(fn: ir.IrFunction): string {
  const hidden = errorParameter(fn);
  const params = [...fn.params.map(cParameter), ...(hidden ? [hidden] : [])].join(", ") || "void";
  return `static KS_UNUSED ${cTypeName(fn.returnType)} ${functionName(fn.name)}(${params})`;
}

function writeFunctions(w: CWriter, module: ir.IrModule, use: MapAccessorUse): void {
  const code = new CCodeEmitter(w, "user", use);
  for (const fn of module.userFunctions) {
    w.withOrigin(fn.span, () => w.block(prototype(fn), () => emitFunctionBody(code, w, fn, cTypeName(fn.returnType))));
    w.line();
  }
}

/**
 * `--trace`: the entries of every map of a traced kind, by `.ks` name, at the end of a
 * test (runtime-c/test-trace.c `ks_trace_map` reads each through the skeleton). Maps the
 * compiler made (`ks_pinned_globals`, the storage of `pin var` globals) are not the
 * file's: they are left out.
 */
function emitTraceMaps(w: CWriter, module: ir.IrModule): void {
  w.comment("--trace: every map of a traced kind, at the end of each test.");
  w.block("static void ks_trace_maps(void)", () => {
    for (const map of module.maps.filter((m) => mapKinds[m.mapKind].offKernel?.traced && !isCompilerMapName(m.name))) {
      const row = mapKinds[map.mapKind];
      w.line(`ks_trace_map(${cString(map.name)}, ks_skel->maps.${mapName(map.name)}, ${row.everyIndexPresent ? 1 : 0}, ${row.perCpu ? 1 : 0});`);
    }
  });
  w.line();
}

/** The runner's message when the object does not load: where the verifier log is, or where the error went. */
const rejectionHook = "ks_test_report_rejection";

function emitRunner(w: CWriter, module: ir.IrModule): void {
  const tests = module.testFunctions ?? [];
  const log = verifierLogFileName(module.name);
  w.comment("Each test as a void function: an integer result other than 0 fails it; an uncaught error too.");
  for (const fn of tests) {
    w.block(`static void ${testCaseName(fn.name)}(void)`, () => {
      const hidden = fn.frame?.throws ? `&${errorNames.state}` : "";
      if (hidden) w.line(`${errorNames.type} ${errorNames.state} = {0};`);
      const call = `${functionName(fn.name)}(${hidden})`;
      if (fn.returnType.kind === "void") w.line(`${call};`);
      else {
        w.line(`long long result = (long long)${call};`);
        if (hidden) w.line(`if (${errorNames.state}.thrown) ks_test_abort("unhandled error %lld (thrown in %s)", (long long)${errorNames.state}.code, ${errorNames.state}.origin);`);
        w.line('if (result != 0) ks_test_abort("the test returned %lld (0 means passed)", result);');
        return;
      }
      if (hidden) w.line(`if (${errorNames.state}.thrown) ks_test_abort("unhandled error %lld (thrown in %s)", (long long)${errorNames.state}.code, ${errorNames.state}.origin);`);
    });
    w.line();
  }
  w.line("static const struct { const char *name; void (*run)(void); } ks_tests[] = {");
  w.indent();
  for (const fn of tests) w.line(`{ ${cString(fn.name)}, ${testCaseName(fn.name)} },`);
  w.line("{ NULL, NULL },");
  w.dedent();
  w.line("};");
  w.line();
  w.comment("The object did not load: the FAIL line says where the verifier log is, or that the error is on stderr.");
  w.block(`static void ${rejectionHook}(const char *test)`, () => {
    w.line(`if (ks_verifier_log_written) printf("FAIL %s\\n    the kernel rejected the eBPF object (verifier log: %s)\\n", test, ${cString(log)});`);
    w.line(`else printf("FAIL %s\\n    the eBPF object could not be loaded (the error is on stderr)\\n", test);`);
    w.line(`ks_test_report_result("fail", test, 0, ks_verifier_log_written ? "the kernel rejected the eBPF object (verifier log: " ${cString(log)} ")" : "the eBPF object could not be loaded (the error is on stderr)");`);
  });
  w.line();
  emitTraceMaps(w, module);
  w.block("static double ks_test_now_ms(void)", () => {
    w.line("struct timespec ts;");
    w.line("clock_gettime(CLOCK_MONOTONIC, &ts);");
    w.line("return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;");
  });
  w.line();
  w.block("int main(int argc, char **argv)", () => {
    w.line("const char *filter = NULL;");
    w.block("for (int i = 1; i < argc; i++)", () => {
      w.line('if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) filter = argv[++i];');
      w.block('else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc)', () => {
        w.line('ks_test_report = fopen(argv[++i], "w");');
        w.block("if (!ks_test_report)", () => {
          w.line('fprintf(stderr, "error: cannot write the report %s: %s\\n", argv[i], strerror(errno));');
          w.line("return 2;");
        });
      });
      w.block('else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)', () => {
        w.comment("It says why on stderr.");
        w.line("if (ks_trace_open(argv[++i]) != 0) return 2;");
      });
      w.line('else if (strcmp(argv[i], "--quiet-rejection") == 0) ks_verifier_log_only = true;');
      w.block('else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)', () => {
        w.line(`printf("usage: %s [--filter SUBSTR] [--report PATH] [--trace PATH] [--quiet-rejection]\\nRuns the @test functions of ${module.sourcePath.slice(module.sourcePath.lastIndexOf("/") + 1)} in the kernel (needs root).\\n", argv[0]);`);
        w.line("return 0;");
      });
      w.block("else", () => {
        w.line('fprintf(stderr, "error: unknown argument \'%s\' (usage: %s [--filter SUBSTR] [--report PATH] [--trace PATH] [--quiet-rejection])\\n", argv[i], argv[0]);');
        w.line("return 2;");
      });
    });
    w.comment("A log left by an earlier run would be taken for this run's.");
    w.line(`unlink(${cString(log)});`);
    w.line("int passed = 0, failed = 0, skipped = 0, filtered = 0;");
    w.block("for (int i = 0; ks_tests[i].name; i++)", () => {
      w.block("if (filter && !strstr(ks_tests[i].name, filter))", () => {
        w.line("filtered++;");
        w.line("continue;");
      });
      w.comment("A fresh object per test: maps and globals start from their declared state.");
      w.line("ks_cleanup();");
      w.block("if (ks_open_and_load() != 0)", () => {
        w.line(`${rejectionHook}(ks_tests[i].name);`);
        w.line('ks_trace_test(ks_tests[i].name, "fail", NULL);');
        w.line("ks_trace_close();");
        w.line('printf("\\n%d passed, %d failed\\n", passed, failed + 1);');
        w.line("return 1;");
      });
      w.line("ks_test_records_open_all();");
      w.line("ks_test_failure[0] = 0;");
      w.line("ks_test_skipped[0] = 0;");
      w.line("ks_test_ran = 0;");
      w.line("ks_attachments_made = 0;");
      w.line("fflush(stdout);");
      w.line("double start = ks_test_now_ms();");
      w.line("if (setjmp(ks_test_jump) == 0) ks_tests[i].run();");
      w.line("double elapsed = ks_test_now_ms() - start;");
      w.line("fflush(stdout);");
      w.line("ks_test_records_close_all();");
      w.line('if (!ks_test_failure[0] && !ks_test_skipped[0] && ks_test_ran == 0 && ks_attachments_made == 0)');
      w.line('    snprintf(ks_test_failure, sizeof(ks_test_failure), "the test ran no eBPF program (call test() or test_run(), or attach() one and trigger it)");');
      w.comment("The trace's entry: the status, the runs and the maps as the test left them.");
      w.line('ks_trace_test(ks_tests[i].name, ks_test_failure[0] ? "fail" : ks_test_skipped[0] ? "skip" : "pass", ks_trace_maps);');
      w.block("if (ks_test_failure[0])", () => {
        w.line("failed++;");
        w.line('printf("FAIL %s  (%.2f ms)\\n", ks_tests[i].name, elapsed);');
        w.line('ks_test_report_result("fail", ks_tests[i].name, elapsed, ks_test_failure);');
        w.comment("Failure details, indented under the test's line.");
        w.line("const char *line = ks_test_failure;");
        w.block("while (*line)", () => {
          w.line("size_t len = strcspn(line, \"\\n\");");
          w.line('printf("    %.*s\\n", (int)len, line);');
          w.line("line += len;");
          w.line("if (*line) line++;");
        });
      });
      w.comment("Skipped only when nothing failed: a failure stops the test before any skip.");
      w.block("else if (ks_test_skipped[0])", () => {
        w.line("skipped++;");
        w.line('printf("skip %s  (%s)\\n", ks_tests[i].name, ks_test_skipped);');
        w.line('ks_test_report_result("skip", ks_tests[i].name, elapsed, ks_test_skipped);');
      });
      w.block("else", () => {
        w.line("passed++;");
        w.line('printf("ok   %s  (%.2f ms)\\n", ks_tests[i].name, elapsed);');
        w.line('ks_test_report_result("ok", ks_tests[i].name, elapsed, "");');
      });
    });
    w.line("ks_cleanup();");
    w.line("int trace_failed = ks_trace_close();");
    w.line('printf("\\n%d passed, %d failed", passed, failed);');
    w.line('if (skipped) printf(", %d skipped", skipped);');
    w.line('if (filtered) printf(", %d filtered out", filtered);');
    w.line('printf("\\n");');
    w.line("return trace_failed ? 2 : failed ? 1 : 0;");
  });
}
