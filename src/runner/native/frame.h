/* Test frames shared by the runner's native tools: Ethernet + IPv4 + UDP between the
 * test addresses 198.18.0.2 -> 198.18.0.1, padded with zeros to the requested size. */
#ifndef KS_RUNNER_FRAME_H
#define KS_RUNNER_FRAME_H

#include <string.h>

static unsigned short ks_ipv4_checksum(const unsigned char *data, size_t len)
{
	unsigned long sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned long)(data[i] << 8 | data[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

/* Fills `frame` (size bytes, at least 42) with the headers; the UDP source port is
 * 12345, the destination `udp_port`. Smaller frames are left all zero. */
static void ks_fill_test_frame(unsigned char *frame, unsigned size, const unsigned char dst_mac[6],
			       const unsigned char src_mac[6], unsigned short udp_port)
{
	memset(frame, 0, size);
	if (size < 14 + 20 + 8)
		return;
	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, src_mac, 6);
	frame[12] = 0x08; /* IPv4 */
	frame[13] = 0x00;
	unsigned char *ip = frame + 14;
	unsigned ip_len = size - 14;
	ip[0] = 0x45;
	ip[2] = (unsigned char)(ip_len >> 8);
	ip[3] = (unsigned char)ip_len;
	ip[8] = 64;
	ip[9] = 17; /* UDP */
	ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 2;
	ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 1;
	unsigned short sum = ks_ipv4_checksum(ip, 20);
	ip[10] = (unsigned char)(sum >> 8);
	ip[11] = (unsigned char)sum;
	unsigned char *udp = ip + 20;
	unsigned udp_len = ip_len - 20;
	udp[0] = 0x30; udp[1] = 0x39; /* 12345 */
	udp[2] = (unsigned char)(udp_port >> 8);
	udp[3] = (unsigned char)udp_port;
	udp[4] = (unsigned char)(udp_len >> 8);
	udp[5] = (unsigned char)udp_len;
}

#endif
