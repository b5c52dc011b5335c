/* Needs: struct ks_attachment, ks_release_tc. */

/* Undoes one attachment: a link, a raw link fd, or a clsact filter. */
static void ks_release(struct ks_attachment *a) {
    if (a->link) bpf_link__destroy(a->link);
    else if (a->link_fd >= 0) close(a->link_fd);
    else ks_release_tc(a);
    a->link = NULL;
    a->link_fd = -1;
}
