/* TC through a clsact qdisc and a filter (libbpf < 1.3, or a kernel without TCX): not a
 * link, so nothing releases it when the loader dies. The rules (documented in
 * emit/userspace/attach-tc.ts):
 * - every filter is at priority KS_TC_PRIORITY with a handle the kernel picks, so each
 *   loader's filter is its own and is removed by (priority, handle), and only while it
 *   still runs the program this loader attached (its program id);
 * - the qdisc is deleted only when no filter at all is left on it, ingress or egress,
 *   and a kernelscript loader created it (a mark in the interface's lock file);
 * - each filter has an owner record, /run/kernelscript/tc/NETNS.IFINDEX.DIR.PRIO.HANDLE.owner
 *   ("PROG_ID OBJECT PROGRAM"), which its loader holds flock()ed while it lives; the
 *   kernel drops the lock when the loader dies, even by SIGKILL. A loader starting
 *   removes the filters whose record is unlocked, names its own object and still
 *   matches the recorded program id: those a killed instance of this program left.
 * Attach, release and clean-up on one interface hold its lock file
 * (/run/kernelscript/tc/NETNS.IFINDEX.lock) so that two loaders never race on the qdisc.
 * Needs before it: struct ks_attachment (tc_* fields), KS_TC_PRIORITY, KS_LOADER_NAME, ks_skel. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#define KS_TC_STATE_DIR "/run/kernelscript/tc"

/* The network namespace's identity: ifindexes are per namespace. */
static unsigned long ks_netns_id(void)
{
    struct stat st;
    return stat("/proc/self/ns/net", &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static bool ks_tc_state_ready(void)
{
    static int ready = -1;
    if (ready < 0) {
        ready = (mkdir("/run/kernelscript", 0755) == 0 || errno == EEXIST) && (mkdir(KS_TC_STATE_DIR, 0700) == 0 || errno == EEXIST);
        if (!ready)
            fprintf(stderr, "warning: cannot keep TC filter owner records in %s (%s): a filter left by a killed loader will not be removed when it starts again\n",
                    KS_TC_STATE_DIR, strerror(errno));
    }
    return ready;
}

static void ks_tc_lock_path(char *path, size_t size, unsigned long netns, int ifindex)
{
    snprintf(path, size, KS_TC_STATE_DIR "/%lu.%d.lock", netns, ifindex);
}

/* The interface's lock file, locked (give it back with close()); -1 when there is none:
 * the caller then goes on without (it never waits longer than about a second). The
 * file is removed with the qdisc, so a lock won on a file already unlinked is retried. */
static int ks_tc_lock_interface(unsigned long netns, int ifindex)
{
    if (!ks_tc_state_ready()) return -1;
    char path[128];
    ks_tc_lock_path(path, sizeof(path), netns, ifindex);
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            struct stat locked, current;
            if (fstat(fd, &locked) == 0 && stat(path, &current) == 0 && locked.st_ino == current.st_ino) return fd;
        } else if (errno != EWOULDBLOCK && errno != EINTR) {
            close(fd);
            return -1;
        }
        close(fd);
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    return -1;
}

/* The mark "a kernelscript loader created this interface's clsact qdisc". */
static bool ks_tc_qdisc_ours(int lock)
{
    char mark = 0;
    return lock >= 0 && pread(lock, &mark, 1, 0) == 1 && mark == '1';
}

static void ks_tc_mark_qdisc(int lock, bool ours)
{
    if (lock < 0) return;
    if (ours) {
        if (pwrite(lock, "1", 1, 0) != 1) return;
    } else if (ftruncate(lock, 0) != 0) {
        return;
    }
}

/* Whether the clsact hook holds any filter (netlink dump): 1, 0, or -1 when unknown. */
static int ks_tc_hook_has_filters(int ifindex, int egress)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct {
        struct nlmsghdr nh;
        struct tcmsg tc;
    } req;
    memset(&req, 0, sizeof(req));
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
    req.nh.nlmsg_type = RTM_GETTFILTER;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = 1;
    req.tc.tcm_family = AF_UNSPEC;
    req.tc.tcm_ifindex = ifindex;
    req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
    int answer = -1;
    if (send(fd, &req, req.nh.nlmsg_len, 0) >= 0) {
        /* The first message answers; a message longer than the buffer is cut (MSG_TRUNC) but still counts. */
        static char buffer[32768] __attribute__((aligned(4)));
        for (;;) {
            ssize_t received = recv(fd, buffer, sizeof(buffer), 0);
            if (received < 0 && errno == EINTR) continue;
            if (received <= 0) break;
            int len = (int)received;
            struct nlmsghdr *h = (struct nlmsghdr *)buffer;
            if (!NLMSG_OK(h, len)) break;
            if (h->nlmsg_type == NLMSG_DONE) answer = 0;
            else if (h->nlmsg_type == RTM_NEWTFILTER) answer = 1;
            else if (h->nlmsg_type == NLMSG_ERROR && ((const struct nlmsgerr *)NLMSG_DATA(h))->error == 0) answer = 0;
            break;
        }
    }
    close(fd);
    return answer;
}

/* Deletes the clsact qdisc when no filter is left on it and a kernelscript loader created
 * it (`created_here` when there is no lock file to keep the mark in); the interface's
 * lock file goes with it. */
static void ks_tc_remove_unused_qdisc(int lock, unsigned long netns, int ifindex, bool created_here)
{
    if (!(lock >= 0 ? ks_tc_qdisc_ours(lock) : created_here)) return;
    if (ks_tc_hook_has_filters(ifindex, 0) != 0 || ks_tc_hook_has_filters(ifindex, 1) != 0) return;
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
    bpf_tc_hook_destroy(&hook);
    ks_tc_mark_qdisc(lock, false);
    if (lock >= 0) {
        char path[128];
        ks_tc_lock_path(path, sizeof(path), netns, ifindex);
        unlink(path);
    }
}

static void ks_tc_owner_path(char *path, size_t size, unsigned long netns, int ifindex, int egress, __u32 priority, __u32 handle)
{
    snprintf(path, size, KS_TC_STATE_DIR "/%lu.%d.%s.%u.%u.owner", netns, ifindex, egress ? "egress" : "ingress", priority, handle);
}

/* Writes the owner record of a filter just attached and keeps it locked: the fd, or -1.
 * Not close-on-exec: a program exec() hands over to keeps the filter, and so its record. */
static int ks_tc_record_owner(const struct ks_attachment *slot, const char *object, const char *program)
{
    if (!ks_tc_state_ready()) return -1;
    char path[160];
    ks_tc_owner_path(path, sizeof(path), slot->tc_netns, slot->tc_ifindex, slot->tc_egress, slot->tc_priority, slot->tc_handle);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return -1;
    char line[192];
    int len = snprintf(line, sizeof(line), "%u %s %s\n", slot->tc_prog_id, object, program);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || ftruncate(fd, 0) != 0 || len <= 0 || write(fd, line, (size_t)len) != len) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Removes, once per process, the filters killed instances of this object left in this
 * network namespace (see the rules above). Takes each interface's lock in turn, never
 * two at once. */
static void ks_tc_remove_orphans(const char *object)
{
    static bool done;
    if (done || !ks_tc_state_ready()) return;
    done = true;
    unsigned long netns = ks_netns_id();
    DIR *dir = opendir(KS_TC_STATE_DIR);
    if (!dir) return;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        unsigned long ns = 0;
        int ifindex = 0, consumed = 0;
        unsigned int priority = 0, handle = 0;
        char direction[8] = "";
        if (sscanf(entry->d_name, "%lu.%d.%7[a-z].%u.%u.owner%n", &ns, &ifindex, direction, &priority, &handle, &consumed) != 5 ||
            consumed != (int)strlen(entry->d_name) || ns != netns)
            continue;
        char path[320];
        snprintf(path, sizeof(path), KS_TC_STATE_DIR "/%s", entry->d_name);
        int lock = ks_tc_lock_interface(netns, ifindex);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
            char line[192];
            ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
            line[n > 0 ? n : 0] = '\0';
            unsigned int prog_id = 0;
            char owner[96] = "", program[96] = "";
            /* Another program's record: not this loader's to judge, left alone. */
            if (sscanf(line, "%u %95s %95s", &prog_id, owner, program) == 3 && strcmp(owner, object) == 0) {
                int egress = strcmp(direction, "egress") == 0;
                LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
                LIBBPF_OPTS(bpf_tc_opts, query, .handle = handle, .priority = priority);
                if (bpf_tc_query(&hook, &query) == 0 && query.prog_id == prog_id) {
                    LIBBPF_OPTS(bpf_tc_opts, orphan, .handle = handle, .priority = priority);
                    if (bpf_tc_detach(&hook, &orphan) == 0) {
                        char name[IF_NAMESIZE] = "?";
                        if_indextoname((unsigned int)ifindex, name);
                        fprintf(stderr, "%s: removed the TC filter of '%s' (program id %u) that a killed instance left on %s (%s)\n",
                                KS_LOADER_NAME, program, prog_id, name, direction);
                    }
                    ks_tc_remove_unused_qdisc(lock, netns, ifindex, false);
                }
                unlink(path);
            }
        }
        if (fd >= 0) close(fd);
        if (lock >= 0) close(lock);
    }
    closedir(dir);
}

static int ks_attach_clsact(struct bpf_program *prog, unsigned int ifindex, int egress, struct ks_attachment *slot)
{
    const char *object = bpf_object__name(ks_skel->obj);
    ks_tc_remove_orphans(object);
    unsigned long netns = ks_netns_id();
    int lock = ks_tc_lock_interface(netns, (int)ifindex);
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
    int err = bpf_tc_hook_create(&hook);
    if (err && err != -EEXIST) {
        if (lock >= 0) close(lock);
        return err;
    }
    bool created = err == 0;
    if (created)
        ks_tc_mark_qdisc(lock, true);
    else if (ks_tc_hook_has_filters((int)ifindex, 0) == 0 && ks_tc_hook_has_filters((int)ifindex, 1) == 0)
        /* An empty clsact we did not just create: someone else's (or a stale mark); never delete it. */
        ks_tc_mark_qdisc(lock, false);
    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog), .priority = KS_TC_PRIORITY);
    err = bpf_tc_attach(&hook, &opts);
    if (err) {
        ks_tc_remove_unused_qdisc(lock, netns, (int)ifindex, created);
        if (lock >= 0) close(lock);
        return err;
    }
    slot->tc_ifindex = (int)ifindex;
    slot->tc_egress = egress;
    slot->tc_created_qdisc = created;
    slot->tc_handle = opts.handle;
    slot->tc_priority = opts.priority;
    slot->tc_prog_id = opts.prog_id;
    slot->tc_netns = netns;
    slot->tc_owner_fd = ks_tc_record_owner(slot, object, bpf_program__name(prog));
    if (lock >= 0) close(lock);
    return 0;
}

/* Removes the filter this loader added (only while it still runs our program), its owner
 * record, and the qdisc when that left it unused. Also called from the signal handler of
 * a user main: system calls only, apart from libbpf's netlink requests. */
static void ks_release_tc(struct ks_attachment *a)
{
    if (a->tc_ifindex == 0) return;
    int lock = ks_tc_lock_interface(a->tc_netns, a->tc_ifindex);
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->tc_ifindex, .attach_point = a->tc_egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
    LIBBPF_OPTS(bpf_tc_opts, query, .handle = a->tc_handle, .priority = a->tc_priority);
    if (bpf_tc_query(&hook, &query) == 0 && query.prog_id == a->tc_prog_id) {
        LIBBPF_OPTS(bpf_tc_opts, opts, .handle = a->tc_handle, .priority = a->tc_priority);
        bpf_tc_detach(&hook, &opts);
    }
    if (a->tc_owner_fd >= 0) {
        char path[160];
        ks_tc_owner_path(path, sizeof(path), a->tc_netns, a->tc_ifindex, a->tc_egress, a->tc_priority, a->tc_handle);
        unlink(path);
        close(a->tc_owner_fd);
        a->tc_owner_fd = -1;
    }
    ks_tc_remove_unused_qdisc(lock, a->tc_netns, a->tc_ifindex, a->tc_created_qdisc);
    if (lock >= 0) close(lock);
    a->tc_ifindex = 0;
}
