/* Lines of a verifier log: a C line's .ks origin (ks_line_map is written per program), and */
/* whether a line is an instruction. */

static const char *ks_line_map_exact(int line) {
    for (int i = 0; ks_line_map[i].origin; i++)
        if (ks_line_map[i].c_line == line) return ks_line_map[i].origin;
    return NULL;
}

/* Instruction lines look like "12: (85) call ..." (libbpf >= 1.4 also writes "12: <invalid kfunc call>"); */
/* state lines like "12: R0=...". */
static bool ks_is_instruction(const char *line) {
    const char *c = line;
    if (*c < '0' || *c > '9') return false;
    while (*c >= '0' && *c <= '9') c++;
    return strncmp(c, ": (", 3) == 0 || strncmp(c, ": <invalid kfunc call>", 22) == 0;
}
