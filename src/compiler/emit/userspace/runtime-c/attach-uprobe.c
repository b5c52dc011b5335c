/* uprobes, uretprobes and USDT probes (sections uprobe/, uretprobe/, usdt/): ks_attach_probe */
/* hands them here. The target is the section's suffix, or another one given to attach(): */
/* PATH:SYMBOL[+OFFSET] (a function of a binary or library, an offset into it) or */
/* PATH:PROVIDER:NAME (a USDT probe in the binary's .note.stapsdt notes, whose argument */
/* locations libbpf hands to the program through usdt.bpf.h's maps). Every process */
/* running the binary is probed (pid -1). A PATH without '/' is looked up as libbpf does */
/* (PATH for binaries, the library path for .so names). */
/* Needs: struct ks_attachment, ks_explain_errno (runtime-c/explain-errno.c). */

/* 1 uprobe, 2 uretprobe, 3 USDT; 0: not a user-space probe. */
static int ks_user_probe_kind(const char *section) {
    if (strncmp(section, "uprobe/", 7) == 0) return 1;
    if (strncmp(section, "uretprobe/", 10) == 0) return 2;
    if (strncmp(section, "usdt/", 5) == 0) return 3;
    return 0;
}

static int ks_attach_user_probe(struct bpf_program *prog, int kind, const char *target, struct ks_attachment *slot) {
    const char *shape = kind == 3 ? "PATH:PROVIDER:NAME" : "PATH:SYMBOL[+OFFSET]";
    char spec[512];
    if (!target || strlen(target) >= sizeof(spec)) {
        fprintf(stderr, "error: probe '%s' needs a %s target (at most %zu bytes)\n", bpf_program__name(prog), shape, sizeof(spec) - 1);
        return -1;
    }
    strcpy(spec, target);
    char *colon = strchr(spec, ':');
    char *second = colon && kind == 3 ? strchr(colon + 1, ':') : NULL;
    if (!colon || colon == spec || !colon[1] || (kind == 3 && (!second || second == colon + 1 || !second[1]))) {
        fprintf(stderr, "error: probe '%s' needs a %s target, got '%s'\n", bpf_program__name(prog), shape, target);
        return -1;
    }
    *colon = 0;
    char what[640];
    snprintf(what, sizeof(what), "cannot attach probe '%s' to %s", bpf_program__name(prog), target);
    if (kind == 3) {
        *second = 0;
        slot->link = bpf_program__attach_usdt(prog, -1, spec, colon + 1, second + 1, NULL);
    } else {
        char *symbol = colon + 1;
        char *plus = strchr(symbol, '+');
        long offset = 0;
        if (plus) {
            char *end = NULL;
            *plus = 0;
            errno = 0;
            offset = strtol(plus + 1, &end, 0);
            if (errno != 0 || end == plus + 1 || *end || offset < 0 || kind == 2) {
                fprintf(stderr, "error: %s: '%s' is not an offset%s\n", what, plus + 1, kind == 2 ? " (a return probe takes none)" : "");
                return -1;
            }
        }
        LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = symbol, .retprobe = kind == 2);
        slot->link = bpf_program__attach_uprobe_opts(prog, -1, spec, (size_t)offset, &opts);
    }
    if (!slot->link) {
        int err = errno;
        if (err == ENOENT || err == ESRCH) {
            if (kind == 3) fprintf(stderr, "error: %s: no such binary, or no USDT probe %s:%s in its notes\n", what, colon + 1, second + 1);
            else fprintf(stderr, "error: %s: no such binary, or no function '%s' in its symbols\n", what, colon + 1);
            ks_print_last_libbpf_line();
            return -1;
        }
        ks_explain_errno(what, err);
        return -1;
    }
    return 0;
}

