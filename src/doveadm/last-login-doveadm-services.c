/* Copyright (c) the dovecot-last-login authors; MIT license, see LICENSE */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "fd-util.h"
#include "last-login-report.h"
#include "last-login-doveadm-services.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Services that are no protocol but may load mail plugins. */
static const char *const last_login_doveadm_extra_services[] = {
	"lda", "doveadm", NULL
};

/* Run doveconf with args (after its path), its output into out.
   Returns 0 if it exited 0, else -1 with error_r set. */
static int
last_login_doveadm_doveconf(const char *const *args, string_t *out,
			    const char **error_r)
{
	ARRAY_TYPE(const_string) argv;
	const char *path = LAST_LOGIN_DOVECONF, *const *arg;
	/* none of this process's: inside a service process (a doveadm
	   server) its master-service variables make doveconf take fds it
	   does not have for its own listeners, and abort */
	char *const no_env[] = { NULL };
	int fds[2], status, null_fd;
	char buf[1024];
	ssize_t ret;
	pid_t pid;

	t_array_init(&argv, 8);
	array_push_back(&argv, &path);
	for (arg = args; *arg != NULL; arg++)
		array_push_back(&argv, arg);
	array_append_zero(&argv);

	if (pipe(fds) < 0) {
		*error_r = t_strdup_printf("pipe() failed: %m");
		return -1;
	}
	if ((pid = fork()) < 0) {
		*error_r = t_strdup_printf("fork() failed: %m");
		i_close_fd(&fds[0]);
		i_close_fd(&fds[1]);
		return -1;
	}
	if (pid == 0) {
		null_fd = open("/dev/null", O_WRONLY);
		if (dup2(fds[1], STDOUT_FILENO) < 0 ||
		    (null_fd != -1 && dup2(null_fd, STDERR_FILENO) < 0))
			_exit(127);
		execve(path, (char *const *)array_front(&argv), no_env);
		_exit(127);
	}
	i_close_fd(&fds[1]);
	while ((ret = read(fds[0], buf, sizeof(buf))) != 0) {
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		str_append_data(out, buf, ret);
	}
	i_close_fd(&fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			*error_r = t_strdup_printf("waitpid() failed: %m");
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*error_r = t_strdup_printf("%s %s failed (status %d)", path,
					   t_strarray_join(args, " "),
					   status);
		return -1;
	}
	return 0;
}

/* The config file behind config_path. Inside a service process (a
   doveadm server, the HTTP API) the path Dovecot hands over is the
   config process's socket, which doveconf can't read (it exits 89);
   the master keeps a link to its config file beside that socket, in
   base_dir, as dovecot.conf (master: create_config_symlink()). */
static const char *last_login_doveadm_config_file(const char *config_path)
{
	const char *p;
	struct stat st;

	if (stat(config_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return config_path;
	p = strrchr(config_path, '/');
	return t_strconcat(p == NULL ? "." : t_strdup_until(config_path, p),
			   "/dovecot.conf", NULL);
}

int last_login_doveadm_services_get(const char *config_path, pool_t pool,
				    ARRAY_TYPE(const_string) *services,
				    const char **error_r)
{
	ARRAY_TYPE(const_string) candidates;
	const char *const *names, *name, *filter;
	string_t *out = t_str_new(256);

	config_path = last_login_doveadm_config_file(config_path);

	if (last_login_doveadm_doveconf((const char *const []){
			"-c", config_path, "-h", "protocols", NULL },
			out, error_r) < 0)
		return -1;
	t_array_init(&candidates, 8);
	/* 2.3 prints "imap pop3", 2.4 may print one name per line */
	names = t_strsplit_spaces(str_c(out), " \n");
	for (; *names != NULL; names++) {
		if (strcmp(*names, "=") == 0 || strcmp(*names, "yes") == 0)
			continue;
		if (strcmp(*names, "no") == 0) {
			/* 2.4's "NAME = no": not a protocol after all */
			array_pop_back(&candidates);
			continue;
		}
		array_push_back(&candidates, names);
	}
	for (names = last_login_doveadm_extra_services; *names != NULL;
	     names++)
		array_push_back(&candidates, names);

	array_foreach_elem(&candidates, name) {
		if (array_lsearch(services, &name, i_strcmp_p) != NULL)
			continue;
		str_truncate(out, 0);
		filter = t_strconcat("protocol=", name, NULL);
		if (last_login_doveadm_doveconf((const char *const []){
				"-c", config_path, "-f", filter,
				"-h", "mail_plugins", NULL },
				out, error_r) < 0)
			return -1;
		if (last_login_report_plugins_have_last_login(str_c(out))) {
			name = p_strdup(pool, name);
			array_push_back(services, &name);
		}
	}
	return 0;
}
