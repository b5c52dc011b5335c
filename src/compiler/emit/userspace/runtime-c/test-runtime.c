/* The runtime of the test binary NAME.test.c (emitted by emit/userspace/test-runtime.ts,
 * which defines KS_PACKET_MAX and pastes packet-headers.c first): test structs, packet
 * builders, ks_test_exec over BPF_PROG_TEST_RUN and the assertion-failure path. */

#define KS_TEST_XDP 1
#define KS_TEST_TC 2
#define KS_TEST_RAW_TP 3

/* TC_ACT_* are macros in linux/pkt_cls.h; the language types TC results as this enum. */
enum tc_action { ks_tc_action_lowest = -1, ks_tc_action_highest = 8 };

/* "No header given": every field is filled in by the builder. */
static KS_UNUSED const struct ethhdr ks_no_ethhdr;
static KS_UNUSED const struct iphdr ks_no_iphdr;
static KS_UNUSED const struct ipv6hdr ks_no_ipv6hdr;
static KS_UNUSED const struct tcphdr ks_no_tcphdr;
static KS_UNUSED const struct udphdr ks_no_udphdr;
static KS_UNUSED const struct icmphdr ks_no_icmphdr;
static KS_UNUSED const struct icmp6hdr ks_no_icmp6hdr;

/* The language's view is len and data; the rest is the builder's bookkeeping. */
struct TestPacket {
    __u32 len;
    __u8 data[KS_PACKET_MAX];
    __u16 l3_off, l4_off;
    __u8 l3, l4;               /* 4 / 6; IPPROTO_TCP / _UDP / _ICMP / _ICMPV6 */
    __u8 auto_eth_proto, auto_l3_len, auto_l3_proto, auto_l3_check, auto_l4_len, auto_l4_check;
};
struct TestRun {
    struct TestPacket packet;
    __u32 ingress_ifindex, rx_queue_index, ifindex, mark, priority, repeat;
    __u64 args[12];
};
struct TestResult {
    __u32 retval;
    struct TestPacket packet;
    __u64 duration_ns;
};
struct ks_test_label { const char *name; long long value; };

static jmp_buf ks_test_jump;
static char ks_test_failure[4096];
static int ks_test_ran;

/* Stops the current test: the message is printed under its FAIL line. */
static __attribute__((noreturn, format(printf, 1, 2))) void ks_test_abort(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(ks_test_failure, sizeof(ks_test_failure), format, args);
    va_end(args);
    longjmp(ks_test_jump, 1);
}

/*
 * Stops the current test as skipped: it ran a program this machine could not load
 * (ks_unloaded_reason). Only reachable while nothing failed: a failure stops the test first.
 */
static char ks_test_skipped[4096];
static __attribute__((noreturn)) void ks_test_skip(const char *reason)
{
    snprintf(ks_test_skipped, sizeof(ks_test_skipped), "%s", reason);
    longjmp(ks_test_jump, 1);
}

/*
 * --report PATH: one line per test for `kernelscript test --format json|tap`, apart from
 * stdout (where the tests' own prints go): STATUS TAB NAME TAB MILLISECONDS TAB MESSAGE,
 * STATUS being ok, fail or skip; in NAME and MESSAGE a backslash, tab and newline are
 * written \\, \t and \n.
 */
static FILE *ks_test_report;

static void ks_test_report_text(const char *text)
{
    for (; *text; text++) {
        if (*text == '\\') fputs("\\\\", ks_test_report);
        else if (*text == '\t') fputs("\\t", ks_test_report);
        else if (*text == '\n') fputs("\\n", ks_test_report);
        else fputc(*text, ks_test_report);
    }
}

static void ks_test_report_result(const char *status, const char *name, double ms, const char *message)
{
    if (!ks_test_report) return;
    fprintf(ks_test_report, "%s\t", status);
    ks_test_report_text(name);
    fprintf(ks_test_report, "\t%.3f\t", ms);
    ks_test_report_text(message);
    fputc('\n', ks_test_report);
    fflush(ks_test_report);
}

static KS_UNUSED const char *ks_test_fmt(int slot, long long value, int is_signed, const struct ks_test_label *labels)
{
    static char buffers[2][128];
    char *out = buffers[slot & 1];
    if (labels) {
        for (const struct ks_test_label *l = labels; l->name; l++) {
            if (l->value == value) {
                snprintf(out, sizeof(buffers[0]), "%s (%lld)", l->name, value);
                return out;
            }
        }
    }
    if (is_signed) snprintf(out, sizeof(buffers[0]), "%lld", value);
    else snprintf(out, sizeof(buffers[0]), "%llu", (unsigned long long)value);
    return out;
}

static KS_UNUSED __attribute__((noreturn)) void ks_test_assert_failed(const char *location, const char *text, const char *message,
                                                                      const char *op, const char *left, const char *right)
{
    int n = snprintf(ks_test_failure, sizeof(ks_test_failure), "%s: assertion failed: %s", location, text);
    if (message && n >= 0 && (size_t)n < sizeof(ks_test_failure))
        n += snprintf(ks_test_failure + n, sizeof(ks_test_failure) - (size_t)n, "\n  %s", message);
    if (op && n >= 0 && (size_t)n < sizeof(ks_test_failure)) {
        if (strcmp(op, "==") == 0)
            snprintf(ks_test_failure + n, sizeof(ks_test_failure) - (size_t)n, "\n  expected %s, got %s", right, left);
        else
            snprintf(ks_test_failure + n, sizeof(ks_test_failure) - (size_t)n, "\n  left:  %s\n  right: %s", left, right);
    }
    longjmp(ks_test_jump, 1);
}

/*
 * run_command("…"): /bin/sh -c in a child whose output goes to /dev/null (the report
 * stays readable); its exit status, or 128 + N when signal N killed it.
 */
static KS_UNUSED __s32 ks_test_run_command(const char *location, const char *command)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) ks_test_abort("%s: run_command(\"%s\"): cannot start a process: %s", location, command, strerror(errno));
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            dup2(null_fd, STDIN_FILENO);
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
        }
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) ks_test_abort("%s: run_command(\"%s\"): waiting for it failed: %s", location, command, strerror(errno));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* Internet checksum (RFC 1071) over a buffer, continuing from sum. */
static __u32 ks_csum_add(__u32 sum, const __u8 *data, __u32 len)
{
    for (__u32 i = 0; i + 1 < len; i += 2) sum += (__u32)(data[i] << 8 | data[i + 1]);
    if (len & 1) sum += (__u32)(data[len - 1] << 8);
    return sum;
}

static __be16 ks_csum_fold(__u32 sum)
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return htons((__u16)~sum);
}

/* Recomputes every length, protocol and checksum the user left at zero. */
static void ks_pkt_finalize(struct TestPacket *p)
{
    struct ethhdr *eth = (struct ethhdr *)p->data;
    if (p->auto_eth_proto && p->l3) eth->h_proto = htons(p->l3 == 4 ? 0x0800 : 0x86dd);
    __u32 l4_len = p->l4 ? p->len - p->l4_off : 0;
    __u32 pseudo = 0;
    if (p->l3 == 4) {
        struct iphdr *ip = (struct iphdr *)(p->data + p->l3_off);
        if (p->auto_l3_len) ip->tot_len = htons((__u16)(p->len - p->l3_off));
        if (p->auto_l3_proto && p->l4) ip->protocol = p->l4;
        if (p->auto_l3_check) {
            ip->check = 0;
            ip->check = ks_csum_fold(ks_csum_add(0, (const __u8 *)ip, sizeof(*ip)));
        }
        pseudo = ks_csum_add(0, (const __u8 *)&ip->saddr, 8) + ip->protocol + l4_len;
    } else if (p->l3 == 6) {
        struct ipv6hdr *ip6 = (struct ipv6hdr *)(p->data + p->l3_off);
        if (p->auto_l3_len) ip6->payload_len = htons((__u16)(p->len - p->l3_off - sizeof(*ip6)));
        if (p->auto_l3_proto && p->l4) ip6->nexthdr = p->l4;
        pseudo = ks_csum_add(0, (const __u8 *)&ip6->saddr, 32) + ip6->nexthdr + l4_len;
    }
    if (!p->l4) return;
    __u8 *l4 = p->data + p->l4_off;
    __be16 *check = NULL;
    int uses_pseudo = 1;
    switch (p->l4) {
    case 6: check = &((struct tcphdr *)l4)->check; break;
    case 17:
        if (p->auto_l4_len) ((struct udphdr *)l4)->len = htons((__u16)l4_len);
        check = &((struct udphdr *)l4)->check;
        break;
    case 1: check = &((struct icmphdr *)l4)->checksum; uses_pseudo = 0; break;
    case 58: check = &((struct icmp6hdr *)l4)->icmp6_cksum; break;
    default: return;
    }
    if (!p->auto_l4_check) return;
    *check = 0;
    __be16 sum = ks_csum_fold(ks_csum_add(uses_pseudo ? pseudo : 0, l4, l4_len));
    /* A UDP checksum of 0 means "none": send the all-ones form instead. */
    if (p->l4 == 17 && sum == 0) sum = 0xffff;
    *check = sum;
}

static void ks_pkt_append(struct TestPacket *p, const void *bytes, __u32 len, const char *what)
{
    if (p->len + len > KS_PACKET_MAX)
        ks_test_abort("the packet is too large: adding %s (%u bytes) to %u bytes exceeds the %u bytes a test run can take", what, len, p->len, KS_PACKET_MAX);
    if (bytes) memcpy(p->data + p->len, bytes, len);
    else for (__u32 i = 0; i < len; i++) p->data[p->len + i] = (__u8)(p->len + i);
    p->len += len;
}

static KS_UNUSED struct TestPacket ks_pkt_eth(struct ethhdr h)
{
    static const __u8 dest[6] = { 0x02, 0, 0, 0, 0, 0x02 }, source[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    static const __u8 zero[6];
    struct TestPacket p;
    memset(&p, 0, sizeof(p));
    if (memcmp(h.h_dest, zero, 6) == 0) memcpy(h.h_dest, dest, 6);
    if (memcmp(h.h_source, zero, 6) == 0) memcpy(h.h_source, source, 6);
    p.auto_eth_proto = h.h_proto == 0;
    ks_pkt_append(&p, &h, sizeof(h), "the Ethernet header");
    return p;
}

static void ks_pkt_l3_check(const struct TestPacket *p, const char *method)
{
    if (p->l3) ks_test_abort(".%s(): the packet already has an IPv%d header", method, p->l3);
    if (p->len != sizeof(struct ethhdr)) ks_test_abort(".%s(): a network header must follow the Ethernet header directly", method);
}

static void ks_pkt_l4_check(const struct TestPacket *p, const char *method, int needs)
{
    if (!p->l3) ks_test_abort(".%s(): add an IP header first (.ipv4() or .ipv6())", method);
    if (needs && p->l3 != needs) ks_test_abort(".%s(): this header goes with IPv%d, not IPv%d", method, needs, p->l3);
    if (p->l4) ks_test_abort(".%s(): the packet already has a transport header", method);
    if (p->len != p->l3_off + (p->l3 == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr)))
        ks_test_abort(".%s(): a transport header must follow the IP header directly", method);
}

static void ks_pkt_l3(struct TestPacket *p, __u8 version, const void *h, __u32 size, int auto_len, int auto_proto, int auto_check, const char *what)
{
    p->auto_l3_len = (__u8)auto_len;
    p->auto_l3_proto = (__u8)auto_proto;
    p->auto_l3_check = (__u8)auto_check;
    p->l3 = version;
    p->l3_off = (__u16)p->len;
    ks_pkt_append(p, h, size, what);
    ks_pkt_finalize(p);
}

static KS_UNUSED struct TestPacket ks_pkt_ipv4(struct TestPacket p, struct iphdr h)
{
    ks_pkt_l3_check(&p, "ipv4");
    if (!h.version) h.version = 4;
    if (!h.ihl) h.ihl = 5;
    if (!h.ttl) h.ttl = 64;
    if (!h.saddr) h.saddr = htonl(0xc6120001); /* 198.18.0.1 */
    if (!h.daddr) h.daddr = htonl(0xc6120002); /* 198.18.0.2 */
    ks_pkt_l3(&p, 4, &h, sizeof(h), h.tot_len == 0, h.protocol == 0, h.check == 0, "the IPv4 header");
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_ipv6(struct TestPacket p, struct ipv6hdr h)
{
    static const __u8 zero[16];
    ks_pkt_l3_check(&p, "ipv6");
    if (!h.version) h.version = 6;
    if (!h.hop_limit) h.hop_limit = 64;
    /* 2001:db8::1 -> 2001:db8::2 (the documentation prefix) */
    if (memcmp(h.saddr.in6_u.u6_addr8, zero, 16) == 0) { h.saddr.in6_u.u6_addr8[0] = 0x20; h.saddr.in6_u.u6_addr8[1] = 0x01; h.saddr.in6_u.u6_addr8[2] = 0x0d; h.saddr.in6_u.u6_addr8[3] = 0xb8; h.saddr.in6_u.u6_addr8[15] = 1; }
    if (memcmp(h.daddr.in6_u.u6_addr8, zero, 16) == 0) { h.daddr.in6_u.u6_addr8[0] = 0x20; h.daddr.in6_u.u6_addr8[1] = 0x01; h.daddr.in6_u.u6_addr8[2] = 0x0d; h.daddr.in6_u.u6_addr8[3] = 0xb8; h.daddr.in6_u.u6_addr8[15] = 2; }
    /* IPv6 has no header checksum. */
    ks_pkt_l3(&p, 6, &h, sizeof(h), h.payload_len == 0, h.nexthdr == 0, 0, "the IPv6 header");
    return p;
}

static void ks_pkt_l4(struct TestPacket *p, __u8 proto, const void *h, __u32 size, int auto_len, int auto_check, const char *what)
{
    p->l4 = proto;
    p->l4_off = (__u16)p->len;
    p->auto_l4_len = (__u8)auto_len;
    p->auto_l4_check = (__u8)auto_check;
    ks_pkt_append(p, h, size, what);
    ks_pkt_finalize(p);
}

static KS_UNUSED struct TestPacket ks_pkt_tcp(struct TestPacket p, struct tcphdr h)
{
    ks_pkt_l4_check(&p, "tcp", 0);
    if (!h.source) h.source = htons(40000);
    if (!h.dest) h.dest = htons(80);
    if (!h.doff) h.doff = 5;
    if (!h.window) h.window = htons(65535);
    ks_pkt_l4(&p, 6, &h, sizeof(h), 0, h.check == 0, "the TCP header");
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_udp(struct TestPacket p, struct udphdr h)
{
    ks_pkt_l4_check(&p, "udp", 0);
    if (!h.source) h.source = htons(40000);
    if (!h.dest) h.dest = htons(53);
    ks_pkt_l4(&p, 17, &h, sizeof(h), h.len == 0, h.check == 0, "the UDP header");
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_icmp(struct TestPacket p, struct icmphdr h)
{
    ks_pkt_l4_check(&p, "icmp", 4);
    ks_pkt_l4(&p, 1, &h, sizeof(h), 0, h.checksum == 0, "the ICMP header");
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_icmp6(struct TestPacket p, struct icmp6hdr h)
{
    ks_pkt_l4_check(&p, "icmp6", 6);
    if (!h.icmp6_type) h.icmp6_type = 128; /* echo request (type 0 is reserved) */
    ks_pkt_l4(&p, 58, &h, sizeof(h), 0, h.icmp6_cksum == 0, "the ICMPv6 header");
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_payload(struct TestPacket p, __u32 n)
{
    if (p.len == 0) ks_test_abort(".payload(): start the packet with eth_packet()");
    ks_pkt_append(&p, NULL, n, "the payload");
    ks_pkt_finalize(&p);
    return p;
}

static KS_UNUSED struct TestPacket ks_pkt_pad_to(struct TestPacket p, __u32 n)
{
    if (n < p.len) ks_test_abort(".pad_to(%u): the packet is already %u bytes long", n, p.len);
    return ks_pkt_payload(p, n - p.len);
}

/* A test context's packet_size: a frame of n zero bytes (no headers to fill in). */
static KS_UNUSED struct TestPacket ks_pkt_zeros(__u64 n, const char *what)
{
    struct TestPacket p;
    if (n < 14 || n > KS_PACKET_MAX)
        ks_test_abort("%s is %llu; a test frame has 14 (an Ethernet header) to %u bytes", what, (unsigned long long)n, KS_PACKET_MAX);
    memset(&p, 0, sizeof(p));
    p.len = (__u32)n;
    return p;
}

/* The frame a run without a packet gets: Ethernet, IPv4, UDP, no payload (42 bytes). */
static struct TestPacket ks_pkt_default(void)
{
    struct ethhdr eth;
    struct iphdr ip;
    struct udphdr udp;
    memset(&eth, 0, sizeof(eth));
    memset(&ip, 0, sizeof(ip));
    memset(&udp, 0, sizeof(udp));
    return ks_pkt_udp(ks_pkt_ipv4(ks_pkt_eth(eth), ip), udp);
}

/* BPF_PROG_TEST_RUN failed: the cause, with what usually leads to it. */
static __attribute__((noreturn)) void ks_test_run_failed(const char *name, int err)
{
    const char *hint = err == ENODEV ? " (no interface has the ifindex given in the TestRun)"
                     : err == EINVAL ? " (the kernel refused the packet or context: check the TestRun fields and the packet size)"
                     : err == ENOTSUP || err == 524 ? " (this kernel cannot test-run this program type)"
                     : err == EPERM ? " (BPF_PROG_TEST_RUN needs root, or CAP_BPF + CAP_NET_ADMIN)" : "";
    ks_test_abort("running program '%s' failed: %s%s", name, strerror(err), hint);
}

/* The fd of a program to run; skips the test when this machine could not load it. */
static KS_UNUSED int ks_test_prog_fd(struct bpf_program *prog, const char *name)
{
    int fd = prog ? bpf_program__fd(prog) : -1;
    if (fd < 0 && ks_unloaded_reason(name)) ks_test_skip(ks_unloaded_reason(name));
    if (fd < 0) ks_test_abort("program '%s' is not loaded", name);
    return fd;
}

/* A raw tracepoint program on the arguments of run (the kernel runs it once, on this CPU). */
static struct TestResult ks_test_exec_raw_tp(int fd, const char *name, struct TestRun run)
{
    struct TestResult result;
    memset(&result, 0, sizeof(result));
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = run.args, .ctx_size_in = sizeof(run.args));
    if (bpf_prog_test_run_opts(fd, &opts) != 0) ks_test_run_failed(name, errno);
    ks_test_ran++;
    result.retval = opts.retval;
    return result;
}

/* The kernel's struct nf_hook_state as a netfilter test run's context: only hook and pf
 * may be set (the pointers must stay NULL; the kernel fills in the loopback device). */
struct ks_nf_hook_state {
    __u8 hook;
    __u8 pf;
    __u64 in, out, sk, net, okfn;
};
#define KS_NF_INET_LOCAL_OUT 3

/* A netfilter program on the packet of run at hook `hook` of family `pf` (NFPROTO_*).
 * The kernel takes a frame for every hook but local_out, where the packet is made by the
 * host and has no link-layer header yet: there the builder's Ethernet header is taken
 * off. It gives no packet back; the result is the verdict (NF_DROP 0, NF_ACCEPT 1). */
static KS_UNUSED struct TestResult ks_test_exec_netfilter(struct bpf_program *prog, const char *name, __u8 pf, __u8 hook, struct TestRun run)
{
    struct TestResult result;
    memset(&result, 0, sizeof(result));
    struct TestPacket packet = run.packet.len ? run.packet : ks_pkt_default();
    int fd = ks_test_prog_fd(prog, name);
    /* The kernel's answer to a packet of the other family is a bare EINVAL. */
    int family = pf == 10 ? 6 : 4;
    if (packet.l3 && packet.l3 != family)
        ks_test_abort("running program '%s': its hook is IPv%d, the packet is IPv%d (build it with .ipv%d())", name, family, packet.l3, family);
    __u32 skip = hook == KS_NF_INET_LOCAL_OUT ? (__u32)sizeof(struct ethhdr) : 0;
    if (packet.len <= skip) ks_test_abort("running program '%s': a local_out packet needs an IP header after the Ethernet header", name);
    struct ks_nf_hook_state state;
    memset(&state, 0, sizeof(state));
    state.hook = hook;
    state.pf = pf;
    LIBBPF_OPTS(bpf_test_run_opts, opts,
        .data_in = packet.data + skip,
        .data_size_in = packet.len - skip,
        .ctx_in = &state,
        .ctx_size_in = sizeof(state),
        .repeat = run.repeat ? run.repeat : 1);
    if (bpf_prog_test_run_opts(fd, &opts) != 0) ks_test_run_failed(name, errno);
    ks_test_ran++;
    result.retval = opts.retval;
    result.duration_ns = opts.duration;
    return result;
}

/* Runs one program once (or run.repeat times) on the packet and context of run. */
static KS_UNUSED struct TestResult ks_test_exec(struct bpf_program *prog, const char *name, int kind, struct TestRun run)
{
    struct TestResult result;
    memset(&result, 0, sizeof(result));
    struct TestPacket packet = run.packet.len ? run.packet : ks_pkt_default();
    int fd = ks_test_prog_fd(prog, name);
    if (kind == KS_TEST_RAW_TP) return ks_test_exec_raw_tp(fd, name, run);
    LIBBPF_OPTS(bpf_test_run_opts, opts,
        .data_in = packet.data,
        .data_size_in = packet.len,
        .data_out = result.packet.data,
        .data_size_out = sizeof(result.packet.data),
        .repeat = run.repeat ? run.repeat : 1);
    struct xdp_md xdp;
    struct __sk_buff skb;
    if (kind == KS_TEST_XDP && (run.ingress_ifindex || run.rx_queue_index)) {
        memset(&xdp, 0, sizeof(xdp));
        xdp.data_end = packet.len;
        xdp.ingress_ifindex = run.ingress_ifindex;
        xdp.rx_queue_index = run.rx_queue_index;
        opts.ctx_in = &xdp;
        opts.ctx_size_in = sizeof(xdp);
    }
    if (kind == KS_TEST_TC && (run.ingress_ifindex || run.ifindex || run.mark || run.priority)) {
        memset(&skb, 0, sizeof(skb));
        skb.ingress_ifindex = run.ingress_ifindex;
        skb.ifindex = run.ifindex;
        skb.mark = run.mark;
        skb.priority = run.priority;
        opts.ctx_in = &skb;
        opts.ctx_size_in = sizeof(skb);
    }
    if (bpf_prog_test_run_opts(fd, &opts) != 0) ks_test_run_failed(name, errno);
    ks_test_ran++;
    result.retval = opts.retval;
    result.packet.len = opts.data_size_out;
    result.duration_ns = opts.duration;
    return result;
}
