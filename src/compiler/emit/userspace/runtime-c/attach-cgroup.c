/* Cgroup attach (in the attach table) for cgroup_skb, cgroup_sock, cgroup_sock_addr and */
/* sockops programs: target is a cgroup v2 directory. */
/* Needs: struct ks_attachment, ks_explain_errno (runtime-c/explain-errno.c). */
#include <fcntl.h>

/* statfs's f_type of a cgroup v2 mount (linux/magic.h's CGROUP2_SUPER_MAGIC). */
#define KS_CGROUP2_SUPER_MAGIC 0x63677270

/* A link (bpf_link_create with the attach type libbpf takes from the section): the */
/* kernel releases it when its last fd closes, so even SIGKILL leaves nothing attached, */
/* and other programs attached to the same cgroup stay as they are (multi-attach). The */
/* directory's fd is only needed while attaching: the link holds the cgroup. */
static int ks_attach_cgroup(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    (void)flags;
    if (!target || !*target) {
        fprintf(stderr, "error: '%s' needs a cgroup v2 directory to attach to (e.g. /sys/fs/cgroup/NAME)\n", bpf_program__name(prog));
        return -1;
    }
    char what[320];
    snprintf(what, sizeof(what), "cannot attach '%s' to cgroup %s", bpf_program__name(prog), target);
    int fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            fprintf(stderr, "error: %s: no such directory (create it with mkdir in a cgroup v2 mount)\n", what);
            return -1;
        }
        ks_explain_errno(what, err);
        return -1;
    }
    struct statfs fs;
    if (fstatfs(fd, &fs) == 0 && fs.f_type != KS_CGROUP2_SUPER_MAGIC) {
        close(fd);
        fprintf(stderr, "error: %s: not a cgroup v2 directory (mount one with `mount -t cgroup2 none DIR`)\n", what);
        return -1;
    }
    struct bpf_link *link = bpf_program__attach_cgroup(prog, fd);
    int err = link ? 0 : errno;
    close(fd);
    if (!link) {
        ks_explain_errno(what, err);
        return -1;
    }
    slot->link = link;
    return 0;
}
