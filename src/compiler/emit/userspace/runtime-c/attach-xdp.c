/* XDP attach (in the attach table): a link, or with mode flags a raw link fd. */
/* Needs: struct ks_attachment, ks_explain_errno, ks_explain_xdp_busy (runtime-c/xdp-busy.c). */

/* XDP: target is an interface name. A link (not a netlink attach) is released by the */
/* kernel when this process dies, so even SIGKILL leaves nothing on the interface. */
/* flags: XDP_FLAGS_SKB_MODE / XDP_FLAGS_DRV_MODE / XDP_FLAGS_HW_MODE pick the mode. */
static int ks_attach_xdp(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    if (!target || !*target) {
        fprintf(stderr, "error: XDP program '%s' needs a network interface to attach to\n", bpf_program__name(prog));
        return -1;
    }
    unsigned int ifindex = if_nametoindex(target);
    if (ifindex == 0) {
        fprintf(stderr, "error: no network interface named '%s' (see `ip link show`)\n", target);
        return -1;
    }
    __u32 mode = flags & (XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE);
    int err = 0;
    if (mode == 0) {
        slot->link = bpf_program__attach_xdp(prog, (int)ifindex);
        if (!slot->link) err = errno;
    }
    else {
        /* libbpf 1.1 has no flags on bpf_program__attach_xdp; the raw link API does. */
        LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode);
        slot->link_fd = bpf_link_create(bpf_program__fd(prog), (int)ifindex, BPF_XDP, &opts);
        if (slot->link_fd < 0) err = errno;
    }
    if (err) {
        char what[160];
        snprintf(what, sizeof(what), "cannot attach XDP program '%s' to %s", bpf_program__name(prog), target);
        if (err == EBUSY || err == EEXIST) {
            ks_explain_xdp_busy(what, target, ifindex);
            return -1;
        }
        if ((err == EOPNOTSUPP || err == EINVAL) && (mode & XDP_FLAGS_DRV_MODE)) {
            fprintf(stderr, "error: %s: the driver has no native XDP support (use generic/SKB mode)\n", what);
            return -1;
        }
        ks_explain_errno(what, err);
        return -1;
    }
    return 0;
}
