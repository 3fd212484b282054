// link: -lhiredis
/* Reads a private redis-server back for the integration suite (hiredis).
   usage: redis-dump PORT keys PATTERN   -> "key<TAB>value" lines, sorted
          redis-dump PORT take PATTERN   -> keys, then flush (one run)
          redis-dump PORT del KEY        -> deletes KEY
          redis-dump PORT flush          -> deletes every key
          redis-dump PORT connections    -> total_connections_received
          redis-dump PORT clients        -> connected_clients
   The counters include this tool's own connection. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static redisReply *command(redisContext *ctx, const char *fmt, const char *arg)
{
	redisReply *reply = redisCommand(ctx, fmt, arg);

	if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "redis-dump: %s\n",
			reply != NULL ? reply->str : ctx->errstr);
		exit(2);
	}
	return reply;
}

static void dump_keys(redisContext *ctx, const char *pattern)
{
	redisReply *keys = command(ctx, "KEYS %s", pattern);
	char **names = calloc(keys->elements + 1, sizeof(*names));
	size_t i;

	for (i = 0; i < keys->elements; i++)
		names[i] = keys->element[i]->str;
	qsort(names, keys->elements, sizeof(*names), cmp_str);
	for (i = 0; i < keys->elements; i++) {
		redisReply *val = command(ctx, "GET %s", names[i]);

		printf("%s\t%s\n", names[i],
		       val->type == REDIS_REPLY_STRING ? val->str : "<non-string>");
		freeReplyObject(val);
	}
	free(names);
	freeReplyObject(keys);
}

/* Prints the value of one "name:value" line of INFO. */
static void info_field(redisContext *ctx, const char *field)
{
	redisReply *info = command(ctx, "INFO %s", "all");
	size_t len = strlen(field);
	const char *p = info->str;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, field, len) == 0 && p[len] == ':') {
			printf("%.*s\n", (int)strcspn(p + len + 1, "\r\n"),
			       p + len + 1);
			freeReplyObject(info);
			return;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	fprintf(stderr, "redis-dump: no INFO field %s\n", field);
	exit(2);
}

int main(int argc, char **argv)
{
	redisContext *ctx;

	if (argc < 3) {
		fprintf(stderr, "usage: redis-dump PORT keys PATTERN|"
			"take PATTERN|del KEY|flush|connections|clients\n");
		return 2;
	}
	ctx = redisConnect("127.0.0.1", atoi(argv[1]));
	if (ctx == NULL || ctx->err) {
		fprintf(stderr, "redis-dump: connect: %s\n",
			ctx != NULL ? ctx->errstr : "out of memory");
		return 2;
	}
	if (strcmp(argv[2], "keys") == 0 && argc == 4)
		dump_keys(ctx, argv[3]);
	else if (strcmp(argv[2], "take") == 0 && argc == 4) {
		dump_keys(ctx, argv[3]);
		freeReplyObject(command(ctx, "FLUSHALL%s", ""));
	} else if (strcmp(argv[2], "del") == 0 && argc == 4)
		freeReplyObject(command(ctx, "DEL %s", argv[3]));
	else if (strcmp(argv[2], "flush") == 0)
		freeReplyObject(command(ctx, "FLUSHALL%s", ""));
	else if (strcmp(argv[2], "connections") == 0)
		info_field(ctx, "total_connections_received");
	else if (strcmp(argv[2], "clients") == 0)
		info_field(ctx, "connected_clients");
	else {
		fprintf(stderr, "redis-dump: bad arguments\n");
		return 2;
	}
	redisFree(ctx);
	return 0;
}
