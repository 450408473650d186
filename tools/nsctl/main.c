/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c: nsctl, the command-line client of nsdp.
 *
 *   nsctl [-j|--json] [-s SOCKET] OBJECT COMMAND [ARGS]
 *   nsctl [-j] [-s SOCKET] -b FILE|-
 *
 * Owns the options, the table of nouns and commands (filled by the
 * cmd_*.c files from constructors), dispatch of one line of words, help,
 * error reports with a caret under the offending word, and batch mode: one
 * connection, many lines, reads pipelined (see nsctl.h), stop at the first
 * failing line and name its number.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

#define NSCTL_MAX_CMDS 128
#define NSCTL_MAX_EVENTS 32

static const struct nsctl_cmd *cmds[NSCTL_MAX_CMDS];
static unsigned nb_cmds;
static const struct nsctl_event *events[NSCTL_MAX_EVENTS];
static unsigned nb_events;

void
nsctl_register(const struct nsctl_cmd *table, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && nb_cmds < NSCTL_MAX_CMDS; i++)
		cmds[nb_cmds++] = &table[i];
}

void
nsctl_register_event(const struct nsctl_event *ev)
{
	if (nb_events < NSCTL_MAX_EVENTS)
		events[nb_events++] = ev;
}

const struct nsctl_event *
nsctl_event_find(unsigned obj)
{
	unsigned i;

	for (i = 0; i < nb_events; i++)
		if (events[i]->obj == obj)
			return events[i];
	return NULL;
}

#define G(obj) (UINT32_C(1) << (obj))
/* The paper's nouns, in its order. A noun is served when a command file registered it. */
static const struct nsctl_noun nouns[] = {
	{ "driver", G(NSDP_OBJ_DRIVER) },
	{ "port", G(NSDP_OBJ_PORT) },
	{ "ifd", G(NSDP_OBJ_IFD) },
	{ "ifl", G(NSDP_OBJ_IFL) },
	{ "iff", G(NSDP_OBJ_IFF) },
	{ "ifa", G(NSDP_OBJ_IFA) },
	{ "table", G(NSDP_OBJ_TABLE) },
	{ "route", G(NSDP_OBJ_ROUTE) },
	{ "nexthop", G(NSDP_OBJ_NEXTHOP) },
	{ "neigh", G(NSDP_OBJ_NEIGH) },
	{ "demux", G(NSDP_OBJ_L2DEMUX) | G(NSDP_OBJ_L3DEMUX) },
	{ "stats", G(NSDP_OBJ_STATS) },
	{ "monitor", 0 },
	{ "version", 0 },
};

const struct nsctl_noun *
nsctl_noun_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++)
		if (strcmp(nouns[i].name, name) == 0)
			return &nouns[i];
	return NULL;
}

bool
nsctl_noun_available(const char *name)
{
	unsigned i;

	for (i = 0; i < nb_cmds; i++)
		if (strcmp(cmds[i]->object, name) == 0)
			return true;
	return false;
}

/* ---- error reports ----------------------------------------------------- */

/*
 * In batch mode a line's error is found before it is sent, while earlier
 * lines may still be in flight: their replies come first, and the first
 * failing line is the one reported. Returns non-zero if an earlier line
 * failed (and was reported), so the caller's error must not be.
 */
static int
earlier_failure(struct nsctl_ctx *ctx)
{
	const struct nsctl_line *line = ctx->line;
	const char *what = ctx->what;
	int rc;

	if (!ctx->batch || (ctx->count == 0 && ctx->flush == NULL) || ctx->receiving)
		return 0;
	rc = nsctl_drain(ctx);
	ctx->line = line;
	ctx->what = what;
	return rc;
}

static void
err_prefix(struct nsctl_ctx *ctx)
{
	fputs("nsctl: ", stderr);
	if (ctx->line != NULL && ctx->line->lineno != 0)
		fprintf(stderr, "line %u: ", ctx->line->lineno);
	if (ctx->what != NULL)
		fprintf(stderr, "%s: ", ctx->what);
}

/* The line, then a caret (and tildes) under columns [col, col + len). */
static void
err_caret(const struct nsctl_line *line, unsigned col, size_t len)
{
	unsigned i;

	fprintf(stderr, "  %s\n  ", line->text);
	for (i = 0; i < col; i++)
		fputc(line->text[i] == '\t' ? '\t' : ' ', stderr);
	fputc('^', stderr);
	for (i = 1; i < len; i++)
		fputc('~', stderr);
	fputc('\n', stderr);
}

int
nsctl_err(struct nsctl_ctx *ctx, int status, const char *fmt, ...)
{
	va_list ap;
	int rc = earlier_failure(ctx);

	if (rc != 0)
		return rc;
	err_prefix(ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int
nsctl_err_word(struct nsctl_ctx *ctx, char *const *wordp, const char *fmt, ...)
{
	const struct nsctl_line *line = ctx->line;
	va_list ap;
	long w;
	int rc = earlier_failure(ctx);

	if (rc != 0)
		return rc;
	err_prefix(ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (line == NULL)
		return NSCTL_USAGE;
	w = wordp - (char *const *)line->words;
	if (w >= 0 && w < line->nwords)
		err_caret(line, line->col[w], strlen(line->words[w]));
	return NSCTL_USAGE;
}

int
nsctl_err_missing(struct nsctl_ctx *ctx, const char *what_is_missing)
{
	const struct nsctl_line *line = ctx->line;
	int rc = earlier_failure(ctx);

	if (rc != 0)
		return rc;
	err_prefix(ctx);
	fprintf(stderr, "missing %s\n", what_is_missing);
	if (line != NULL)
		err_caret(line, line->col[line->nwords] + 1, 1);
	return NSCTL_USAGE;
}

/* ---- argument helpers -------------------------------------------------- */

int
nsctl_parse_port(struct nsctl_ctx *ctx, char *const *wordp, uint32_t *port)
{
	const char *s = *wordp;
	unsigned long v;
	char *end;

	/* Decimal only: "010" or "0x1" are typos more often than intent. */
	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return nsctl_err_word(ctx, wordp, "'%s' is not a port id", s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT16_MAX)
		return nsctl_err_word(ctx, wordp, "'%s' is not a port id", s);
	*port = (uint32_t)v;
	return 0;
}

int
nsctl_no_more(struct nsctl_ctx *ctx, int argc, char **argv, int used)
{
	if (argc > used)
		return nsctl_err_word(ctx, &argv[used], "unexpected '%s'", argv[used]);
	return 0;
}

/* ---- help -------------------------------------------------------------- */

void
nsctl_usage_of(const struct nsctl_cmd *cmd, FILE *f)
{
	const char *nl = strchr(cmd->usage, '\n');
	int synopsis = nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage);

	fprintf(f, "usage: nsctl [-j] [-s SOCKET] %.*s\n", synopsis, cmd->usage);
	if (nl != NULL)
		fprintf(f, "%s\n", nl + 1);
}

static void
usage_object(const char *object, FILE *f)
{
	unsigned i;

	fprintf(f, "usage: nsctl [-j] [-s SOCKET] %s COMMAND [ARGS]\ncommands:\n", object);
	for (i = 0; i < nb_cmds; i++) {
		const char *nl;

		if (strcmp(cmds[i]->object, object) != 0)
			continue;
		nl = strchr(cmds[i]->usage, '\n');
		fprintf(f, "  nsctl %.*s\n",
			nl ? (int)(nl - cmds[i]->usage) : (int)strlen(cmds[i]->usage),
			cmds[i]->usage);
	}
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: nsctl [-j|--json] [-s|--socket SOCKET] OBJECT COMMAND [ARGS]\n"
		"       nsctl [-j] [-s SOCKET] -b|--batch FILE|-\n"
		"       nsctl OBJECT [COMMAND] --help\n"
		"options:\n"
		"  -j, --json          print JSON (one document per command)\n"
		"  -s, --socket PATH   nsdp's control socket (default %s)\n"
		"  -b, --batch FILE    run the commands of FILE (- = stdin), one per line,\n"
		"                      over one connection; stop at the first failing line\n"
		"  -h, --help          this help\n"
		"objects:", NSDP_SOCK_DEFAULT);
	for (i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++)
		fprintf(f, " %s%s", nouns[i].name, nsctl_noun_available(nouns[i].name) ? "" : "*");
	fprintf(f, "\n  (* not available yet in this nsdp)\n");
}

static bool
is_help(const char *w)
{
	return strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0 || strcmp(w, "help") == 0;
}

/* ---- dispatch ---------------------------------------------------------- */

/* Split @text into @line's words at blanks; '#' starts a comment. */
static int
line_split(struct nsctl_line *line, const char *text, unsigned lineno)
{
	size_t i = 0, n = strlen(text);

	line->lineno = lineno;
	line->nwords = 0;
	if (n >= sizeof(line->text))
		return -E2BIG;
	memcpy(line->text, text, n + 1);
	while (n > 0 && (line->text[n - 1] == '\n' || line->text[n - 1] == '\r'))
		line->text[--n] = '\0';
	memcpy(line->buf, line->text, n + 1);
	while (i < n) {
		while (i < n && (line->buf[i] == ' ' || line->buf[i] == '\t'))
			i++;
		if (i >= n || line->buf[i] == '#')
			break;
		if (line->nwords == NSCTL_MAX_WORDS)
			return -E2BIG;
		line->col[line->nwords] = (unsigned)i;
		line->words[line->nwords++] = &line->buf[i];
		while (i < n && line->buf[i] != ' ' && line->buf[i] != '\t')
			i++;
		line->buf[i++] = '\0';
	}
	line->col[line->nwords] = line->nwords ? line->col[line->nwords - 1] +
		(unsigned)strlen(line->words[line->nwords - 1]) - 1 : 0;
	return 0;
}

/* The words of the command line, joined as the text shown under errors. */
static int
line_from_argv(struct nsctl_line *line, int argc, char **argv)
{
	size_t len = 0;
	int i;

	line->lineno = 0;
	line->nwords = 0;
	if (argc > NSCTL_MAX_WORDS)
		return -E2BIG;
	len = (size_t)snprintf(line->text, sizeof(line->text), "nsctl");
	for (i = 0; i < argc; i++) {
		size_t wl = strlen(argv[i]);

		if (len + 1 + wl + 1 > sizeof(line->text))
			return -E2BIG;
		line->text[len++] = ' ';
		line->col[i] = (unsigned)len;
		memcpy(&line->text[len], argv[i], wl + 1);
		line->words[i] = argv[i];
		len += wl;
	}
	line->nwords = argc;
	line->col[argc] = (unsigned)len - 1;
	return 0;
}

static const struct nsctl_cmd *
cmd_find(const char *object, const char *command)
{
	unsigned i;

	for (i = 0; i < nb_cmds; i++) {
		if (strcmp(cmds[i]->object, object) != 0)
			continue;
		if (cmds[i]->command == NULL ? command == NULL
					     : command != NULL && strcmp(cmds[i]->command, command) == 0)
			return cmds[i];
	}
	return NULL;
}

/* Run one line of words. 0 or an exit status (reported). */
static int
run_line(struct nsctl_ctx *ctx, struct nsctl_line *line)
{
	char **w = line->words;
	const struct nsctl_cmd *cmd;
	static char what[64];
	int i, first;

	ctx->line = line;
	ctx->what = NULL;
	if (line->nwords == 0)
		return 0;
	if (is_help(w[0]) && line->nwords == 1) {
		usage(ctx->out);
		return 0;
	}
	if (nsctl_noun_find(w[0]) == NULL)
		return nsctl_err_word(ctx, &w[0], "unknown object '%s' (try nsctl --help)", w[0]);
	if (!nsctl_noun_available(w[0]))
		return nsctl_err_word(ctx, &w[0], "'%s' is not available yet in this nsdp", w[0]);
	snprintf(what, sizeof(what), "%s", w[0]);
	ctx->what = what;

	/* Object-only commands (monitor, version) take their words directly. */
	cmd = cmd_find(w[0], NULL);
	if (cmd != NULL) {
		first = 1;
	} else {
		if (line->nwords < 2)
			return nsctl_err_missing(ctx, "command (try nsctl OBJECT --help)");
		if (is_help(w[1])) {
			usage_object(w[0], ctx->out);
			return 0;
		}
		cmd = cmd_find(w[0], w[1]);
		if (cmd == NULL)
			return nsctl_err_word(ctx, &w[1], "unknown command '%s' (try nsctl %s --help)",
					      w[1], w[0]);
		snprintf(what, sizeof(what), "%s %s", w[0], w[1]);
		first = 2;
	}
	for (i = first; i < line->nwords; i++) {
		if (strcmp(w[i], "--help") == 0 || strcmp(w[i], "-h") == 0) {
			nsctl_usage_of(cmd, ctx->out);
			return 0;
		}
	}
	return cmd->fn(ctx, line->nwords - first, &w[first]);
}

static int
run_batch(struct nsctl_ctx *ctx, const char *path)
{
	static struct nsctl_line line;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0, rc2;

	if (f == NULL) {
		fprintf(stderr, "nsctl: cannot open batch file %s: %s\n", path, strerror(errno));
		return NSCTL_USAGE;
	}
	ctx->batch = true;
	while (getline(&text, &cap, f) >= 0) {
		lineno++;
		if (line_split(&line, text, lineno) < 0) {
			ctx->line = NULL;
			rc = nsctl_drain(ctx);
			if (rc == 0) {
				fprintf(stderr, "nsctl: line %u: line too long (%d characters or "
						"%d words at most)\n", lineno, NSCTL_LINE_MAX - 1,
					NSCTL_MAX_WORDS);
				rc = NSCTL_USAGE;
			}
			break;
		}
		if (line.nwords > 0 && strcmp(line.words[0], "monitor") == 0) {
			rc = nsctl_drain(ctx);
			if (rc == 0) {
				ctx->line = &line;
				ctx->what = NULL;
				rc = nsctl_err_word(ctx, &line.words[0], "monitor cannot run in batch mode");
			}
			break;
		}
		rc = run_line(ctx, &line);
		if (rc != 0)
			break;
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "nsctl: reading %s: %s\n", path, strerror(errno));
		rc = NSCTL_USAGE;
	}
	rc2 = rc == 0 ? nsctl_drain(ctx) : 0;
	free(text);
	if (f != stdin)
		fclose(f);
	return rc ? rc : rc2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct nsctl_line line;
	static struct nsctl_ctx ctx;
	const char *batch = NULL;
	int opt, rc;

	ctx.sock_path = NSDP_SOCK_DEFAULT;
	ctx.out = stdout;
	ctx.conn.fd = -1;
	/* '+': options end at the first word, so "port show --help" reaches the command. */
	while ((opt = getopt_long(argc, argv, "+js:b:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			ctx.json = true;
			break;
		case 's':
			ctx.sock_path = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return NSCTL_USAGE;
		}
	}
	out_json_init(&ctx.js, stdout);
	ctx.win = calloc(NSCTL_WINDOW, sizeof(*ctx.win));
	if (ctx.win == NULL) {
		fprintf(stderr, "nsctl: out of memory\n");
		return NSCTL_FAIL;
	}
	if (batch != NULL) {
		if (optind < argc) {
			fprintf(stderr, "nsctl: -b: unexpected '%s' (commands come from the file)\n",
				argv[optind]);
			return NSCTL_USAGE;
		}
		rc = run_batch(&ctx, batch);
	} else if (optind == argc) {
		usage(stderr);
		rc = NSCTL_USAGE;
	} else if (line_from_argv(&line, argc - optind, &argv[optind]) < 0) {
		fprintf(stderr, "nsctl: too many or too long arguments\n");
		rc = NSCTL_USAGE;
	} else {
		rc = run_line(&ctx, &line);
	}
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "nsctl: writing output: %s\n", strerror(errno));
		rc = NSCTL_FAIL;
	}
	if (ctx.connected)
		conn_close(&ctx.conn);
	free(ctx.win);
	return rc;
}

int
nsctl_port_arg(struct nsctl_ctx *ctx, int argc, char **argv, int max_args, uint32_t *port)
{
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "PORT (a port id, see nsctl port list)");
	rc = nsctl_parse_port(ctx, &argv[0], port);
	if (rc == 0 && max_args > 0)
		rc = nsctl_no_more(ctx, argc, argv, max_args);
	return rc;
}
