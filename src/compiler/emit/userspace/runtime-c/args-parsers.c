/* The typed values of the command-line parser generated for `fn main(args: Args)`
 * (emit/userspace/args.ts; which field type takes which value: kernel/args-options.ts).
 * Each reads one value from text: 0, or -1 when the text is not such a value. */

/* A u64: a number (decimal, 0x hex, 0 octal), or a duration with a unit in nanoseconds. */
static KS_UNUSED int ks_parse_u64_or_duration(const char *text, __u64 *out) {
    static const struct { const char *unit; unsigned long long ns; } units[] = {
        { "ns", 1ULL }, { "us", 1000ULL }, { "ms", 1000000ULL },
        { "s", 1000000000ULL }, { "m", 60000000000ULL }, { "h", 3600000000000ULL },
    };
    const char *digits = text;
    while (isspace((unsigned char)*digits)) digits++;
    if (*digits == '-' || *digits == '+') return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || end == text) return -1;
    if (*end == '\0') {
        *out = value;
        return 0;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) != 0) continue;
        if (value > ~0ULL / units[i].ns) return -1;
        *out = value * units[i].ns;
        return 0;
    }
    return -1;
}

/* An IPv4 (4 bytes) or IPv6 (16 bytes) address, in network byte order into out. */
static KS_UNUSED int ks_parse_address(const char *text, void *out, int bytes) {
    return inet_pton(bytes == 4 ? AF_INET : AF_INET6, text, out) == 1 ? 0 : -1;
}

/* A MAC address: six hex bytes separated by ':' (or '-'). */
static KS_UNUSED int ks_parse_mac(const char *text, void *out) {
    unsigned char *m = out;
    unsigned int b[6];
    char sep[5];
    int used = -1;
    if (sscanf(text, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%n", &b[0], &sep[0], &b[1], &sep[1], &b[2], &sep[2],
               &b[3], &sep[3], &b[4], &sep[4], &b[5], &used) != 11 || used < 0 || text[used] != '\0') return -1;
    for (int i = 0; i < 5; i++) if (sep[i] != sep[0] || (sep[i] != ':' && sep[i] != '-')) return -1;
    for (int i = 0; i < 6; i++) m[i] = (unsigned char)b[i];
    return 0;
}

/* A prefix `ADDRESS/LENGTH` (or a bare address: the whole length) of a 4- or 16-byte address.
 * Bits past LENGTH are cleared, as iptables and nft do (`198.18.0.1/24` is 198.18.0.0/24):
 * the prefix means its network, and printing it back or comparing it with another then
 * gives the network, not the address it was written with. */
static KS_UNUSED int ks_parse_prefix(const char *text, __u32 *prefixlen, void *address, int bytes) {
    char copy[64];
    if (strlen(text) >= sizeof(copy)) return -1;
    strcpy(copy, text);
    char *slash = strchr(copy, '/');
    unsigned long length = (unsigned long)bytes * 8;
    if (slash) {
        *slash = '\0';
        char *end = NULL;
        errno = 0;
        if (!isdigit((unsigned char)slash[1])) return -1;
        length = strtoul(slash + 1, &end, 10);
        if (errno != 0 || *end != '\0' || length > (unsigned long)bytes * 8) return -1;
    }
    if (ks_parse_address(copy, address, bytes) != 0) return -1;
    unsigned char *octets = address;
    for (int i = 0; i < bytes; i++) {
        unsigned long first = (unsigned long)i * 8;
        if (length <= first) octets[i] = 0;
        else if (length < first + 8) octets[i] &= (unsigned char)(0xff << (8 - (length - first)));
    }
    *prefixlen = (__u32)length;
    return 0;
}
