/* Aggregation maps printed like bpftrace (check/aggregations.ts): `@hist` and */
/* `@lhist(min, max, step)` maps as ASCII histograms of their bucket counts, `@top(N)` */
/* maps as their N largest values, `@stats` maps as count, average, min, max and sum per */
/* key. Keys and values are integers of any width; per-CPU values arrive summed (the */
/* printer's lookup), except stats, whose CPUs are merged here. Uses print-values.c's */
/* ks_map_keys. */

/* The value of a little-endian unsigned integer of `size` bytes (1, 2, 4 or 8). */
static KS_UNUSED __u64 ks_unsigned_of(const void *bytes, size_t size) {
    switch (size) {
    case 1: return *(const __u8 *)bytes;
    case 2: return *(const __u16 *)bytes;
    case 4: return *(const __u32 *)bytes;
    default: return *(const __u64 *)bytes;
    }
}

/* An integer with bpftrace's binary suffixes: 1024 -> 1K, 3145728 -> 3M. */
static KS_UNUSED void ks_format_size(char *buf, size_t room, __u64 n) {
    static const char suffixes[] = "KMGTPE";
    int unit = -1;
    while (n >= 1024 && n % 1024 == 0 && unit < 5) {
        n /= 1024;
        unit++;
    }
    if (unit < 0) snprintf(buf, room, "%llu", (unsigned long long)n);
    else snprintf(buf, room, "%llu%c", (unsigned long long)n, suffixes[unit]);
}

/* One histogram line: the range, the count, and a bar of '@' scaled to the largest count. */
static KS_UNUSED void ks_print_bar(FILE *out, const char *range, __u64 count, __u64 largest) {
    enum { width = 52 };
    int filled = largest ? (int)((double)count * width / (double)largest) : 0;
    fprintf(out, "%-20s %8llu |", range, (unsigned long long)count);
    for (int i = 0; i < width; i++) fputc(i < filled ? '@' : ' ', out);
    fputs("|\n", out);
}

/* Where a histogram map keeps its bucket index: the whole key (keyless histograms), or */
/* one integer field of a struct key, the other fields naming the histogram (`print_group` */
/* prints them; NULL for keyless ones). */
struct ks_histogram_key {
    size_t bucket_offset, bucket_size;
    void (*print_group)(FILE *out, const void *key);
};

/* One entry: the key with its bucket field zeroed (the group), the bucket, the count. */
struct ks_bucket_entry { unsigned char *group; __u64 bucket; __u64 count; };

static size_t ks_group_size; /* for ks_compare_groups (qsort has no context argument) */

static KS_UNUSED int ks_compare_groups(const void *left, const void *right) {
    const struct ks_bucket_entry *a = left, *b = right;
    int order = memcmp(a->group, b->group, ks_group_size);
    return order ? order : (a->bucket > b->bucket) - (a->bucket < b->bucket);
}

/* Every entry of a histogram map with a bucket below `buckets`, sorted by group then bucket. */
static KS_UNUSED struct ks_bucket_entry *ks_bucket_entries(struct bpf_map *map, const struct ks_map_printer *p,
                                                           const struct ks_histogram_key *hk, size_t buckets, size_t *found) {
    size_t count = 0, kept = 0;
    unsigned char *keys = ks_map_keys(map, p->key_size, &count);
    struct ks_bucket_entry *entries = calloc(count ? count : 1, sizeof(*entries));
    unsigned char *value = malloc(p->value_size);
    for (size_t i = 0; keys && entries && value && i < count; i++) {
        const unsigned char *key = keys + i * p->key_size;
        __u64 bucket = ks_unsigned_of(key + hk->bucket_offset, hk->bucket_size);
        if (bucket >= buckets || p->lookup(key, value) != 0) continue;
        unsigned char *group = malloc(p->key_size);
        if (!group) break;
        memcpy(group, key, p->key_size);
        memset(group + hk->bucket_offset, 0, hk->bucket_size);
        entries[kept++] = (struct ks_bucket_entry){ group, bucket, ks_unsigned_of(value, p->value_size) };
    }
    ks_group_size = p->key_size;
    if (entries) qsort(entries, kept, sizeof(*entries), ks_compare_groups);
    free(value);
    free(keys);
    *found = kept;
    return entries;
}

/* The rows of the non-empty span of buckets [first, last], bars scaled to the largest. */
static KS_UNUSED void ks_print_bucket_rows(FILE *out, const __u64 *counts, size_t buckets,
                                           void (*range)(char *buf, size_t room, size_t bucket, const void *arg), const void *arg) {
    size_t first = buckets, last = 0;
    __u64 largest = 0;
    for (size_t i = 0; i < buckets; i++) {
        if (!counts[i]) continue;
        if (first == buckets) first = i;
        last = i;
        if (counts[i] > largest) largest = counts[i];
    }
    for (size_t i = first; i < buckets && i <= last; i++) {
        char text[64];
        range(text, sizeof(text), i, arg);
        ks_print_bar(out, text, counts[i], largest);
    }
}

/*
 * `TITLE: WHAT, N values` and the rows; a keyed map prints `TITLE: WHAT, K histograms,
 * N values`, then per group `NAME[group]: N values` and its rows, groups in key order.
 */
static KS_UNUSED void ks_print_histograms(FILE *out, struct bpf_map *map, const struct ks_map_printer *p, const struct ks_histogram_key *hk,
                                          const char *what, size_t buckets,
                                          void (*range)(char *buf, size_t room, size_t bucket, const void *arg), const void *arg) {
    size_t found = 0, groups = 0;
    struct ks_bucket_entry *entries = ks_bucket_entries(map, p, hk, buckets, &found);
    __u64 *counts = calloc(buckets, sizeof(__u64));
    __u64 total = 0;
    for (size_t i = 0; entries && i < found; i++) {
        total += entries[i].count;
        if (i == 0 || memcmp(entries[i].group, entries[i - 1].group, p->key_size) != 0) groups++;
    }
    if (hk->print_group) fprintf(out, "%s: %s, %zu %s, %llu %s\n", p->title, what, groups, groups == 1 ? "histogram" : "histograms", (unsigned long long)total, total == 1 ? "value" : "values");
    else fprintf(out, "%s: %s, %llu %s\n", p->title, what, (unsigned long long)total, total == 1 ? "value" : "values");
    for (size_t start = 0; entries && counts && start < found;) {
        size_t end = start;
        __u64 sum = 0;
        memset(counts, 0, buckets * sizeof(__u64));
        while (end < found && memcmp(entries[end].group, entries[start].group, p->key_size) == 0) {
            counts[entries[end].bucket] += entries[end].count;
            sum += entries[end].count;
            end++;
        }
        if (hk->print_group) {
            fprintf(out, "%s[", p->name);
            hk->print_group(out, entries[start].group);
            fprintf(out, "]: %llu %s\n", (unsigned long long)sum, sum == 1 ? "value" : "values");
        }
        ks_print_bucket_rows(out, counts, buckets, range, arg);
        start = end;
    }
    for (size_t i = 0; entries && i < found; i++) free(entries[i].group);
    free(entries);
    free(counts);
}

/* Bucket 0 holds 0, bucket k >= 1 holds [2^(k-1), 2^k) (ks_log2_bucket). */
static KS_UNUSED void ks_log2_range(char *buf, size_t room, size_t bucket, const void *arg) {
    (void)arg;
    char low[24], high[24];
    if (bucket <= 1) {
        snprintf(buf, room, "[%zu]", bucket);
        return;
    }
    ks_format_size(low, sizeof(low), (__u64)1 << (bucket - 1));
    if (bucket >= 64) snprintf(high, sizeof(high), "...");
    else ks_format_size(high, sizeof(high), (__u64)1 << bucket);
    snprintf(buf, room, "[%s, %s)", low, high);
}

static KS_UNUSED void ks_print_log2_histogram(FILE *out, struct bpf_map *map, const struct ks_map_printer *p, struct ks_histogram_key hk) {
    ks_print_histograms(out, map, p, &hk, "log2 histogram", 65, ks_log2_range, NULL);
}

struct ks_linear_bounds { __u64 min, max, step; };

/* Bucket 0 is below min, bucket i holds [min + (i-1) step, min + i step), the last one max and up (ks_linear_bucket). */
static KS_UNUSED void ks_linear_range(char *buf, size_t room, size_t bucket, const void *arg) {
    const struct ks_linear_bounds *b = arg;
    __u64 inside = (b->max - b->min + b->step - 1) / b->step;
    if (bucket == 0) snprintf(buf, room, "(..., %llu)", (unsigned long long)b->min);
    else if (bucket > inside) snprintf(buf, room, "[%llu, ...)", (unsigned long long)b->max);
    else {
        __u64 low = b->min + (bucket - 1) * b->step, high = low + b->step;
        if (high > b->max) high = b->max;
        snprintf(buf, room, "[%llu, %llu)", (unsigned long long)low, (unsigned long long)high);
    }
}

static KS_UNUSED void ks_print_linear_histogram(FILE *out, struct bpf_map *map, const struct ks_map_printer *p, struct ks_histogram_key hk,
                                                __u64 min, __u64 max, __u64 step) {
    struct ks_linear_bounds bounds = { min, max, step };
    size_t buckets = (size_t)((max - min + step - 1) / step) + 2;
    char what[96];
    snprintf(what, sizeof(what), "linear histogram from %llu to %llu by %llu", (unsigned long long)min, (unsigned long long)max, (unsigned long long)step);
    ks_print_histograms(out, map, p, &hk, what, buckets, ks_linear_range, &bounds);
}

/* For qsort: entries by value, largest first, then by key bytes (a stable order for ties). */
struct ks_ranked { __u64 value; const unsigned char *key; size_t key_size; };

static KS_UNUSED int ks_compare_ranked(const void *left, const void *right) {
    const struct ks_ranked *a = left, *b = right;
    if (a->value != b->value) return a->value > b->value ? -1 : 1;
    return memcmp(a->key, b->key, a->key_size);
}

/* Prints `TITLE: top N of M entries`, then the N entries with the largest values, largest first. */
static KS_UNUSED void ks_print_top(FILE *out, struct bpf_map *map, const struct ks_map_printer *p, size_t limit) {
    size_t count = 0, shown = 0;
    unsigned char *keys = ks_map_keys(map, p->key_size, &count);
    struct ks_ranked *ranked = calloc(count ? count : 1, sizeof(*ranked));
    unsigned char *values = calloc(count ? count : 1, p->value_size);
    for (size_t i = 0; keys && ranked && values && i < count; i++) {
        unsigned char *value = values + shown * p->value_size;
        if (p->lookup(keys + i * p->key_size, value) != 0) continue;
        if (p->non_zero_only && ks_all_zero(value, p->value_size)) continue;
        ranked[shown].value = ks_unsigned_of(value, p->value_size);
        ranked[shown].key = keys + i * p->key_size;
        ranked[shown].key_size = p->key_size;
        shown++;
    }
    if (ranked) qsort(ranked, shown, sizeof(*ranked), ks_compare_ranked);
    size_t printed = shown < limit ? shown : limit;
    fprintf(out, "%s: top %zu of %zu %s\n", p->title, printed, shown, shown == 1 ? "entry" : "entries");
    for (size_t i = 0; ranked && i < printed; i++) {
        fprintf(out, "%s[", p->name);
        if (p->print_key) p->print_key(out, ranked[i].key);
        else ks_print_hex(out, ranked[i].key, p->key_size);
        fprintf(out, "] = %llu\n", (unsigned long long)ranked[i].value);
    }
    free(values);
    free(ranked);
    free(keys);
}

/* Where a `@stats` map's value keeps its four u64 fields (offsets into the value struct). */
struct ks_stats_fields { size_t count, sum, min, max; };

struct ks_stats { __u64 count, sum, min, max; };

/* One key's stats: a per-CPU map's slots merged (counts and sums added, min and max of the CPUs that saw samples). */
static KS_UNUSED bool ks_read_stats(int fd, const void *key, size_t value_size, struct ks_stats_fields f, bool per_cpu, struct ks_stats *out) {
    int cpus = per_cpu ? libbpf_num_possible_cpus() : 1;
    if (cpus <= 0) return false;
    size_t slot = per_cpu ? (value_size + 7) & ~(size_t)7 : value_size;
    unsigned char *all = calloc((size_t)cpus, slot);
    if (!all) return false;
    bool found = bpf_map_lookup_elem(fd, key, all) == 0;
    *out = (struct ks_stats){ 0, 0, 0, 0 };
    for (int cpu = 0; found && cpu < cpus; cpu++) {
        const unsigned char *v = all + (size_t)cpu * slot;
        __u64 count = ks_unsigned_of(v + f.count, 8);
        if (count == 0) continue;
        __u64 min = ks_unsigned_of(v + f.min, 8), max = ks_unsigned_of(v + f.max, 8);
        if (out->count == 0 || min < out->min) out->min = min;
        if (out->count == 0 || max > out->max) out->max = max;
        out->count += count;
        out->sum += ks_unsigned_of(v + f.sum, 8);
    }
    free(all);
    return found && out->count > 0;
}

/* Prints `TITLE: stats of N keys`, then `NAME[key]: count C, avg A, min M, max X, sum S` per key, sorted by key. */
static KS_UNUSED void ks_print_stats(FILE *out, struct bpf_map *map, const struct ks_map_printer *p, struct ks_stats_fields f, bool per_cpu) {
    size_t count = 0, shown = 0;
    unsigned char *keys = ks_map_keys(map, p->key_size, &count);
    struct ks_stats *stats = calloc(count ? count : 1, sizeof(*stats));
    bool *present = calloc(count ? count : 1, sizeof(bool));
    if (keys && p->compare_keys) qsort(keys, count, p->key_size, p->compare_keys);
    for (size_t i = 0; keys && stats && present && i < count; i++) {
        present[i] = ks_read_stats(bpf_map__fd(map), keys + i * p->key_size, p->value_size, f, per_cpu, &stats[i]);
        if (present[i]) shown++;
    }
    fprintf(out, "%s: stats of %zu %s\n", p->title, shown, shown == 1 ? "key" : "keys");
    for (size_t i = 0; keys && stats && present && i < count; i++) {
        if (!present[i]) continue;
        const struct ks_stats *s = &stats[i];
        fprintf(out, "%s[", p->name);
        if (p->print_key) p->print_key(out, keys + i * p->key_size);
        else ks_print_hex(out, keys + i * p->key_size, p->key_size);
        fprintf(out, "]: count %llu, avg %llu, min %llu, max %llu, sum %llu\n", (unsigned long long)s->count,
                (unsigned long long)(s->sum / s->count), (unsigned long long)s->min, (unsigned long long)s->max, (unsigned long long)s->sum);
    }
    free(present);
    free(stats);
    free(keys);
}
