/* C unit test of runtime-c/default-main.c: the command line of the default loader.
 * Built and run by tests/e2e/runtime-c.test.ts (cc -Wall -Werror) with stubs for what
 * the loader around it provides; prints one line per check, exits non-zero on failure. */
#include "system-includes.c"
#include "prelude.c"

static volatile sig_atomic_t ks_exiting;
static int usage_printed;
static void ks_usage(FILE *out) { (void)out; usage_printed++; }
static void ks_print_maps(FILE *out) { (void)out; }
static void ks_cleanup(void) {}
static int ks_load(const char *name) { (void)name; return 3; }
static int ks_attach(int fd, const char *target, __u32 flags) { (void)fd; (void)target; (void)flags; return 0; }

#define KS_BINARY "demo"
#define KS_INTERFACE_PROGRAMS "filter"
#define KS_HAS_XDP 1
#define KS_WAIT(seconds) ks_sleep(seconds)
#include "default-main.c"

static int failures;

static int parse(struct ks_default_args *args, int argc, const char **argv) {
    /* Messages for bad usage go to stderr: keep the test's output to its own lines. */
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int status = ks_default_parse_args(argc, (char **)argv, args);
    fclose(stderr);
    stderr = saved;
    return status;
}

#define CHECK(what, condition) do { \
    if (condition) printf("ok %s\n", what); \
    else { printf("FAIL %s\n", what); failures++; } \
} while (0)

int main(void) {
    struct ks_default_args args;
    const char *full[] = {"demo", "-i", "eth0", "--interface", "eth1", "--skb-mode", "--interval", "0.5", "--count", "3"};
    CHECK("every option is read", parse(&args, 10, full) == -1 && args.interface_count == 2 &&
          strcmp(args.interfaces[1], "eth1") == 0 && args.xdp_flags == XDP_FLAGS_SKB_MODE &&
          args.interval == 0.5 && args.count == 3);
    const char *defaults[] = {"demo", "-i", "lo"};
    CHECK("defaults: every second, no count, driver mode", parse(&args, 3, defaults) == -1 && args.interval == 1.0 && args.count == -1 && args.xdp_flags == 0);
    const char *help[] = {"demo", "--help"};
    CHECK("--help prints the usage and exits 0", parse(&args, 2, help) == 0 && usage_printed == 1);
    const char *none[] = {"demo"};
    CHECK("no interface is bad usage (exit 2)", parse(&args, 1, none) == 2);
    const char *missing[] = {"demo", "-i"};
    CHECK("-i without a name is bad usage", parse(&args, 2, missing) == 2);
    const char *interval[] = {"demo", "-i", "lo", "--interval", "-1"};
    CHECK("a negative interval is bad usage", parse(&args, 5, interval) == 2);
    const char *count[] = {"demo", "-i", "lo", "--count", "2x"};
    CHECK("a count that is not a number is bad usage", parse(&args, 5, count) == 2);
    const char *unknown[] = {"demo", "-i", "lo", "--frobnicate"};
    CHECK("an unknown argument is bad usage", parse(&args, 4, unknown) == 2);
    const char *many[KS_MAX_ATTACHMENTS * 2 + 3];
    many[0] = "demo";
    for (int i = 0; i <= KS_MAX_ATTACHMENTS; i++) { many[1 + 2 * i] = "-i"; many[2 + 2 * i] = "lo"; }
    CHECK("more interfaces than attachments is bad usage", parse(&args, 3 + 2 * KS_MAX_ATTACHMENTS, many) == 2);
    return failures == 0 ? 0 : 1;
}
