/* Pinned maps are reused across runs, so a pin left by an earlier build of the program
 * must still fit it. libbpf checks type, key and value size, max_entries and flags, and
 * fails with a bare "-22" that names neither the map nor the pin; it does not look at
 * the layout, so a value struct whose fields were swapped or renamed at the same size
 * is silently reused and old entries read under the new field names.
 * The layout is recorded with the pin by the kernel itself: every map is created with
 * the BTF of its key and value types (bpf_map_info.btf_key_type_id/btf_value_type_id).
 * ks_check_pinned_map compares that BTF with this program's, member by member (names,
 * offsets, sizes, signedness, element counts; typedef names and struct names do not
 * matter), before the skeleton loads, and refuses with one line naming the map, the pin,
 * what differs and the fix.
 * Needs before it: <bpf/libbpf.h>, <bpf/bpf.h>, ks_skel. */
#include <bpf/btf.h>

/* Describes the first difference between type `a` of `old` and `b` of `new` into `what`
 * (`path` names the place, e.g. "value.drops"); returns whether they differ. */
static bool ks_btf_differs(const struct btf *old, __u32 a, const struct btf *new, __u32 b, const char *path, char *what, size_t size, int depth)
{
    if (depth > 32) return false;
    int ra = btf__resolve_type(old, a), rb = btf__resolve_type(new, b);
    if (ra < 0 || rb < 0) return false;
    const struct btf_type *ta = btf__type_by_id(old, (__u32)ra), *tb = btf__type_by_id(new, (__u32)rb);
    if (!ta || !tb) return false;
    static const char *const kinds[] = { "void", "an integer", "a pointer", "an array", "a struct", "a union", "an enum", "a forward declaration",
                                         "a typedef", "volatile", "const", "restrict", "a function", "a function prototype", "a variable",
                                         "a section", "a float", "a declaration tag", "a type tag", "an enum" };
    int ka = btf_kind(ta), kb = btf_kind(tb);
    bool enum_a = ka == BTF_KIND_ENUM || ka == 19 /* BTF_KIND_ENUM64 */, enum_b = kb == BTF_KIND_ENUM || kb == 19;
    if (ka != kb && !(enum_a && enum_b)) {
        snprintf(what, size, "%s is %s in the pinned map but %s in this program", path, ka < 20 ? kinds[ka] : "another kind", kb < 20 ? kinds[kb] : "another kind");
        return true;
    }
    if (ka != BTF_KIND_PTR && ka != BTF_KIND_ARRAY && ta->size != tb->size) {
        snprintf(what, size, "%s is %u bytes in the pinned map but %u in this program", path, ta->size, tb->size);
        return true;
    }
    switch (ka) {
    case BTF_KIND_INT: {
        __u32 ia = *(const __u32 *)(ta + 1), ib = *(const __u32 *)(tb + 1);
        bool sa = (ia >> 24) & BTF_INT_SIGNED, sb = (ib >> 24) & BTF_INT_SIGNED;
        if (sa != sb) {
            snprintf(what, size, "%s is %s in the pinned map but %s in this program", path, sa ? "signed" : "unsigned", sb ? "signed" : "unsigned");
            return true;
        }
        if ((ia & 0xff) != (ib & 0xff)) {
            snprintf(what, size, "%s is a %u-bit integer in the pinned map but %u-bit in this program", path, ia & 0xff, ib & 0xff);
            return true;
        }
        return false;
    }
    case BTF_KIND_ARRAY: {
        const struct btf_array *xa = btf_array(ta), *xb = btf_array(tb);
        if (xa->nelems != xb->nelems) {
            snprintf(what, size, "%s has %u elements in the pinned map but %u in this program", path, xa->nelems, xb->nelems);
            return true;
        }
        char inner[160];
        snprintf(inner, sizeof(inner), "%s[]", path);
        return ks_btf_differs(old, xa->type, new, xb->type, inner, what, size, depth + 1);
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
        int na = btf_vlen(ta), nb = btf_vlen(tb);
        const struct btf_member *ma = btf_members(ta), *mb = btf_members(tb);
        for (int i = 0; i < na && i < nb; i++) {
            const char *name_a = btf__name_by_offset(old, ma[i].name_off), *name_b = btf__name_by_offset(new, mb[i].name_off);
            if (!name_a) name_a = "";
            if (!name_b) name_b = "";
            if (strcmp(name_a, name_b) != 0) {
                snprintf(what, size, "field %d of %s is `%s` in the pinned map but `%s` in this program", i + 1, path, name_a, name_b);
                return true;
            }
            if (btf_member_bit_offset(ta, (__u32)i) != btf_member_bit_offset(tb, (__u32)i) ||
                btf_member_bitfield_size(ta, (__u32)i) != btf_member_bitfield_size(tb, (__u32)i)) {
                snprintf(what, size, "field `%s` of %s is at bit %u in the pinned map but at bit %u in this program", name_a, path,
                         btf_member_bit_offset(ta, (__u32)i), btf_member_bit_offset(tb, (__u32)i));
                return true;
            }
            char inner[160];
            snprintf(inner, sizeof(inner), "%s.%s", path, name_a);
            if (ks_btf_differs(old, ma[i].type, new, mb[i].type, inner, what, size, depth + 1)) return true;
        }
        if (na != nb) {
            snprintf(what, size, "%s has %d fields in the pinned map but %d in this program", path, na, nb);
            return true;
        }
        return false;
    }
    case BTF_KIND_ENUM: {
        /* What the pinned entries' numbers mean must not change: every old name keeps its value. */
        const struct btf_enum *ea = btf_enum(ta), *eb = btf_enum(tb);
        for (int i = 0; i < btf_vlen(ta); i++) {
            const char *name = btf__name_by_offset(old, ea[i].name_off);
            bool kept = false;
            for (int j = 0; j < btf_vlen(tb) && !kept; j++)
                kept = eb[j].val == ea[i].val && name && strcmp(name, btf__name_by_offset(new, eb[j].name_off) ?: "") == 0;
            if (!kept) {
                snprintf(what, size, "%s: enumerator `%s` (= %d) of the pinned map is gone or has another value in this program", path, name ? name : "?", ea[i].val);
                return true;
            }
        }
        return false;
    }
    default:
        return false;
    }
}

/* 0 when `map`'s pin is absent (a new one will be made) or fits this program; else one
 * line on stderr and -1. `label` names it in the message ("map 'counts'"). */
static int ks_check_pinned_map(struct bpf_map *map, const char *label)
{
    const char *pin = bpf_map__pin_path(map);
    if (!pin) return 0;
    int fd = bpf_obj_get(pin);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT) return 0;
        fprintf(stderr, "error: cannot open the pin of %s at %s: %s; remove it to start afresh: rm %s\n", label, pin, strerror(err), pin);
        return -1;
    }
    struct bpf_map_info info;
    __u32 len = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
        close(fd);
        fprintf(stderr, "error: %s is pinned at %s, but what is pinned there is not a map; remove it: rm %s\n", label, pin, pin);
        return -1;
    }
    close(fd);
    char what[320] = "";
    enum bpf_map_type type = bpf_map__type(map);
    if (info.type != (__u32)type) {
        const char *old_type = libbpf_bpf_map_type_str((enum bpf_map_type)info.type), *new_type = libbpf_bpf_map_type_str(type);
        snprintf(what, sizeof(what), "it is a %s map there but a %s map in this program", old_type ? old_type : "?", new_type ? new_type : "?");
    } else if (info.key_size != bpf_map__key_size(map)) {
        snprintf(what, sizeof(what), "its key is %u bytes there but %u in this program", info.key_size, bpf_map__key_size(map));
    } else if (info.value_size != bpf_map__value_size(map)) {
        snprintf(what, sizeof(what), "its value is %u bytes there but %u in this program", info.value_size, bpf_map__value_size(map));
    } else if (bpf_map__max_entries(map) != 0 && info.max_entries != bpf_map__max_entries(map)) {
        snprintf(what, sizeof(what), "it holds %u entries there but %u in this program", info.max_entries, bpf_map__max_entries(map));
    } else if (info.map_flags != bpf_map__map_flags(map)) {
        snprintf(what, sizeof(what), "its flags are 0x%x there but 0x%x in this program", info.map_flags, bpf_map__map_flags(map));
    } else if (info.btf_id != 0 && (info.btf_key_type_id != 0 || info.btf_value_type_id != 0)) {
        /* Created without BTF (another tool): the layout cannot be compared; libbpf's checks above stand. */
        struct btf *old = btf__load_from_kernel_by_id(info.btf_id);
        const struct btf *new = bpf_object__btf(ks_skel->obj);
        if (old && new) {
            if (info.btf_key_type_id && bpf_map__btf_key_type_id(map))
                ks_btf_differs(old, info.btf_key_type_id, new, bpf_map__btf_key_type_id(map), "the key", what, sizeof(what), 0);
            if (!what[0] && info.btf_value_type_id && bpf_map__btf_value_type_id(map))
                ks_btf_differs(old, info.btf_value_type_id, new, bpf_map__btf_value_type_id(map), "the value", what, sizeof(what), 0);
        }
        btf__free(old);
    }
    if (!what[0]) return 0;
    fprintf(stderr, "error: the pin of %s at %s does not fit this program (an earlier build with another layout?): %s; to start with an empty map, remove the pin, losing its entries: rm %s\n",
            label, pin, what, pin);
    return -1;
}
