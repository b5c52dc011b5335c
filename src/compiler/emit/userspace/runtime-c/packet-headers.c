/*
 * The packet headers for user space (the loader and the test binary), with the kernel's
 * layout and member names: the eBPF side has them from vmlinux.h, but user space has no
 * kernel-internal header (vlan_hdr is not UAPI) and glibc's netinet/ structs use other
 * member names. The test binary always has them (its packet builders take them); a
 * shared header NAME.h has them when a shared struct holds one by value. Besides the
 * kernel's members, the language's own names for nested ones (an ICMP header's
 * `echo_id`, IPv6 `saddr32`) are overlaid, so struct literals can name them directly.
 */
#if !defined(__VMLINUX_H__) && !defined(KS_PACKET_HEADERS)
#define KS_PACKET_HEADERS
struct ethhdr { __u8 h_dest[6]; __u8 h_source[6]; __be16 h_proto; } __attribute__((packed));
struct vlan_hdr { __be16 h_vlan_TCI; __be16 h_vlan_encapsulated_proto; };
struct iphdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u8 ihl:4, version:4;
#else
    __u8 version:4, ihl:4;
#endif
    __u8 tos; __be16 tot_len; __be16 id; __be16 frag_off; __u8 ttl; __u8 protocol; __be16 check; __be32 saddr; __be32 daddr;
};
struct ks_in6_addr { union { __u8 u6_addr8[16]; __be16 u6_addr16[8]; __be32 u6_addr32[4]; } in6_u; };
struct ipv6hdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u8 priority:4, version:4;
#else
    __u8 version:4, priority:4;
#endif
    __u8 flow_lbl[3]; __be16 payload_len; __u8 nexthdr; __u8 hop_limit;
    /* The language's saddr32/daddr32 overlay the addresses (a struct literal names them directly). */
    union { struct ks_in6_addr saddr; __be32 saddr32[4]; };
    union { struct ks_in6_addr daddr; __be32 daddr32[4]; };
};
struct tcphdr {
    __be16 source; __be16 dest; __be32 seq; __be32 ack_seq;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __u16 res1:4, doff:4, fin:1, syn:1, rst:1, psh:1, ack:1, urg:1, ece:1, cwr:1;
#else
    __u16 doff:4, res1:4, cwr:1, ece:1, urg:1, ack:1, psh:1, rst:1, syn:1, fin:1;
#endif
    __be16 window; __be16 check; __be16 urg_ptr;
};
struct udphdr { __be16 source; __be16 dest; __be16 len; __be16 check; };
struct icmphdr {
    __u8 type; __u8 code; __be16 checksum;
    union {
        union { struct { __be16 id; __be16 sequence; } echo; __be32 gateway; } un;
        struct { __be16 echo_id; __be16 echo_sequence; };
        __be32 gateway;
    };
};
struct icmp6hdr {
    __u8 icmp6_type; __u8 icmp6_code; __be16 icmp6_cksum;
    union {
        union { __be32 un_data32[1]; __be16 un_data16[2]; __u8 un_data8[4]; } icmp6_dataun;
        __be32 icmp6_data32;
    };
};
#endif

/* Both sides agree with the sizes the checker uses (kernel/headers.ts). */
_Static_assert(sizeof(struct ethhdr) == 14, "ethhdr");
_Static_assert(sizeof(struct vlan_hdr) == 4, "vlan_hdr");
_Static_assert(sizeof(struct iphdr) == 20, "iphdr");
_Static_assert(sizeof(struct ipv6hdr) == 40, "ipv6hdr");
_Static_assert(sizeof(struct tcphdr) == 20, "tcphdr");
_Static_assert(sizeof(struct udphdr) == 8, "udphdr");
_Static_assert(sizeof(struct icmphdr) == 8, "icmphdr");
_Static_assert(sizeof(struct icmp6hdr) == 8, "icmp6hdr");
