/* The name server of the Kubernetes network tests: the host's busybox has no
 * dnsd applet and no registry or package is reachable, so this answers a
 * pod's (and its inner containers') queries from a network namespace of the
 * test's own.
 *
 *   dnsd ADDR NAME=IPV4...
 *
 * Listens on ADDR, UDP port 53; answers an A query for a NAME (any case, with
 * or without the final dot) with its IPV4, any other query type for a NAME
 * with no records (NODATA, so resolvers asking AAAA too go on with the A
 * answer), and any other name with NXDOMAIN, so that a resolver walks its
 * search list quickly. Prints "ready" once bound, then one line per query. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MAX_NAMES 16

static char names[MAX_NAMES][256];
static struct in_addr addrs[MAX_NAMES];
static int count;

/* The dotted name at p (labels only, no compression in questions); its end in
 * *end. Returns 0, or -1 when malformed. */
static int read_name(const unsigned char *msg, size_t len, size_t p, char *out, size_t *end)
{
	size_t o = 0;
	while (p < len && msg[p] != 0) {
		size_t l = msg[p++];
		if (l > 63 || p + l > len || o + l + 2 > 256)
			return -1;
		if (o > 0)
			out[o++] = '.';
		memcpy(out + o, msg + p, l);
		o += l;
		p += l;
	}
	if (p >= len)
		return -1;
	out[o] = 0;
	*end = p + 1;
	return 0;
}

static int lookup(const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcasecmp(names[i], name) == 0)
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: dnsd ADDR NAME=IPV4...\n");
		return 2;
	}
	for (int i = 2; i < argc && count < MAX_NAMES; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL || (size_t)(eq - argv[i]) >= sizeof names[0]) {
			fprintf(stderr, "dnsd: bad NAME=IPV4: %s\n", argv[i]);
			return 2;
		}
		*eq = 0;
		snprintf(names[count], sizeof names[count], "%s", argv[i]);
		size_t n = strlen(names[count]);
		if (n > 0 && names[count][n - 1] == '.')
			names[count][n - 1] = 0;
		if (inet_pton(AF_INET, eq + 1, &addrs[count]) != 1) {
			fprintf(stderr, "dnsd: bad address: %s\n", eq + 1);
			return 2;
		}
		count++;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "dnsd: bad listen address: %s\n", argv[1]);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("dnsd: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		unsigned char msg[512];
		struct sockaddr_in from;
		socklen_t fromlen = sizeof from;
		ssize_t len = recvfrom(fd, msg, sizeof msg - 16, 0, (struct sockaddr *)&from, &fromlen);
		/* A query: header, one question, QR clear. */
		if (len < 12 || (msg[2] & 0x80) != 0 || msg[4] != 0 || msg[5] != 1)
			continue;
		char name[256];
		size_t end;
		if (read_name(msg, (size_t)len, 12, name, &end) != 0 || end + 4 > (size_t)len)
			continue;
		unsigned qtype = (unsigned)msg[end] << 8 | msg[end + 1];
		size_t qend = end + 4;
		int i = lookup(name);
		/* Answer with the question only: drop any additional (EDNS) records. */
		msg[2] = 0x84 | (msg[2] & 0x01); /* QR, AA, RD echoed */
		msg[3] = i < 0 ? 3 : 0;          /* NXDOMAIN or NOERROR */
		memset(msg + 6, 0, 6);
		size_t out = qend;
		if (i >= 0 && qtype == 1) {
			msg[7] = 1;
			const unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4};
			memcpy(msg + out, rr, sizeof rr);
			out += sizeof rr;
			memcpy(msg + out, &addrs[i].s_addr, 4);
			out += 4;
		}
		sendto(fd, msg, out, 0, (struct sockaddr *)&from, fromlen);
		printf("%s %u %s\n", name, qtype, i < 0 ? "nxdomain" : qtype == 1 ? "a" : "nodata");
		fflush(stdout);
	}
}
