/* Printing map keys and values (ks_map_NAME_print): strings, chars, raw bytes. */

static KS_UNUSED void ks_print_chars(FILE *out, const char *text, size_t max) {
    fputc('"', out);
    for (size_t i = 0; i < max && text[i]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (isprint(c)) fputc(c, out);
        else fprintf(out, "\\x%02x", c);
    }
    fputc('"', out);
}

static KS_UNUSED void ks_print_char(FILE *out, char value) {
    unsigned char c = (unsigned char)value;
    if (isprint(c) && c != '\'' && c != '\\') fprintf(out, "'%c'", c);
    else fprintf(out, "'\\x%02x'", c);
}

static KS_UNUSED void ks_print_hex(FILE *out, const void *data, size_t size) {
    const unsigned char *bytes = data;
    fputs("0x", out);
    for (size_t i = 0; i < size; i++) fprintf(out, "%02x", bytes[i]);
}

static KS_UNUSED bool ks_all_zero(const void *data, size_t size) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) if (bytes[i]) return false;
    return true;
}

/* How ks_print_map prints one map: what each generated ks_map_NAME_print passes. */
struct ks_map_printer {
    const char *name;   /* the map's name: entries print as NAME[key] = value */
    const char *title;  /* the header's `NAME (kind<K, V>)` */
    size_t key_size, value_size;
    bool non_zero_only; /* array maps: every index exists; list the non-zero values */
    int (*compare_keys)(const void *, const void *);  /* NULL: in the kernel's order */
    int (*lookup)(const void *key, void *value);      /* the map's accessor (per-CPU values summed) */
    void (*print_key)(FILE *out, const void *key);      /* NULL: hex bytes */
    void (*print_value)(FILE *out, const void *value);  /* NULL: hex bytes */
};

/* Every key of `map`, in the kernel's order (malloc'ed; NULL when there is no memory or */
/* no key). Bounded in case entries are deleted and re-added while we walk */
/* (get_next_key then restarts from the first key). */
static KS_UNUSED unsigned char *ks_map_keys(struct bpf_map *map, size_t key_size, size_t *count_out) {
    int fd = bpf_map__fd(map);
    size_t limit = (size_t)bpf_map__max_entries(map) * 2 + 16;
    size_t count = 0, capacity = 64;
    unsigned char *keys = malloc(capacity * key_size);
    *count_out = 0;
    if (!keys) return NULL;
    const void *previous = NULL;
    while (count < limit) {
        if (count == capacity) {
            unsigned char *grown = realloc(keys, capacity * 2 * key_size);
            if (!grown) break;
            keys = grown;
            capacity *= 2;
            if (previous) previous = keys + (count - 1) * key_size;
        }
        if (bpf_map_get_next_key(fd, previous, keys + count * key_size) != 0) break;
        previous = keys + count * key_size;
        count++;
    }
    *count_out = count;
    return keys;
}

/* Prints `TITLE: N [non-zero ]entries`, then one line per entry, sorted by key. */
static KS_UNUSED void ks_print_map(FILE *out, struct bpf_map *map, const struct ks_map_printer *p) {
    size_t key_size = p->key_size, value_size = p->value_size;
    size_t count = 0;
    unsigned char *keys = ks_map_keys(map, key_size, &count);
    unsigned char *values = NULL;
    if (!keys) return;
    if (p->compare_keys) qsort(keys, count, key_size, p->compare_keys);
    values = calloc(count ? count : 1, value_size);
    bool *present = calloc(count ? count : 1, sizeof(bool));
    size_t shown = 0;
    for (size_t i = 0; values && present && i < count; i++) {
        present[i] = p->lookup(keys + i * key_size, values + i * value_size) == 0;
        if (present[i] && p->non_zero_only && ks_all_zero(values + i * value_size, value_size)) present[i] = false;
        if (present[i]) shown++;
    }
    fprintf(out, "%s: %zu %s%s\n", p->title, shown, p->non_zero_only ? "non-zero " : "", shown == 1 ? "entry" : "entries");
    for (size_t i = 0; values && present && i < count; i++) {
        if (!present[i]) continue;
        fprintf(out, "%s[", p->name);
        if (p->print_key) p->print_key(out, keys + i * key_size);
        else ks_print_hex(out, keys + i * key_size, key_size);
        fputs("] = ", out);
        if (p->print_value) p->print_value(out, values + i * value_size);
        else ks_print_hex(out, values + i * value_size, value_size);
        fputc('\n', out);
    }
    free(present);
    free(values);
    free(keys);
}
