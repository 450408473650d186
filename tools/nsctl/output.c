/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output.c: aligned text tables and the JSON writer (output.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct out_col {
	const char *header;
	enum out_align align;
};

struct out_table {
	unsigned ncols;
	struct out_col *cols;
	char **cells;       /* rows * ncols, row-major; NULL = empty */
	unsigned rows, cap;
};

struct out_table *
out_table_new(unsigned ncols)
{
	struct out_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	t->cols = calloc(ncols ? ncols : 1, sizeof(*t->cols));
	if (t->cols == NULL) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void
out_table_col(struct out_table *t, unsigned col, const char *header, enum out_align align)
{
	if (col >= t->ncols)
		return;
	t->cols[col].header = header;
	t->cols[col].align = align;
}

int
out_table_row(struct out_table *t)
{
	if (t->rows == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*c));

		if (c == NULL)
			return -ENOMEM;
		t->cells = c;
		t->cap = cap;
	}
	memset(&t->cells[(size_t)t->rows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->rows++;
	return 0;
}

int
out_table_cell(struct out_table *t, unsigned col, const char *fmt, ...)
{
	char **cell;
	va_list ap;
	int n;

	if (t->rows == 0 || col >= t->ncols)
		return -EINVAL;
	cell = &t->cells[(size_t)(t->rows - 1) * t->ncols + col];
	free(*cell);
	*cell = NULL;
	va_start(ap, fmt);
	n = vasprintf(cell, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*cell = NULL;
		return -ENOMEM;
	}
	return 0;
}

unsigned
out_table_rows(const struct out_table *t)
{
	return t->rows;
}

/* Display width: one column per UTF-8 character (continuation bytes are free). */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
print_cell(FILE *f, const char *s, size_t width, enum out_align align, bool last)
{
	size_t w = text_width(s);
	size_t pad = width > w ? width - w : 0;

	if (align == OUT_RIGHT)
		fprintf(f, "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, f);
	else
		fprintf(f, "%s%*s", s, (int)pad, "");
}

/* One line of cells (NULL = empty); empty cells at the end print nothing. */
static void
print_line(const struct out_table *t, const char *const *cells, const size_t *width, FILE *f)
{
	unsigned c, last = 0;

	for (c = 0; c < t->ncols; c++)
		if (cells[c] != NULL && cells[c][0] != '\0')
			last = c;
	for (c = 0; c <= last && c < t->ncols; c++) {
		if (c > 0)
			fputs("  ", f);
		print_cell(f, cells[c] ? cells[c] : "", width[c], t->cols[c].align, c == last);
	}
	fputc('\n', f);
}

void
out_table_print(const struct out_table *t, FILE *f)
{
	size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));
	bool header = false;
	unsigned r, c;

	if (width == NULL)
		return;
	for (c = 0; c < t->ncols; c++) {
		if (t->cols[c].header != NULL) {
			header = true;
			width[c] = text_width(t->cols[c].header);
		}
	}
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = t->cells[(size_t)r * t->ncols + c];
			size_t w = s ? text_width(s) : 0;

			if (w > width[c])
				width[c] = w;
		}
	}
	if (header) {
		const char **h = calloc(t->ncols, sizeof(*h));

		for (c = 0; h != NULL && c < t->ncols; c++)
			h[c] = t->cols[c].header;
		if (h != NULL)
			print_line(t, h, width, f);
		free(h);
	}
	for (r = 0; r < t->rows; r++)
		print_line(t, (const char *const *)&t->cells[(size_t)r * t->ncols], width, f);
	free(width);
}

void
out_table_free(struct out_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < (size_t)t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->cols);
	free(t);
}

/*
 * Length of the valid UTF-8 sequence at @s (1-4), or 0 if it is not one:
 * overlong forms, surrogates and code points above U+10FFFF are invalid
 * (RFC 3629 section 4).
 */
static int
utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void
out_json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		int n;

		switch (c) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\b': fputs("\\b", f); s++; continue;
		case '\f': fputs("\\f", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			fputc(c, f);
			s++;
		} else if ((n = utf8_seq_len(s)) > 0) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	fputc('"', f);
}

void
out_json_init(struct out_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Separator before a value or key at the current level. */
static void
json_sep(struct out_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void
json_open(struct out_json *j, char c)
{
	json_sep(j);
	fputc(c, j->f);
	if (j->depth + 1 < OUT_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void
json_close(struct out_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void out_json_obj_begin(struct out_json *j) { json_open(j, '{'); }
void out_json_obj_end(struct out_json *j) { json_close(j, '}'); }
void out_json_arr_begin(struct out_json *j) { json_open(j, '['); }
void out_json_arr_end(struct out_json *j) { json_close(j, ']'); }

void
out_json_key(struct out_json *j, const char *key)
{
	json_sep(j);
	out_json_escape(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void
out_json_str(struct out_json *j, const char *s)
{
	json_sep(j);
	out_json_escape(j->f, s);
}

void
out_json_u64(struct out_json *j, uint64_t v)
{
	json_sep(j);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void
out_json_bool(struct out_json *j, bool v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->f);
}

void
out_json_null(struct out_json *j)
{
	json_sep(j);
	fputs("null", j->f);
}

void
out_json_end_doc(struct out_json *j)
{
	fputc('\n', j->f);
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

void
out_json_kstr(struct out_json *j, const char *key, const char *s)
{
	out_json_key(j, key);
	out_json_str(j, s);
}

void
out_json_ku64(struct out_json *j, const char *key, uint64_t v)
{
	out_json_key(j, key);
	out_json_u64(j, v);
}

void
out_json_kbool(struct out_json *j, const char *key, bool v)
{
	out_json_key(j, key);
	out_json_bool(j, v);
}
