/* Socket filter attach (in the attach table): target is an interface name. */
/* Needs: struct ks_attachment, ks_explain_errno (runtime-c/explain-errno.c). */
#include <sys/socket.h>
#include <linux/if_packet.h>

/* ETH_P_ALL of linux/if_ether.h, which is not included: test binaries define struct ethhdr. */
#define KS_ETH_P_ALL 0x0003

/* The loader opens a packet socket of its own (AF_PACKET, SOCK_DGRAM: the filter sees */
/* each packet from its network header, as under BPF_PROG_TEST_RUN), bound to the */
/* interface, for every protocol and both directions, and attaches the program with */
/* SO_ATTACH_BPF. The socket is the attachment: closing it (detach, exit, even SIGKILL) */
/* removes the filter. Nothing reads the socket; the program's maps say what it saw, and */
/* the packets it keeps wait in the socket's queue until the queue is full. */
static int ks_attach_socket(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot) {
    (void)flags;
    if (!target || !*target) {
        fprintf(stderr, "error: socket filter '%s' needs a network interface to attach to\n", bpf_program__name(prog));
        return -1;
    }
    unsigned int ifindex = if_nametoindex(target);
    if (ifindex == 0) {
        fprintf(stderr, "error: no network interface named '%s' (see `ip link show`)\n", target);
        return -1;
    }
    char what[160];
    snprintf(what, sizeof(what), "cannot attach socket filter '%s' to %s", bpf_program__name(prog), target);
    /* Protocol 0: the socket receives nothing until bind() names the protocol and interface. */
    int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ks_explain_errno(what, errno);
        return -1;
    }
    int prog_fd = bpf_program__fd(prog);
    /* Filter first, then bind: the program sees every packet the socket receives, and only */
    /* packets of this interface. */
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd)) != 0) {
        int err = errno;
        close(fd);
        ks_explain_errno(what, err);
        return -1;
    }
    struct sockaddr_ll address;
    memset(&address, 0, sizeof(address));
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(KS_ETH_P_ALL);
    address.sll_ifindex = (int)ifindex;
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        int err = errno;
        close(fd);
        ks_explain_errno(what, err);
        return -1;
    }
    slot->link_fd = fd;
    return 0;
}
