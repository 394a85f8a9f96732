#define G_LOG_DOMAIN "ImssJournal"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "imss-journal.h"

#define IMSS_JOURNAL_SOCKET "/run/systemd/journal/socket"
/* an event's wait for room in the journal's queue (imss_journal_send()) */
#define IMSS_JOURNAL_EVENT_WAIT_MS 100

/* syslog priorities: a critical is an error of the service (err), not a
 * warning as GLib's journal writer files it */
static const gchar *
imss_journal_priority(GLogLevelFlags level)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return "3";
	if (level & G_LOG_LEVEL_WARNING)
		return "4";
	if (level & G_LOG_LEVEL_MESSAGE)
		return "5";
	if (level & G_LOG_LEVEL_INFO)
		return "6";
	return "7";
}

/* the journal's socket, or NULL when stderr is not the journal's */
static const gchar *
imss_journal_socket_path(void)
{
	static const gchar *path = NULL;
	static gsize once = 0;
	if (g_once_init_enter(&once)) {
		const gchar *env = g_getenv("IMSS_JOURNAL_SOCKET");
		if (env != NULL && *env == '/')
			path = g_strdup(env);
		else if (g_log_writer_is_journald(STDERR_FILENO))
			path = IMSS_JOURNAL_SOCKET;
		g_once_init_leave(&once, 1);
	}
	return path;
}

/* one field in the native protocol: KEY=value, or, for a value holding a
 * newline, KEY, a newline, its length (64-bit little endian) and the value */
static void
imss_journal_append(GByteArray *dgram, const gchar *key, gconstpointer value, gssize length)
{
	gsize len = length < 0 ? strlen(value) : (gsize)length;
	g_byte_array_append(dgram, (const guint8 *)key, strlen(key));
	if (memchr(value, '\n', len) == NULL) {
		g_byte_array_append(dgram, (const guint8 *)"=", 1);
	} else {
		guint64 le = GUINT64_TO_LE((guint64)len);
		g_byte_array_append(dgram, (const guint8 *)"\n", 1);
		g_byte_array_append(dgram, (const guint8 *)&le, sizeof(le));
	}
	g_byte_array_append(dgram, value, len);
	g_byte_array_append(dgram, (const guint8 *)"\n", 1);
}

static gboolean
imss_journal_send(const gchar *path, GLogLevelFlags level, const GLogField *fields, gsize n_fields)
{
	static gsize fd = 0; /* the socket + 1; 1 when none could be made */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	g_autoptr(GByteArray) dgram = g_byte_array_new();
	gboolean event = FALSE;

	if (strlen(path) >= sizeof(sa.sun_path))
		return FALSE;
	strcpy(sa.sun_path, path);
	if (g_once_init_enter(&fd)) {
		gint s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		/* how long an event waits for room in the journal's queue */
		const struct timeval wait = {.tv_sec = 0, .tv_usec = IMSS_JOURNAL_EVENT_WAIT_MS * 1000};
		if (s >= 0)
			setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
		g_once_init_leave(&fd, s < 0 ? 1 : (gsize)s + 1);
	}
	if (fd <= 1)
		return FALSE;
	imss_journal_append(dgram, "PRIORITY", imss_journal_priority(level), -1);
	imss_journal_append(dgram, "SYSLOG_IDENTIFIER", "imss-licensed", -1);
	for (gsize i = 0; i < n_fields; i++) {
		if (g_strcmp0(fields[i].key, "PRIORITY") == 0 || fields[i].value == NULL)
			continue;
		event |= g_strcmp0(fields[i].key, "MESSAGE_ID") == 0;
		imss_journal_append(dgram, fields[i].key, fields[i].value, fields[i].length);
	}
	/* A full queue (the kernel holds net.unix.max_dgram_qlen datagrams:
	 * 512 under systemd, 10 without it): a line never waits for the
	 * journal, it goes to stderr; an event (a MESSAGE_ID, what monitoring
	 * looks for) waits up to IMSS_JOURNAL_EVENT_WAIT_MS for room, so that
	 * a burst of debug lines does not cost it its fields, and only then
	 * goes to stderr too. */
	return sendto((gint)fd - 1, dgram->data, dgram->len,
		      MSG_NOSIGNAL | (event ? 0 : MSG_DONTWAIT),
		      (struct sockaddr *)&sa, sizeof(sa)) >= 0;
}

GLogWriterOutput
imss_journal_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	const gchar *path = imss_journal_socket_path();
	const gchar *domain = NULL;
	for (gsize i = 0; i < n_fields; i++)
		if (g_strcmp0(fields[i].key, "GLIB_DOMAIN") == 0)
			domain = fields[i].value;
	if (path != NULL && !g_log_writer_default_would_drop(level, domain) &&
	    imss_journal_send(path, level, fields, n_fields))
		return G_LOG_WRITER_HANDLED;
	return g_log_writer_default(level, fields, n_fields, user_data);
}

void
imss_journal_event(GLogLevelFlags level,
		   const gchar *message_id,
		   const gchar *slot,
		   const gchar *format,
		   ...)
{
	g_autofree gchar *message = NULL;
	va_list args;
	GLogField fields[] = {
	    {"GLIB_DOMAIN", G_LOG_DOMAIN, -1},
	    {"MESSAGE_ID", message_id, -1},
	    {"MESSAGE", NULL, -1},
	    {"IMSS_SLOT", slot, -1},
	};

	g_return_if_fail(message_id != NULL);
	g_return_if_fail(format != NULL);
	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	fields[2].value = message;
	g_log_structured_array(level, fields, slot != NULL ? 4 : 3);
}

void
imss_journal_fatal(const gchar *message)
{
	const gchar *path = imss_journal_socket_path();
	const GLogField fields[] = {
	    {"GLIB_DOMAIN", G_LOG_DOMAIN, -1},
	    {"MESSAGE_ID", IMSS_MSGID_START_FAILED, -1},
	    {"MESSAGE", message, -1},
	};
	g_return_if_fail(message != NULL);
	if (path != NULL && imss_journal_send(path, G_LOG_LEVEL_CRITICAL, fields, G_N_ELEMENTS(fields)))
		return;
	g_printerr("imss-licensed: %s\n", message);
}
