/* A program of the loaded object by name (ks_load) or by fd. */
/* Needs: ks_skel, ks_open_and_load. */

static KS_UNUSED int ks_load(const char *program_name) {
    if (!ks_skel && ks_open_and_load() != 0) return -1;
    struct bpf_program *prog = bpf_object__find_program_by_name(ks_skel->obj, program_name);
    if (!prog) {
        fprintf(stderr, "error: no eBPF program named '%s' in this object\n", program_name);
        return -1;
    }
    int fd = bpf_program__fd(prog);
    if (fd < 0) {
        fprintf(stderr, "error: eBPF program '%s' is not loaded\n", program_name);
        return -1;
    }
    return fd;
}

static struct bpf_program *ks_program_of_fd(int prog_fd) {
    struct bpf_program *prog;
    if (!ks_skel) return NULL;
    bpf_object__for_each_program(prog, ks_skel->obj)
        if (bpf_program__fd(prog) == prog_fd) return prog;
    return NULL;
}
