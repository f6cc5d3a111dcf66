/* `nestlet-runtime features`: the wrapped runtime's features JSON (OCI
 * runtime-spec features.md), with what nestlet's system containers rely on
 * reported only when this kernel really offers it: user namespaces (the
 * "user" entry of linux.namespaces) and ID-mapped mounts on the filesystem
 * of nestlet's state dir (linux.mountExtensions.idmap.enabled). It never
 * claims more than the runtime does; containerd admits `hostUsers: false`
 * pods on a handler only when both are there. */
#define _GNU_SOURCE
#include "features.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define NL_OPEN_TREE_CLONE 1
#define NL_OPEN_TREE_CLOEXEC O_CLOEXEC
#define NL_AT_EMPTY_PATH 0x1000
#define NL_AT_RECURSIVE 0x8000
#define NL_MOUNT_ATTR_IDMAP 0x00100000ULL
#define MAX_FEATURES (1 << 20)

struct nl_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* A child in a new user namespace, stopped until killed; -1 when the kernel refuses. */
static pid_t userns_child(void)
{
	int p[2];
	char c;
	pid_t pid;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'y') {
		close(p[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(p[0]);
	return pid;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* Whether an ID-mapped clone of `dir` can be made (the kernel and dir's filesystem allow it). */
static int idmap_works(pid_t child, const char *dir)
{
	char path[64];
	struct nl_mount_attr attr = {0};
	int userns, tree, rc;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)child);
	if (write_file(path, "0 65534 1\n") < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)child);
	if (write_file(path, "0 65534 1\n") < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return 0;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, dir, NL_OPEN_TREE_CLONE | NL_OPEN_TREE_CLOEXEC);
	if (tree < 0) {
		close(userns);
		return 0;
	}
	attr.attr_set = NL_MOUNT_ATTR_IDMAP;
	attr.userns_fd = (uint64_t)userns;
	rc = (int)syscall(SYS_mount_setattr, tree, "", NL_AT_EMPTY_PATH, &attr, sizeof(attr));
	close(tree); /* a detached clone: closing it unmounts it */
	close(userns);
	return rc == 0;
}

/* The runtime's `features` output, or NULL (its exit status in *status). */
static char *runtime_features(char **argv, int *status)
{
	int p[2];
	size_t len = 0;
	ssize_t n;
	char *buf = malloc(MAX_FEATURES + 1);
	pid_t pid;
	if (!buf || pipe2(p, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "nestlet-runtime: cannot exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (n = read(p[0], buf + len, MAX_FEATURES - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	if (pid < 0 || waitpid(pid, status, 0) < 0 || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static char *skip_ws(char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Removes the string element "user" from the array that follows the key "namespaces". */
static void drop_user_namespace(char *json)
{
	char *arr = strstr(json, "\"namespaces\""), *end, *u;
	if (!arr || !(arr = strchr(arr, '[')) || !(end = strchr(arr, ']')))
		return;
	for (u = arr; (u = strstr(u, "\"user\"")) && u < end; u++) {
		char *after = skip_ws(u + 6), *from = u, *to = u + 6;
		if (*after == ',') {
			to = skip_ws(after + 1); /* "user", next -> next */
		} else {
			char *prev = u; /* prev, "user" ] -> prev ] */
			while (prev > arr && prev[-1] != ',' && prev[-1] != '[')
				prev--;
			if (prev > arr && prev[-1] == ',')
				from = prev - 1;
		}
		memmove(from, to, strlen(to) + 1);
		return;
	}
}

/* Sets "enabled" of linux.mountExtensions.idmap to false. */
static void disable_idmap(char *json)
{
	char *idmap = strstr(json, "\"idmap\""), *en, *v;
	if (!idmap || !(en = strstr(idmap, "\"enabled\"")) || !(v = strchr(en, ':')))
		return;
	v = skip_ws(v + 1);
	if (strncmp(v, "true", 4) == 0) {
		memmove(v + 5, v + 4, strlen(v + 4) + 1);
		memcpy(v, "false", 5);
	}
}

int nl_features(char **argv)
{
	const char *dir = getenv("NESTLET_STATE_DIR");
	int status = 0, user, idmap = 0;
	char *json;
	pid_t child;
	if (!dir || !*dir)
		dir = NL_DEFAULT_STATE_DIR;
	if (access(dir, F_OK) != 0)
		dir = "/";
	json = runtime_features(argv, &status);
	if (!json)
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	child = userns_child();
	user = child > 0;
	if (user) {
		idmap = idmap_works(child, dir);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (!user)
		drop_user_namespace(json);
	if (!idmap)
		disable_idmap(json);
	fputs(json, stdout);
	free(json);
	return fflush(stdout) == 0 ? 0 : 1;
}
