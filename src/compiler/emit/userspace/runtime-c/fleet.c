/* What a loader running in a fleet (a Kubernetes DaemonSet) needs, for every loader:
 *   --ready-file PATH          written once everything is attached (atomically: a temporary
 *                              file renamed into place): `pid N`, `metrics ADDR:PORT`, and
 *                              one `attached PROGRAM TARGET` line per attachment. Removed on
 *                              every way out but SIGKILL, first of all (before detaching),
 *                              and at start (a file a killed run left must not say ready).
 *   --metrics ADDR:PORT        the Prometheus text endpoint (runtime-c/metrics-server.c).
 *   --pin-dir DIR              every map pinned under DIR (runtime-c/pin-dir.c).
 *   --shutdown-timeout SECONDS from the first stop signal to a forced detach and exit.
 * The options are taken out of argv before the program's own parsing (the default main's,
 * or the parser of `fn main(args: Args)`), so both see only their own options.
 * "Ready" is: after the default main's attach step; with a user main, when main first
 * waits or asks whether to go on (sleep(), dispatch(), running()): its attach() calls are
 * done by then.
 * And for every loader that `kernelscript run` started: stop when it ends.
 * Needs before it: ks_fleet (runtime-c/fleet-state.c), ks_attachments, ks_program_of_fd,
 * ks_exiting, KS_BINARY_NAME, the metrics server (ks_metrics_start/ks_metrics_stop,
 * ks_metrics_address). */

#include <sys/prctl.h>

#define KS_DEFAULT_SHUTDOWN_TIMEOUT 25

/* Started by `kernelscript run` (KS_RUN_PARENT is its pid): the loader stops as on SIGTERM
 * when `kernelscript` ends, even killed by SIGKILL, so no program stays attached with
 * nobody left to stop it. The variable is not passed on to what the loader starts. */
static void ks_fleet_follow_parent(void) {
    const char *parent = getenv("KS_RUN_PARENT");
    if (!parent) return;
    pid_t expected = (pid_t)strtol(parent, NULL, 10);
    unsetenv("KS_RUN_PARENT");
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* Gone before prctl(): its death signal will never come. */
    if (getppid() != expected) raise(SIGTERM);
}

/* The value of option `name` at argv[*i] (`--name VALUE` or `--name=VALUE`), or NULL when
 * argv[*i] is another argument; *missing is set when the option has no value. */
static const char *ks_fleet_option_value(char **argv, int argc, int *i, const char *name, bool *missing) {
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0) return NULL;
    if (arg[len] == '=') return arg + len + 1;
    if (arg[len] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

/* Takes the fleet options out of argv (the rest keeps its order; `--` ends the options).
 * Returns -1 to go on, or the exit status (2) after a usage error. */
static KS_UNUSED int ks_fleet_take_options(int *argc, char **argv) {
    static const char *const names[] = { "--ready-file", "--metrics", "--pin-dir", "--shutdown-timeout" };
    ks_fleet_follow_parent();
    ks_fleet.shutdown_timeout = KS_DEFAULT_SHUTDOWN_TIMEOUT;
    int kept = 1;
    int i = 1;
    for (; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        const char *value = NULL;
        int which = -1;
        bool missing = false;
        for (int n = 0; n < 4 && which < 0 && !missing; n++) {
            value = ks_fleet_option_value(argv, *argc, &i, names[n], &missing);
            if (value || missing) which = n;
        }
        if (missing || (value && value[0] == '\0')) {
            fprintf(stderr, "error: %s needs a value\nusage: " KS_BINARY_NAME " [--ready-file PATH] [--metrics ADDR:PORT] [--pin-dir DIR] [--shutdown-timeout SECONDS] ... (see --help)\n", names[which]);
            return 2;
        }
        switch (which) {
        case 0: ks_fleet.ready_file = value; break;
        case 1: ks_fleet.metrics = value; break;
        case 2: ks_fleet.pin_dir = value; break;
        case 3: {
            char *end = NULL;
            errno = 0;
            unsigned long seconds = strtoul(value, &end, 10);
            if (errno != 0 || end == value || *end != '\0' || value[0] == '-' || seconds > 86400) {
                fprintf(stderr, "error: --shutdown-timeout needs a whole number of seconds from 0 (no deadline) to 86400, got '%s'\n", value);
                return 2;
            }
            ks_fleet.shutdown_timeout = (unsigned)seconds;
            break;
        }
        default: argv[kept++] = argv[i]; break;
        }
    }
    for (; i < *argc; i++) argv[kept++] = argv[i];
    argv[kept] = NULL;
    *argc = kept;
    /* A ready file left by a killed run must not say ready before this one is. */
    if (ks_fleet.ready_file && unlink(ks_fleet.ready_file) != 0 && errno != ENOENT) {
        int err = errno;
        fprintf(stderr, "error: --ready-file %s: cannot remove the one already there: %s\n", ks_fleet.ready_file, strerror(err));
        return 2;
    }
    return -1;
}

/* Writes the ready file: to a temporary file beside it, renamed into place, so a probe
 * never reads half of it. */
static int ks_fleet_write_ready_file(void) {
    const char *path = ks_fleet.ready_file;
    char temporary[4096];
    if ((size_t)snprintf(temporary, sizeof(temporary), "%s.%d.tmp", path, (int)getpid()) >= sizeof(temporary)) {
        fprintf(stderr, "error: --ready-file %s: the path is too long\n", path);
        return -1;
    }
    FILE *out = fopen(temporary, "w");
    if (!out) {
        int err = errno;
        fprintf(stderr, "error: --ready-file %s: cannot write %s: %s\n", path, temporary, strerror(err));
        return -1;
    }
    fprintf(out, "pid %d\n", (int)getpid());
    if (ks_metrics_address[0]) fprintf(out, "metrics %s\n", ks_metrics_address);
    for (int i = 0; i < ks_attachment_count; i++) {
        struct bpf_program *prog = ks_program_of_fd(ks_attachments[i].prog_fd);
        fprintf(out, "attached %s %s\n", prog ? bpf_program__name(prog) : "?", ks_attachments[i].target[0] ? ks_attachments[i].target : "-");
    }
    int failed = ferror(out);
    if (fclose(out) != 0 || failed || rename(temporary, path) != 0) {
        int err = errno;
        unlink(temporary);
        fprintf(stderr, "error: --ready-file %s: cannot write it: %s\n", path, strerror(err));
        return -1;
    }
    /* A stop signal between the write and the rename: it unlinked nothing, so unlink now. */
    if (ks_exiting) unlink(path);
    return 0;
}

static bool ks_fleet_is_ready;

/* Everything is attached: serve the metrics, then say ready. 0 / -1 (the cause printed). */
static KS_UNUSED int ks_fleet_ready(void) {
    if (ks_fleet_is_ready) return 0;
    ks_fleet_is_ready = true;
    /* Asked to stop before it got here (a main's running() after the signal): never ready. */
    if (ks_exiting) return 0;
    if (ks_fleet.metrics && ks_metrics_start(ks_fleet.metrics) != 0) return -1;
    if (ks_fleet.ready_file) {
        if (ks_fleet_write_ready_file() != 0) return -1;
        fprintf(stderr, KS_BINARY_NAME ": ready (%s)\n", ks_fleet.ready_file);
    }
    return 0;
}

/* A user main's first sleep()/dispatch()/running(): ready now; a failure ends the loader
 * (exit runs the cleanup: detached, ready file removed). */
static KS_UNUSED void ks_fleet_ready_once(void) {
    if (ks_fleet_is_ready) return;
    if (ks_fleet_ready() != 0) exit(1);
}

/* On the way out, before anything is detached: the ready file first, then the metrics server. */
static void ks_fleet_stop(void) {
    if (ks_fleet.ready_file) unlink(ks_fleet.ready_file);
    ks_metrics_stop();
}
