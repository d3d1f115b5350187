/*
 * The latency floor for the daemon benchmark: the least a netlink -> Redis
 * forwarder can do. One blocking RTNLGRP_LINK socket; per RTM_NEWLINK of an
 * Ethernet* link, one synchronous HSET of STATE_DB PORT_TABLE|<name> (the
 * daemon's fields) over Redis's unix socket with hiredis; RTM_DELLINK: DEL.
 * No dump, no resync, no batching: a reference, not a daemon.
 * Build: cc -O2 -o forwarder forwarder.c -lhiredis
 * Usage: forwarder REDIS_SOCKET STATE_DB_ID   (prints "ready" once subscribed)
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <hiredis/hiredis.h>

static void write_link(redisContext *r, int type, struct ifinfomsg *ifi, int len) {
	const char *name = NULL;
	unsigned mtu = 0;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME) name = RTA_DATA(a);
		else if (a->rta_type == IFLA_MTU) mtu = *(unsigned *)RTA_DATA(a);
	}
	if (!name || strncmp(name, "Ethernet", 8) != 0) return;
	redisReply *reply;
	if (type == RTM_DELLINK) {
		reply = redisCommand(r, "DEL PORT_TABLE|%s", name);
	} else {
		char mtu_s[16];
		snprintf(mtu_s, sizeof mtu_s, "%u", mtu);
		reply = redisCommand(r, "HSET PORT_TABLE|%s state ok netdev_oper_status %s admin_status %s mtu %s", name,
			(ifi->ifi_flags & IFF_RUNNING) ? "up" : "down", (ifi->ifi_flags & IFF_UP) ? "up" : "down", mtu_s);
	}
	if (!reply) {
		fprintf(stderr, "forwarder: redis: %s\n", r->errstr);
		exit(1);
	}
	freeReplyObject(reply);
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: forwarder REDIS_SOCKET STATE_DB_ID\n");
		return 64;
	}
	redisContext *r = redisConnectUnix(argv[1]);
	if (!r || r->err) {
		fprintf(stderr, "forwarder: cannot connect to %s\n", argv[1]);
		return 1;
	}
	redisReply *sel = redisCommand(r, "SELECT %s", argv[2]);
	if (!sel || sel->type == REDIS_REPLY_ERROR) return 1;
	freeReplyObject(sel);

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int rcvbuf = 16 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("forwarder: netlink");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	static char buf[1 << 16];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS) continue;
			perror("forwarder: recv");
			return 1;
		}
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) continue;
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			if (ifi->ifi_family == AF_BRIDGE) continue;
			write_link(r, h->nlmsg_type, ifi, (int)IFLA_PAYLOAD(h));
		}
	}
}
