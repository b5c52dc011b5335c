/* Shared by the runner's native tools: struct_ops types an object uses that the
 * running kernel's BTF lacks. */
#ifndef KS_RUNNER_STRUCT_OPS_BTF_H
#define KS_RUNNER_STRUCT_OPS_BTF_H

#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/*
 * struct_ops maps whose type the running kernel's BTF lacks (sched_ext_ops without
 * CONFIG_SCHED_CLASS_EXT): libbpf cannot load such an object at all, so nothing in it
 * can reach the verifier. Decided from the kernel's BTF, never from names. Returns the
 * missing type's name (the first one), or NULL when every struct_ops type exists.
 */
static inline const char *missing_struct_ops_type(struct bpf_object *obj)
{
	static char missing[128];
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct btf *local = bpf_object__btf(obj);
	const char *result = NULL;
	struct bpf_map *map;
	if (!vmlinux || !local) {
		btf__free(vmlinux);
		return NULL;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		/* libbpf 1.1 sets no value type id before load: the map is the variable of
		 * the same name in the .struct_ops section, whose type is the ops struct. */
		int var_id = btf__find_by_name_kind(local, bpf_map__name(map), BTF_KIND_VAR);
		const struct btf_type *var = var_id > 0 ? btf__type_by_id(local, var_id) : NULL;
		const struct btf_type *type = var ? btf__type_by_id(local, var->type) : NULL;
		const char *name = type && btf_is_struct(type) ? btf__name_by_offset(local, type->name_off) : NULL;
		if (name && btf__find_by_name_kind(vmlinux, name, BTF_KIND_STRUCT) < 0 && !result) {
			snprintf(missing, sizeof(missing), "%s", name);
			result = missing;
		}
	}
	btf__free(vmlinux);
	return result;
}

#endif
