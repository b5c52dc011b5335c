/* C unit test of runtime-c/aggregations.c (histogram rows, ranges, top-N order) and of
 * runtime-c/stacks.c's symbolisation (this binary's own function from its ELF symbols;
 * a kernel function from /proc/kallsyms, where addresses are visible).
 * Built and run by tests/e2e/runtime-c.test.ts (cc -Wall -Werror); prints one line per
 * check and exits non-zero on any wrong result. */
#include "system-includes.c"
#include "prelude.c"
#include "print-values.c"
#include "aggregations.c"
#include "stacks.c"

static int failures;

static void expect_text(const char *what, const char *found, const char *expected) {
    if (strcmp(found, expected) != 0) {
        printf("FAIL %s: [%s], expected [%s]\n", what, found, expected);
        failures++;
    } else {
        printf("ok %s\n", what);
    }
}

static void expect(const char *what, bool holds) {
    printf("%s %s\n", holds ? "ok" : "FAIL", what);
    if (!holds) failures++;
}

static const char *log2_range(size_t bucket) {
    static char text[64];
    ks_log2_range(text, sizeof(text), bucket, NULL);
    return text;
}

static const char *linear_range(size_t bucket) {
    static char text[64];
    static const struct ks_linear_bounds bounds = { 0, 100, 30 };
    ks_linear_range(text, sizeof(text), bucket, &bounds);
    return text;
}

static const __u64 rows_counts[6] = { 0, 4, 0, 2, 0, 0 };

static void rows(FILE *out) { ks_print_bucket_rows(out, rows_counts, 6, ks_log2_range, NULL); }
static void empty_rows(FILE *out) { static const __u64 none[3]; ks_print_bucket_rows(out, none, 3, ks_log2_range, NULL); }

static void printed(const char *what, void (*print)(FILE *out), const char *expected) {
    char buffer[1024] = {0};
    FILE *out = fmemopen(buffer, sizeof(buffer) - 1, "w");
    print(out);
    fclose(out);
    expect_text(what, buffer, expected);
}

/* A function of this binary, named in its .symtab: the user-stack symboliser must find it. */
__attribute__((noinline)) int ks_test_marker_function(int x) {
    return x * 3 + 1;
}

int main(void) {
    const __u8 one = 7;
    const __u16 two = 0x1234;
    const __u32 four = 0x89abcdef;
    const __u64 eight = 0x0123456789abcdefULL;
    expect("integers of 1, 2, 4 and 8 bytes are read by their size",
           ks_unsigned_of(&one, 1) == 7 && ks_unsigned_of(&two, 2) == 0x1234 && ks_unsigned_of(&four, 4) == 0x89abcdef && ks_unsigned_of(&eight, 8) == eight);

    expect_text("log2 bucket 0 is [0]", log2_range(0), "[0]");
    expect_text("log2 bucket 1 is [1]", log2_range(1), "[1]");
    expect_text("log2 bucket 2 is [2, 4)", log2_range(2), "[2, 4)");
    expect_text("log2 bucket 11 is [1K, 2K)", log2_range(11), "[1K, 2K)");
    expect_text("log2 bucket 21 is [1M, 2M)", log2_range(21), "[1M, 2M)");
    expect_text("log2 bucket 64 reaches the end of u64", log2_range(64), "[8E, ...)");
    char size[24];
    ks_format_size(size, sizeof(size), 1536);
    expect_text("a size not a multiple of 1024 keeps its digits", size, "1536");

    expect_text("linear bucket 0 is below min", linear_range(0), "(..., 0)");
    expect_text("linear bucket 1 is [min, min + step)", linear_range(1), "[0, 30)");
    expect_text("the last inside bucket stops at max", linear_range(4), "[90, 100)");
    expect_text("the bucket past the range is max and up", linear_range(5), "[100, ...)");

    printed("rows from the first to the last non-empty bucket, bars scaled to the largest", rows,
            "[1]                         4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[2, 4)                      0 |                                                    |\n"
            "[4, 8)                      2 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n");
    printed("an empty histogram prints no rows", empty_rows, "");

    unsigned char keys[3] = { 1, 2, 3 };
    struct ks_ranked ranked[3] = { { 5, &keys[0], 1 }, { 9, &keys[1], 1 }, { 5, &keys[2], 1 } };
    qsort(ranked, 3, sizeof(ranked[0]), ks_compare_ranked);
    expect("top-N: largest value first, ties by key bytes",
           ranked[0].value == 9 && ranked[1].key[0] == 1 && ranked[2].key[0] == 3);

    /* User stacks: this binary's function, from /proc/self/maps and the ELF symbols. */
    char path[4096], name[256];
    __u64 offset = 0, into = 0;
    __u64 ip = (__u64)(unsigned long)&ks_test_marker_function + 4;
    bool mapped = ks_user_mapping((__u32)getpid(), ip, path, sizeof(path), &offset);
    expect("an address of this binary is found in /proc/self/maps", mapped);
    bool named = mapped && ks_elf_symbol(path, offset, name, sizeof(name), &into);
    expect("its ELF symbol is the function, 4 bytes in", named && strcmp(name, "ks_test_marker_function") == 0 && into == 4);
    expect("an address in no mapping is not found", !ks_user_mapping((__u32)getpid(), 8, path, sizeof(path), &offset));
    expect("ks_test_marker_function still runs", ks_test_marker_function(2) == 7);

    /* Kernel stacks: a text symbol of /proc/kallsyms, when this process may see addresses. */
    FILE *kallsyms = fopen("/proc/kallsyms", "r");
    unsigned long long address = 0;
    char line[512], symbol[256], type;
    while (kallsyms && fgets(line, sizeof(line), kallsyms)) {
        if (sscanf(line, "%llx %c %255s", &address, &type, symbol) == 3 && strcmp(symbol, "do_syscall_64") == 0) break;
        address = 0;
    }
    if (kallsyms) fclose(kallsyms);
    if (address == 0) {
        printf("ok kallsyms hides addresses here: kernel symbols are not checked\n");
    } else {
        const struct ks_ksym *found = ks_kernel_symbol(address + 5);
        expect("a kernel address is named by the kallsyms symbol at or below it",
               found && strcmp(found->name, "do_syscall_64") == 0 && address + 5 - found->addr == 5);
    }
    return failures == 0 ? 0 : 1;
}
