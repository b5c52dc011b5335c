/* C unit test of runtime-c/print-values.c: how the loaders print map keys and values.
 * Built and run by tests/e2e/runtime-c.test.ts (cc -Wall -Werror); prints one line per
 * check and exits non-zero on the first wrong result. */
#include "system-includes.c"
#include "prelude.c"
#include "print-values.c"

static int failures;

static void expect_printed(const char *what, void (*print)(FILE *out), const char *expected) {
    char buffer[256] = {0};
    FILE *out = fmemopen(buffer, sizeof(buffer) - 1, "w");
    print(out);
    fclose(out);
    if (strcmp(buffer, expected) != 0) {
        printf("FAIL %s: printed [%s], expected [%s]\n", what, buffer, expected);
        failures++;
    } else {
        printf("ok %s\n", what);
    }
}

static void chars_plain(FILE *out) { ks_print_chars(out, "eth0\0junk", 16); }
static void chars_escaped(FILE *out) { ks_print_chars(out, "a\"b\\c\n", 16); }
static void chars_capacity(FILE *out) { ks_print_chars(out, "abcdef", 3); }
static void char_plain(FILE *out) { ks_print_char(out, 'x'); }
static void char_quote(FILE *out) { ks_print_char(out, '\''); }
static void char_byte(FILE *out) { ks_print_char(out, (char)0xff); }
static void hex_bytes(FILE *out) { const unsigned char b[] = {0x0a, 0x0b, 0xff}; ks_print_hex(out, b, sizeof(b)); }
static void hex_empty(FILE *out) { ks_print_hex(out, "", 0); }

int main(void) {
    expect_printed("a string stops at its NUL", chars_plain, "\"eth0\"");
    expect_printed("quotes, backslashes and control bytes are escaped", chars_escaped, "\"a\\\"b\\\\c\\x0a\"");
    expect_printed("a string without NUL stops at its capacity", chars_capacity, "\"abc\"");
    expect_printed("a char", char_plain, "'x'");
    expect_printed("a quote char is a byte escape", char_quote, "'\\x27'");
    expect_printed("a non-printable char is a byte escape", char_byte, "'\\xff'");
    expect_printed("bytes in hex", hex_bytes, "0x0a0bff");
    expect_printed("no bytes", hex_empty, "0x");
    const unsigned char zeros[8] = {0}, one[3] = {0, 0, 1};
    if (!ks_all_zero(zeros, sizeof(zeros)) || ks_all_zero(one, sizeof(one))) {
        printf("FAIL ks_all_zero\n");
        failures++;
    } else {
        printf("ok all-zero values are told from the others\n");
    }
    return failures == 0 ? 0 : 1;
}
