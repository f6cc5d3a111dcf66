#define _GNU_SOURCE
#include "client.h"

#include "answer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int nl_fail(nl_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int nl_fail_errno(nl_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

const char *nl_socket_path(const char *flag)
{
	const char *env = getenv("NESTLET_SOCKET");
	if (flag && *flag)
		return flag;
	if (env && *env)
		return env;
	return NL_DEFAULT_SOCKET;
}

int nl_timeout_ms(const char *flag, int default_ms, nl_error *err, int *out)
{
	const char *s = flag && *flag ? flag : getenv("NESTLET_TIMEOUT");
	char *end;
	long v;
	if (!s || !*s) {
		*out = default_ms;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 3600)
		return nl_fail(err, "timeout '%s' is not a number of seconds between 1 and 3600", s);
	*out = (int)(v * 1000);
	return 0;
}

int nl_read_all(int fd, size_t max, char **out, size_t *len, nl_error *err)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		return nl_fail(err, "out of memory");
	for (;;) {
		ssize_t r;
		if (n == cap) {
			char *nb;
			if (cap >= max) {
				free(buf);
				return nl_fail(err, "input is larger than %zu bytes", max);
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return nl_fail(err, "out of memory");
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return nl_fail_errno(err, e, "cannot read input");
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap && cap >= max) {
			/* Exactly max bytes read: only an EOF now makes the input acceptable. */
			char extra;
			ssize_t more = read(fd, &extra, 1);
			if (more > 0) {
				free(buf);
				return nl_fail(err, "input is larger than %zu bytes", max);
			}
			break;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int nl_json_escape(char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		const char *piece = tmp;
		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			tmp[2] = '\0';
		} else if (c < 0x20) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		} else {
			tmp[0] = (char)c;
			tmp[1] = '\0';
		}
		size_t l = strlen(piece);
		if (n + l >= cap)
			return -1;
		memcpy(dst + n, piece, l);
		n += l;
	}
	dst[n] = '\0';
	return (int)n;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short events, long long deadline, const char *what, const char *socket, nl_error *err)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		long long left = deadline - now_ms();
		int r;
		if (left <= 0)
			return nl_fail(err, "nestletd at %s did not answer in time (%s)", socket, what);
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return nl_fail_errno(err, errno, "poll");
		if (r > 0)
			return 0;
	}
}

static int connect_socket(const char *socket_path, long long deadline, int *out, nl_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd;
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return nl_fail(err, "socket path %s is too long", socket_path);
	strcpy(addr.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return nl_fail_errno(err, errno, "socket");
	for (;;) {
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			break;
		if (errno == EINTR)
			continue;
		/* A full backlog: the daemon is busy, not gone. Retry until the deadline. */
		if (errno == EAGAIN && now_ms() < deadline) {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 2 * 1000 * 1000};
			nanosleep(&ts, NULL);
			continue;
		}
		int e = errno;
		close(fd);
		return nl_fail_errno(err, e, "nestletd is not reachable at %s", socket_path);
	}
	*out = fd;
	return 0;
}

/* A daemon's message on one line: a line break becomes a space, any other
 * control byte '?'. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
		else if ((unsigned char)*s < 0x20)
			*s = '?';
}

int nl_exchange(const char *socket_path, const char *req, size_t len, int timeout_ms, char *resp, size_t cap,
		nl_error *err)
{
	long long deadline = now_ms() + timeout_ms;
	size_t off = 0, got = 0;
	int fd = -1;
	if (connect_socket(socket_path, deadline, &fd, err) < 0)
		return -1;
	while (off < len) {
		ssize_t w;
		if (wait_fd(fd, POLLOUT, deadline, "sending", socket_path, err) < 0)
			goto fail;
		w = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			nl_fail_errno(err, errno, "cannot send to nestletd at %s", socket_path);
			goto fail;
		}
		off += (size_t)w;
	}
	for (;;) {
		ssize_t r;
		char *nl;
		if (got + 1 >= cap) {
			nl_fail(err, "answer from nestletd at %s is longer than %zu bytes", socket_path, cap);
			goto fail;
		}
		if (wait_fd(fd, POLLIN, deadline, "waiting for the answer", socket_path, err) < 0)
			goto fail;
		r = recv(fd, resp + got, cap - 1 - got, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			nl_fail_errno(err, errno, "cannot read from nestletd at %s", socket_path);
			goto fail;
		}
		if (r == 0) {
			nl_fail(err, "nestletd at %s closed the connection without an answer", socket_path);
			goto fail;
		}
		got += (size_t)r;
		resp[got] = '\0';
		nl = memchr(resp, '\n', got);
		if (nl) {
			*nl = '\0';
			break;
		}
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

int nl_call(const char *socket_path, const char *req, size_t len, int timeout_ms, char *resp, size_t cap,
	    nl_error *err)
{
	nl_answer answer;
	if (nl_exchange(socket_path, req, len, timeout_ms, resp, cap, err) < 0)
		return -1;
	/* The daemon always writes "ok" first, so the verdict is a prefix. */
	if (strncmp(resp, "{\"ok\":true", 10) == 0)
		return 0;
	if (nl_answer_of(resp, &answer, err) < 0)
		return -1;
	if (answer.ok) {
		nl_answer_free(&answer);
		return 0;
	}
	one_line(answer.code);
	one_line(answer.message);
	nl_fail(err, "%s: %s", answer.code, answer.message);
	nl_answer_free(&answer);
	return -1;
}
