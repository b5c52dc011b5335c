//! Loader runtime of the user-space hand-overs (only emitted when the program uses them):
//!
//!   void ks_exec(const char *script, const char *const *args)   never returns
//!     Clears FD_CLOEXEC on every map fd (exported as KERNELSCRIPT_MAP_FDS, a JSON
//!     object name → fd), on every program fd and on every attachment's link fd (so the
//!     links, and the attachments they hold, live on in the Python process and end
//!     when it exits), puts the binary's directory first on PYTHONPATH (where `NAME.py`
//!     is) and execvp()s `python3 DIR/script args…`, DIR being the binary's directory.
//!     A failure prints the cause and exits 1 (atexit detaches).
//!   void ks_daemon(void)                                         never returns
//!     Refuses to start when /var/run/NAME.pid names a live process; detaches from the
//!     terminal with daemon(0, 0) (the child keeps every link fd, so the programs stay
//!     attached), writes its pid there and sleeps until SIGTERM/SIGINT, whose handler
//!     detaches everything, removes the pid file and exits 0.
//!   const char *ks_exec_int(char buf[24], long long v, int is_signed)  decimal text
//!
//! `_Static_assert`s pin the C layout of every user struct to the one the compiler
//! computed, which the generated Python module's ctypes classes check at import.

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { pidFilePath, pythonModuleFileName, mapName } from "../../names.js";
import { structLayouts } from "../python-module.js";

export function usesExec(module: IrModule): boolean {
  return (module.handover?.execScripts.length ?? 0) > 0;
}

export function usesDaemon(module: IrModule): boolean {
  return module.handover?.daemon ?? false;
}

/** Lines the user-main signal handler runs before `_exit(0)` (async-signal-safe). */
export function handoverSignalLines(module: IrModule): string[] {
  return usesDaemon(module) ? ["if (ks_pid_file_written) unlink(KS_PID_FILE);"] : [];
}

/** State the signal handler reads; emitted before it. */
export function emitHandoverState(w: CWriter, module: IrModule): void {
  if (!usesDaemon(module)) return;
  w.line(`#define KS_PID_FILE ${cString(pidFilePath(module.name))}`);
  w.line("static volatile sig_atomic_t ks_pid_file_written;");
  w.line();
}

export function emitHandoverRuntime(w: CWriter, module: IrModule): void {
  const exec = usesExec(module);
  const python = (module.handover?.pythonModules.length ?? 0) > 0;
  if (exec || python) emitProgramDirectory(w);
  if (exec) {
    emitLayoutAsserts(w, module);
    emitExec(w, module);
  }
  if (usesDaemon(module)) emitDaemon(w);
}

function emitProgramDirectory(w: CWriter): void {
  w.comment("The directory of this binary: exec() scripts and Python modules are copied next to it.");
  w.block("static void ks_program_directory(char *dir, size_t size)", () => {
    w.line("ssize_t n = readlink(\"/proc/self/exe\", dir, size - 1);");
    w.block("if (n <= 0)", () => {
      w.line("snprintf(dir, size, \".\");");
      w.line("return;");
    });
    w.line("dir[n] = '\\0';");
    w.line("char *slash = strrchr(dir, '/');");
    w.line("if (slash && slash != dir) *slash = '\\0';");
    w.line("else if (slash) slash[1] = '\\0';");
  });
  w.line();
}

function emitLayoutAsserts(w: CWriter, module: IrModule): void {
  const layouts = structLayouts(module);
  if (layouts.length === 0) return;
  w.line("#include <stddef.h>");
  w.comment(`The layouts ${pythonModuleFileName(module.name)} declares with ctypes (checked there at import).`);
  for (const s of layouts) {
    w.line(`_Static_assert(sizeof(struct ${s.name}) == ${s.size}, "struct ${s.name}: size differs from the Python module's");`);
    for (const f of s.fields) {
      w.line(`_Static_assert(offsetof(struct ${s.name}, ${f.name}) == ${f.offset}, "struct ${s.name}.${f.name}: offset differs from the Python module's");`);
    }
  }
  w.line();
}

function emitExec(w: CWriter, module: IrModule): void {
  w.block("static KS_UNUSED const char *ks_exec_int(char *buf, long long value, int is_signed)", () => {
    w.line("if (is_signed) snprintf(buf, 24, \"%lld\", value);");
    w.line("else snprintf(buf, 24, \"%llu\", (unsigned long long)value);");
    w.line("return buf;");
  });
  w.line();
  w.comment("Keeps fd open across execve(); false when that failed.");
  w.block("static bool ks_keep_fd(int fd)", () => {
    w.line("int flags = fcntl(fd, F_GETFD);");
    w.line("return fd >= 0 && flags >= 0 && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == 0;");
  });
  w.line();
  w.block("static KS_UNUSED __attribute__((noreturn)) void ks_exec(const char *script, const char *const *args)", () => {
    w.line("char dir[4096];");
    w.line("ks_program_directory(dir, sizeof(dir));");
    w.line("char path[4352];");
    w.line("snprintf(path, sizeof(path), \"%s/%s\", dir, script);");
    w.block("if (access(path, R_OK) != 0)", () => {
      w.line("int err = errno;");
      w.line("fprintf(stderr, \"error: exec(): cannot read the Python script %s: %s (kernelscript compile copies it next to the binary)\\n\", path, strerror(err));");
      w.line("exit(1);");
    });
    w.line("char fds[4096];");
    w.line("size_t len = (size_t)snprintf(fds, sizeof(fds), \"{\");");
    const maps = module.maps.map((m) => m.name);
    if (maps.length > 0) w.line("int fd;");
    maps.forEach((name, i) => {
      w.line(`fd = bpf_map__fd(ks_skel->maps.${mapName(name)});`);
      w.block("if (!ks_keep_fd(fd))", () => {
        w.line(`fprintf(stderr, "error: exec(): cannot pass the map ${name} to the script: %s\\n", strerror(errno));`);
        w.line("exit(1);");
      });
      w.line(`if (len < sizeof(fds)) len += (size_t)snprintf(fds + len, sizeof(fds) - len, "${i > 0 ? ", " : ""}\\"${name}\\": %d", fd);`);
    });
    w.line("if (len < sizeof(fds)) snprintf(fds + len, sizeof(fds) - len, \"}\");");
    w.comment("Programs and links too: the attachments live on while the script runs.");
    w.line("struct bpf_program *prog;");
    w.line("bpf_object__for_each_program(prog, ks_skel->obj) ks_keep_fd(bpf_program__fd(prog));");
    w.block("for (int i = 0; i < ks_attachment_count; i++)", () => {
      w.line("if (ks_attachments[i].link) ks_keep_fd(bpf_link__fd(ks_attachments[i].link));");
      w.line("else if (ks_attachments[i].link_fd >= 0) ks_keep_fd(ks_attachments[i].link_fd);");
    });
    w.line("setenv(\"KERNELSCRIPT_MAP_FDS\", fds, 1);");
    w.line(`setenv("KERNELSCRIPT_PROGRAM", ${cString(module.name)}, 1);`);
    w.line("const char *old_path = getenv(\"PYTHONPATH\");");
    w.line("char python_path[8192];");
    w.line("snprintf(python_path, sizeof(python_path), \"%s%s%s\", dir, old_path && *old_path ? \":\" : \"\", old_path ? old_path : \"\");");
    w.line("setenv(\"PYTHONPATH\", python_path, 1);");
    w.line("int count = 0;");
    w.line("while (args[count]) count++;");
    w.line("const char **argv = calloc((size_t)count + 3, sizeof(*argv));");
    w.block("if (!argv)", () => {
      w.line("fprintf(stderr, \"error: exec(): out of memory\\n\");");
      w.line("exit(1);");
    });
    w.line("argv[0] = \"python3\";");
    w.line("argv[1] = path;");
    w.line("for (int i = 0; i < count; i++) argv[i + 2] = args[i];");
    w.line("fflush(NULL);");
    w.line("execvp(\"python3\", (char *const *)argv);");
    w.line("int err = errno;");
    w.line("fprintf(stderr, \"error: exec(): cannot run python3 %s: %s%s\\n\", path, strerror(err), err == ENOENT ? \" (install Python 3, e.g. apt-get install python3)\" : \"\");");
    w.line("exit(1);");
  });
  w.line();
}

function emitDaemon(w: CWriter): void {
  w.block("static KS_UNUSED __attribute__((noreturn)) void ks_daemon(void)", () => {
    w.comment("Another instance? A pid file naming a live process says so.");
    w.line("FILE *old = fopen(KS_PID_FILE, \"r\");");
    w.block("if (old)", () => {
      w.line("long pid = 0;");
      w.block("if (fscanf(old, \"%ld\", &pid) == 1 && pid > 0 && kill((pid_t)pid, 0) == 0)", () => {
        w.line("fprintf(stderr, \"error: daemon(): already running as pid %ld (\" KS_PID_FILE \")\\n\", pid);");
        w.line("exit(1);");
      });
      w.line("fclose(old);");
    });
    w.comment("Opened before detaching, so a failure is still reported on the terminal.");
    w.line("int pid_fd = open(KS_PID_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);");
    w.block("if (pid_fd < 0)", () => {
      w.line("fprintf(stderr, \"error: daemon(): cannot write \" KS_PID_FILE \": %s\\n\", strerror(errno));");
      w.line("exit(1);");
    });
    w.line("fflush(NULL);");
    w.block("if (daemon(0, 0) != 0)", () => {
      w.line("fprintf(stderr, \"error: daemon(): cannot detach from the terminal: %s\\n\", strerror(errno));");
      w.line("unlink(KS_PID_FILE);");
      w.line("exit(1);");
    });
    w.line("char text[32];");
    w.line("int n = snprintf(text, sizeof(text), \"%ld\\n\", (long)getpid());");
    w.line("if (write(pid_fd, text, (size_t)n) != n) exit(1);");
    w.line("close(pid_fd);");
    w.line("ks_pid_file_written = 1;");
    w.comment("Until SIGINT/SIGTERM: the stop signals stay blocked but inside sigsuspend(), so one");
    w.comment("arriving between the test and the wait is not missed. Then detached by exit() (atexit).");
    w.line("sigset_t stops, waiting;");
    w.line("sigemptyset(&stops);");
    w.line("sigaddset(&stops, SIGINT);");
    w.line("sigaddset(&stops, SIGTERM);");
    w.line("sigaddset(&stops, SIGHUP);");
    w.line("sigprocmask(SIG_BLOCK, &stops, &waiting);");
    w.line("while (!ks_exiting) sigsuspend(&waiting);");
    w.line("sigprocmask(SIG_SETMASK, &waiting, NULL);");
    w.line("unlink(KS_PID_FILE);");
    w.line("exit(0);");
  });
  w.line();
}

/** `exec(script, args…)` as C: the script's file name and a NULL-terminated argv. */
export function execCall(script: string, args: readonly string[]): string {
  return `ks_exec(${script}, (const char *const []){ ${[...args, "NULL"].join(", ")} })`;
}
