/*
 * send-frames: send COUNT Ethernet frames of exactly SIZE bytes out of IFACE through an
 * AF_PACKET socket. Used by src/runner/netns.ts inside a throw-away network namespace,
 * so the frames only ever reach the veth peer there.
 *
 *   send-frames IFACE SIZE COUNT
 *
 * Frames: broadcast destination, IFACE's own source MAC, IPv4/UDP 198.18.0.2 ->
 * 198.18.0.1 port 9 (discard), padded to SIZE. Exit 0 when all were sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "frame.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: send-frames IFACE SIZE COUNT\n");
		return 2;
	}
	const char *iface = argv[1];
	long size = strtol(argv[2], NULL, 10), count = strtol(argv[3], NULL, 10);
	if (size < 42 || size > 9000 || count < 1) {
		fprintf(stderr, "send-frames: SIZE must be 42..9000 and COUNT positive\n");
		return 2;
	}
	unsigned ifindex = if_nametoindex(iface);
	if (!ifindex) {
		fprintf(stderr, "send-frames: no interface named '%s'\n", iface);
		return 1;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		fprintf(stderr, "send-frames: socket: %s\n", strerror(errno));
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		fprintf(stderr, "send-frames: SIOCGIFHWADDR: %s\n", strerror(errno));
		return 1;
	}
	unsigned char *frame = calloc(1, (size_t)size);
	if (!frame)
		return 1;
	static const unsigned char broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* UDP to the discard port: nothing in the peer namespace answers. */
	ks_fill_test_frame(frame, (unsigned)size, broadcast, (const unsigned char *)ifr.ifr_hwaddr.sa_data, 9);

	struct sockaddr_ll to;
	memset(&to, 0, sizeof(to));
	to.sll_family = AF_PACKET;
	to.sll_ifindex = (int)ifindex;
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	for (long i = 0; i < count; i++) {
		if (sendto(fd, frame, (size_t)size, 0, (struct sockaddr *)&to, sizeof(to)) != size) {
			fprintf(stderr, "send-frames: sendto (frame %ld of %ld bytes): %s\n", i + 1, size, strerror(errno));
			return 1;
		}
	}
	close(fd);
	free(frame);
	return 0;
}
