/* E0469 in the loader's verifier report: which kfunc an unresolved call is
 * (verifier/patterns.ts explains the marks). libbpf < 1.4 leaves the call as
 * `N: (85) call #0`; libbpf >= 1.4 writes `N: <invalid kfunc call>` and
 * `kfunc 'NAME' is referenced but wasn't resolved`.
 * Needs before it: ks_is_instruction() and ks_weak_kfuncs[] (c_name, name, module;
 * ended by a NULL c_name), both emitted by verifier-table.ts. */

/* The last unresolved kfunc call instruction in [body, end), or NULL. */
static const char *ks_unresolved_kfunc_call(const char *body, const char *end)
{
    const char *found = NULL;
    for (const char *line = body; line && line < end; ) {
        const char *next = strchr(line, '\n');
        if (ks_is_instruction(line)) {
            const char *text = strchr(line, ':') + 2;
            if (strncmp(text, "(85) call #0", 12) == 0 && (text[12] == '\0' || text[12] == '\n' || text[12] == ' ' || text[12] == ';'))
                found = line;
            else if (strncmp(text, "(85) call unknown#2002000", 25) == 0 || strncmp(text, "<invalid kfunc call>", 20) == 0)
                found = line;
        }
        line = next ? next + 1 : NULL;
    }
    return found;
}

static bool ks_is_identifier_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether `text` (len bytes) calls `name`: the name, not part of a longer one, then `(`. */
static bool ks_text_calls(const char *text, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i + n <= len; i++) {
        if (strncmp(text + i, name, n) != 0) continue;
        if (i > 0 && ks_is_identifier_char(text[i - 1])) continue;
        size_t j = i + n;
        while (j < len && text[j] == ' ') j++;
        if (j < len && text[j] == '(') return true;
    }
    return false;
}

/* Which weak kfunc the call at `call` is: the one libbpf names (copied into `named`
 * too), else the one the C text of the line info before the call calls; NULL when
 * none of ks_weak_kfuncs fits (`named` may still hold libbpf's name). */
static const struct ks_weak_kfunc *ks_unresolved_kfunc(const char *body, const char *call, const char *end, char *named, size_t size)
{
    named[0] = '\0';
    const char *mark = strstr(body, "kfunc '");
    if (mark && mark < end) {
        mark += 7;
        size_t len = strcspn(mark, "'\n");
        if (len >= size) len = size - 1;
        memcpy(named, mark, len);
        named[len] = '\0';
        for (int i = 0; ks_weak_kfuncs[i].c_name; i++)
            if (strcmp(named, ks_weak_kfuncs[i].c_name) == 0) return &ks_weak_kfuncs[i];
        return NULL;
    }
    const char *info = NULL;
    for (const char *line = body; line && line < call; ) {
        if (line[0] == ';') info = line;
        const char *next = strchr(line, '\n');
        line = next ? next + 1 : NULL;
    }
    if (!info) return NULL;
    const char *info_end = strchr(info, '\n');
    size_t len = info_end ? (size_t)(info_end - info) : strlen(info);
    for (int i = 0; ks_weak_kfuncs[i].c_name; i++)
        if (ks_text_calls(info, len, ks_weak_kfuncs[i].c_name)) return &ks_weak_kfuncs[i];
    return NULL;
}
