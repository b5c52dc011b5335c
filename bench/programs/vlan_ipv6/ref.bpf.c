// Hand-written reference: parse Ethernet with an optional 802.1Q tag, count frames per
// VLAN id in a per-CPU array, and drop IPv6 packets that are fragments or would expire
// (hop limit <= 1). Frames too short for the headers they announce are dropped.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Not in the UAPI headers (linux/if_vlan.h is kernel-internal). */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} vlan_counts SEC(".maps");

SEC("xdp")
int vlan_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__be16 proto = eth->h_proto;
	void *l3 = eth + 1;
	__u32 vid = 0;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vlan = l3;
		if ((void *)(vlan + 1) > data_end)
			return XDP_DROP;
		vid = bpf_ntohs(vlan->h_vlan_TCI) & 0x0fff;
		proto = vlan->h_vlan_encapsulated_proto;
		l3 = vlan + 1;
	}
	__u64 *count = bpf_map_lookup_elem(&vlan_counts, &vid);
	if (count)
		*count += 1;
	if (proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = l3;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	if (ip6->nexthdr == IPPROTO_FRAGMENT || ip6->hop_limit <= 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
