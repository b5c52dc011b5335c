/* Stack ids (kstack(), ustack(): bpf_get_stackid into the generated ks_stacks map) */
/* printed one frame per line, innermost first, as bpftrace prints kstack/ustack: */
/*         do_sys_openat2+234 */
/* Kernel addresses are named from /proc/kallsyms (read once, text symbols only); user */
/* addresses from the ELF symbol tables (.symtab, else .dynsym) of the file mapped */
/* there in /proc/PID/maps, read with libelf (which libbpf already links). A frame */
/* without a symbol prints as its address (and file + offset when the file is known). */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#define KS_STACK_DEPTH 127

struct ks_ksym { __u64 addr; char *name; };
static struct ks_ksym *ks_ksyms;
static size_t ks_ksym_count;
static bool ks_ksyms_read;

static KS_UNUSED int ks_compare_ksyms(const void *left, const void *right) {
    const struct ks_ksym *a = left, *b = right;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/* Text symbols of /proc/kallsyms, sorted by address (all zero when kptr_restrict hides them: none kept). */
static KS_UNUSED void ks_read_kallsyms(void) {
    ks_ksyms_read = true;
    FILE *file = fopen("/proc/kallsyms", "r");
    if (!file) return;
    size_t capacity = 0;
    char line[512];
    while (fgets(line, sizeof(line), file)) {
        unsigned long long addr;
        char type, name[256];
        if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || addr == 0) continue;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
        if (ks_ksym_count == capacity) {
            size_t grown = capacity ? capacity * 2 : 65536;
            struct ks_ksym *more = realloc(ks_ksyms, grown * sizeof(*more));
            if (!more) break;
            ks_ksyms = more;
            capacity = grown;
        }
        char *copy = strdup(name);
        if (!copy) break;
        ks_ksyms[ks_ksym_count++] = (struct ks_ksym){ addr, copy };
    }
    fclose(file);
    qsort(ks_ksyms, ks_ksym_count, sizeof(*ks_ksyms), ks_compare_ksyms);
}

/* The kernel symbol at or below `ip`, or NULL. */
static KS_UNUSED const struct ks_ksym *ks_kernel_symbol(__u64 ip) {
    if (!ks_ksyms_read) ks_read_kallsyms();
    size_t low = 0, high = ks_ksym_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (ks_ksyms[middle].addr <= ip) low = middle + 1;
        else high = middle;
    }
    return low > 0 ? &ks_ksyms[low - 1] : NULL;
}

/* The frames of stack `id` (0 after the last one); false (with a line saying why) when there are none. */
static KS_UNUSED bool ks_stack_frames(FILE *out, struct bpf_map *map, __s64 id, __u64 *ips) {
    if (id < 0) {
        fprintf(out, "        [no stack: %s]\n", strerror((int)-id));
        return false;
    }
    __u32 key = (__u32)id;
    memset(ips, 0, KS_STACK_DEPTH * sizeof(*ips));
    if (bpf_map_lookup_elem(bpf_map__fd(map), &key, ips) != 0) {
        fprintf(out, "        [stack %lld not found]\n", (long long)id);
        return false;
    }
    return true;
}

static KS_UNUSED void ks_print_kernel_stack(FILE *out, struct bpf_map *map, __s64 id) {
    __u64 ips[KS_STACK_DEPTH];
    if (!ks_stack_frames(out, map, id, ips)) return;
    for (int i = 0; i < KS_STACK_DEPTH && ips[i]; i++) {
        const struct ks_ksym *symbol = ks_kernel_symbol(ips[i]);
        if (symbol) fprintf(out, "        %s+%llu\n", symbol->name, (unsigned long long)(ips[i] - symbol->addr));
        else fprintf(out, "        0x%llx\n", (unsigned long long)ips[i]);
    }
}

/* The file mapped at `ip` in process `pid` and the offset of `ip` in that file. */
static KS_UNUSED bool ks_user_mapping(__u32 pid, __u64 ip, char *path, size_t room, __u64 *file_offset) {
    char maps[64];
    snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
    FILE *file = fopen(maps, "r");
    if (!file) return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), file)) {
        unsigned long long start, end, offset;
        int name_at = 0;
        if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &offset, &name_at) < 3 || name_at == 0) continue;
        if (ip < start || ip >= end || line[name_at] != '/') continue;
        line[strcspn(line, "\n")] = 0;
        snprintf(path, room, "%s", line + name_at);
        *file_offset = ip - start + offset;
        found = true;
    }
    fclose(file);
    return found;
}

/* The function symbol of `path` holding file offset `offset`, and the distance into it. */
static KS_UNUSED bool ks_elf_symbol(const char *path, __u64 offset, char *name, size_t room, __u64 *into) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    bool found = false;
    size_t headers = 0;
    __u64 vaddr = 0;
    bool placed = false;
    if (elf && elf_getphdrnum(elf, &headers) == 0) {
        /* The file offset as the address the symbols use: through its PT_LOAD segment. */
        for (size_t i = 0; i < headers && !placed; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD) continue;
            if (offset < ph.p_offset || offset >= ph.p_offset + ph.p_filesz) continue;
            vaddr = offset - ph.p_offset + ph.p_vaddr;
            placed = true;
        }
    }
    /* .symtab when the file has one (it holds .dynsym's functions too), else .dynsym. */
    for (int pass = 0; placed && pass < 2 && !found; pass++) {
        Elf_Scn *section = NULL;
        while (!found && (section = elf_nextscn(elf, section)) != NULL) {
            GElf_Shdr sh;
            if (!gelf_getshdr(section, &sh) || sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) || sh.sh_entsize == 0) continue;
            Elf_Data *data = elf_getdata(section, NULL);
            size_t count = sh.sh_size / sh.sh_entsize;
            for (size_t i = 0; data && i < count; i++) {
                GElf_Sym symbol;
                if (!gelf_getsym(data, (int)i, &symbol) || GELF_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_value == 0) continue;
                if (vaddr < symbol.st_value || vaddr >= symbol.st_value + (symbol.st_size ? symbol.st_size : 1)) continue;
                const char *text = elf_strptr(elf, sh.sh_link, symbol.st_name);
                if (!text) continue;
                snprintf(name, room, "%s", text);
                *into = vaddr - symbol.st_value;
                found = true;
                break;
            }
        }
    }
    if (elf) elf_end(elf);
    close(fd);
    return found;
}

/* A user stack of process `pid` (the pid() recorded with the id); its files are read while it runs. */
static KS_UNUSED void ks_print_user_stack(FILE *out, struct bpf_map *map, __s64 id, __u32 pid) {
    __u64 ips[KS_STACK_DEPTH];
    if (!ks_stack_frames(out, map, id, ips)) return;
    for (int i = 0; i < KS_STACK_DEPTH && ips[i]; i++) {
        char path[4096], name[256];
        __u64 offset = 0, into = 0;
        if (!ks_user_mapping(pid, ips[i], path, sizeof(path), &offset)) {
            fprintf(out, "        0x%llx\n", (unsigned long long)ips[i]);
        } else if (ks_elf_symbol(path, offset, name, sizeof(name), &into)) {
            fprintf(out, "        %s+%llu\n", name, (unsigned long long)into);
        } else {
            fprintf(out, "        0x%llx (%s+0x%llx)\n", (unsigned long long)ips[i], path, (unsigned long long)offset);
        }
    }
}
