/* The test binary's trace (`NAME.test --trace PATH`, docs/language/testing.md "Traces"):
 * what every test observed, as JSON, so that another way of running the same tests (the
 * interpreter) can be compared with the kernel byte for byte. Per test: its name and
 * status ("pass", "fail", "skip"), every test()/test_run() in call order (the program's
 * `.ks` name, the 32-bit retval, the packet after the run — BPF_PROG_TEST_RUN's data_out —
 * or null for runs that have none) and, at the end of the test, the entries of every
 * key/value map the emitter lists (ks_trace_maps): bytes as the kernel holds them, in
 * lowercase hex, sorted by key; arrays with every index; per-CPU maps with CPU 0's value
 * (the binary pins itself to CPU 0, so every run lands there).
 * The JSON goes to PATH.tmp and is renamed to PATH after the last test: a reader never
 * sees half a trace. Pasted after test-runtime.c (struct TestResult). */
#include <sys/syscall.h>

static FILE *ks_trace_file;
static char *ks_trace_path, *ks_trace_temp;
static int ks_trace_tests;
/* Maps written so far into the current test's "maps" object. */
static int ks_trace_maps_count;
/* The current test's runs as JSON (between the brackets); written with the test's status. */
static char *ks_trace_runs;
static size_t ks_trace_runs_len, ks_trace_runs_cap;

static void ks_trace_text(const char *text, size_t len)
{
    if (ks_trace_runs_len + len + 1 > ks_trace_runs_cap) {
        size_t cap = ks_trace_runs_cap ? ks_trace_runs_cap : 4096;
        while (ks_trace_runs_len + len + 1 > cap) cap *= 2;
        char *grown = realloc(ks_trace_runs, cap);
        if (!grown) {
            fprintf(stderr, "error: out of memory while recording the trace\n");
            exit(2);
        }
        ks_trace_runs = grown;
        ks_trace_runs_cap = cap;
    }
    memcpy(ks_trace_runs + ks_trace_runs_len, text, len);
    ks_trace_runs_len += len;
    ks_trace_runs[ks_trace_runs_len] = '\0';
}

static void ks_trace_hex_to_runs(const unsigned char *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char pair[2];
    for (size_t i = 0; i < len; i++) {
        pair[0] = digits[bytes[i] >> 4];
        pair[1] = digits[bytes[i] & 15];
        ks_trace_text(pair, 2);
    }
}

static void ks_trace_hex(FILE *out, const unsigned char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) fprintf(out, "%02x", bytes[i]);
}

/* A JSON string of a name (names are identifiers; anything else is escaped anyway). */
static void ks_trace_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

/* --trace PATH: pins this process to CPU 0 and starts PATH.tmp; 0, or -1 after saying why on stderr. */
static int ks_trace_open(const char *path)
{
    /* Raw system call: the test binary is not compiled with _GNU_SOURCE (CPU_SET). */
    unsigned long cpu0 = 1;
    if (syscall(SYS_sched_setaffinity, 0, sizeof(cpu0), &cpu0) != 0) {
        fprintf(stderr, "error: --trace runs every test on CPU 0 (per-CPU maps are traced there), but this process cannot run there: %s\n", strerror(errno));
        return -1;
    }
    size_t len = strlen(path);
    ks_trace_path = strdup(path);
    ks_trace_temp = malloc(len + 5);
    if (ks_trace_path && ks_trace_temp) {
        snprintf(ks_trace_temp, len + 5, "%s.tmp", path);
        ks_trace_file = fopen(ks_trace_temp, "w");
    }
    if (!ks_trace_file) {
        fprintf(stderr, "error: cannot write the trace %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("{\n  \"version\": 1,\n  \"tests\": [", ks_trace_file);
    return 0;
}

/*
 * Records a run (when tracing) and hands its result back: the C of test()/test_run()
 * wraps each ks_test_exec in it. `has_packet`: whether the program type's run gives the
 * packet back (raw tracepoints and netfilter programs have none: null).
 */
static KS_UNUSED struct TestResult ks_trace_run(struct TestResult result, const char *program, int has_packet)
{
    if (!ks_trace_file) return result;
    char head[256];
    int n = snprintf(head, sizeof(head), "%s{ \"program\": \"%s\", \"retval\": %u, \"packet\": ",
                     ks_trace_runs_len ? ", " : "", program, (unsigned)result.retval);
    ks_trace_text(head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head) - 1);
    if (has_packet) {
        ks_trace_text("\"", 1);
        ks_trace_hex_to_runs(result.packet.data, result.packet.len < sizeof(result.packet.data) ? result.packet.len : sizeof(result.packet.data));
        ks_trace_text("\"", 1);
    } else {
        ks_trace_text("null", 4);
    }
    ks_trace_text(" }", 2);
    return result;
}

struct ks_trace_entry { unsigned char *key, *value; };
static __u32 ks_trace_key_size;

static int ks_trace_key_order(const void *a, const void *b)
{
    return memcmp(((const struct ks_trace_entry *)a)->key, ((const struct ks_trace_entry *)b)->key, ks_trace_key_size);
}

/*
 * One map's entries as `"NAME": [["KEY", "VALUE"], …]`, sorted by key (hex of keys of
 * one size sorts as their bytes do). Arrays: every index 0..max_entries-1; the others:
 * the keys bpf_map_get_next_key walks (hash tables and LPM tries alike). Per-CPU maps:
 * CPU 0's value, the first of the per-CPU slots (each rounded up to 8 bytes).
 */
static KS_UNUSED void ks_trace_map(const char *name, struct bpf_map *map, int every_index, int per_cpu)
{
    FILE *out = ks_trace_file;
    fputs(ks_trace_maps_count++ ? ", " : " ", out);
    ks_trace_string(out, name);
    fputs(": [", out);
    int fd = map ? bpf_map__fd(map) : -1;
    if (fd < 0) {
        fputs("]", out);
        fprintf(stderr, "warning: trace: map '%s' has no file descriptor; traced as empty\n", name);
        return;
    }
    __u32 key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
    __u32 max = bpf_map__max_entries(map);
    size_t slot = per_cpu ? (((size_t)value_size + 7) & ~(size_t)7) : value_size;
    int cpus = per_cpu ? libbpf_num_possible_cpus() : 1;
    if (cpus < 1) cpus = 1;
    unsigned char *value = calloc((size_t)cpus, slot);
    unsigned char *key = calloc(1, key_size), *next = calloc(1, key_size);
    if (!value || !key || !next) {
        fprintf(stderr, "error: out of memory while tracing map '%s'\n", name);
        exit(2);
    }
    struct ks_trace_entry *entries = NULL;
    size_t count = 0, cap = 0;
    int have = 0;
    for (__u32 i = 0;; i++) {
        if (every_index) {
            if (i >= max) break;
            memset(next, 0, key_size);
            memcpy(next, &i, key_size < sizeof(i) ? key_size : sizeof(i));
        } else {
            if (bpf_map_get_next_key(fd, have ? key : NULL, next) != 0) break;
            memcpy(key, next, key_size);
            have = 1;
        }
        if (bpf_map_lookup_elem(fd, next, value) != 0) continue;
        if (count == cap) {
            size_t grown_cap = cap ? cap * 2 : 16;
            struct ks_trace_entry *grown = realloc(entries, grown_cap * sizeof(*entries));
            if (!grown) {
                fprintf(stderr, "error: out of memory while tracing map '%s'\n", name);
                exit(2);
            }
            entries = grown;
            cap = grown_cap;
        }
        entries[count].key = malloc(key_size);
        entries[count].value = malloc(value_size);
        if (!entries[count].key || !entries[count].value) {
            fprintf(stderr, "error: out of memory while tracing map '%s'\n", name);
            exit(2);
        }
        memcpy(entries[count].key, next, key_size);
        memcpy(entries[count].value, value, value_size);
        count++;
    }
    ks_trace_key_size = key_size;
    if (entries) qsort(entries, count, sizeof(*entries), ks_trace_key_order);
    for (size_t i = 0; i < count; i++) {
        fputs(i ? ", [\"" : "[\"", out);
        ks_trace_hex(out, entries[i].key, key_size);
        fputs("\", \"", out);
        ks_trace_hex(out, entries[i].value, value_size);
        fputs("\"]", out);
        free(entries[i].key);
        free(entries[i].value);
    }
    fputs("]", out);
    free(entries);
    free(key);
    free(next);
    free(value);
}

/* After each test, when tracing: its entry, with every traced map's entries as they are
 * now (dump_maps NULL: the object did not load, so there are none). */
static void ks_trace_test(const char *name, const char *status, void (*dump_maps)(void))
{
    if (!ks_trace_file) return;
    FILE *out = ks_trace_file;
    fputs(ks_trace_tests++ ? ",\n    { \"name\": " : "\n    { \"name\": ", out);
    ks_trace_string(out, name);
    fprintf(out, ", \"status\": \"%s\", \"runs\": [%s], \"maps\": {", status, ks_trace_runs_len ? ks_trace_runs : "");
    ks_trace_maps_count = 0;
    if (dump_maps) dump_maps();
    fputs(ks_trace_maps_count ? " } }" : "} }", out);
    ks_trace_runs_len = 0;
}

/* After the last test: PATH.tmp is complete and becomes PATH. 0, or -1 after saying why on stderr. */
static int ks_trace_close(void)
{
    if (!ks_trace_file) return 0;
    fputs(ks_trace_tests ? "\n  ]\n}\n" : "]\n}\n", ks_trace_file);
    int failed = ferror(ks_trace_file);
    if (fclose(ks_trace_file) != 0) failed = 1;
    ks_trace_file = NULL;
    if (failed || rename(ks_trace_temp, ks_trace_path) != 0) {
        fprintf(stderr, "error: cannot write the trace %s: %s\n", ks_trace_path, strerror(errno));
        unlink(ks_trace_temp);
        return -1;
    }
    return 0;
}
