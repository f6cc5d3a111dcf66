/* Reading nestletd's answers in place: find a member, skip a value, decode a
 * string. No tree and no numbers: nestletctl only needs the strings nestletd
 * rendered. Same error convention as client.h. */
#ifndef NESTLET_JSON_H
#define NESTLET_JSON_H

#include "client.h"

#include <stddef.h>

/* Values nested deeper than this are refused (nestletd's answers nest a few levels). */
#define NL_JSON_MAX_DEPTH 64

/* The end of the JSON value that starts at p (after any whitespace), or NULL
 * when what is there is not one valid JSON value. */
const char *nl_json_skip(const char *p);

/* Finds the member `key` of the object at json (whitespace allowed around
 * it); *value points at its value. Returns 0, or -1 when json is not a valid
 * object or has no such member. */
int nl_json_member(const char *json, const char *key, const char **value, nl_error *err);

/* Decodes the JSON string at p into a malloc'd UTF-8 buffer *out (NUL after
 * its *len bytes, which may contain NULs). A lone surrogate becomes '?', as
 * Java's UTF-8 encoder writes it. Returns 0, or -1 when p is not a string. */
int nl_json_string(const char *p, char **out, size_t *len, nl_error *err);

#endif
