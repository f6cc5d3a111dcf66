/* nestlet-keeper: holds file descriptors for nestletd across its restarts,
 * where no systemd file-descriptor store exists. nestletd starts it once; it
 * outlives nestletd and every later nestletd takes the fds back from it.
 *
 *   nestlet-keeper SOCKET
 *
 * SOCKET is a SOCK_SEQPACKET unix socket (created 0600; the directory must
 * exist). Only peers with uid 0 are served. One message per request, one
 * answer per request:
 *   "PUT NAME" + one fd (SCM_RIGHTS)  keeps the fd under NAME (a fd already
 *                                     kept under NAME is closed)   -> "OK"
 *   "DEL NAME"                        closes and forgets it        -> "OK"
 *   "LIST"                            one "FD NAME" message per kept fd, the
 *                                     fd attached, then "END N"
 *   "PING"                            -> "PONG PID"
 * A bad request is answered "ERR reason". The keeper never looks at the fds
 * it holds (polling a FUSE fd would spin on its requests); it exits on
 * SIGTERM or SIGKILL and then the kernel closes them all. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_NAME 255
#define MAX_MSG (MAX_NAME + 16)
#define MAX_CLIENTS 16

struct entry {
	char name[MAX_NAME + 1];
	int fd;
};

static struct entry *entries;
static size_t n_entries, cap_entries;

static int find(const char *name)
{
	size_t i;
	for (i = 0; i < n_entries; i++)
		if (strcmp(entries[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int put(const char *name, int fd)
{
	int i = find(name);
	if (i >= 0) {
		close(entries[i].fd);
		entries[i].fd = fd;
		return 0;
	}
	if (n_entries == cap_entries) {
		size_t cap = cap_entries ? cap_entries * 2 : 64;
		struct entry *e = realloc(entries, cap * sizeof(*e));
		if (!e)
			return -1;
		entries = e;
		cap_entries = cap;
	}
	memcpy(entries[n_entries].name, name, strlen(name) + 1); /* valid_name: at most MAX_NAME */
	entries[n_entries].fd = fd;
	n_entries++;
	return 0;
}

static void del(const char *name)
{
	int i = find(name);
	if (i < 0)
		return;
	close(entries[i].fd);
	entries[i] = entries[n_entries - 1];
	n_entries--;
}

static int send_msg(int sock, const char *text, int fd)
{
	struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		struct cmsghdr *c;
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ':')
			return 0;
	return 1;
}

/* Serves one request; returns -1 when the client is to be dropped. */
static int serve(int sock)
{
	char buf[MAX_MSG + 1];
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = MAX_MSG};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fds[4], nfds = 0, i, rc = 0;
	ssize_t n;
	char reply[64];
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (i = 0; i < k && nfds < 4; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	}
	buf[n] = 0;
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
		rc = send_msg(sock, "ERR truncated", -1);
	} else if (strncmp(buf, "PUT ", 4) == 0) {
		if (nfds != 1 || !valid_name(buf + 4)) {
			rc = send_msg(sock, "ERR PUT takes a name and one fd", -1);
		} else if (put(buf + 4, fds[0]) < 0) {
			rc = send_msg(sock, "ERR out of memory", -1);
		} else {
			nfds = 0; /* kept */
			rc = send_msg(sock, "OK", -1);
		}
	} else if (strncmp(buf, "DEL ", 4) == 0) {
		del(buf + 4);
		rc = send_msg(sock, "OK", -1);
	} else if (strcmp(buf, "LIST") == 0) {
		size_t k;
		char line[MAX_NAME + 16];
		for (k = 0; k < n_entries && rc == 0; k++) {
			snprintf(line, sizeof(line), "FD %s", entries[k].name);
			rc = send_msg(sock, line, entries[k].fd);
		}
		snprintf(reply, sizeof(reply), "END %zu", n_entries);
		if (rc == 0)
			rc = send_msg(sock, reply, -1);
	} else if (strcmp(buf, "PING") == 0) {
		snprintf(reply, sizeof(reply), "PONG %d", (int)getpid());
		rc = send_msg(sock, reply, -1);
	} else {
		rc = send_msg(sock, "ERR unknown request", -1);
	}
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

static int peer_is_root(int sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	return getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct pollfd pfd[1 + MAX_CLIENTS];
	int listener, nclients = 0, i, null;
	if (argc != 2 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: nestlet-keeper SOCKET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	setsid();
	umask(077);
	strcpy(addr.sun_path, argv[1]);
	listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (listener < 0) {
		perror("nestlet-keeper: socket");
		return 1;
	}
	unlink(argv[1]); /* a dead keeper's: nobody listens there any more */
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(listener, 16) < 0) {
		fprintf(stderr, "nestlet-keeper: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	chmod(argv[1], 0600);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	/* Nothing of the starter's stays open: its pipes must not keep it waiting. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	pfd[0].fd = listener;
	pfd[0].events = POLLIN;
	for (;;) {
		if (poll(pfd, 1 + nclients, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 1; i <= nclients; i++) {
			short ev = pfd[i].revents;
			if (ev == 0)
				continue;
			if ((ev & POLLIN) ? serve(pfd[i].fd) < 0 : (ev & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
				close(pfd[i].fd);
				pfd[i] = pfd[nclients];
				nclients--;
				i--;
			}
		}
		if (pfd[0].revents & POLLIN) {
			int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (nclients == MAX_CLIENTS || !peer_is_root(c)) {
				close(c);
				continue;
			}
			nclients++;
			pfd[nclients].fd = c;
			pfd[nclients].events = POLLIN;
			pfd[nclients].revents = 0;
		}
	}
}
