// Hand-written reference: a TC egress classifier that remarks DSCP. Parses Ethernet,
// IPv4 (with options) and TCP/UDP; when the destination port has a DSCP in the map,
// the TOS byte gets it (ECN bits kept) and the header checksum is updated in place
// (RFC 1624). Every packet continues (TC_ACT_OK).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} dscp_by_port SEC(".maps");

/* HC' = ~(~HC + ~m + m') for a 16-bit word changing from m to m'. */
static __always_inline __be16 csum_replace(__be16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~bpf_ntohs(check) + (__u32)(__u16)~from + to;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return bpf_htons((__u16)~sum);
}

SEC("tc")
int tc_dscp_remark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	void *l4 = (void *)ip + ip->ihl * 4;
	__u16 port;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		port = bpf_ntohs(tcp->dest);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		port = bpf_ntohs(udp->dest);
	} else {
		return TC_ACT_OK;
	}
	__u8 *dscp = bpf_map_lookup_elem(&dscp_by_port, &port);
	if (!dscp)
		return TC_ACT_OK;
	__u8 tos = (__u8)(*dscp << 2) | (ip->tos & 3);
	if (tos != ip->tos) {
		/* The TOS byte is the low byte of the header's first word: the version/IHL
		 * byte above it is the same in both words, so it cancels out. */
		ip->check = csum_replace(ip->check, ip->tos, tos);
		ip->tos = tos;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
