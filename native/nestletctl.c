/* nestletctl: the admin CLI. The read-only commands (status, ps, inspect,
 * allocations, version, metrics) are answered here, in a few milliseconds;
 * everything else (config validate, --help, usage errors) by the Java CLI,
 * nestletctl-java next to this program, with the same arguments. Both print
 * what nestletd rendered, so their output is the same bytes.
 *
 * Exit status: 0; 1 when nestletd answers with an error; 3 when it cannot be
 * reached or does not answer. */
#define _GNU_SOURCE
#include "client.h"
#include "ctl.h"
#include "version.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Execs the Java CLI next to this program (make install links it from PREFIX/bin). */
static int java_cli(char **argv, nl_error *err)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return nl_fail_errno(err, errno, "cannot find where nestletctl is");
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/nestletctl-java", dirname(self));
	argv[0] = path;
	execv(path, argv);
	return nl_fail_errno(err, errno, "cannot run %s", path);
}

static int print(const char *text, size_t len, nl_error *err)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
		return nl_fail_errno(err, errno, "cannot write the output");
	return 0;
}

/* One request; the exit status. */
static int run(const nl_ctl_cmd *cmd)
{
	nl_error err = {{0}};
	nl_answer answer;
	char *req, *resp;
	size_t len;
	int timeout, status = 0;
	if (nl_timeout_ms(NULL, NL_CTL_TIMEOUT_MS, &err, &timeout) < 0 ||
	    nl_ctl_request(cmd, &req, &len, &err) < 0) {
		fprintf(stderr, "nestletctl: %s\n", err.msg);
		return NL_CTL_EXIT_ERROR;
	}
	/* Pages are touched only as the answer fills them. */
	resp = malloc(NL_CTL_MAX_RESPONSE);
	if (!resp) {
		free(req);
		fprintf(stderr, "nestletctl: out of memory\n");
		return NL_CTL_EXIT_ERROR;
	}
	if (nl_exchange(nl_socket_path(cmd->socket), req, len, timeout, resp, NL_CTL_MAX_RESPONSE, &err) < 0) {
		fprintf(stderr, "nestletctl: %s\n", err.msg);
		status = NL_CTL_EXIT_UNREACHABLE;
	} else if (nl_answer_of(resp, &answer, &err) < 0) {
		fprintf(stderr, "nestletctl: %s\n", err.msg);
		status = NL_CTL_EXIT_ERROR;
	} else {
		/* version's first line is this client's own; nestletd renders its own below it. */
		const char *own = !cmd->json && strcmp(cmd->op, "version") == 0 ? "nestletctl " NL_VERSION "\n" : "";
		if (!answer.ok) {
			fprintf(stderr, "nestletctl: %s: %s\n", answer.code, answer.message);
			status = NL_CTL_EXIT_ERROR;
		} else if (print(own, strlen(own), &err) < 0 || print(answer.text, answer.len, &err) < 0) {
			fprintf(stderr, "nestletctl: %s\n", err.msg);
			status = NL_CTL_EXIT_ERROR;
		}
		nl_answer_free(&answer);
	}
	free(resp);
	free(req);
	return status;
}

int main(int argc, char **argv)
{
	nl_ctl_cmd cmd;
	nl_error err = {{0}};
	if (nl_ctl_parse(argc, argv, &cmd))
		return run(&cmd);
	java_cli(argv, &err);
	fprintf(stderr, "nestletctl: %s\n", err.msg);
	return NL_CTL_EXIT_ERROR;
}
