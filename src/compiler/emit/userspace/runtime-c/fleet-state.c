/* The loader's own fleet options (--ready-file, --metrics, --pin-dir, --shutdown-timeout:
 * runtime-c/fleet.c reads them) and what a signal handler may do with them. Every field is
 * zero until ks_fleet_take_options runs (the generated mains call it first), so a binary
 * that never parses them (the test binary) writes no ready file, serves nothing and has no
 * shutdown deadline.
 * Needs before it: <signal.h>, <unistd.h>, ks_exiting. */

struct ks_fleet_options {
    /* --ready-file PATH: written once everything is attached, removed on the way out. */
    const char *ready_file;
    /* --metrics ADDR:PORT: where the Prometheus text endpoint listens. */
    const char *metrics;
    /* --pin-dir DIR: every map of the object pinned (and reused) under DIR. */
    const char *pin_dir;
    /* --shutdown-timeout SECONDS: from the first stop signal to a forced detach and exit (0: none). */
    unsigned shutdown_timeout;
};
static struct ks_fleet_options ks_fleet;
/* The signal that asked the loader to stop (the forced exit's status is 128 + it). */
static volatile sig_atomic_t ks_stop_signal;

/* Defined later (runtime-c/fleet.c, and ks_metrics_write_maps per program: emit/userspace/metrics.ts). */
static void ks_fleet_stop(void);
static KS_UNUSED void ks_fleet_ready_once(void);
/* A user main's first sleep()/running() (runtime-c/runtime-calls.c) or dispatch(): ready. */
#define KS_BEFORE_WAIT() ks_fleet_ready_once()

/* The first stop signal: the pod stops being ready at once (the ready file goes first,
 * before anything is detached), and the shutdown deadline starts. Async-signal-safe:
 * unlink and alarm only. */
static void ks_fleet_on_first_stop(int signo) {
    ks_stop_signal = signo;
    if (ks_fleet.ready_file) unlink(ks_fleet.ready_file);
    if (ks_fleet.shutdown_timeout > 0) alarm(ks_fleet.shutdown_timeout);
}
