#include "check.h"

#include <stdarg.h>
#include <stdio.h>

static int checks, failed, tests;

void expect(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	checks++;
	if (ok)
		return;
	failed++;
	printf("    FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void run(const char *name, void (*test)(void))
{
	int checks_before = checks, failed_before = failed;
	test();
	tests++;
	printf("%s %s (%d checks)\n", failed > failed_before ? "FAIL" : "ok  ", name, checks - checks_before);
	fflush(stdout);
}

int summary(const char *suite)
{
	printf("%s: %d tests, %d checks, %d failed\n", suite, tests, checks, failed);
	return failed ? 1 : 0;
}
