/*
 * prog-run: load a .bpf.o with libbpf (no skeleton) and run its programs through
 * BPF_PROG_TEST_RUN, then print every map. Used by src/runner/prog-run.ts.
 *
 *   prog-run OBJ [--set MAP KEYHEX VALUEHEX]... [--prog-array MAP INDEX PROG]...
 *                [--prog NAME [--size N] [--zero] [--data HEX] [--ctx HEX] [--ifindex I] [--repeat R] [--cpu C]
 *                            [--stats]]...
 *                [--ringbuf MAP]... [--concurrent]
 *
 * --ringbuf consumes, after all runs, every record the programs wrote into ring buffer MAP
 * and reports them in order (at most MAX_RECORDS per ring buffer).
 * --set writes one map entry after loading and before any run (per-CPU maps get the
 * value on every CPU); --prog-array stores PROG's fd at INDEX of a program array (what a
 * loader does for tail calls). Each --prog starts a run; the options after it apply to
 * that run (--cpu C: run it on CPU C, for per-CPU maps). --concurrent starts every run
 * at the same time, one thread each (with --cpu, on that CPU): several CPUs updating
 * the same map entries, as in production. Maps without keys (queues,
 * stacks) take --set with an empty key (a push) and are dumped by popping every value,
 * in the order user space would receive them. The input is an Ethernet/IPv4/UDP frame padded to N bytes, N zero bytes
 * with --zero, or exactly the bytes given with --data. XDP runs
 * pass an xdp_md context (data 0, data_end N, ingress_ifindex I, rx queue 0), because
 * programs read ctx->ingress_ifindex and the kernel resolves it to a real device.
 * Raw tracepoint programs take no packet: --ctx gives their arguments (u64 each, in
 * this machine's byte order, as hex), and the kernel runs them once per call.
 * --stats makes a run R test runs of one run each, timed by the kernel's run-time
 * statistics (BPF_ENABLE_STATS): each run starts from the input as given (a repeated
 * test run keeps what the program wrote into the packet), and raw tracepoints, whose
 * test run has no repeat, can be timed; stats_runs and stats_ns are the program's runs
 * and run time over the run's test runs. cpu_ns is this thread's CPU time in the test
 * run call(s) of a run (nanosecond resolution over the whole repeat, where duration_ns,
 * the kernel's average per run, is whole nanoseconds).
 *
 * Output (stdout, one JSON object):
 *   {"runs":[{"prog":..,"size":..,"repeat":..,"retval":..,"duration_ns":..,"cpu_ns":..[,"stats_runs":..,"stats_ns":..],
 *             "data_size_out":..,"data_out":"hex"}],
 *    "programs":[{"name":..,"type":..,"loaded":bool,"xlated_insns":..,"jited_bytes":..[,"refused":"why"]}],
 *    "maps":[{"name":..,"type":..,"key_size":..,"value_size":..,"percpu":bool,
 *             "entries":[{"key":"hex","value":"hex"} | {"key":"hex","values":["hex",..]}]}],
 *    "ringbufs":[{"name":..,"records":["hex",..]}]}
 * Errors: a one-line message on stderr (libbpf's log included for load failures), exit 1.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "frame.h"
#include "struct-ops-btf.h"

#define MAX_RUNS 256
#define MAX_PRESETS 256
#define MAX_RINGBUFS 16
#define MAX_RECORDS 4096

struct run {
	const char *prog;
	unsigned size;
	unsigned ifindex;
	unsigned repeat;
	int zero;
	/* --data: the input bytes as hex (size is then half its length). */
	const char *data_hex;
	/* --cpu: the CPU to run on, or -1 for any. */
	int cpu;
	/* --ctx: the context bytes as hex (raw tracepoint arguments). */
	const char *ctx_hex;
	/* --stats: timed by the kernel's run-time statistics. */
	int stats;
};

/* --set MAP KEY VALUE and --prog-array MAP INDEX PROG, applied after loading. */
struct preset {
	const char *map;
	const char *key;
	const char *value;
	int prog_array;
};

static char *log_text;
static size_t log_len;

/* Keep libbpf's messages: printed only when loading fails. */
static int capture(enum libbpf_print_level level, const char *format, va_list args)
{
	char chunk[8192];
	if (level == LIBBPF_DEBUG)
		return 0;
	int n = vsnprintf(chunk, sizeof(chunk), format, args);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(chunk))
		n = sizeof(chunk) - 1;
	char *grown = realloc(log_text, log_len + (size_t)n + 1);
	if (!grown)
		return 0;
	log_text = grown;
	memcpy(log_text + log_len, chunk, (size_t)n);
	log_len += (size_t)n;
	log_text[log_len] = 0;
	return 0;
}

static void put_hex(const unsigned char *bytes, size_t size)
{
	putchar('"');
	for (size_t i = 0; i < size; i++)
		printf("%02x", bytes[i]);
	putchar('"');
}

/* Ethernet + IPv4 + UDP to port 12345, padded to size bytes. */
static void fill_frame(unsigned char *frame, unsigned size)
{
	static const unsigned char dst[6] = { 0x02, 0, 0, 0, 0, 1 }, src[6] = { 0x02, 0, 0, 0, 0, 2 };
	ks_fill_test_frame(frame, size, dst, src, 12345);
}

static int parse_uint(const char *text, unsigned *out)
{
	char *end;
	unsigned long value = strtoul(text, &end, 10);
	if (!*text || *end || value > 0xffffffffUL)
		return -1;
	*out = (unsigned)value;
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: prog-run OBJ [--set MAP KEYHEX VALUEHEX]... [--prog-array MAP INDEX PROG]...\n"
			"                [--prog NAME [--size N] [--zero] [--data HEX] [--ctx HEX] [--ifindex I] [--repeat R] [--stats]]...\n"
			"                [--ringbuf MAP]... [--concurrent] [--set-type SECTION=PROG_TYPE:ATTACH_TYPE]...\n");
	return 2;
}

/* Decodes `hex` into exactly `size` bytes; -1 when its length or digits are wrong. */
static int parse_hex(const char *hex, unsigned char *out, size_t size)
{
	if (strlen(hex) != size * 2)
		return -1;
	for (size_t i = 0; i < size; i++) {
		unsigned byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		out[i] = (unsigned char)byte;
	}
	return 0;
}

static int apply_preset(struct bpf_object *obj, const struct preset *preset)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, preset->map);
	if (!map) {
		fprintf(stderr, "prog-run: no map named '%s'\n", preset->map);
		return -1;
	}
	int fd = bpf_map__fd(map);
	if (preset->prog_array) {
		unsigned index;
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, preset->value);
		if (parse_uint(preset->key, &index) || !prog) {
			fprintf(stderr, "prog-run: bad --prog-array %s %s %s\n", preset->map, preset->key, preset->value);
			return -1;
		}
		int prog_fd = bpf_program__fd(prog);
		if (bpf_map_update_elem(fd, &index, &prog_fd, BPF_ANY) != 0) {
			fprintf(stderr, "prog-run: cannot store '%s' in %s[%u]: %s\n", preset->value, preset->map, index, strerror(errno));
			return -1;
		}
		return 0;
	}
	enum bpf_map_type type = bpf_map__type(map);
	int percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		     type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
	int cpus = percpu ? libbpf_num_possible_cpus() : 1;
	size_t slot = percpu ? (value_size + 7) & ~(size_t)7 : value_size;
	unsigned char *key = calloc(1, key_size ? key_size : 1), *value = calloc((size_t)(cpus > 0 ? cpus : 1), slot);
	int result = -1;
	if (key && value && parse_hex(preset->key, key, key_size) == 0 && parse_hex(preset->value, value, value_size) == 0) {
		for (int cpu = 1; cpu < cpus; cpu++)
			memcpy(value + (size_t)cpu * slot, value, value_size);
		result = bpf_map_update_elem(fd, key_size ? key : NULL, value, BPF_ANY);
		if (result != 0)
			fprintf(stderr, "prog-run: cannot set an entry of %s: %s\n", preset->map, strerror(errno));
	} else {
		fprintf(stderr, "prog-run: --set %s needs a %zu-byte key and a %zu-byte value in hex\n", preset->map, key_size, value_size);
	}
	free(key);
	free(value);
	return result;
}

/* Ring buffer records, collected by the libbpf callback and printed as hex. */
struct records {
	int count;
};

static int print_record(void *ctx, void *data, size_t size)
{
	struct records *records = ctx;
	if (records->count >= MAX_RECORDS)
		return -1;
	printf("%s", records->count++ ? "," : "");
	put_hex(data, size);
	return 0;
}

static int print_ringbuf(struct bpf_object *obj, const char *name, int first)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	if (!map || bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF) {
		fprintf(stderr, "prog-run: no ring buffer named '%s'\n", name);
		return -1;
	}
	struct records records = { 0 };
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(map), print_record, &records, NULL);
	if (!rb) {
		fprintf(stderr, "prog-run: cannot read ring buffer '%s': %s\n", name, strerror(errno));
		return -1;
	}
	printf("%s{\"name\":\"%s\",\"records\":[", first ? "" : ",", name);
	ring_buffer__consume(rb);
	printf("]}");
	ring_buffer__free(rb);
	return 0;
}

/*
 * Program types this kernel may refuse to load for reasons of configuration rather
 * than verification (fentry/fexit and LSM under lockdown: EPERM). They are loaded one by one
 * in objects of their own, after the main load, so one refusal does not hide the
 * verifier's verdict on everything else. Returns the reason text for a refused program
 * (static storage), NULL when it loaded, or exits with the log on a real rejection.
 */
static int deferred_type(enum bpf_prog_type type)
{
	return type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM;
}

/* --set-type SECTION=PROG_TYPE:ATTACH_TYPE: programs of sections this libbpf does not */
/* know (`netfilter` before libbpf 1.2) get their type by number, as the generated loader */
/* sets it (the compiler's catalogue, `typeBeforeLoad`). */
#define MAX_SET_TYPES 16
static struct { const char *section; int prog_type, attach_type; } set_types[MAX_SET_TYPES];
static int set_type_count;

static struct bpf_object *open_object(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	if (!obj)
		return NULL;
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_UNSPEC)
			continue;
		for (int i = 0; i < set_type_count; i++) {
			if (strcmp(bpf_program__section_name(prog), set_types[i].section) != 0)
				continue;
			bpf_program__set_type(prog, (enum bpf_prog_type)set_types[i].prog_type);
			bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)set_types[i].attach_type);
		}
	}
	return obj;
}

static const char *load_alone(const char *path, const char *name)
{
	struct bpf_object *alone = open_object(path);
	if (!alone)
		return "cannot open the object again";
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, alone)
		bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), name) == 0);
	free(log_text);
	log_text = NULL;
	log_len = 0;
	int result = bpf_object__load(alone);
	int err = errno;
	bpf_object__close(alone);
	if (result == 0)
		return NULL;
	if (err == EPERM)
		return "the kernel refuses to load this program type here (EPERM: e.g. lockdown)";
	fprintf(stderr, "prog-run: cannot load '%s' from %s: %s\n%s", name, path, strerror(err), log_text ? log_text : "");
	exit(1);
}

/*
 * An object whose struct_ops type the kernel lacks: its struct_ops programs are
 * refused at the kernel boundary, with the reason. Any other program in it could not be
 * verified, which is a failure (exit 1), not a refusal.
 */
static int report_missing_struct_ops(struct bpf_object *obj, const char *path, const char *type, int run_count)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS) {
			fprintf(stderr, "prog-run: cannot load %s: struct_ops type '%s' is not in this kernel's BTF, so '%s' cannot be verified\n",
				path, type, bpf_program__name(prog));
			return 1;
		}
	}
	if (run_count > 0) {
		fprintf(stderr, "prog-run: cannot run programs of %s: struct_ops type '%s' is not in this kernel's BTF\n", path, type);
		return 1;
	}
	printf("{\"runs\":[],\"programs\":[");
	int first = 1;
	bpf_object__for_each_program(prog, obj) {
		printf("%s{\"name\":\"%s\",\"type\":%d,\"loaded\":false,\"refused\":\"struct_ops type %s is not in this kernel's BTF (/sys/kernel/btf/vmlinux)\"}",
		       first ? "" : ",", bpf_program__name(prog), (int)bpf_program__type(prog), type);
		first = 0;
	}
	printf("],\"maps\":[],\"ringbufs\":[]}\n");
	return 0;
}

/*
 * Whether PROG (after a load attempt, so relocated) calls a kfunc that stayed
 * unresolved: a weak `__ksym` (KernelScript declares its own module's kfuncs weak)
 * found in no loaded BTF is a kfunc call with BTF id 0. The verifier cannot check
 * such a call: it is the kernel boundary (the module is not loaded), not a rejection.
 */
static int calls_unresolved_kfunc(struct bpf_program *prog)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	size_t count = bpf_program__insn_cnt(prog);
	for (size_t i = 0; insns && i < count; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_KFUNC_CALL && insns[i].imm == 0)
			return 1;
	return 0;
}

#define UNRESOLVED_KFUNC_REASON "calls a kfunc no loaded BTF provides (its kernel module is not loaded): the verifier cannot check the call"

static void print_map(struct bpf_map *map, int first)
{
	int fd = bpf_map__fd(map);
	enum bpf_map_type type = bpf_map__type(map);
	size_t key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
	int percpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		     type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	int cpus = percpu ? libbpf_num_possible_cpus() : 1;
	size_t slot = percpu ? (value_size + 7) & ~(size_t)7 : value_size;
	printf("%s{\"name\":\"%s\",\"type\":%d,\"key_size\":%zu,\"value_size\":%zu,\"percpu\":%s,\"entries\":[",
	       first ? "" : ",", bpf_map__name(map), (int)type, key_size, value_size, percpu ? "true" : "false");
	unsigned char *key = calloc(1, key_size ? key_size : 1), *next = calloc(1, key_size ? key_size : 1);
	unsigned char *value = calloc((size_t)(cpus > 0 ? cpus : 1), slot ? slot : 1);
	int have_key = 0, entries = 0;
	size_t limit = (size_t)bpf_map__max_entries(map) * 2 + 16;
	/* Queues and stacks: pop every value, in the order a reader receives them. */
	while (value && (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK) && limit-- > 0 &&
	       bpf_map_lookup_and_delete_elem(fd, NULL, value) == 0) {
		printf("%s{\"key\":\"\",\"value\":", entries++ ? "," : "");
		put_hex(value, value_size);
		putchar('}');
	}
	/* Ring buffers, perf arrays, queues … have no keys: get_next_key fails at once. */
	while (key && next && value && key_size > 0 && limit-- > 0 &&
	       bpf_map_get_next_key(fd, have_key ? key : NULL, next) == 0) {
		memcpy(key, next, key_size);
		have_key = 1;
		if (bpf_map_lookup_elem(fd, key, value) != 0)
			continue;
		printf("%s{\"key\":", entries++ ? "," : "");
		put_hex(key, key_size);
		if (percpu) {
			printf(",\"values\":[");
			for (int cpu = 0; cpu < cpus; cpu++) {
				if (cpu)
					putchar(',');
				put_hex(value + (size_t)cpu * slot, value_size);
			}
			putchar(']');
		} else {
			printf(",\"value\":");
			put_hex(value, value_size);
		}
		putchar('}');
	}
	printf("]}");
	free(key);
	free(next);
	free(value);
}

/* One run, prepared: the program, its input, and (after it ran) what the kernel said. */
struct job {
	struct run *run;
	int fd;
	int xdp;
	/* Raw tracepoint: the context is the arguments, and there is no packet. */
	int raw_tp;
	unsigned char *ctx;
	size_t ctx_size;
	unsigned char *data;
	unsigned char *out;
	__u32 retval;
	__u32 duration;
	/* This thread's CPU time in the test run calls; the kernel's statistics (--stats). */
	__u64 cpu_ns;
	__u64 stats_runs;
	__u64 stats_ns;
	__u32 data_size_out;
	/* What failed (NULL: nothing) and its errno. */
	const char *error;
	int err;
	/* --concurrent: every thread waits here once pinned, so the runs start together. */
	pthread_barrier_t *start;
};

/* The kernel's run-time statistics of a program: total runs and nanoseconds. */
static int prog_stats(int fd, __u64 *runs, __u64 *ns)
{
	struct bpf_prog_info info = { 0 };
	__u32 length = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &length) != 0)
		return -1;
	*runs = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

static void run_job(struct job *job)
{
	struct run *run = job->run;
	struct xdp_md ctx = { .data = 0, .data_end = run->size, .ingress_ifindex = run->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = job->data, .data_size_in = run->size,
		    .data_out = job->out, .data_size_out = run->size + 512, .repeat = (int)run->repeat);
	if (job->xdp) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	if (job->ctx) {
		opts.ctx_in = job->ctx;
		opts.ctx_size_in = job->ctx_size;
	}
	unsigned calls = 1;
	if (run->stats) {
		calls = run->repeat;
		opts.repeat = 1;
	}
	/* A raw tracepoint's test run takes neither a packet nor a repeat count. */
	if (job->raw_tp) {
		opts.data_in = NULL;
		opts.data_size_in = 0;
		opts.data_out = NULL;
		opts.data_size_out = 0;
		opts.repeat = 0;
	}
	if (run->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(run->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			job->error = "pinning to its CPU";
			job->err = errno;
		}
	}
	if (job->start)
		pthread_barrier_wait(job->start);
	if (job->error)
		return;
	__u64 runs_before = 0, ns_before = 0;
	if (run->stats && prog_stats(job->fd, &runs_before, &ns_before) != 0) {
		job->error = "reading the program's statistics";
		job->err = errno;
		return;
	}
	struct timespec cpu_before, cpu_after;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_before);
	for (unsigned call = 0; call < calls; call++) {
		if (bpf_prog_test_run_opts(job->fd, &opts) != 0) {
			job->error = "BPF_PROG_TEST_RUN";
			job->err = errno;
			return;
		}
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_after);
	job->cpu_ns = (__u64)(cpu_after.tv_sec - cpu_before.tv_sec) * 1000000000ull + (__u64)cpu_after.tv_nsec -
		      (__u64)cpu_before.tv_nsec;
	job->retval = opts.retval;
	job->duration = opts.duration;
	job->data_size_out = opts.data_size_out;
	if (run->stats) {
		__u64 runs_after = 0, ns_after = 0;
		if (prog_stats(job->fd, &runs_after, &ns_after) != 0 || runs_after <= runs_before) {
			job->error = "reading the program's statistics (are they enabled?)";
			job->err = errno;
			return;
		}
		job->stats_runs = runs_after - runs_before;
		job->stats_ns = ns_after - ns_before;
	}
}

static void *run_job_thread(void *job)
{
	run_job(job);
	return NULL;
}

int main(int argc, char **argv)
{
	struct run runs[MAX_RUNS];
	int run_count = 0;
	struct preset presets[MAX_PRESETS];
	int preset_count = 0;
	const char *ringbufs[MAX_RINGBUFS];
	int ringbuf_count = 0;
	int concurrent = 0;
	if (argc < 2)
		return usage();
	for (int i = 2; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		struct run *current = run_count ? &runs[run_count - 1] : NULL;
		if (strcmp(arg, "--prog") == 0 && value) {
			if (run_count == MAX_RUNS)
				return usage();
			runs[run_count++] = (struct run){ .prog = value, .size = 64, .ifindex = 1, .repeat = 1, .cpu = -1 };
			i++;
		} else if ((strcmp(arg, "--set") == 0 || strcmp(arg, "--prog-array") == 0) && i + 3 < argc) {
			if (preset_count == MAX_PRESETS)
				return usage();
			presets[preset_count++] = (struct preset){ .map = argv[i + 1], .key = argv[i + 2], .value = argv[i + 3],
								   .prog_array = strcmp(arg, "--prog-array") == 0 };
			i += 3;
		} else if (strcmp(arg, "--set-type") == 0 && value) {
			char *equals = strchr(argv[i + 1], '=');
			if (set_type_count == MAX_SET_TYPES || !equals ||
			    sscanf(equals + 1, "%d:%d", &set_types[set_type_count].prog_type, &set_types[set_type_count].attach_type) != 2)
				return usage();
			*equals = 0;
			set_types[set_type_count++].section = argv[i + 1];
			i++;
		} else if (strcmp(arg, "--ringbuf") == 0 && value) {
			if (ringbuf_count == MAX_RINGBUFS)
				return usage();
			ringbufs[ringbuf_count++] = value;
			i++;
		} else if (current && value && strcmp(arg, "--data") == 0) {
			size_t length = strlen(value);
			if (length == 0 || length % 2 != 0)
				return usage();
			current->data_hex = value;
			current->size = (unsigned)(length / 2);
			i++;
		} else if (current && value && strcmp(arg, "--ctx") == 0) {
			size_t length = strlen(value);
			if (length == 0 || length % 2 != 0)
				return usage();
			current->ctx_hex = value;
			i++;
		} else if (strcmp(arg, "--stats") == 0 && current) {
			current->stats = 1;
		} else if (strcmp(arg, "--concurrent") == 0) {
			concurrent = 1;
		} else if (strcmp(arg, "--zero") == 0 && current) {
			current->zero = 1;
		} else if (current && value && strcmp(arg, "--size") == 0) {
			if (parse_uint(value, &current->size) || current->size == 0)
				return usage();
			i++;
		} else if (current && value && strcmp(arg, "--ifindex") == 0) {
			if (parse_uint(value, &current->ifindex))
				return usage();
			i++;
		} else if (current && value && strcmp(arg, "--cpu") == 0) {
			unsigned cpu;
			if (parse_uint(value, &cpu) || cpu >= CPU_SETSIZE)
				return usage();
			current->cpu = (int)cpu;
			i++;
		} else if (current && value && strcmp(arg, "--repeat") == 0) {
			if (parse_uint(value, &current->repeat) || current->repeat == 0)
				return usage();
			i++;
		} else {
			fprintf(stderr, "prog-run: unexpected argument '%s'\n", arg);
			return usage();
		}
	}

	libbpf_set_print(capture);
	struct bpf_object *obj = open_object(argv[1]);
	if (!obj) {
		fprintf(stderr, "prog-run: cannot open %s: %s\n%s", argv[1], strerror(errno), log_text ? log_text : "");
		return 1;
	}
	const char *missing_type = missing_struct_ops_type(obj);
	if (missing_type) {
		int status = report_missing_struct_ops(obj, argv[1], missing_type, run_count);
		bpf_object__close(obj);
		return status;
	}
	const char *deferred[64];
	int deferred_count = 0;
	struct bpf_program *each;
	bpf_object__for_each_program(each, obj) {
		if (deferred_type(bpf_program__type(each)) && deferred_count < 64) {
			deferred[deferred_count++] = strdup(bpf_program__name(each));
			bpf_program__set_autoload(each, false);
		}
	}
	/* Programs calling unresolved (module) kfuncs: refused at the boundary, the rest reloaded. */
	const char *unresolved[64];
	int unresolved_count = 0;
	if (bpf_object__load(obj) != 0) {
		int err = errno;
		bpf_object__for_each_program(each, obj) {
			if (bpf_program__autoload(each) && calls_unresolved_kfunc(each) && unresolved_count < 64)
				unresolved[unresolved_count++] = strdup(bpf_program__name(each));
		}
		if (unresolved_count == 0) {
			fprintf(stderr, "prog-run: cannot load %s: %s\n%s", argv[1], strerror(err), log_text ? log_text : "");
			bpf_object__close(obj);
			return 1;
		}
		bpf_object__close(obj);
		free(log_text);
		log_text = NULL;
		log_len = 0;
		obj = open_object(argv[1]);
		if (!obj) {
			fprintf(stderr, "prog-run: cannot open %s again: %s\n", argv[1], strerror(errno));
			return 1;
		}
		bpf_object__for_each_program(each, obj) {
			int off = deferred_type(bpf_program__type(each));
			for (int u = 0; u < unresolved_count; u++)
				off |= strcmp(unresolved[u], bpf_program__name(each)) == 0;
			if (off)
				bpf_program__set_autoload(each, false);
		}
		if (bpf_object__load(obj) != 0) {
			err = errno;
			fprintf(stderr, "prog-run: cannot load %s: %s\n%s", argv[1], strerror(err), log_text ? log_text : "");
			bpf_object__close(obj);
			return 1;
		}
	}

	for (int p = 0; p < preset_count; p++) {
		if (apply_preset(obj, &presets[p]) != 0) {
			bpf_object__close(obj);
			return 1;
		}
	}

	struct job *jobs = calloc(run_count ? (size_t)run_count : 1, sizeof(*jobs));
	if (!jobs)
		return 1;
	for (int r = 0; r < run_count; r++) {
		struct run *run = &runs[r];
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, run->prog);
		if (!prog) {
			fprintf(stderr, "prog-run: no program named '%s' in %s\n", run->prog, argv[1]);
			bpf_object__close(obj);
			return 1;
		}
		struct job *job = &jobs[r];
		job->run = run;
		job->fd = bpf_program__fd(prog);
		job->xdp = bpf_program__type(prog) == BPF_PROG_TYPE_XDP;
		job->raw_tp = bpf_program__type(prog) == BPF_PROG_TYPE_RAW_TRACEPOINT;
		if (run->ctx_hex) {
			job->ctx_size = strlen(run->ctx_hex) / 2;
			job->ctx = malloc(job->ctx_size);
			if (!job->ctx || parse_hex(run->ctx_hex, job->ctx, job->ctx_size) != 0)
				return usage();
		}
		job->data = malloc(run->size);
		job->out = malloc(run->size + 512);
		if (!job->data || !job->out)
			return 1;
		if (run->data_hex) {
			if (parse_hex(run->data_hex, job->data, run->size) != 0)
				return usage();
		} else if (run->zero)
			memset(job->data, 0, run->size);
		else
			fill_frame(job->data, run->size);
	}
	/* The kernel keeps run-time statistics while this fd is open (for --stats). */
	int stats_fd = -1;
	for (int r = 0; r < run_count && stats_fd < 0; r++) {
		if (runs[r].stats && (stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) < 0) {
			fprintf(stderr, "prog-run: cannot enable run-time statistics: %s\n", strerror(errno));
			return 1;
		}
	}
	if (concurrent) {
		/* All runs at once, one thread each (pinned with --cpu): contention on shared maps. */
		pthread_t *threads = calloc(run_count ? (size_t)run_count : 1, sizeof(*threads));
		pthread_barrier_t start;
		if (!threads || pthread_barrier_init(&start, NULL, (unsigned)(run_count ? run_count : 1)) != 0)
			return 1;
		for (int r = 0; r < run_count; r++) {
			jobs[r].start = &start;
			if (pthread_create(&threads[r], NULL, run_job_thread, &jobs[r]) != 0) {
				fprintf(stderr, "prog-run: cannot start a thread: %s\n", strerror(errno));
				return 1;
			}
		}
		for (int r = 0; r < run_count; r++)
			pthread_join(threads[r], NULL);
		pthread_barrier_destroy(&start);
		free(threads);
	} else {
		for (int r = 0; r < run_count; r++)
			run_job(&jobs[r]);
	}
	if (stats_fd >= 0)
		close(stats_fd);
	for (int r = 0; r < run_count; r++) {
		if (jobs[r].error) {
			fprintf(stderr, "prog-run: %s of '%s' failed: %s\n", jobs[r].error, jobs[r].run->prog, strerror(jobs[r].err));
			bpf_object__close(obj);
			return 1;
		}
	}

	printf("{\"runs\":[");
	for (int r = 0; r < run_count; r++) {
		struct job *job = &jobs[r];
		struct run *run = job->run;
		printf("%s{\"prog\":\"%s\",\"size\":%u,\"repeat\":%u,\"retval\":%u,\"duration_ns\":%u,\"cpu_ns\":%llu,",
		       r ? "," : "", run->prog, run->size, run->repeat, job->retval, job->duration, (unsigned long long)job->cpu_ns);
		if (run->stats)
			printf("\"stats_runs\":%llu,\"stats_ns\":%llu,", (unsigned long long)job->stats_runs,
			       (unsigned long long)job->stats_ns);
		printf("\"data_size_out\":%u,\"data_out\":", job->data_size_out);
		put_hex(job->out, job->data_size_out);
		putchar('}');
		free(job->data);
		free(job->out);
		free(job->ctx);
	}
	free(jobs);
	printf("],\"programs\":[");
	struct bpf_program *listed;
	int first_program = 1;
	bpf_object__for_each_program(listed, obj) {
		const char *refused = NULL;
		int loaded = bpf_program__fd(listed) >= 0;
		for (int u = 0; u < unresolved_count; u++) {
			if (strcmp(unresolved[u], bpf_program__name(listed)) == 0) {
				refused = UNRESOLVED_KFUNC_REASON;
				loaded = 0;
			}
		}
		for (int d = 0; d < deferred_count; d++) {
			if (strcmp(deferred[d], bpf_program__name(listed)) == 0) {
				refused = load_alone(argv[1], deferred[d]);
				loaded = refused == NULL;
			}
		}
		printf("%s{\"name\":\"%s\",\"type\":%d,\"loaded\":%s", first_program ? "" : ",", bpf_program__name(listed),
		       (int)bpf_program__type(listed), loaded ? "true" : "false");
		/* Sizes after the verifier's rewriting and the JIT, for benchmarks. */
		struct bpf_prog_info info = { 0 };
		__u32 info_length = sizeof(info);
		if (loaded && bpf_program__fd(listed) >= 0 &&
		    bpf_obj_get_info_by_fd(bpf_program__fd(listed), &info, &info_length) == 0)
			printf(",\"xlated_insns\":%u,\"jited_bytes\":%u", info.xlated_prog_len / 8, info.jited_prog_len);
		if (refused)
			printf(",\"refused\":\"%s\"", refused);
		putchar('}');
		first_program = 0;
	}
	printf("],\"maps\":[");
	struct bpf_map *map;
	int first = 1;
	bpf_object__for_each_map(map, obj) {
		print_map(map, first);
		first = 0;
	}
	printf("],\"ringbufs\":[");
	for (int r = 0; r < ringbuf_count; r++) {
		if (print_ringbuf(obj, ringbufs[r], r == 0) != 0) {
			bpf_object__close(obj);
			return 1;
		}
	}
	printf("]}\n");
	bpf_object__close(obj);
	return 0;
}
