/* The attachment table: what each attach made, so detach, cleanup and the signal handler */
/* can undo it. Needs: KS_MAX_ATTACHMENTS (runtime-c/prelude.c). */

/* One row per attachment: a program may be attached to several targets. */
struct ks_attachment {
    int prog_fd;
    /* Exactly one of the two is set: a libbpf link, or a raw link fd (bpf_link_create). */
    struct bpf_link *link;
    int link_fd;
    /* A clsact filter (no link on libbpf < 1.3): what is needed to remove it. */
    int tc_ifindex;
    int tc_egress;
    int tc_created_qdisc;
    __u32 tc_handle;
    __u32 tc_priority;
    /* The program id the filter runs (only that filter is ours to remove), its network */
    /* namespace, and the locked owner record (-1: none). */
    __u32 tc_prog_id;
    unsigned long tc_netns;
    int tc_owner_fd;
    char target[64];
};
static struct ks_attachment ks_attachments[KS_MAX_ATTACHMENTS];
static void ks_release_tc(struct ks_attachment *a);
static int ks_attachment_count;
/* Attachments ever made (never decreases): the test runner counts an attach as running a program. */
static KS_UNUSED int ks_attachments_made;
