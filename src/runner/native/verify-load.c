// SPDX-License-Identifier: GPL-2.0
/*
 * verify-load OBJ LOGDIR [--log-level N] [--set-type SECTION=PROG_TYPE:ATTACH_TYPE …]
 *
 * Loads every program of an eBPF object into the kernel (nothing is attached, nothing
 * stays loaded) and reports the verifier's verdict on each as JSON on stdout:
 *
 *   {"programs":[{"name":"p","type":6,"loaded":false,"errno":13,"log":"LOGDIR/p.log",
 *                 "log_bytes":1234,"truncated":false}, …]}
 *
 * The whole object is loaded at once (so struct_ops maps, tail-call arrays and globals
 * are set up as a loader would); when a program is rejected it is disabled and the
 * load is tried again, so one rejection does not hide the verdict on the others.
 *
 * Logs are never truncated: each program has its own log buffer, and when the kernel
 * answers ENOSPC, or fills the buffer to the last byte, the buffer (16 MiB at first, like libbpf's) is grown sixteen-fold
 * and the load repeated (up to 1 GiB). Programs of a type the kernel refuses for
 * reasons of configuration (EPERM with an empty log: lockdown) are reported as refused.
 * An object whose struct_ops type the kernel's BTF lacks (sched_ext_ops without
 * CONFIG_SCHED_CLASS_EXT) cannot be loaded at all: its struct_ops programs are reported
 * refused with the reason ("reason" in the JSON); any other program in it could not be
 * verified, which is a failure (exit 1). `--set-type` gives the type of programs whose
 * section this libbpf does not know (`netfilter` before libbpf 1.2), as the generated
 * loader sets it (the compiler's catalogue, `typeBeforeLoad`).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "struct-ops-btf.h"

#define MAX_PROGS 256
#define FIRST_LOG_SIZE (16u << 20)
#define LAST_LOG_SIZE (1u << 30)

struct verdict {
	char name[128];
	int type;
	bool decided, loaded, refused, truncated;
	int err;
	char reason[256];
	char *log;
	size_t log_size;
};

static struct verdict verdicts[MAX_PROGS];
static int verdict_count;
static char *libbpf_text;
static size_t libbpf_len;

static int capture(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	va_list copy;
	va_copy(copy, args);
	int n = vsnprintf(NULL, 0, format, copy);
	va_end(copy);
	if (n <= 0)
		return 0;
	char *grown = realloc(libbpf_text, libbpf_len + (size_t)n + 1);
	if (!grown)
		return 0;
	libbpf_text = grown;
	vsnprintf(libbpf_text + libbpf_len, (size_t)n + 1, format, args);
	libbpf_len += (size_t)n;
	return 0;
}

static struct verdict *verdict_of(const char *name)
{
	for (int i = 0; i < verdict_count; i++)
		if (strcmp(verdicts[i].name, name) == 0)
			return &verdicts[i];
	return NULL;
}

static void json_string(const char *text)
{
	putchar('"');
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	}
	putchar('"');
}

/* --set-type: sections whose programs get a type by number. */
#define MAX_SET_TYPES 16
static struct { const char *section; int prog_type, attach_type; } set_types[MAX_SET_TYPES];
static int set_type_count;

static void apply_set_types(struct bpf_program *prog)
{
	if (bpf_program__type(prog) != BPF_PROG_TYPE_UNSPEC)
		return;
	for (int i = 0; i < set_type_count; i++) {
		if (strcmp(bpf_program__section_name(prog), set_types[i].section) != 0)
			continue;
		bpf_program__set_type(prog, (enum bpf_prog_type)set_types[i].prog_type);
		bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)set_types[i].attach_type);
	}
}

/* One attempt: every undecided program loads with its own log buffer. */
static int attempt(const char *path, int log_level, struct verdict **failed)
{
	*failed = NULL;
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "verify-load: cannot open %s: %s\n%s", path, strerror(errno), libbpf_text ? libbpf_text : "");
		exit(1);
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		apply_set_types(prog);
		struct verdict *v = verdict_of(bpf_program__name(prog));
		if (!v && verdict_count < MAX_PROGS) {
			v = &verdicts[verdict_count++];
			snprintf(v->name, sizeof(v->name), "%s", bpf_program__name(prog));
			v->type = (int)bpf_program__type(prog);
			v->log_size = FIRST_LOG_SIZE;
		}
		if (!v || v->decided) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		free(v->log);
		v->log = calloc(1, v->log_size);
		if (!v->log) {
			fprintf(stderr, "verify-load: out of memory for a %zu-byte log\n", v->log_size);
			exit(1);
		}
		bpf_program__set_log_buf(prog, v->log, v->log_size);
		if (log_level > 0)
			bpf_program__set_log_level(prog, (__u32)log_level);
	}
	/*
	 * Nothing left to load: done. And libbpf before 1.4 dereferences a NULL vmlinux BTF
	 * when an object's struct_ops maps stay but every struct_ops program is left out
	 * (it loads that BTF only for programs it loads): stop with the reason, not a crash.
	 */
	int loading = 0, struct_ops_total = 0, struct_ops_loading = 0;
	bpf_object__for_each_program(prog, obj) {
		bool ops = bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS;
		struct_ops_total += ops;
		if (bpf_program__autoload(prog)) {
			loading++;
			struct_ops_loading += ops;
		}
	}
	if (loading == 0) {
		bpf_object__close(obj);
		return 0;
	}
	if (struct_ops_total > 0 && struct_ops_loading == 0 &&
	    (libbpf_major_version() < 1 || (libbpf_major_version() == 1 && libbpf_minor_version() < 4))) {
		fprintf(stderr, "verify-load: every struct_ops program of %s was rejected; libbpf %u.%u cannot load its other programs "
				"without them, so they were not checked\n", path, libbpf_major_version(), libbpf_minor_version());
		exit(1);
	}
	free(libbpf_text);
	libbpf_text = NULL;
	libbpf_len = 0;
	int result = bpf_object__load(obj);
	int err = errno;
	if (result == 0) {
		bpf_object__for_each_program(prog, obj) {
			struct verdict *v = verdict_of(bpf_program__name(prog));
			if (v && !v->decided) {
				v->decided = v->loaded = true;
			}
		}
		bpf_object__close(obj);
		return 0;
	}
	/* libbpf stops at the first program that fails and says "prog 'NAME': failed to load". */
	const char *said = libbpf_text ? strstr(libbpf_text, "': failed to load") : NULL;
	if (said) {
		const char *open = said;
		while (open > libbpf_text && *(open - 1) != '\'')
			open--;
		char name[128];
		size_t len = (size_t)(said - open) < sizeof(name) - 1 ? (size_t)(said - open) : sizeof(name) - 1;
		memcpy(name, open, len);
		name[len] = 0;
		*failed = verdict_of(name);
	}
	bpf_object__for_each_program(prog, obj) {
		struct verdict *v = verdict_of(bpf_program__name(prog));
		if (!*failed && v && !v->decided && bpf_program__autoload(prog) && v->log[0] != 0)
			*failed = v;
	}
	bpf_object__close(obj);
	return err ? err : EINVAL;
}

/*
 * When a struct_ops type of the object is missing from the kernel's BTF, every program
 * is decided before any load: struct_ops programs refused with the reason, and any
 * other program is an error (libbpf cannot load the object, so it cannot be verified).
 */
static int refuse_missing_struct_ops(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "verify-load: cannot open %s: %s\n%s", path, strerror(errno), libbpf_text ? libbpf_text : "");
		return 1;
	}
	const char *type = missing_struct_ops_type(obj);
	struct bpf_program *prog;
	int status = 0;
	bpf_object__for_each_program(prog, obj) {
		if (!type)
			break;
		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS) {
			fprintf(stderr, "verify-load: cannot load %s: struct_ops type '%s' is not in this kernel's BTF, so '%s' cannot be verified\n",
				path, type, bpf_program__name(prog));
			status = 1;
			break;
		}
		if (verdict_count >= MAX_PROGS)
			break;
		struct verdict *v = &verdicts[verdict_count++];
		snprintf(v->name, sizeof(v->name), "%s", bpf_program__name(prog));
		v->type = (int)bpf_program__type(prog);
		v->decided = v->refused = true;
		v->err = ENOENT;
		snprintf(v->reason, sizeof(v->reason), "struct_ops type %s is not in this kernel's BTF (/sys/kernel/btf/vmlinux)", type);
	}
	bpf_object__close(obj);
	return status;
}

static void write_log(const char *dir, struct verdict *v, char *path, size_t size)
{
	snprintf(path, size, "%s/%s.log", dir, v->name);
	FILE *file = fopen(path, "w");
	if (!file) {
		fprintf(stderr, "verify-load: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (v->log)
		fputs(v->log, file);
	if (libbpf_text && !v->loaded && !v->refused) {
		fputs("\n-- libbpf --\n", file);
		fputs(libbpf_text, file);
	}
	fclose(file);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: verify-load OBJ LOGDIR [--log-level N] [--set-type SECTION=PROG_TYPE:ATTACH_TYPE ...]\n");
		return 2;
	}
	int log_level = 0;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--log-level") == 0) {
			log_level = atoi(argv[i + 1]);
			continue;
		}
		char *equals = strchr(argv[i + 1], '=');
		if (strcmp(argv[i], "--set-type") != 0 || !equals || set_type_count == MAX_SET_TYPES ||
		    sscanf(equals + 1, "%d:%d", &set_types[set_type_count].prog_type, &set_types[set_type_count].attach_type) != 2) {
			fprintf(stderr, "verify-load: bad argument '%s %s'\n", argv[i], argv[i + 1]);
			return 2;
		}
		*equals = 0;
		set_types[set_type_count++].section = argv[i + 1];
	}
	libbpf_set_print(capture);
	char paths[MAX_PROGS][512];
	memset(paths, 0, sizeof(paths));
	if (refuse_missing_struct_ops(argv[1]) != 0)
		return 1;
	for (int rounds = 0; rounds < 4 * MAX_PROGS; rounds++) {
		struct verdict *failed;
		int err = attempt(argv[1], log_level, &failed);
		if (err == 0)
			break;
		if (!failed) {
			fprintf(stderr, "verify-load: cannot load %s: %s\n%s", argv[1], strerror(err), libbpf_text ? libbpf_text : "");
			return 1;
		}
		size_t used = strnlen(failed->log, failed->log_size);
		bool full = used + 1 >= failed->log_size;
		if ((err == ENOSPC || full) && failed->log_size < LAST_LOG_SIZE) {
			failed->log_size *= 16;
			continue;
		}
		failed->decided = true;
		failed->err = err;
		failed->truncated = err == ENOSPC || full;
		failed->refused = err == EPERM && used == 0;
		write_log(argv[2], failed, paths[failed - verdicts], sizeof(paths[0]));
	}
	printf("{\"programs\":[");
	for (int i = 0; i < verdict_count; i++) {
		struct verdict *v = &verdicts[i];
		printf("%s{\"name\":", i ? "," : "");
		json_string(v->name);
		printf(",\"type\":%d,\"loaded\":%s,\"refused\":%s,\"errno\":%d,\"truncated\":%s,\"log\":", v->type,
		       v->loaded ? "true" : "false", v->refused ? "true" : "false", v->err,
		       v->truncated ? "true" : "false");
		if (paths[i][0])
			json_string(paths[i]);
		else
			printf("null");
		printf(",\"reason\":");
		if (v->reason[0])
			json_string(v->reason);
		else
			printf("null");
		printf(",\"error\":");
		json_string(v->err ? strerror(v->err) : "");
		printf("}");
	}
	printf("]}\n");
	return 0;
}
