/* C unit test of runtime-c/args-parsers.c (the typed values of the Args parser) and of
 * runtime-c/runtime-calls.c (clocks, sleep, running, ntop/macaddr/strftime formatting).
 * Built and run by tests/e2e/runtime-c.test.ts (cc -Wall -Werror); prints one line per
 * check, exits non-zero on failure. */
#include "system-includes.c"
#include "prelude.c"
#include <sys/time.h>

static volatile sig_atomic_t ks_exiting;

#include "args-parsers.c"
#include "runtime-calls.c"

static int failures;

#define CHECK(what, condition) do { \
    if (condition) printf("ok %s\n", what); \
    else { printf("FAIL %s\n", what); failures++; } \
} while (0)

static void on_alarm(int signo) {
    (void)signo;
    ks_exiting = 1;
}

int main(void) {
    __u64 v = 0;
    CHECK("a plain number", ks_parse_u64_or_duration("42", &v) == 0 && v == 42);
    CHECK("hex", ks_parse_u64_or_duration("0x10", &v) == 0 && v == 16);
    CHECK("250ms", ks_parse_u64_or_duration("250ms", &v) == 0 && v == 250000000ULL);
    CHECK("2h", ks_parse_u64_or_duration("2h", &v) == 0 && v == 7200000000000ULL);
    CHECK("10us", ks_parse_u64_or_duration("10us", &v) == 0 && v == 10000ULL);
    CHECK("an unknown unit", ks_parse_u64_or_duration("5sec", &v) != 0);
    CHECK("a sign", ks_parse_u64_or_duration("-1s", &v) != 0);
    CHECK("overflow", ks_parse_u64_or_duration("99999999999999h", &v) != 0);
    CHECK("empty", ks_parse_u64_or_duration("", &v) != 0);

    unsigned char a4[4], a16[16], mac[6];
    CHECK("IPv4", ks_parse_address("192.0.2.1", a4, 4) == 0 && a4[0] == 192 && a4[3] == 1);
    CHECK("not IPv4", ks_parse_address("192.0.2", a4, 4) != 0);
    CHECK("IPv6", ks_parse_address("2001:db8::1", a16, 16) == 0 && a16[0] == 0x20 && a16[15] == 1);
    CHECK("IPv4 is not IPv6", ks_parse_address("192.0.2.1", a16, 16) != 0);
    CHECK("MAC", ks_parse_mac("02:00:00:00:00:0a", mac) == 0 && mac[0] == 2 && mac[5] == 10);
    CHECK("MAC with dashes", ks_parse_mac("02-00-00-00-00-0B", mac) == 0 && mac[5] == 11);
    CHECK("MAC mixed separators", ks_parse_mac("02:00-00:00:00:0a", mac) != 0);
    CHECK("MAC too short", ks_parse_mac("02:00:00:00:00", mac) != 0);
    CHECK("MAC too long", ks_parse_mac("02:00:00:00:00:0a:01", mac) != 0);

    __u32 length = 0;
    CHECK("prefix", ks_parse_prefix("198.18.0.0/15", &length, a4, 4) == 0 && length == 15 && a4[1] == 18);
    CHECK("bare address is /32", ks_parse_prefix("10.0.0.1", &length, a4, 4) == 0 && length == 32);
    CHECK("/33 refused", ks_parse_prefix("10.0.0.0/33", &length, a4, 4) != 0);
    CHECK("empty length refused", ks_parse_prefix("10.0.0.0/", &length, a4, 4) != 0);
    CHECK("IPv6 prefix", ks_parse_prefix("2001:db8::/32", &length, a16, 16) == 0 && length == 32);
    CHECK("bare IPv6 is /128", ks_parse_prefix("::1", &length, a16, 16) == 0 && length == 128);

    char text[64];
    __u32 raw = 0;
    memcpy(&raw, (unsigned char[]){ 198, 18, 0, 1 }, 4);
    ks_format_ntop(text, sizeof(text), AF_INET, &raw, -1);
    CHECK("ntop of a u32 in memory order", strcmp(text, "198.18.0.1") == 0);
    ks_format_ntop(text, sizeof(text), AF_INET6, a16, -1);
    CHECK("ntop IPv6", strcmp(text, "::1") == 0);
    ks_format_ntop(text, sizeof(text), AF_INET, &raw, 15);
    CHECK("ntop of a prefix", strcmp(text, "198.18.0.1/15") == 0);
    ks_format_ntop(text, sizeof(text), AF_INET6, a16, 128);
    CHECK("ntop of an IPv6 prefix", strcmp(text, "::1/128") == 0);
    ks_format_mac(text, sizeof(text), (unsigned char[]){ 2, 0, 0, 0, 0, 0xab });
    CHECK("macaddr", strcmp(text, "02:00:00:00:00:ab") == 0);
    setenv("TZ", "UTC", 1);
    tzset();
    ks_format_time(text, sizeof(text), "%Y-%m-%d %H:%M:%S", 86400ULL * 1000000000ULL + 5000000000ULL);
    CHECK("strftime", strcmp(text, "1970-01-02 00:00:05") == 0);
    char small[4];
    ks_format_time(small, sizeof(small), "%Y-%m-%d", 0);
    CHECK("strftime too long is empty", small[0] == '\0');

    __u64 before = ks_now_ns();
    CHECK("sleep sleeps", ks_sleep_ns(20000000ULL) && ks_now_ns() - before >= 20000000ULL);
    CHECK("running", ks_running());
    signal(SIGALRM, on_alarm);
    struct itimerval timer = { { 0, 0 }, { 0, 50000 } };
    setitimer(ITIMER_REAL, &timer, NULL);
    before = ks_now_ns();
    bool slept = ks_sleep_ns(5000000000ULL);
    CHECK("a signal ends a sleep at once, which returns false", !slept && ks_now_ns() - before < 1000000000ULL);
    CHECK("not running after it", !ks_running());
    CHECK("sleep returns false at once once stopping", !ks_sleep_ns(5000000000ULL));
    CHECK("wall time is after 2020", ks_wall_time_ns() > 1577836800ULL * 1000000000ULL);
    return failures == 0 ? 0 : 1;
}
