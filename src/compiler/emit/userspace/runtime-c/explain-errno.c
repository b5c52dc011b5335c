/* Why a libbpf call failed, in one line with a hint: the errno, and the last line */
/* libbpf printed (kept by runtime-c/libbpf-log.c). */

/* The last line libbpf warned about: usually names what failed. */
static void ks_print_last_libbpf_line(void) {
    if (!ks_log || ks_log_len == 0) return;
    size_t end = ks_log_len;
    while (end > 0 && ks_log[end - 1] == '\n') end--;
    size_t start = end;
    while (start > 0 && ks_log[start - 1] != '\n') start--;
    if (end > start) fprintf(stderr, "  %.*s\n", (int)(end - start), ks_log + start);
}

/* One line: what failed, the errno text, and what to do about it. */
static void ks_explain_errno(const char *what, int err) {
    if (err < 0) err = -err;
    const char *hint = "";
    switch (err) {
    case EPERM: case EACCES:
    /*     As root, EPERM is the kernel refusing (lockdown refuses fentry/fexit, for one). */
        hint = geteuid() == 0 ? "; the kernel refuses it even to root (kernel lockdown, or a program type this kernel does not allow such as fentry)"
                              : "; eBPF needs root, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (try sudo)";
        break;
    case ENOSYS:
        hint = "; this kernel has no bpf() system call (CONFIG_BPF_SYSCALL)"; break;
    case EOPNOTSUPP: case 524 /* ENOTSUPP */:
        hint = "; the running kernel does not support a feature this program needs"; break;
    case ESRCH: case ENOENT:
        if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
            hint = "; the kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y";
        else hint = "; a kernel function, type or attach target it needs is missing";
        break;
    case E2BIG:
        hint = "; the program or a map is too large for this kernel"; break;
    case EBUSY: case EEXIST:
        hint = "; something is already attached there"; break;
    default: break;
    }
    fprintf(stderr, "error: %s: %s%s\n", what, strerror(err), hint);
    ks_print_last_libbpf_line();
}
