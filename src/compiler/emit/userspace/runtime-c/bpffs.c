/* Pins must land in the bpffs other processes see, and outlive this loader. Every
 * `mount -t bpf` makes a new, empty bpffs. Mounting one is right when /sys/fs/bpf is
 * empty in the mount namespace this loader shares with the processes that started it
 * (as bpftool does: it stays mounted for all of them). But a loader in a mount namespace
 * of its own (`ip netns exec` remounts /sys, hiding /sys/fs/bpf; `unshare -m`; systemd's
 * PrivateMounts=) would mount a private bpffs that vanishes with that namespace, and its
 * pins with it: that is how pins used to disappear. There the bpffs of the nearest
 * ancestor process in another mount namespace (the one the loader was started from) is
 * mounted at /sys/fs/bpf instead: a plain bind mount cannot take a mount of another
 * namespace, so the loader enters that namespace (setns), clones its /sys/fs/bpf
 * mount (open_tree, kernel 5.2+), comes back and attaches the clone here (move_mount).
 * When no such ancestor has a bpffs, the loader stops with the fix.
 * Needs before it: <sys/mount.h>, <sys/vfs.h>, <sys/stat.h>, BPF_FS_MAGIC. */
#include <fcntl.h>
#include <sys/syscall.h>
/* Raw system calls: the loader is not compiled with _GNU_SOURCE, which setns() needs. */
#ifndef CLONE_NEWNS
#define CLONE_NEWNS 0x00020000
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static bool ks_is_bpffs(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

/* The parent of `pid` (from /proc/PID/stat, after the parenthesised name), or 0. */
static int ks_parent_of(int pid)
{
    char path[64], text[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = '\0';
    const char *after = strrchr(text, ')');
    int parent = 0;
    if (!after || sscanf(after + 1, " %*c %d", &parent) != 1) return 0;
    return parent;
}

/* Mounts a clone of the /sys/fs/bpf mount of `pid`'s mount namespace at /sys/fs/bpf of
 * this one: 0, or -1 with errno set. This process must be single-threaded (setns). */
static int ks_mount_bpffs_of(int pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
    int theirs = open(path, O_RDONLY | O_CLOEXEC);
    int ours = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int tree = -1, err = 0;
    if (theirs < 0 || ours < 0 || cwd < 0) {
        err = errno;
    } else if (syscall(SYS_setns, theirs, CLONE_NEWNS) != 0) {
        err = errno;
    } else {
        tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/sys/fs/bpf", OPEN_TREE_CLONE | O_CLOEXEC);
        if (tree < 0) err = errno;
        /* Back home, whatever happened (setns also moved the working directory). */
        if (syscall(SYS_setns, ours, CLONE_NEWNS) != 0 || fchdir(cwd) != 0) {
            fprintf(stderr, "error: cannot return to this loader's mount namespace: %s\n", strerror(errno));
            _exit(1);
        }
        if (tree >= 0 && syscall(SYS_move_mount, tree, "", AT_FDCWD, "/sys/fs/bpf", MOVE_MOUNT_F_EMPTY_PATH) != 0) err = errno;
    }
    if (tree >= 0) close(tree);
    if (theirs >= 0) close(theirs);
    if (ours >= 0) close(ours);
    if (cwd >= 0) close(cwd);
    errno = err;
    return err ? -1 : 0;
}

/* 0 once /sys/fs/bpf is a bpffs whose pins others see; else one line on stderr and -1. */
static int ks_prepare_bpffs(void)
{
    if (ks_is_bpffs("/sys/fs/bpf")) return 0;
    struct stat self;
    bool private_namespace = false;
    if (stat("/proc/self/ns/mnt", &self) == 0) {
        /* The ancestors, nearest first, as far as this process may look. */
        for (int pid = getppid(), steps = 0; pid > 0 && steps < 64; pid = pid == 1 ? 0 : ks_parent_of(pid), steps++) {
            char path[64];
            struct stat other;
            snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
            if (stat(path, &other) != 0) break;
            if (other.st_ino == self.st_ino && other.st_dev == self.st_dev) continue;
            private_namespace = true;
            char root[64];
            snprintf(root, sizeof(root), "/proc/%d/root/sys/fs/bpf", pid);
            if (!ks_is_bpffs(root)) continue;
            if (ks_mount_bpffs_of(pid) == 0) {
                fprintf(stderr, "note: /sys/fs/bpf was not mounted in this mount namespace (ip netns exec? unshare -m?): pinning in the bpffs of the namespace this loader was started from (that of process %d)\n", pid);
                return 0;
            }
            int err = errno;
            fprintf(stderr, "error: /sys/fs/bpf is not mounted in this mount namespace, and mounting there the bpffs of the namespace this loader was started from failed: %s; start the loader in that namespace (nsenter --net=/run/netns/NAME instead of ip netns exec)\n", strerror(err));
            return -1;
        }
    }
    if (private_namespace) {
        fprintf(stderr, "error: /sys/fs/bpf is not mounted, here or in the mount namespace this loader was started from; a bpffs mounted in this private namespace would vanish with it, and the pins with it: mount it there first (mount -t bpf bpf /sys/fs/bpf)\n");
        return -1;
    }
    if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") == 0) return 0;
    int err = errno;
    fprintf(stderr, "error: bpffs is not mounted at /sys/fs/bpf and mounting it failed: %s; run: mount -t bpf bpf /sys/fs/bpf\n", strerror(err));
    return -1;
}
