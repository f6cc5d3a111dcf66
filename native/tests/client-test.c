/* Unit tests of client.c's helpers: `make -C native test`, and `mvn test`
 * (harness: check.h). nl_call runs against a fake nestletd: a child process
 * on a socket in a temporary dir. */
#define _GNU_SOURCE
#include "../client.h"
#include "check.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_json_escape(void)
{
	char out[64];
	EXPECT_INT(nl_json_escape(out, sizeof(out), "abc"), 3);
	EXPECT_STR(out, "abc");
	EXPECT_INT(nl_json_escape(out, sizeof(out), ""), 0);
	EXPECT_STR(out, "");
	EXPECT_INT(nl_json_escape(out, sizeof(out), "a\"b\\c"), 7);
	EXPECT_STR(out, "a\\\"b\\\\c");
	nl_json_escape(out, sizeof(out), "\n\t\x01\x1f");
	EXPECT_STR(out, "\\u000a\\u0009\\u0001\\u001f");
	nl_json_escape(out, sizeof(out), "/var/lib/\xc3\xa9t\xc3\xa9 x");
	EXPECT_STR(out, "/var/lib/\xc3\xa9t\xc3\xa9 x");
}

static void test_json_escape_capacity(void)
{
	char out[8];
	EXPECT_INT(nl_json_escape(out, 4, "abc"), 3); /* three bytes and the NUL */
	EXPECT_INT(nl_json_escape(out, 3, "abc"), -1);
	EXPECT_INT(nl_json_escape(out, 1, ""), 0);
	EXPECT_INT(nl_json_escape(out, 2, "\""), -1); /* an escape is never cut in half */
	EXPECT_INT(nl_json_escape(out, 3, "\""), 2);
	EXPECT_INT(nl_json_escape(out, 6, "\x01"), -1);
	EXPECT_INT(nl_json_escape(out, 7, "\x01"), 6);
}

static void test_timeout(void)
{
	nl_error err = {{0}};
	int ms = -1;
	unsetenv("NESTLET_TIMEOUT");
	EXPECT_INT(nl_timeout_ms(NULL, 1234, &err, &ms), 0);
	EXPECT_INT(ms, 1234);
	EXPECT_INT(nl_timeout_ms("", 1234, &err, &ms), 0);
	EXPECT_INT(ms, 1234);
	EXPECT_INT(nl_timeout_ms("5", 1234, &err, &ms), 0);
	EXPECT_INT(ms, 5000);
	EXPECT_INT(nl_timeout_ms("1", 1234, &err, &ms), 0);
	EXPECT_INT(ms, 1000);
	EXPECT_INT(nl_timeout_ms("3600", 1234, &err, &ms), 0);
	EXPECT_INT(ms, 3600000);
	setenv("NESTLET_TIMEOUT", "7", 1);
	EXPECT_INT(nl_timeout_ms(NULL, 1234, &err, &ms), 0);
	EXPECT_INT(ms, 7000);
	EXPECT_INT(nl_timeout_ms("", 1234, &err, &ms), 0);
	EXPECT_INT(ms, 7000);
	EXPECT_INT(nl_timeout_ms("2", 1234, &err, &ms), 0); /* the flag wins */
	EXPECT_INT(ms, 2000);
	setenv("NESTLET_TIMEOUT", "", 1);
	EXPECT_INT(nl_timeout_ms(NULL, 1234, &err, &ms), 0);
	EXPECT_INT(ms, 1234);
	unsetenv("NESTLET_TIMEOUT");
}

static void test_timeout_refused(void)
{
	static const char *const bad[] = {"0", "-1", "3601", "5s", "abc", "1.5", "5 ", "99999999999999999999999"};
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nl_error err = {{0}};
		char want[128];
		int ms = -1;
		EXPECT_INT(nl_timeout_ms(bad[i], 1234, &err, &ms), -1);
		EXPECT_INT(ms, -1);
		snprintf(want, sizeof(want), "timeout '%s' is not a number of seconds between 1 and 3600", bad[i]);
		EXPECT_STR(err.msg, want);
	}
	{
		nl_error err = {{0}};
		int ms = -1;
		setenv("NESTLET_TIMEOUT", "soon", 1);
		EXPECT_INT(nl_timeout_ms(NULL, 1234, &err, &ms), -1);
		EXPECT_CONTAINS(err.msg, "'soon'");
		unsetenv("NESTLET_TIMEOUT");
	}
}

static void test_socket_path(void)
{
	unsetenv("NESTLET_SOCKET");
	EXPECT_STR(nl_socket_path(NULL), NL_DEFAULT_SOCKET);
	EXPECT_STR(nl_socket_path(""), NL_DEFAULT_SOCKET);
	EXPECT_STR(nl_socket_path("/tmp/a.sock"), "/tmp/a.sock");
	setenv("NESTLET_SOCKET", "/env.sock", 1);
	EXPECT_STR(nl_socket_path(NULL), "/env.sock");
	EXPECT_STR(nl_socket_path(""), "/env.sock");
	EXPECT_STR(nl_socket_path("/tmp/a.sock"), "/tmp/a.sock");
	setenv("NESTLET_SOCKET", "", 1);
	EXPECT_STR(nl_socket_path(NULL), NL_DEFAULT_SOCKET);
	unsetenv("NESTLET_SOCKET");
}

static void test_fail(void)
{
	nl_error err = {{0}};
	char want[256], longer[2 * sizeof(err.msg)];
	EXPECT_INT(nl_fail(&err, "bundle %s: %d", "/b", 7), -1);
	EXPECT_STR(err.msg, "bundle /b: 7");
	EXPECT_INT(nl_fail_errno(&err, ENOENT, "cannot open %s", "x"), -1);
	snprintf(want, sizeof(want), "cannot open x: %s", strerror(ENOENT));
	EXPECT_STR(err.msg, want);
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	nl_fail_errno(&err, EIO, "%s", longer); /* cut at the buffer, still terminated */
	EXPECT_INT(strlen(err.msg), sizeof(err.msg) - 1);
}

/* nl_read_all of what a pipe holds: the input, then EOF. */
static int read_pipe(const char *input, size_t len, size_t max, char **out, size_t *got, nl_error *err)
{
	int p[2], rc;
	if (pipe(p) < 0)
		return nl_fail_errno(err, errno, "pipe");
	if (write(p[1], input, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		return nl_fail(err, "test input does not fit in a pipe");
	}
	close(p[1]);
	rc = nl_read_all(p[0], max, out, got, err);
	close(p[0]);
	return rc;
}

static void test_read_all(void)
{
	static char big[20000];
	nl_error err = {{0}};
	char *out = NULL;
	size_t len = 0;
	EXPECT_INT(read_pipe("{\"id\":\"c1\"}", 11, 4096, &out, &len, &err), 0);
	EXPECT_INT(len, 11);
	EXPECT_STR(out, "{\"id\":\"c1\"}");
	free(out);
	EXPECT_INT(read_pipe("", 0, 4096, &out, &len, &err), 0);
	EXPECT_INT(len, 0);
	EXPECT_STR(out, "");
	free(out);
	memset(big, 'a', sizeof(big));
	EXPECT_INT(read_pipe(big, sizeof(big), 64 * 1024, &out, &len, &err), 0); /* grows past 4 kB */
	EXPECT_INT(len, sizeof(big));
	EXPECT_INT(out[sizeof(big) - 1] == 'a' && out[sizeof(big)] == '\0', 1);
	free(out);
}

static void test_read_all_limit(void)
{
	static char big[8193];
	nl_error err = {{0}};
	char *out = NULL;
	size_t len = 0;
	memset(big, 'a', sizeof(big));
	EXPECT_INT(read_pipe(big, 8192, 8192, &out, &len, &err), 0); /* exactly the limit */
	EXPECT_INT(len, 8192);
	free(out);
	out = NULL;
	EXPECT_INT(read_pipe(big, 8193, 8192, &out, &len, &err), -1);
	EXPECT_STR(err.msg, "input is larger than 8192 bytes");
	EXPECT(out == NULL);
	EXPECT_INT(read_pipe(big, 6000, 5000, &out, &len, &err), -1); /* a limit between buffer sizes */
	EXPECT_STR(err.msg, "input is larger than 5000 bytes");
	EXPECT_INT(read_pipe(big, 5000, 5000, &out, &len, &err), 0);
	EXPECT_INT(len, 5000);
	free(out);
	{
		int bad = -1;
		EXPECT_INT(nl_read_all(bad, 10, &out, &len, &err), -1);
		EXPECT_CONTAINS(err.msg, "cannot read input: ");
	}
}

/* The fake nestletd: how it answers the one connection it takes. */
enum daemon_act { ANSWER, CLOSE, SILENT };

static char dir[64];
static char sock_path[128];

/* Starts a daemon that reads one request line, then acts; returns its pid, the request written to req_file. */
static pid_t fake_daemon(enum daemon_act act, const char *answer)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;
	unlink(sock_path);
	strcpy(addr.sun_path, sock_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 4) < 0) {
		perror("fake nestletd");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		char req[4096];
		size_t n = 0;
		int c = accept(lfd, NULL, NULL);
		signal(SIGPIPE, SIG_IGN);
		if (c < 0)
			_exit(3);
		while (n < sizeof(req) - 1) {
			ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
			if (memchr(req, '\n', n))
				break;
		}
		req[n] = '\0';
		if (act == ANSWER && write(c, answer, strlen(answer)) < 0)
			_exit(4);
		if (act == SILENT)
			pause();
		close(c);
		/* Exit status 0 when the request arrived whole, one line ending in a newline. */
		_exit(n > 0 && req[n - 1] == '\n' && strchr(req, '\n') == req + n - 1 ? 0 : 1);
	}
	close(lfd);
	return pid;
}

static int daemon_status(pid_t pid)
{
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char REQ[] = "{\"v\":1,\"op\":\"hook\"}\n";

static int call(int timeout_ms, char *resp, size_t cap, nl_error *err)
{
	return nl_call(sock_path, REQ, sizeof(REQ) - 1, timeout_ms, resp, cap, err);
}

static void test_call_ok(void)
{
	char resp[256];
	nl_error err = {{0}};
	pid_t d = fake_daemon(ANSWER, "{\"ok\":true,\"result\":{\"id\":\"c1\"}}\nnot read");
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), 0);
	EXPECT_STR(resp, "{\"ok\":true,\"result\":{\"id\":\"c1\"}}");
	EXPECT_INT(daemon_status(d), 0);
}

static void test_call_error_answer(void)
{
	char resp[256];
	nl_error err = {{0}};
	pid_t d = fake_daemon(ANSWER, "{\"ok\":false,\"error\":{\"code\":\"NOT_FOUND\","
				      "\"message\":\"no \\\"c1\\\"\\nhere \\u0001 \\\\o/\"}}\n");
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), -1);
	EXPECT_STR(err.msg, "NOT_FOUND: no \"c1\" here ? \\o/");
	EXPECT_INT(daemon_status(d), 0);
	d = fake_daemon(ANSWER, "whatever\n");
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), -1);
	EXPECT_STR(err.msg, "unexpected answer from nestletd: whatever");
	EXPECT_INT(daemon_status(d), 0);
}

/* nl_exchange leaves an error answer to its caller: only the transport can fail it. */
static void test_exchange_error_answer(void)
{
	char resp[256];
	nl_error err = {{0}};
	pid_t d = fake_daemon(ANSWER, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no\"}}\n");
	EXPECT_INT(nl_exchange(sock_path, REQ, sizeof(REQ) - 1, 5000, resp, sizeof(resp), &err), 0);
	EXPECT_STR(resp, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no\"}}");
	EXPECT_INT(daemon_status(d), 0);
}

static void test_call_timeout(void)
{
	char resp[256];
	nl_error err = {{0}};
	pid_t d = fake_daemon(SILENT, NULL);
	struct timespec before, after;
	long long took;
	clock_gettime(CLOCK_MONOTONIC, &before);
	EXPECT_INT(call(300, resp, sizeof(resp), &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &after);
	took = (after.tv_sec - before.tv_sec) * 1000LL + (after.tv_nsec - before.tv_nsec) / 1000000;
	expect(took >= 290 && took < 3000, __FILE__, __LINE__, "a 300 ms timeout took %lld ms", took);
	EXPECT_CONTAINS(err.msg, "did not answer in time (waiting for the answer)");
	EXPECT_CONTAINS(err.msg, sock_path);
	kill(d, SIGKILL);
	EXPECT_INT(daemon_status(d), 128 + SIGKILL);
}

static void test_call_transport_failures(void)
{
	char resp[64], want[256];
	nl_error err = {{0}};
	char long_path[200];
	pid_t d = fake_daemon(CLOSE, NULL);
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), -1);
	snprintf(want, sizeof(want), "nestletd at %s closed the connection without an answer", sock_path);
	EXPECT_STR(err.msg, want);
	EXPECT_INT(daemon_status(d), 0);

	d = fake_daemon(ANSWER, "{\"ok\":true,\"result\":\"0123456789012345678901234567890123456789"
				"0123456789012345678901234567890123456789\"}\n");
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), -1);
	snprintf(want, sizeof(want), "answer from nestletd at %s is longer than 64 bytes", sock_path);
	EXPECT_STR(err.msg, want);
	daemon_status(d);

	unlink(sock_path);
	EXPECT_INT(call(5000, resp, sizeof(resp), &err), -1);
	snprintf(want, sizeof(want), "nestletd is not reachable at %s: %s", sock_path, strerror(ENOENT));
	EXPECT_STR(err.msg, want);

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	EXPECT_INT(nl_call(long_path, REQ, sizeof(REQ) - 1, 5000, resp, sizeof(resp), &err), -1);
	EXPECT_CONTAINS(err.msg, "is too long");
}

int main(void)
{
	strcpy(dir, "/tmp/nestlet-client-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/nestlet.sock", dir);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("client.c unit tests\n");
	run("nl_json_escape escapes quotes, backslashes and control characters", test_json_escape);
	run("nl_json_escape refuses what does not fit", test_json_escape_capacity);
	run("nl_timeout_ms: flag, then $NESTLET_TIMEOUT, then the default", test_timeout);
	run("nl_timeout_ms refuses what is not 1 to 3600 seconds", test_timeout_refused);
	run("nl_socket_path: flag, then $NESTLET_SOCKET, then the default", test_socket_path);
	run("nl_fail and nl_fail_errno", test_fail);
	run("nl_read_all reads to EOF", test_read_all);
	run("nl_read_all stops at its limit", test_read_all_limit);
	run("nl_call returns an ok answer", test_call_ok);
	run("nl_call reports the daemon's error code and message", test_call_error_answer);
	run("nl_exchange returns an error answer as it came", test_exchange_error_answer);
	run("nl_call gives up at its timeout", test_call_timeout);
	run("nl_call reports transport failures", test_call_transport_failures);
	unlink(sock_path);
	rmdir(dir);
	return summary("client.c");
}
