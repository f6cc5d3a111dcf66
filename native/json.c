#include "json.h"

#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* p at the opening quote; returns past the closing one, or NULL. */
static const char *skip_string(const char *p)
{
	unsigned cp;
	for (p++;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20) /* raw control characters (and the end of the input) are not JSON */
			return NULL;
		if (c != '\\')
			continue;
		p++;
		if (*p == 'u') {
			if (hex4(p + 1, &cp) < 0)
				return NULL;
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
			return NULL;
		}
	}
}

static const char *skip_digits(const char *p)
{
	const char *start = p;
	while (*p >= '0' && *p <= '9')
		p++;
	return p == start ? NULL : p;
}

static const char *skip_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = skip_digits(p)))
		return NULL;
	if (*p == '.' && !(p = skip_digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = skip_digits(p);
	}
	return p;
}

static const char *skip_value(const char *p, int depth);

/* The members or elements of an object or array, p at its opening bracket. */
static const char *skip_container(const char *p, int depth)
{
	char close = *p == '{' ? '}' : ']';
	if (depth >= NL_JSON_MAX_DEPTH)
		return NULL;
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (*p != '"' || !(p = skip_string(p)))
				return NULL;
			p = ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = skip_value(p, depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
}

static const char *skip_value(const char *p, int depth)
{
	p = ws(p);
	switch (*p) {
	case '"':
		return skip_string(p);
	case '{':
	case '[':
		return skip_container(p, depth);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return *p == '-' || (*p >= '0' && *p <= '9') ? skip_number(p) : NULL;
	}
}

const char *nl_json_skip(const char *p)
{
	return skip_value(p, 0);
}

int nl_json_member(const char *json, const char *key, const char **value, nl_error *err)
{
	const char *p = ws(json);
	size_t klen = strlen(key);
	if (*p != '{' || !nl_json_skip(p))
		return nl_fail(err, "not a JSON object: %.80s", json);
	p = ws(p + 1);
	while (*p == '"') {
		/* Keys are compared as written: nestletd never escapes the ASCII names asked for. */
		const char *end = skip_string(p);
		int match = (size_t)(end - p) == klen + 2 && memcmp(p + 1, key, klen) == 0;
		p = ws(ws(end) + 1); /* past the ':' the check above vouched for */
		if (match) {
			*value = p;
			return 0;
		}
		p = ws(nl_json_skip(p));
		if (*p == ',')
			p = ws(p + 1);
	}
	return nl_fail(err, "no \"%s\" in %.80s", key, json);
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *dst, unsigned cp)
{
	if (cp < 0x80) {
		dst[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = (char)(0xc0 | cp >> 6);
		dst[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = (char)(0xe0 | cp >> 12);
		dst[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		dst[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	dst[0] = (char)(0xf0 | cp >> 18);
	dst[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	dst[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	dst[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int nl_json_string(const char *p, char **out, size_t *len, nl_error *err)
{
	const char *end;
	char *buf;
	size_t n = 0;
	p = ws(p);
	if (*p != '"' || !(end = skip_string(p)))
		return nl_fail(err, "not a JSON string: %.80s", p);
	/* Decoding never grows: an escape of 2, 6 or 12 bytes gives at most 1, 3 or 4. */
	buf = malloc((size_t)(end - p));
	if (!buf)
		return nl_fail(err, "out of memory");
	for (p++; p < end - 1; p++) {
		unsigned cp, low;
		if (*p != '\\') {
			buf[n++] = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'b':
			buf[n++] = '\b';
			continue;
		case 'f':
			buf[n++] = '\f';
			continue;
		case 'n':
			buf[n++] = '\n';
			continue;
		case 'r':
			buf[n++] = '\r';
			continue;
		case 't':
			buf[n++] = '\t';
			continue;
		case 'u':
			break;
		default: /* '"', '\\', '/' */
			buf[n++] = *p;
			continue;
		}
		hex4(p + 1, &cp);
		p += 4;
		if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u' && hex4(p + 3, &low) == 0 &&
		    low >= 0xdc00 && low < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
			p += 6;
		} else if (cp >= 0xd800 && cp < 0xe000) {
			cp = '?';
		}
		n += put_utf8(buf + n, cp);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
