/* ks_attach: a loaded program attached by its type's row of ks_attach_table (written per */
/* program), into the next row of the attachment table. */
/* Needs: ks_attach_table, ks_attachments, ks_program_of_fd (runtime-c/program-lookup.c). */

/* The next free row of the attachment table, cleared; committed by ks_attachment_count++. */
static KS_UNUSED struct ks_attachment *ks_next_attachment(int prog_fd, const char *target) {
    if (ks_attachment_count == KS_MAX_ATTACHMENTS) {
        fprintf(stderr, "error: too many attachments (at most %d)\n", KS_MAX_ATTACHMENTS);
        return NULL;
    }
    struct ks_attachment *slot = &ks_attachments[ks_attachment_count];
    memset(slot, 0, sizeof(*slot));
    slot->prog_fd = prog_fd;
    slot->link_fd = -1;
    snprintf(slot->target, sizeof(slot->target), "%s", target ? target : "");
    return slot;
}

static KS_UNUSED int ks_attach(int prog_fd, const char *target, __u32 flags) {
    struct bpf_program *prog = ks_program_of_fd(prog_fd);
    if (!prog) {
        fprintf(stderr, "error: attach: %d is not a program loaded by this loader (use load() first)\n", prog_fd);
        return -1;
    }
    enum bpf_prog_type type = bpf_program__type(prog);
    const char *label = NULL;
    ks_attach_fn attach = NULL;
    for (size_t i = 0; i < sizeof(ks_attach_table) / sizeof(ks_attach_table[0]); i++)
        if (ks_attach_table[i].type == type) { label = ks_attach_table[i].label; attach = ks_attach_table[i].attach; }
    if (!attach) {
        fprintf(stderr, "error: attaching %s programs ('%s') is not supported yet\n", label ? label : "this type of", bpf_program__name(prog));
        return -1;
    }
    struct ks_attachment *slot = ks_next_attachment(prog_fd, target);
    if (!slot || attach(prog, target, flags, slot) != 0) return -1;
    ks_attachment_count++;
    ks_attachments_made++;
    return 0;
}
