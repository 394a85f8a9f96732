/*
 * `imss-licensectl history`, `schedule` and `fleet`: lists of records the
 * daemon keeps or plans, as a table or JSON, decoded with the common record
 * codec.
 */
#define G_LOG_DOMAIN "ImssCtl"

#include "config.h"

#include <glib/gi18n.h>

#include "imss-ctl.h"
#include "imss-records.h"

/* The cells of one row of a records table, decoded from @entry with the
 * common record codec (owned; "" is shown as "-"); FALSE when the codec
 * refuses @entry. */
typedef gboolean (*ImssCtlRowFunc)(GVariant *entry, gchar **cells, GError **error);

/* one record as a row of @ncols cells in @rows, and whole into @builder */
static gboolean
imss_ctl_add_record(GVariant *entry,
		    guint ncols,
		    ImssCtlRowFunc row_func,
		    GPtrArray *rows,
		    JsonBuilder *builder,
		    GError **error)
{
	gchar **row = g_new0(gchar *, ncols + 1);

	g_ptr_array_add(rows, row);
	if (!row_func(entry, row, error))
		return imss_ctl_malformed(error);
	for (guint c = 0; c < ncols; c++) {
		if (row[c] == NULL || *row[c] == '\0') {
			g_free(row[c]);
			row[c] = g_strdup("-");
		}
	}
	json_builder_add_value(builder, json_gvariant_serialize(entry));
	return TRUE;
}

/* Prints an aa{sv} of records: with --json every record whole (an array, or
 * the member an @envelope object builder was left at, which is then closed),
 * else a table under @headers; @empty_text when there is no record. Every
 * record is decoded first, so a malformed one fails the command either way. */
static gboolean
imss_ctl_print_records(ImssCtl *ctl,
		       GVariant *records,
		       const gchar *const *headers,
		       ImssCtlRowFunc row_func,
		       const gchar *empty_text,
		       JsonBuilder *envelope,
		       GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_autoptr(JsonBuilder) own = envelope == NULL ? json_builder_new() : NULL;
	JsonBuilder *builder = envelope != NULL ? envelope : own;
	guint ncols = g_strv_length((gchar **)headers);

	g_ptr_array_add(rows, g_strdupv((gchar **)headers));
	json_builder_begin_array(builder);
	for (gsize i = 0; i < g_variant_n_children(records); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(records, i);
		if (!imss_ctl_add_record(entry, ncols, row_func, rows, builder, error))
			return FALSE;
	}
	json_builder_end_array(builder);
	if (envelope != NULL)
		json_builder_end_object(builder);
	if (ctl->json)
		imss_ctl_print_json(builder);
	else if (rows->len == 1 && empty_text != NULL)
		g_print("%s\n", empty_text);
	else
		imss_ctl_print_table(rows, ncols);
	return TRUE;
}

/* -- history ---------------------------------------------------------------- */

static gboolean
imss_ctl_history_row(GVariant *entry, gchar **cells, GError **error)
{
	g_auto(ImssHistoryRecord) h = {NULL};
	if (!imss_history_record_from_variant(entry, &h, error))
		return FALSE;
	cells[0] = g_steal_pointer(&h.time);
	cells[1] = g_steal_pointer(&h.action);
	cells[2] = g_steal_pointer(&h.slot);
	cells[3] = g_steal_pointer(&h.code);
	cells[4] = g_steal_pointer(&h.caller);
	cells[5] = g_steal_pointer(&h.node);
	cells[6] = g_steal_pointer(&h.outcome);
	cells[7] = g_steal_pointer(&h.detail);
	return TRUE;
}

/* the JSON object around a page of history, left at its "entries" member */
static JsonBuilder *
imss_ctl_history_envelope(guint total, guint offset)
{
	JsonBuilder *envelope = json_builder_new();
	json_builder_begin_object(envelope);
	json_builder_set_member_name(envelope, "total");
	json_builder_add_int_value(envelope, total);
	json_builder_set_member_name(envelope, "offset");
	json_builder_add_int_value(envelope, offset);
	json_builder_set_member_name(envelope, "entries");
	return envelope;
}

/* under the table: which entries these are, and how to see older ones */
static void
imss_ctl_history_footer(guint offset, guint n, guint total)
{
	/* TRANSLATORS: under the history table: the first and the last entry
	 * shown (1 is the newest) and how many there are */
	g_print(_("Entries %u–%u of %u.\n"), offset + 1, offset + n, total);
	if (offset + n < total)
		/* TRANSLATORS: under the history table when there are older entries;
		 * %u is the offset of the next page */
		g_print(_("Older entries: imss-licensectl history --offset %u\n"), offset + n);
}

gboolean
imss_ctl_history(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) entries = NULL;
	/* TRANSLATORS: column headers of `imss-licensectl history` */
	const gchar *const headers[] = {_("TIME"),
					_("ACTION"),
					_("SLOT"),
					_("CODE"),
					_("BY"),
					_("NODE"),
					_("OUTCOME"),
					_("DETAIL"),
					NULL};
	g_autoptr(JsonBuilder) envelope = NULL;
	const gchar *empty;
	guint total = 0;
	guint n;

	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	/* one page: --limit (0: the daemon's default, 100; at most 500) entries
	 * from the --offset-th newest on */
	imss_client_get_history_page_async(ctl->client, ctl->offset, ctl->limit, NULL, imss_ctl_async_cb, ctl);
	entries = imss_client_get_history_page_finish(ctl->client, imss_ctl_wait(ctl), &total, error);
	if (entries == NULL)
		return FALSE;
	/* a page of 100 entries: through the pager on a terminal */
	imss_ctl_start_pager(ctl);
	n = (guint)g_variant_n_children(entries);
	envelope = imss_ctl_history_envelope(total, ctl->offset);
	if (total == 0)
		/* TRANSLATORS: `history` when nothing was recorded yet */
		empty = _("The history is empty.");
	else
		/* TRANSLATORS: `history --offset N` past the oldest entry */
		empty = _("There are no entries that old.");
	if (!imss_ctl_print_records(ctl, entries, headers, imss_ctl_history_row, empty, envelope, error))
		return FALSE;
	if (!ctl->json && n > 0)
		imss_ctl_history_footer(ctl->offset, n, total);
	return TRUE;
}

/* -- schedule --------------------------------------------------------------- */

static const gchar *
imss_ctl_event_text(const gchar *kind)
{
	if (g_strcmp0(kind, "check") == 0)
		/* TRANSLATORS: a scheduled event: automatic license-server check */
		return _("automatic license check");
	if (g_strcmp0(kind, "expiring") == 0)
		/* TRANSLATORS: a scheduled event: 60 days before expiry */
		return _("expiry notices begin (60 days left)");
	if (g_strcmp0(kind, "grace") == 0)
		/* TRANSLATORS: a scheduled event: the expiry date */
		return _("license expires; grace period begins");
	if (g_strcmp0(kind, "expired") == 0)
		/* TRANSLATORS: a scheduled event: end of the grace period */
		return _("grace period ends; component updates restricted");
	return kind;
}

static gboolean
imss_ctl_event_row(GVariant *entry, gchar **cells, GError **error)
{
	g_auto(ImssEventRecord) ev = {NULL};
	if (!imss_event_record_from_variant(entry, &ev, error))
		return FALSE;
	cells[0] = g_steal_pointer(&ev.time);
	cells[1] = g_steal_pointer(&ev.slot);
	cells[2] = g_strdup(*ev.kind != '\0' ? imss_ctl_event_text(ev.kind) : "");
	cells[3] = g_steal_pointer(&ev.offset);
	return TRUE;
}

gboolean
imss_ctl_schedule(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) events = NULL;
	/* TRANSLATORS: column headers of `imss-licensectl schedule` */
	const gchar *const headers[] = {_("TIME"),
					_("SLOT"),
					_("EVENT"),
					_("RELATIVE TO EXPIRY"),
					NULL};

	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_list_events_async(ctl->client, ctl->days, NULL, imss_ctl_async_cb, ctl);
	events = imss_client_list_events_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (events == NULL)
		return FALSE;
	return imss_ctl_print_records(ctl,
				      events,
				      headers,
				      imss_ctl_event_row,
				      /* TRANSLATORS: `schedule` when nothing is activated */
				      _("Nothing is scheduled: no license is activated."),
				      NULL,
				      error);
}

/* -- fleet ------------------------------------------------------------------ */

static gchar *
imss_ctl_unix_time(gint64 t)
{
	g_autoptr(GDateTime) dt = t > 0 ? g_date_time_new_from_unix_local(t) : NULL;
	return dt != NULL ? g_date_time_format_iso8601(dt) : g_strdup("");
}

static gboolean
imss_ctl_node_row(GVariant *entry, gchar **cells, GError **error)
{
	g_auto(ImssNodeRecord) n = {NULL};
	if (!imss_node_record_from_variant(entry, &n, error))
		return FALSE;
	/* the node answering is marked */
	cells[0] = n.is_this ? g_strdup_printf("%s *", n.name) : g_steal_pointer(&n.name);
	cells[1] = imss_ctl_unix_time(n.started);
	cells[2] = imss_ctl_unix_time(n.last_seen);
	cells[3] = g_strdup_printf("%+lld", (long long)n.clock_skew);
	cells[4] = g_steal_pointer(&n.last_job);
	cells[5] = imss_ctl_unix_time(n.last_job_at);
	return TRUE;
}

gboolean
imss_ctl_fleet(ImssCtl *ctl, gchar **args, GError **error)
{
	g_autoptr(GVariant) nodes = NULL;
	/* TRANSLATORS: column headers of `imss-licensectl fleet` */
	const gchar *const headers[] = {_("NODE"),
					_("STARTED"),
					_("LAST SEEN"),
					_("CLOCK SKEW (S)"),
					_("LAST JOB"),
					_("LAST JOB AT"),
					NULL};

	g_return_val_if_fail(ctl != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!imss_ctl_connect(ctl, error))
		return FALSE;
	imss_client_list_nodes_async(ctl->client, NULL, imss_ctl_async_cb, ctl);
	nodes = imss_client_list_nodes_finish(ctl->client, imss_ctl_wait(ctl), error);
	if (nodes == NULL)
		return FALSE;
	return imss_ctl_print_records(ctl,
				      nodes,
				      headers,
				      imss_ctl_node_row,
				      /* TRANSLATORS: `fleet` before the first heartbeat */
				      _("No node has been seen yet."),
				      NULL,
				      error);
}
