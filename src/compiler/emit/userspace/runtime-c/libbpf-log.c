/* libbpf prints through a callback; everything it says is kept in a buffer so a failed */
/* load can be explained in one line, with the verifier log in a file. */

static char *ks_log;
static size_t ks_log_len, ks_log_cap;

static int ks_libbpf_print(enum libbpf_print_level level, const char *format, va_list args) {
    char chunk[4096];
    va_list copy;
    va_copy(copy, args);
    int n = vsnprintf(chunk, sizeof(chunk), format, copy);
    va_end(copy);
    /* KS_VERBOSE=1 shows libbpf's own messages as they come. */
    if (getenv("KS_VERBOSE")) {
        va_copy(copy, args);
        vfprintf(stderr, format, copy);
        va_end(copy);
    }
    if (level == LIBBPF_DEBUG || n <= 0) return 0;
    /* Verifier logs can exceed the chunk: format again into the buffer directly. */
    size_t need = (size_t)n + 1;
    if (ks_log_len + need > ks_log_cap) {
        size_t cap = ks_log_cap ? ks_log_cap : 65536;
        while (cap < ks_log_len + need) cap *= 2;
        char *grown = realloc(ks_log, cap);
        if (!grown) return 0;
        ks_log = grown;
        ks_log_cap = cap;
    }
    va_copy(copy, args);
    vsnprintf(ks_log + ks_log_len, need, format, copy);
    va_end(copy);
    ks_log_len += (size_t)n;
    return 0;
}
