/* Why an XDP attach found the interface taken (EBUSY/EEXIST), and how to free it, in one
 * line. `ip link set dev X xdp off` only removes a program attached through netlink; a
 * program attached through a BPF link (what every kernelscript loader does) stays until
 * the link's last reference is gone: the process holding its fd exits, or its pin in
 * bpffs is removed. So: ask the kernel which program is attached and in which mode,
 * look for an XDP link on this interface, and for the processes holding that link
 * (their /proc/PID/fdinfo lists `link_id`).
 * Needs before it: <bpf/bpf.h>, <bpf/libbpf.h>, <linux/if_link.h>. */
#include <dirent.h>
#include <fcntl.h>

/* Whether a process's fdinfo directory (`/proc/PID/fdinfo`) lists an fd of BPF link `link_id`. */
static bool ks_fdinfo_holds_link(const char *fdinfo_dir, __u32 link_id)
{
    char wanted[32];
    snprintf(wanted, sizeof(wanted), "link_id:\t%u\n", link_id);
    DIR *fds = opendir(fdinfo_dir);
    if (!fds) return false;
    bool found = false;
    struct dirent *f;
    while (!found && (f = readdir(fds)) != NULL) {
        if (f->d_name[0] == '.') continue;
        char info_path[320];
        snprintf(info_path, sizeof(info_path), "%s/%s", fdinfo_dir, f->d_name);
        int fd = open(info_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char text[512];
        ssize_t n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0) continue;
        text[n] = '\0';
        found = strstr(text, wanted) != NULL;
    }
    closedir(fds);
    return found;
}

/* The first process (not this one) holding an fd of BPF link `link_id`: its pid and name. */
static int ks_link_holder(__u32 link_id, char *comm, size_t size)
{
    DIR *proc = opendir("/proc");
    if (!proc) return -1;
    int found = -1;
    struct dirent *p;
    while (found < 0 && (p = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(p->d_name, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid()) continue;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/fdinfo", pid);
        if (ks_fdinfo_holds_link(path, link_id)) found = (int)pid;
    }
    closedir(proc);
    snprintf(comm, size, "?");
    if (found > 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", found);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, comm, size - 1);
            close(fd);
            if (n > 0) comm[n - (comm[n - 1] == '\n' ? 1 : 0)] = '\0';
        }
    }
    return found;
}

/* The id of the XDP link on `ifindex`, or 0 when the program was attached without one. */
static __u32 ks_xdp_link_on(unsigned int ifindex)
{
    __u32 id = 0;
    while (bpf_link_get_next_id(id, &id) == 0) {
        int fd = bpf_link_get_fd_by_id(id);
        if (fd < 0) continue;
        struct bpf_link_info info;
        __u32 len = sizeof(info);
        memset(&info, 0, sizeof(info));
        int err = bpf_obj_get_info_by_fd(fd, &info, &len);
        close(fd);
        if (err == 0 && info.type == BPF_LINK_TYPE_XDP && info.xdp.ifindex == ifindex) return id;
    }
    return 0;
}

static void ks_explain_xdp_busy(const char *what, const char *ifname, unsigned int ifindex)
{
    LIBBPF_OPTS(bpf_xdp_query_opts, query);
    if (bpf_xdp_query((int)ifindex, 0, &query) != 0 || query.attach_mode == XDP_ATTACHED_NONE) {
        fprintf(stderr, "error: %s: another XDP program is attached there (see `bpftool net show dev %s`)\n", what, ifname);
        return;
    }
    __u32 prog_id = query.prog_id ? query.prog_id : query.drv_prog_id ? query.drv_prog_id : query.skb_prog_id ? query.skb_prog_id : query.hw_prog_id;
    char program[BPF_OBJ_NAME_LEN + 2] = "?";
    int prog_fd = prog_id ? bpf_prog_get_fd_by_id(prog_id) : -1;
    if (prog_fd >= 0) {
        struct bpf_prog_info info;
        __u32 len = sizeof(info);
        memset(&info, 0, sizeof(info));
        if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0) snprintf(program, sizeof(program), "%s", info.name);
        close(prog_fd);
    }
    __u32 link_id = ks_xdp_link_on(ifindex);
    if (link_id) {
        char comm[64];
        int pid = ks_link_holder(link_id, comm, sizeof(comm));
        if (pid <= 0 && ks_fdinfo_holds_link("/proc/self/fdinfo", link_id))
            fprintf(stderr, "error: %s: this loader attached XDP program '%s' there already, and an interface runs one XDP program at a time: attach the others to other interfaces, or call them from one program (tail calls)\n",
                    what, program);
        else if (pid > 0)
            fprintf(stderr, "error: %s: XDP program '%s' (id %u) is attached there through BPF link %u, held by process %d (%s): stop that process (kill %d) to detach it\n",
                    what, program, prog_id, link_id, pid, comm, pid);
        else
            fprintf(stderr, "error: %s: XDP program '%s' (id %u) is attached there through BPF link %u, which no process holds (it is pinned in bpffs): remove its pin to detach it (`bpftool -f link show id %u` shows the path)\n",
                    what, program, prog_id, link_id, link_id);
        return;
    }
    const char *mode = query.attach_mode == XDP_ATTACHED_SKB ? "xdpgeneric" : query.attach_mode == XDP_ATTACHED_HW ? "xdpoffload" : "xdpdrv";
    if (query.attach_mode == XDP_ATTACHED_MULTI) {
        fprintf(stderr, "error: %s: XDP programs are attached there in several modes (program '%s', id %u); remove them with `ip link set dev %s xdpgeneric off` and `ip link set dev %s xdpdrv off`\n",
                what, program, prog_id, ifname, ifname);
        return;
    }
    fprintf(stderr, "error: %s: XDP program '%s' (id %u) is attached there without a link; remove it with `ip link set dev %s %s off`\n",
            what, program, prog_id, ifname, mode);
}
