/* The user-space runtime's calls (check/runtime-builtins.ts, docs/language/userspace-runtime.md):
 * clocks in nanoseconds, the shutdown flag, and a sleep that ends at once on shutdown.
 * Needs, defined before it is pasted: ks_exiting (set by ks_on_signal); optionally
 * KS_BEFORE_WAIT(), run by sleep() and running() (runtime-c/fleet-state.c: a main that
 * waits or asks whether to go on has attached what it attaches, so the loader is ready). */
#include <sys/select.h>

#define KS_NS_PER_SEC 1000000000ULL
#ifndef KS_BEFORE_WAIT
#define KS_BEFORE_WAIT() ((void)0)
#endif

/* now(): CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(), so kernel and user times mix. */
static KS_UNUSED __u64 ks_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (__u64)t.tv_sec * KS_NS_PER_SEC + (__u64)t.tv_nsec;
}

/* wall_time(): CLOCK_REALTIME, nanoseconds since the epoch. */
static KS_UNUSED __u64 ks_wall_time_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (__u64)t.tv_sec * KS_NS_PER_SEC + (__u64)t.tv_nsec;
}

/* running(): false once SIGINT/SIGTERM (or SIGHUP/SIGPIPE) asked the program to stop. */
static KS_UNUSED bool ks_running(void) {
    KS_BEFORE_WAIT();
    return !ks_exiting;
}

/* sleep(ns): true after sleeping the whole time, false (at once) when shutdown is requested
 * before or during it. The stop signals are blocked between the check of ks_exiting and the
 * wait, and pselect() unblocks them atomically: a signal arriving in between still ends the
 * wait instead of being noticed only after it. What was printed is flushed first, so a
 * partial line (printf without a newline) is visible while the program sleeps. */
static KS_UNUSED bool ks_sleep_ns(__u64 ns) {
    KS_BEFORE_WAIT();
    fflush(stdout);
    sigset_t stops, old;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    sigaddset(&stops, SIGPIPE);
    sigprocmask(SIG_BLOCK, &stops, &old);
    __u64 deadline = ks_now_ns() + ns;
    if (deadline < ns) deadline = ~0ULL;
    while (!ks_exiting) {
        __u64 now = ks_now_ns();
        if (now >= deadline) break;
        __u64 left = deadline - now;
        struct timespec wait;
        wait.tv_sec = (time_t)(left / KS_NS_PER_SEC > 0x7fffffffULL ? 0x7fffffffULL : left / KS_NS_PER_SEC);
        wait.tv_nsec = (long)(left % KS_NS_PER_SEC);
        if (pselect(0, NULL, NULL, NULL, &wait, &old) < 0 && errno != EINTR) break;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return !ks_exiting;
}

/* ntop(addr): an IPv4 (4 bytes, network order) or IPv6 (16 bytes) address as text into out;
 * with a prefix length (not -1), `ADDR/LEN`. */
static KS_UNUSED void ks_format_ntop(char *out, size_t size, int family, const void *addr, int prefixlen) {
    if (!inet_ntop(family, addr, out, (socklen_t)size)) snprintf(out, size, "?");
    size_t used = strlen(out);
    if (prefixlen >= 0 && used < size) snprintf(out + used, size - used, "/%d", prefixlen);
}

/* macaddr(m): six bytes as aa:bb:cc:dd:ee:ff into out. */
static KS_UNUSED void ks_format_mac(char *out, size_t size, const void *addr) {
    const unsigned char *m = addr;
    snprintf(out, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* strftime(format, wall_ns): C's strftime of the local time at wall_ns (a wall_time() value);
 * an empty text when the result does not fit. */
static KS_UNUSED void ks_format_time(char *out, size_t size, const char *format, __u64 wall_ns) {
    time_t seconds = (time_t)(wall_ns / KS_NS_PER_SEC);
    struct tm local;
    out[0] = '\0';
    if (!localtime_r(&seconds, &local)) return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (strftime(out, size, format, &local) == 0) out[0] = '\0';
#pragma GCC diagnostic pop
}
