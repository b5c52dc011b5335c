/* sk_msg / sk_skb attach (in the attach table): target is the name of a sockmap or */
/* sockhash of this object (the checker only lets `attach(prog, socks, 0)` name one). */
/* Needs: struct ks_attachment, ks_skel, ks_explain_errno (runtime-c/explain-errno.c). */

/* A link on the map (BPF_LINK_CREATE with the map's fd as target, kernel 6.10+): the */
/* kernel releases it when this process dies, so even SIGKILL leaves nothing attached. */
/* The attach type is the one libbpf took from the section: sk_msg is */
/* BPF_SK_MSG_VERDICT, sk_skb/stream_verdict BPF_SK_SKB_STREAM_VERDICT, and so on. */
static int ks_attach_sockmap(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    (void)flags;
    struct bpf_map *map = target && *target ? bpf_object__find_map_by_name(ks_skel->obj, target) : NULL;
    if (!map) {
        fprintf(stderr, "error: program '%s' attaches to a sockmap or sockhash of this program; '%s' is none\n", bpf_program__name(prog), target ? target : "");
        return -1;
    }
    enum bpf_map_type type = bpf_map__type(map);
    if (type != BPF_MAP_TYPE_SOCKMAP && type != BPF_MAP_TYPE_SOCKHASH) {
        fprintf(stderr, "error: program '%s' attaches to a sockmap or sockhash; map '%s' is neither\n", bpf_program__name(prog), target);
        return -1;
    }
    slot->link_fd = bpf_link_create(bpf_program__fd(prog), bpf_map__fd(map), bpf_program__expected_attach_type(prog), NULL);
    if (slot->link_fd < 0) {
        int err = errno;
        char what[160];
        snprintf(what, sizeof(what), "cannot attach '%s' to the socket map '%s'", bpf_program__name(prog), target);
        if (err == EINVAL) {
            fprintf(stderr, "error: %s: the kernel refuses a link on a socket map (links need Linux 6.10)\n", what);
            return -1;
        }
        ks_explain_errno(what, err);
        return -1;
    }
    return 0;
}
