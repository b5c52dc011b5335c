/* The loader's verifier report (see emit/userspace/verifier-table.ts): on a rejection, */
/* write libbpf's whole output to KS_VERIFIER_LOG and print the mapped diagnostic. */
/* Needs: KS_BPF_SOURCE, KS_VERIFIER_LOG, ks_log, ks_line_map_exact, ks_is_instruction, */
/* ks_verifier_patterns, ks_verifier_entries, ks_verifier_noise, runtime-c/verifier-kfunc.c. */

static bool ks_is_noise(const char *line, size_t len) {
    if (len == 0) return true;
    for (int i = 0; ks_verifier_noise[i]; i++)
        if (strncmp(line, ks_verifier_noise[i], strlen(ks_verifier_noise[i])) == 0) return true;
    const char *c = line;
    while (*c >= '0' && *c <= '9') c++;
    return c > line && (strncmp(c, ": R", 3) == 0 || strncmp(c, ": frame", 7) == 0 || strncmp(c, ": safe", 6) == 0);
}

/* The .ks origin of the last mapped line info in [from, until). */
static const char *ks_origin_before(const char *from, const char *until, int *c_line) {
    const char *marker = "@ " KS_BPF_SOURCE ":";
    const char *origin = NULL;
    for (const char *at = strstr(from, marker); at && at < until; at = strstr(at + 1, marker)) {
        int line = atoi(at + strlen(marker));
        const char *mapped = line > 0 ? ks_line_map_exact(line) : NULL;
        if (mapped) { origin = mapped; *c_line = line; }
    }
    return origin;
}

/* Set by the test binary under `kernelscript test`, which explains the log itself: write it, print nothing. */
static bool ks_verifier_log_only;
static bool ks_verifier_log_written;
/* On a verifier rejection: write the log to a file and print the mapped explanation. */
static bool ks_report_verifier_log(void) {
    char *begin = ks_log ? strstr(ks_log, "-- BEGIN PROG LOAD LOG --") : NULL;
    if (!begin) return false;
    char *end = strstr(begin, "-- END PROG LOAD LOG --");
    if (!end) end = ks_log + ks_log_len;
    FILE *file = fopen(KS_VERIFIER_LOG, "w");
    if (file) {
        ks_verifier_log_written = fwrite(ks_log, 1, ks_log_len, file) == ks_log_len;
        if (fclose(file) != 0) ks_verifier_log_written = false;
    }
    if (ks_verifier_log_only && ks_verifier_log_written) return true;
    /* libbpf names the program as "prog 'NAME': -- BEGIN PROG LOAD LOG --". */
    char program[128] = "?";
    char *quote = begin;
    while (quote > ks_log && *(quote - 1) != '\n') quote--;
    char *named = strstr(quote, "prog '");
    if (named && named < begin) {
        named += 6;
        size_t len = strcspn(named, "'");
        if (len >= sizeof(program)) len = sizeof(program) - 1;
        memcpy(program, named, len);
        program[len] = 0;
    }
    /* The complaint starts after the last instruction line. */
    char *body = strchr(begin, '\n');
    body = body ? body + 1 : end;
    char *last_insn = NULL;
    for (char *line = body; line && line < end; ) {
        if (ks_is_instruction(line)) last_insn = line;
        char *next = strchr(line, '\n');
        line = next ? next + 1 : NULL;
    }
    char *complaint = last_insn ? strchr(last_insn, '\n') : body;
    complaint = complaint ? complaint + (last_insn ? 1 : 0) : end;
    /* Match: patterns in order, each against every complaint line. */
    int entry = -1;
    char said[512] = "(the verifier printed no message)";
    char line_text[512];
    for (int p = 0; ks_verifier_patterns[p].entry >= 0 && entry < 0; p++) {
        bool applies = ks_verifier_patterns[p].log_has[0] == NULL;
        for (int m = 0; ks_verifier_patterns[p].log_has[m] && !applies; m++) {
            char *mark = strstr(begin, ks_verifier_patterns[p].log_has[m]);
            applies = mark && mark < end;
        }
        if (!applies) continue;
        for (char *line = complaint; line && line < end; ) {
            char *next = strchr(line, '\n');
            size_t len = next ? (size_t)(next - line) : strlen(line);
            if (len >= sizeof(line_text)) len = sizeof(line_text) - 1;
            memcpy(line_text, line, len);
            line_text[len] = 0;
            if (!ks_is_noise(line_text, len)) {
                bool all = true;
                for (int n = 0; ks_verifier_patterns[p].needles[n]; n++)
                    if (!strstr(line_text, ks_verifier_patterns[p].needles[n])) all = false;
                if (all) {
                    entry = ks_verifier_patterns[p].entry;
                    memcpy(said, line_text, len + 1);
                    break;
                }
                /* Without a match, the verifier's last complaint line is quoted. */
                if (entry < 0 && p == 0) memcpy(said, line_text, len + 1);
            }
            line = next ? next + 1 : NULL;
        }
    }
    const int fallback = (int)(sizeof(ks_verifier_entries) / sizeof(ks_verifier_entries[0])) - 1;
    const struct ks_verifier_entry *e = &ks_verifier_entries[entry >= 0 ? entry : fallback];
    /* Where: the acquiring instruction (points_to), else the line info before the last instruction. */
    int c_line = 0;
    const char *origin = NULL;
    if (!e->at_program && e->points_to && strstr(said, e->points_to)) {
        char wanted[32];
        snprintf(wanted, sizeof(wanted), "\n%d: (", atoi(strstr(said, e->points_to) + strlen(e->points_to)));
        char *insn = strstr(body, wanted);
        if (insn && insn < end) origin = ks_origin_before(body, insn, &c_line);
    }
    if (e->unresolved_kfunc) {
        const char *call = ks_unresolved_kfunc_call(body, end);
        char named[128] = "";
        const struct ks_weak_kfunc *k = call ? ks_unresolved_kfunc(body, call, end, named, sizeof(named)) : NULL;
        if (call) origin = ks_origin_before(body, call, &c_line);
        const char *kfunc = k ? k->name : named[0] ? named : "?";
        if (k && k->module) {
            /* The loader loaded (or found loaded) its module first: a loaded module without this kfunc is an older build. */
            fprintf(stderr, "error[%s]: program '%s' calls kfunc '%s', which the loaded kernel module '%s' does not provide\n", e->code, program, kfunc, k->module);
        }
        else {
            fprintf(stderr, "error[%s]: program '%s' calls kfunc '%s', which the running kernel does not have: the kernel module providing it is not loaded (or this kernel lacks it)\n", e->code, program, kfunc);
        }
        if (origin) fprintf(stderr, "  --> %s (" KS_BPF_SOURCE ":%d)\n", origin, c_line);
        fprintf(stderr, "   = the verifier said: %s\n", said);
        if (k && k->module)
            fprintf(stderr, "   = help: an older build of '%s' is loaded: unload it (rmmod %s, or make uninstall-module) and run again, so this loader loads the new one\n", k->module, k->module);
        else
            fprintf(stderr, "   = help: load the module that provides '%s' (modprobe MODULE) and run again\n", kfunc);
        fprintf(stderr, "   = note: full verifier log: %s\n", KS_VERIFIER_LOG);
        return true;
    }
    if (!e->at_program && !origin && last_insn) origin = ks_origin_before(body, last_insn, &c_line);
    fprintf(stderr, "error[%s]: the kernel verifier rejected program '%s': %s\n", e->code, program, e->summary);
    if (origin) fprintf(stderr, "  --> %s (" KS_BPF_SOURCE ":%d)\n", origin, c_line);
    else fprintf(stderr, "  --> program '%s'\n", program);
    fprintf(stderr, "   = the verifier said: %s\n", said);
    fprintf(stderr, "   = help: %s\n", e->help);
    fprintf(stderr, "   = note: full verifier log: %s\n", KS_VERIFIER_LOG);
    return true;
}
