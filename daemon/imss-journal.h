#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The operator-relevant events, each with a journal MESSAGE_ID (their
 * explanations: data/imss-licensed.catalog, installed into systemd's
 * catalog directory; journalctl -x shows them) */
#define IMSS_MSGID_START_FAILED	     "3c32ba757c134821a7d7553049d8e727"
#define IMSS_MSGID_ACTIVATED	     "3614d09e618d4a99aec8bf38ca1488ab"
#define IMSS_MSGID_RENEWED	     "9c55893cbfc344d89ad922f44974da39"
#define IMSS_MSGID_CHECKED	     "59ecb4610d76445688ff1ede608e98c9"
#define IMSS_MSGID_STATE_CHANGED     "dc6906b3b39b4f959ef958f52f09730f"
#define IMSS_MSGID_GRACE_ENDED	     "4d4680ca09244e1bafda203265cd518a"
#define IMSS_MSGID_CHECK_FAILED	     "a9e05542747646bb8b8225207df633a8"
#define IMSS_MSGID_MAIL_FAILED	     "ab738197fac14950b1de1cda75cf590e"
#define IMSS_MSGID_DEPLOYMENT_FAILED "8ee97eeaffa544a4aaf764b03eaa8105"

/* logs @format as an event with MESSAGE_ID=@message_id and, when @slot is
 * not NULL, IMSS_SLOT=@slot (the journal's fields; on a terminal the plain
 * message as every other log line) */
void
imss_journal_event(GLogLevelFlags level,
		   const gchar *message_id,
		   const gchar *slot,
		   const gchar *format,
		   ...) G_GNUC_PRINTF(4, 5);

/* a fatal start-up error: to the journal at priority err (PRIORITY=3) with
 * MESSAGE_ID=IMSS_MSGID_START_FAILED, on a terminal "imss-licensed: MESSAGE"
 * on stderr; never aborts (unlike g_critical under G_DEBUG=fatal-criticals) */
void
imss_journal_fatal(const gchar *message);

/* the process's log writer: the journal's native protocol with every field
 * when stderr is connected to the journal (or $IMSS_JOURNAL_SOCKET names a
 * socket, for tests), else GLib's default writer */
GLogWriterOutput
imss_journal_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data);

G_END_DECLS
