// Hand-written reference: a raw tracepoint on sys_enter counting system calls per
// number in a per-CPU array; numbers outside the table (e.g. -1 while a tracer skips
// the call) are not counted.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

SEC("raw_tp/sys_enter")
int syscall_counter(struct bpf_raw_tracepoint_args *ctx)
{
	/* sys_enter(struct pt_regs *regs, long id) */
	long id = (long)ctx->args[1];
	if (id < 0 || id >= 512)
		return 0;
	__u32 key = (__u32)id;
	__u64 *count = bpf_map_lookup_elem(&syscall_counts, &key);
	if (count)
		*count += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
