/* Network-namespace attach (in the attach table) for flow dissector programs: target is */
/* a network namespace file (/proc/PID/ns/net, /run/netns/NAME), or empty for the */
/* loader's own namespace. */
/* Needs: struct ks_attachment, ks_explain_errno (runtime-c/explain-errno.c). */
#include <fcntl.h>

/* A link: the kernel releases it when its last fd closes. One flow dissector per */
/* namespace: a second one is refused with EEXIST. */
static int ks_attach_netns(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    (void)flags;
    const char *path = target && *target ? target : "/proc/self/ns/net";
    char what[320];
    snprintf(what, sizeof(what), "cannot attach '%s' to the network namespace %s", bpf_program__name(prog), path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ks_explain_errno(what, errno);
        return -1;
    }
    struct bpf_link *link = bpf_program__attach_netns(prog, fd);
    int err = link ? 0 : errno;
    close(fd);
    if (!link) {
        if (err == EEXIST) fprintf(stderr, "error: %s: the namespace already has a flow dissector program\n", what);
        else ks_explain_errno(what, err);
        return -1;
    }
    slot->link = link;
    return 0;
}
