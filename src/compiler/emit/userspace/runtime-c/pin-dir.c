/* --pin-dir DIR: every map that holds state worth keeping is pinned under DIR (created
 * as needed, on a bpffs) and reused on the next start, so a restarted pod keeps its
 * counters; `pin var` maps move there too. Each pin found is checked against this
 * program's layout (ks_check_pinned_map) before anything loads.
 * Not pinned, on purpose: ring buffers and perf event arrays (their reader is this
 * process; records of a dead run are not worth keeping), program arrays (they hold
 * programs: a pinned one would keep an earlier build's programs in the tail-call slots),
 * maps of maps (their inner maps belong to the run that made them), socket and device
 * maps (sockets and interfaces of this run), and the object's own sections (.bss,
 * .data, .rodata: globals and configs are set by each start).
 * Needs before it: ks_fleet, ks_skel, ks_is_bpffs, ks_prepare_bpffs (runtime-c/bpffs.c),
 * ks_check_pinned_map (runtime-c/pin-check.c), ks_explain_errno. */

/* Whether --pin-dir pins `map` (see above). */
static bool ks_pin_dir_keeps(const struct bpf_map *map) {
    if (bpf_map__is_internal(map)) return false;
    switch (bpf_map__type(map)) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
    case BPF_MAP_TYPE_BLOOM_FILTER:
        return true;
    default:
        return false;
    }
}

/* Creates DIR and its missing parents, all on a bpffs; 0 / -1 with the cause printed. */
static int ks_make_pin_dir(const char *dir) {
    char path[4096];
    if (dir[0] != '/' || strlen(dir) >= sizeof(path)) {
        fprintf(stderr, "error: --pin-dir needs an absolute path on a bpffs (e.g. /sys/fs/bpf/kernelscript/APP), got '%s'\n", dir);
        return -1;
    }
    /* Under /sys/fs/bpf the usual rules apply: mounted if need be (runtime-c/bpffs.c). */
    if (strncmp(dir, "/sys/fs/bpf/", 12) == 0 && ks_prepare_bpffs() != 0) return -1;
    snprintf(path, sizeof(path), "%s", dir);
    /* The nearest existing ancestor must be on a bpffs: directories elsewhere would hold no pins. */
    size_t length = strlen(path);
    while (length > 1 && path[length - 1] == '/') path[--length] = '\0';
    struct stat st;
    char probe[4096];
    snprintf(probe, sizeof(probe), "%s", path);
    while (stat(probe, &st) != 0) {
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe) {
            snprintf(probe, sizeof(probe), "/");
            break;
        }
        *slash = '\0';
    }
    if (!ks_is_bpffs(probe)) {
        fprintf(stderr, "error: --pin-dir %s is not on a bpffs (%s is not one): pins there would not outlive this loader; mount one first (mount -t bpf bpf /sys/fs/bpf) and use a directory under it\n", dir, probe);
        return -1;
    }
    for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash) *slash = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            int err = errno;
            fprintf(stderr, "error: --pin-dir: cannot create %s: %s%s\n", path, strerror(err), strchr(path, '.') ? " (bpffs refuses names with a '.')" : "");
            return -1;
        }
        if (!slash) break;
        *slash = '/';
    }
    return 0;
}

/* Sets the pin path of every kept map to DIR/MAP and checks the pins already there. */
static int ks_pin_every_map(void) {
    /* Tested here too: in the test binary, which never takes --pin-dir, gcc sees the */
    /* option always NULL and warns (-Wnonnull) about the call it would make otherwise. */
    if (!ks_fleet.pin_dir || ks_make_pin_dir(ks_fleet.pin_dir) != 0) return -1;
    struct bpf_map *map;
    bpf_object__for_each_map(map, ks_skel->obj) {
        if (!ks_pin_dir_keeps(map)) continue;
        char path[4096], label[128];
        snprintf(path, sizeof(path), "%s/%s", ks_fleet.pin_dir, bpf_map__name(map));
        snprintf(label, sizeof(label), "map '%s'", bpf_map__name(map));
        if (bpf_map__set_pin_path(map, path) != 0) {
            int err = errno;
            ks_explain_errno("--pin-dir: cannot set the pin path of a map", err);
            return -1;
        }
        if (ks_check_pinned_map(map, label) != 0) return -1;
    }
    return 0;
}
