/* Netfilter attach (in the attach table): target is "ipv4|ipv6:HOOK[:PRIORITY]" (the */
/* attribute's argument, checked by the compiler; attach() calls are checked here). */
/* Needs: struct ks_attachment, ks_explain_errno (runtime-c/explain-errno.c). */
#include <sys/syscall.h>
#include <limits.h>

/* Kernel ABI values (6.4+), by value: Debian 12's linux/bpf.h (6.1) lacks the names. */
#define KS_BPF_NETFILTER 45
#define KS_NFPROTO_IPV4 2
#define KS_NFPROTO_IPV6 10

/* BPF_LINK_CREATE's attributes with the netfilter member of their union: libbpf 1.1's */
/* bpf_link_create has no netfilter options, so the loader calls bpf() itself, which */
/* builds the same against libbpf 1.1 and >= 1.3. */
struct ks_netfilter_link_attr {
    __u32 prog_fd;
    __u32 target_fd;
    __u32 attach_type;
    __u32 flags;
    __u32 pf;
    __u32 hooknum;
    __s32 priority;
    __u32 nf_flags;
};

/* Parses "ipv4:local_in[:priority]" into the link's family, hook and priority. */
static int ks_parse_netfilter_target(const char *target, struct ks_netfilter_link_attr *attr) {
    static const char *const hooks[] = { "pre_routing", "local_in", "forward", "local_out", "post_routing" };
    if (strncmp(target, "ipv4:", 5) == 0) attr->pf = KS_NFPROTO_IPV4;
    else if (strncmp(target, "ipv6:", 5) == 0) attr->pf = KS_NFPROTO_IPV6;
    else return -1;
    const char *hook = target + 5;
    const char *colon = strchr(hook, ':');
    size_t hook_len = colon ? (size_t)(colon - hook) : strlen(hook);
    int found = -1;
    for (int i = 0; i < (int)(sizeof(hooks) / sizeof(hooks[0])); i++)
        if (strlen(hooks[i]) == hook_len && strncmp(hooks[i], hook, hook_len) == 0) found = i;
    if (found < 0) return -1;
    attr->hooknum = (__u32)found;
    attr->priority = 0;
    if (colon) {
        char *end;
        errno = 0;
        long priority = strtol(colon + 1, &end, 10);
        /* The kernel keeps INT_MIN and INT_MAX for netfilter's own first and last hooks. */
        if (errno || *end || end == colon + 1 || priority <= INT_MIN || priority >= INT_MAX) return -1;
        attr->priority = (__s32)priority;
    }
    return 0;
}

/* A netfilter link: released when its last fd closes (detach, exit, even SIGKILL). */
static int ks_attach_netfilter(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    struct ks_netfilter_link_attr attr;
    memset(&attr, 0, sizeof(attr));
    if (!target || ks_parse_netfilter_target(target, &attr) != 0) {
        fprintf(stderr, "error: netfilter program '%s': '%s' is not a hook; write ipv4|ipv6:pre_routing|local_in|forward|local_out|post_routing[:PRIORITY]\n",
                bpf_program__name(prog), target ? target : "");
        return -1;
    }
    attr.prog_fd = (__u32)bpf_program__fd(prog);
    attr.attach_type = KS_BPF_NETFILTER;
    /* The attach flags are the link's netfilter flags (BPF_F_NETFILTER_IP_DEFRAG: 1). */
    attr.nf_flags = flags;
    int fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
    if (fd < 0) {
        char what[200];
        snprintf(what, sizeof(what), "cannot attach netfilter program '%s' to %s", bpf_program__name(prog), target);
        ks_explain_errno(what, errno);
        return -1;
    }
    slot->link_fd = fd;
    return 0;
}
