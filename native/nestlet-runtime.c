/* nestlet-runtime: an OCI runtime shim. Engines register it as a runtime
 * (dockerd --add-runtime, podman --runtime, ctr --runc-binary, a containerd or
 * CRI-O runtime handler) and call it exactly as they call runc. On `create`
 * and `run` it first asks nestletd to prepare the bundle (nestletd edits
 * config.json in place) and fails if nestletd cannot: it never starts an
 * unprotected container. Then, for every verb, it execs the real runtime with
 * the same arguments. It knows every global flag and every create/run flag of
 * runc and crun; a command line it cannot parse for sure (an unknown flag
 * before a create or run, crun's --config naming another file) is refused
 * with exit status 2, never passed on unprepared.
 *
 * The real runtime: --nestlet-runtime=NAME|PATH (a global flag, removed
 * before the exec), else $NESTLET_RUNTIME, else "runtime=..." in
 * $NESTLET_RUNTIME_CONFIG (default /etc/nestlet/runtime.conf), else runc.
 * The socket: $NESTLET_SOCKET, else /run/nestlet/nestlet.sock.
 *
 * `features` prints the real runtime's features with user namespaces and
 * ID-mapped mounts reported only where the kernel offers them (features.c). */
#define _GNU_SOURCE
#include "client.h"
#include "features.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PREPARE_TIMEOUT_MS (300 * 1000)
#define DEFAULT_CONFIG "/etc/nestlet/runtime.conf"

struct invocation {
	const char *runtime;    /* what to exec */
	const char *root;       /* --root */
	const char *log;        /* --log */
	const char *log_format; /* --log-format */
	const char *verb;
	const char *bundle;
	const char *id;
	char **argv;            /* argv for the runtime, NULL-terminated */
};

/* Global flags of runc (1.1-1.3) and crun (1.8-1.28) that take a value, and
 * those that take none. A global flag in neither list makes the position of
 * the verb unknowable: a create or run is then refused, never guessed. */
static const char *const global_value_flags[] = {"root", "log", "log-format", "log-level", "criu", "rootless",
						 "cgroup-manager", NULL};
static const char *const global_bool_flags[] = {"debug", "systemd-cgroup", "help", "h", "?", "usage", "version",
						"v", "V", NULL};
/* Flags of exec that take a value (to find --process and the id). */
static const char *const exec_value_flags[] = {"process", "p", "pid-file", "console-socket", "cwd", "env", "e",
					       "user", "u", "cap", "c", "additional-gids", "g", "process-label",
					       "apparmor", "preserve-fds", "cgroup", NULL};
/* Flags of create and run (both runtimes) that take a value, and those that
 * take none. An unknown one could hide the container id: refused. */
static const char *const create_value_flags[] = {"bundle", "b", "console-socket", "pid-file", "preserve-fds",
						 "config", "f", NULL};
static const char *const create_bool_flags[] = {"no-pivot", "no-new-keyring", "no-subreaper", "detach", "d", "keep",
						"help", "h", "?", "usage", NULL};

static int in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* Splits "--name=value" / "-name": returns the name (without dashes) in buf, the value or NULL. */
static const char *flag_name(const char *arg, char *buf, size_t cap)
{
	const char *p = arg + (arg[1] == '-' ? 2 : 1);
	const char *eq = strchr(p, '=');
	size_t n = eq ? (size_t)(eq - p) : strlen(p);
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return eq ? eq + 1 : NULL;
}

static const char *runtime_from_config(void)
{
	static char value[PATH_MAX];
	const char *path = getenv("NESTLET_RUNTIME_CONFIG");
	char line[PATH_MAX + 32];
	FILE *f = fopen(path && *path ? path : DEFAULT_CONFIG, "re");
	const char *found = NULL;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *v = line;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncmp(v, "runtime", 7) != 0)
			continue;
		v += 7;
		while (*v == ' ' || *v == '\t' || *v == '=')
			v++;
		v[strcspn(v, " \t\r\n#")] = '\0';
		if (*v) {
			snprintf(value, sizeof(value), "%s", v);
			found = value;
		}
	}
	fclose(f);
	return found;
}

/* Whether "create" or "run" is among argv[from..]: what an unparsable command line might mean. */
static int mentions_create(char **argv, int from)
{
	for (; argv[from]; from++)
		if (strcmp(argv[from], "create") == 0 || strcmp(argv[from], "run") == 0)
			return 1;
	return 0;
}

/* crun's --config/-f names the file it reads instead of config.json: only config.json is prepared. */
static int is_config_json(const char *value, const char *bundle)
{
	char path[PATH_MAX];
	if (strcmp(value, "config.json") == 0 || strcmp(value, "./config.json") == 0)
		return 1;
	if (value[0] == '/' && bundle) {
		snprintf(path, sizeof(path), "%s/config.json", bundle);
		return strcmp(value, path) == 0;
	}
	return 0;
}

static int parse(int argc, char **argv, struct invocation *inv, nl_error *err)
{
	char name[64];
	const char *unknown = NULL, *config = NULL;
	int i = 1, n = 0;
	inv->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!inv->argv)
		return nl_fail(err, "out of memory");
	inv->argv[n++] = NULL; /* argv[0], filled in once the runtime is known */
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *value = flag_name(argv[i], name, sizeof(name));
		if (strcmp(name, "nestlet-runtime") == 0) {
			if (!value && i + 1 >= argc)
				return nl_fail(err, "--nestlet-runtime needs a value");
			inv->runtime = value ? value : argv[++i];
			continue;
		}
		inv->argv[n++] = argv[i];
		if (!in_list(name, global_value_flags) && !in_list(name, global_bool_flags) && !unknown)
			unknown = argv[i];
		if (in_list(name, global_value_flags)) {
			if (!value) {
				if (i + 1 >= argc)
					return nl_fail(err, "%s needs a value", argv[i]);
				value = argv[++i];
				inv->argv[n++] = argv[i];
			}
			if (strcmp(name, "root") == 0)
				inv->root = value;
			else if (strcmp(name, "log") == 0)
				inv->log = value;
			else if (strcmp(name, "log-format") == 0)
				inv->log_format = value;
		}
	}
	if (i < argc)
		inv->verb = argv[i];
	for (; i < argc; i++)
		inv->argv[n++] = argv[i];
	inv->argv[n] = NULL;
	if (unknown && mentions_create(inv->argv, 1))
		return nl_fail(err, "unknown global flag %s: cannot tell whether it takes a value, so cannot find the "
			       "verb; refusing to start a container that may not be prepared", unknown);
	if (!inv->verb || (strcmp(inv->verb, "create") != 0 && strcmp(inv->verb, "run") != 0))
		return 0;
	/* create/run [flags] ID: find the bundle and the id. */
	for (i = 1; inv->argv[i] != inv->verb; i++)
		;
	for (i++; inv->argv[i]; i++) {
		const char *a = inv->argv[i];
		if (a[0] != '-' || !a[1]) {
			if (!inv->id)
				inv->id = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			if (!inv->id && inv->argv[i + 1])
				inv->id = inv->argv[i + 1];
			break;
		}
		const char *value = flag_name(a, name, sizeof(name));
		if (in_list(name, create_value_flags)) {
			if (!value) {
				if (!inv->argv[i + 1])
					return nl_fail(err, "%s needs a value", a);
				value = inv->argv[++i];
			}
			if (strcmp(name, "bundle") == 0 || strcmp(name, "b") == 0)
				inv->bundle = value;
			if (strcmp(name, "config") == 0 || strcmp(name, "f") == 0)
				config = value;
		} else if (!in_list(name, create_bool_flags)) {
			return nl_fail(err, "unknown %s flag %s: it could hide the container id; refusing to start a "
				       "container that may not be prepared", inv->verb, a);
		}
	}
	if (!inv->id)
		return nl_fail(err, "%s without a container id", inv->verb);
	if (config && !is_config_json(config, inv->bundle))
		return nl_fail(err, "%s %s: nestlet prepares the bundle's config.json only; refusing to start a "
			       "container from another config file", inv->verb, config);
	return 0;
}

/* Appends the failure to the runtime log the engine reads (containerd reads
 * the last error of a json log), so the engine reports nestlet's reason. */
static void log_failure(const struct invocation *inv, const char *msg)
{
	char line[sizeof(((nl_error *)0)->msg) * 2 + 160], esc[sizeof(((nl_error *)0)->msg) * 2], when[40];
	time_t now = time(NULL);
	struct tm tm;
	int fd, n;
	if (!inv->log)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (nl_json_escape(esc, sizeof(esc), msg) < 0)
		return;
	if (inv->log_format && strcmp(inv->log_format, "json") == 0)
		n = snprintf(line, sizeof(line), "{\"level\":\"error\",\"msg\":\"%s\",\"time\":\"%s\"}\n", esc, when);
	else
		n = snprintf(line, sizeof(line), "time=\"%s\" level=error msg=\"%s\"\n", when, esc);
	fd = open(inv->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* Nothing more to do: stderr has the message too. */
	}
	close(fd);
}

static int prepare(const struct invocation *inv, nl_error *err)
{
	char bundle[PATH_MAX], e_id[512], e_bundle[PATH_MAX * 2], e_rt[PATH_MAX * 2], e_root[PATH_MAX * 2];
	char req[sizeof(e_id) + sizeof(e_bundle) + sizeof(e_rt) + sizeof(e_root) + 128], resp[NL_MAX_RESPONSE];
	const char *rt = strrchr(inv->runtime, '/') ? strrchr(inv->runtime, '/') + 1 : inv->runtime;
	const char *root = inv->root;
	int timeout, n;
	if (!realpath(inv->bundle ? inv->bundle : ".", bundle))
		return nl_fail_errno(err, errno, "bundle %s", inv->bundle ? inv->bundle : ".");
	if (!root)
		root = strcmp(rt, "crun") == 0 ? "/run/crun" : strcmp(rt, "runc") == 0 ? "/run/runc" : NULL;
	if (nl_json_escape(e_id, sizeof(e_id), inv->id) < 0 || nl_json_escape(e_bundle, sizeof(e_bundle), bundle) < 0
	    || nl_json_escape(e_rt, sizeof(e_rt), rt) < 0
	    || nl_json_escape(e_root, sizeof(e_root), root ? root : "") < 0)
		return nl_fail(err, "container id or path too long");
	if (nl_timeout_ms(NULL, PREPARE_TIMEOUT_MS, err, &timeout) < 0)
		return -1;
	if (root)
		n = snprintf(req, sizeof(req),
			     "{\"v\":1,\"op\":\"prepare\",\"id\":\"%s\",\"bundle\":\"%s\",\"runtime\":\"%s\","
			     "\"runtimeRoot\":\"%s\"}\n",
			     e_id, e_bundle, e_rt, e_root);
	else
		n = snprintf(req, sizeof(req),
			     "{\"v\":1,\"op\":\"prepare\",\"id\":\"%s\",\"bundle\":\"%s\",\"runtime\":\"%s\"}\n", e_id,
			     e_bundle, e_rt);
	return nl_call(nl_socket_path(NULL), req, (size_t)n, timeout, resp, sizeof(resp), err);
}

/* exec --process FILE ID: asks nestletd to give the process the capabilities
 * of the system container's init (op "exec"). Failing open: an exec that
 * nestletd does not change runs with the engine's own, smaller, set. */
static void exec_process(const struct invocation *inv)
{
	char name[64], e_id[512], e_proc[PATH_MAX * 2], req[sizeof(e_id) + sizeof(e_proc) + 64];
	char resp[NL_MAX_RESPONSE];
	const char *process = NULL, *id = NULL;
	nl_error err = {{0}};
	int i, n;
	for (i = 1; inv->argv[i] != inv->verb; i++)
		;
	for (i++; inv->argv[i]; i++) {
		const char *a = inv->argv[i], *value;
		if (a[0] != '-' || !a[1]) {
			id = a;
			break;
		}
		value = flag_name(a, name, sizeof(name));
		if (in_list(name, exec_value_flags) && !value) {
			if (!inv->argv[i + 1])
				return;
			value = inv->argv[++i];
		}
		if (strcmp(name, "process") == 0 || strcmp(name, "p") == 0)
			process = value;
	}
	if (!process || !id || process[0] != '/')
		return;
	if (nl_json_escape(e_id, sizeof(e_id), id) < 0 || nl_json_escape(e_proc, sizeof(e_proc), process) < 0)
		return;
	n = snprintf(req, sizeof(req), "{\"v\":1,\"op\":\"exec\",\"id\":\"%s\",\"process\":\"%s\"}\n", e_id,
		     e_proc);
	if (nl_call(nl_socket_path(NULL), req, (size_t)n, 10 * 1000, resp, sizeof(resp), &err) < 0) {
		/* Nothing more to do: the exec runs as the engine asked. */
	}
}

int main(int argc, char **argv)
{
	struct invocation inv = {0};
	nl_error err = {{0}};
	if (parse(argc, argv, &inv, &err) < 0) {
		fprintf(stderr, "nestlet-runtime: %s\n", err.msg);
		return 2;
	}
	if (!inv.runtime)
		inv.runtime = getenv("NESTLET_RUNTIME");
	if (!inv.runtime || !*inv.runtime)
		inv.runtime = runtime_from_config();
	if (!inv.runtime)
		inv.runtime = "runc";
	inv.argv[0] = (char *)inv.runtime;
	if (inv.id && prepare(&inv, &err) < 0) {
		char msg[sizeof(err.msg) + 128];
		snprintf(msg, sizeof(msg), "nestlet: cannot prepare container %s: %s", inv.id, err.msg);
		fprintf(stderr, "nestlet-runtime: %s\n", msg);
		log_failure(&inv, msg);
		return 1;
	}
	if (inv.verb && strcmp(inv.verb, "features") == 0)
		return nl_features(inv.argv);
	if (inv.verb && strcmp(inv.verb, "exec") == 0)
		exec_process(&inv);
	execvp(inv.runtime, inv.argv);
	fprintf(stderr, "nestlet-runtime: cannot exec %s: %s\n", inv.runtime, strerror(errno));
	return 127;
}
