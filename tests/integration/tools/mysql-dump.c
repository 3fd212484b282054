// link: -I/usr/include/mariadb -lmariadb
/* mysql-dump: prints every row of one MariaDB/MySQL table as TSV, sorted
   bytewise, so that a test can compare the stored rows exactly.

   usage: mysql-dump SOCKET DATABASE TABLE

   Connects as root over the server's unix socket. NULL prints as "NULL".
   Exit status: 0 rows printed (maybe none), 1 query/connect error (the
   server's message on stderr), 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysql.h>

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int valid_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	}
	return 1;
}

/* One row as a malloc()ed "f1\tf2\t..." line. */
static char *row_line(MYSQL_ROW row, unsigned long *lens,
		      unsigned int nfields)
{
	size_t size = 1, pos = 0;
	unsigned int i;
	char *line;

	for (i = 0; i < nfields; i++)
		size += (row[i] == NULL ? 4 : lens[i]) + 1;
	line = malloc(size);
	if (line == NULL) {
		perror("malloc");
		exit(1);
	}
	for (i = 0; i < nfields; i++) {
		if (i > 0)
			line[pos++] = '\t';
		if (row[i] == NULL) {
			memcpy(line + pos, "NULL", 4);
			pos += 4;
		} else {
			memcpy(line + pos, row[i], lens[i]);
			pos += lens[i];
		}
	}
	line[pos] = '\0';
	return line;
}

int main(int argc, char *argv[])
{
	MYSQL *conn;
	MYSQL_RES *res;
	MYSQL_ROW row;
	char query[300];
	char **lines;
	unsigned int nfields;
	size_t count = 0, i;

	if (argc != 4 || !valid_name(argv[3]) || strlen(argv[3]) > 200) {
		fprintf(stderr, "usage: mysql-dump SOCKET DATABASE TABLE\n");
		return 2;
	}
	conn = mysql_init(NULL);
	if (conn == NULL ||
	    mysql_real_connect(conn, NULL, "root", NULL, argv[2], 0,
			       argv[1], 0) == NULL) {
		fprintf(stderr, "mysql-dump: connect: %s\n",
			conn == NULL ? "out of memory" : mysql_error(conn));
		return 1;
	}
	snprintf(query, sizeof(query), "SELECT * FROM `%s`", argv[3]);
	if (mysql_query(conn, query) != 0 ||
	    (res = mysql_store_result(conn)) == NULL) {
		fprintf(stderr, "mysql-dump: %s\n", mysql_error(conn));
		mysql_close(conn);
		return 1;
	}
	nfields = mysql_num_fields(res);
	lines = calloc(mysql_num_rows(res) + 1, sizeof(*lines));
	if (lines == NULL) {
		perror("calloc");
		return 1;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		lines[count] = row_line(row, mysql_fetch_lengths(res),
					nfields);
		count++;
	}
	qsort(lines, count, sizeof(*lines), cmp_lines);
	for (i = 0; i < count; i++) {
		printf("%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	mysql_free_result(res);
	mysql_close(conn);
	return 0;
}
