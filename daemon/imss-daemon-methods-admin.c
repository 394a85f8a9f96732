/*
 * The adapter's administration methods: RestartServices, the history,
 * ListEvents and the console notices (rendered here, in the caller's
 * language).
 */
#define G_LOG_DOMAIN "ImssDaemon"

#include "config.h"

#include "imss-catalog.h"
#include "imss-daemon-private.h"
#include "imss-date.h"
#include "imss-notice.h"
#include "imss-records.h"

#define IMSS_EVENTS_MAX	 1000 /* ListEvents answers at most this many */

static void
imss_daemon_restart_services_authorized(ImssDaemon *self,
					GDBusMethodInvocation *invocation,
					const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	g_auto(GStrv) units = imss_license_manager_restart_services(self->manager, caller, &error_local);
	if (units == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_restart_services(self->skeleton,
							invocation,
							(const gchar *const *)units);
}

static gboolean
imss_daemon_handle_restart_services(ImssExportedManager *skeleton,
				    GDBusMethodInvocation *invocation,
				    ImssDaemon *self)
{
	imss_daemon_authorize(self,
			      invocation,
			      "org.imss.license.restart-services",
			      imss_daemon_restart_services_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A history row as sent: its content and its time as shown in the daemon's
 * zone now. The same row read again is the same key (rows never change; a
 * row that did, or an id reused by a restored database, is another key), and
 * so is its time only while the zone stays (a zone reloaded after
 * /etc/localtime changed shows another offset). No reference to the zone is
 * kept: that would keep GLib's cached zone alive across the reload
 * (imss-clock.c). */
typedef struct {
	ImssStoreHistory *row;
	gchar *time;
} ImssDaemonSentRow;

static void
imss_daemon_sent_row_free(ImssDaemonSentRow *sent)
{
	imss_store_history_free(sent->row);
	g_free(sent->time);
	g_free(sent);
}

static guint
imss_daemon_sent_row_hash(gconstpointer data)
{
	const ImssDaemonSentRow *sent = data;
	const ImssStoreHistory *h = sent->row;
	const gchar *const fields[] = {
	    sent->time, h->action, h->slot, h->code, h->caller, h->outcome, h->detail, h->node};
	guint hash = g_int64_hash(&h->time);

	for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
		hash = hash * 31 + (fields[i] != NULL ? g_str_hash(fields[i]) : 0);
	return hash;
}

static gboolean
imss_daemon_sent_row_equal(gconstpointer a, gconstpointer b)
{
	const ImssDaemonSentRow *sa = a;
	const ImssDaemonSentRow *sb = b;
	const ImssStoreHistory *x = sa->row;
	const ImssStoreHistory *y = sb->row;

	return x->time == y->time && g_strcmp0(sa->time, sb->time) == 0 &&
	       g_strcmp0(x->action, y->action) == 0 && g_strcmp0(x->slot, y->slot) == 0 &&
	       g_strcmp0(x->code, y->code) == 0 && g_strcmp0(x->caller, y->caller) == 0 &&
	       g_strcmp0(x->outcome, y->outcome) == 0 && g_strcmp0(x->detail, y->detail) == 0 &&
	       g_strcmp0(x->node, y->node) == 0;
}

static GVariant *
imss_daemon_history_entry(const ImssDaemonSentRow *sent)
{
	const ImssStoreHistory *h = sent->row;
	g_auto(ImssHistoryRecord) record = {
	    .time = g_strdup(sent->time),
	    .action = g_strdup(h->action),
	    .slot = g_strdup(h->slot),
	    .code = g_strdup(h->code),
	    .caller = g_strdup(h->caller),
	    .outcome = g_strdup(h->outcome),
	    .detail = g_strdup(h->detail),
	    .node = g_strdup(h->node),
	};
	return g_variant_ref_sink(imss_history_record_to_variant(&record));
}

/* The page as D-Bus entries. A row the previous page sent already (most
 * of them: a page moves by the few entries written since) reuses its entry
 * — building the 20 entries of a page and freeing them after the reply was
 * half of a GetHistory's CPU (docs/lean.md); only the last page is kept.
 * Takes the rows out of @entries. */
static GVariant *
imss_daemon_history_to_variant(ImssDaemon *self, GPtrArray *entries)
{
	GVariantBuilder builder;
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	g_autoptr(GHashTable) previous = g_steal_pointer(&self->history_sent);

	self->history_sent = g_hash_table_new_full(imss_daemon_sent_row_hash,
						   imss_daemon_sent_row_equal,
						   (GDestroyNotify)imss_daemon_sent_row_free,
						   (GDestroyNotify)g_variant_unref);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < entries->len; i++) {
		g_autofree gchar *time = NULL;
		ImssDaemonSentRow lookup = {g_ptr_array_index(entries, i), NULL};
		gpointer key = NULL;
		gpointer entry = NULL;

		time = imss_calendar_format_instant(tz, lookup.row->time);
		lookup.time = time;
		if (!g_hash_table_lookup_extended(self->history_sent, &lookup, NULL, &entry)) {
			if (previous != NULL &&
			    g_hash_table_steal_extended(previous, &lookup, &key, &entry)) {
				g_hash_table_insert(self->history_sent, key, entry);
			} else {
				ImssDaemonSentRow *sent = g_new0(ImssDaemonSentRow, 1);
				sent->row = g_steal_pointer(&entries->pdata[i]); /* the table's now */
				sent->time = g_steal_pointer(&time);
				entry = imss_daemon_history_entry(sent);
				g_hash_table_insert(self->history_sent, sent, entry);
			}
		}
		g_variant_builder_add_value(&builder, entry);
	}
	return g_variant_builder_end(&builder);
}

typedef struct {
	ImssDaemon *self;
	GDBusMethodInvocation *invocation;
	gboolean with_total; /* GetHistoryPage */
} ImssDaemonHistoryCall;

static void
imss_daemon_history_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	ImssDaemonHistoryCall *call = user_data;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) entries = NULL;
	guint total = 0;

	entries = imss_license_manager_get_history_page_finish(IMSS_LICENSE_MANAGER(source),
							       res,
							       &total,
							       &error_local);
	if (entries == NULL)
		imss_daemon_return_error(call->invocation, error_local);
	else if (call->with_total)
		imss_exported_manager_complete_get_history_page(
		    call->self->skeleton,
		    call->invocation,
		    imss_daemon_history_to_variant(call->self, entries),
		    total);
	else
		imss_exported_manager_complete_get_history(
		    call->self->skeleton,
		    call->invocation,
		    imss_daemon_history_to_variant(call->self, entries));
	g_object_unref(call->self);
	g_object_unref(call->invocation);
	g_free(call);
}

static void
imss_daemon_read_history(ImssDaemon *self,
			 GDBusMethodInvocation *invocation,
			 guint offset,
			 guint limit,
			 gboolean with_total)
{
	ImssDaemonHistoryCall *call = g_new0(ImssDaemonHistoryCall, 1);
	call->self = g_object_ref(self);
	call->invocation = g_object_ref(invocation);
	call->with_total = with_total;
	imss_license_manager_get_history_page_async(self->manager,
						    offset,
						    limit,
						    with_total,
						    imss_daemon_history_cb,
						    call);
}

static gboolean
imss_daemon_handle_get_history(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       guint limit,
			       ImssDaemon *self)
{
	/* 0 (once "all") and anything larger: the most one page holds */
	if (limit == 0 || limit > IMSS_HISTORY_PAGE_MAX)
		limit = IMSS_HISTORY_PAGE_MAX;
	imss_daemon_read_history(self, invocation, 0, limit, FALSE);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_get_history_page(ImssExportedManager *skeleton,
				    GDBusMethodInvocation *invocation,
				    guint offset,
				    guint limit,
				    ImssDaemon *self)
{
	imss_daemon_read_history(self, invocation, offset, limit, TRUE);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_list_events(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       guint days,
			       ImssDaemon *self)
{
	GTimeZone *tz = imss_license_manager_get_timezone(self->manager);
	g_autoptr(GPtrArray) events = NULL;
	GVariantBuilder builder;

	if (days == 0)
		days = 90;
	days = MIN(days, 3660);
	events = imss_license_manager_list_events(self->manager, days);
	/* ten years of daily checks on six slots would be 22,000 events: the
	 * soonest IMSS_EVENTS_MAX make one bounded answer */
	if (events->len > IMSS_EVENTS_MAX)
		g_ptr_array_set_size(events, IMSS_EVENTS_MAX);
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < events->len; i++) {
		ImssEvent *ev = g_ptr_array_index(events, i);
		g_auto(ImssEventRecord) record = {
		    .time = imss_calendar_format_instant(tz, ev->instant),
		    .date = imss_date_format(&ev->date),
		    .slot = g_strdup(imss_slot_to_string(ev->slot)),
		    .kind = g_strdup(ev->kind),
		    .offset = imss_calendar_format_offset(ev->offset),
		};
		g_variant_builder_add_value(&builder, imss_event_record_to_variant(&record));
	}
	imss_exported_manager_complete_list_events(self->skeleton,
						   invocation,
						   g_variant_builder_end(&builder));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_get_notices(ImssExportedManager *skeleton,
			       GDBusMethodInvocation *invocation,
			       const gchar *language,
			       ImssDaemon *self)
{
	g_autoptr(GPtrArray) notices = imss_license_manager_get_notices(self->manager);
	/* @language is a tag or empty (checked in imss-skeleton.c); the
	 * texts come from its catalogue, never through the environment */
	const ImssCatalog *catalog = imss_catalog_for_language(language);
	GVariantBuilder builder;
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < notices->len; i++) {
		const ImssNoticeData *notice = g_ptr_array_index(notices, i);
		g_variant_builder_open(&builder, G_VARIANT_TYPE_VARDICT);
		imss_notice_add_fields(&builder, notice);
		imss_vardict_add(&builder,
				 "text",
				 g_variant_new_take_string(imss_notice_render_console(catalog, notice)));
		imss_vardict_add(&builder,
				 "hideable",
				 g_variant_new_boolean(notice->kind == IMSS_NOTICE_INACTIVE));
		g_variant_builder_close(&builder);
	}
	imss_exported_manager_complete_get_notices(skeleton, invocation, g_variant_builder_end(&builder));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
imss_daemon_set_hidden_authorized(ImssDaemon *self, GDBusMethodInvocation *invocation, const gchar *caller)
{
	g_autoptr(GError) error_local = NULL;
	gboolean hidden = FALSE;
	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(b)", &hidden);
	if (!imss_license_manager_set_inactive_notices_hidden(self->manager, hidden, caller, &error_local)) {
		imss_daemon_return_error(invocation, error_local);
		return;
	}
	imss_exported_manager_complete_set_inactive_notices_hidden(self->skeleton, invocation);
}

static gboolean
imss_daemon_handle_set_hidden(ImssExportedManager *skeleton,
			      GDBusMethodInvocation *invocation,
			      gboolean hidden,
			      ImssDaemon *self)
{
	imss_daemon_authorize(self, invocation, "org.imss.license.notices", imss_daemon_set_hidden_authorized);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
imss_daemon_handle_list_nodes(ImssExportedManager *skeleton,
			      GDBusMethodInvocation *invocation,
			      ImssDaemon *self)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GPtrArray) nodes = imss_license_manager_list_nodes(self->manager, &error_local);
	const gchar *this_node = imss_license_manager_get_node_name(self->manager);
	GVariantBuilder builder;

	if (nodes == NULL) {
		imss_daemon_return_error(invocation, error_local);
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	}
	g_variant_builder_init(&builder, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < nodes->len; i++) {
		ImssStoreNode *n = g_ptr_array_index(nodes, i);
		g_auto(ImssNodeRecord) record = {
		    .name = g_strdup(n->name),
		    .is_this = g_strcmp0(n->name, this_node) == 0,
		    .started = n->started_at,
		    .last_seen = n->last_seen,
		    .clock_skew = n->clock_skew,
		    .last_job = g_strdup(n->last_job),
		    .last_job_at = n->last_job_at,
		};
		g_variant_builder_add_value(&builder, imss_node_record_to_variant(&record));
	}
	imss_exported_manager_complete_list_nodes(skeleton, invocation, g_variant_builder_end(&builder));
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
imss_daemon_connect_admin_methods(ImssDaemon *self)
{
	g_return_if_fail(IMSS_IS_DAEMON(self));

	g_signal_connect(self->skeleton,
			 "handle-restart-services",
			 G_CALLBACK(imss_daemon_handle_restart_services),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-history",
			 G_CALLBACK(imss_daemon_handle_get_history),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-history-page",
			 G_CALLBACK(imss_daemon_handle_get_history_page),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-get-notices",
			 G_CALLBACK(imss_daemon_handle_get_notices),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-set-inactive-notices-hidden",
			 G_CALLBACK(imss_daemon_handle_set_hidden),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-list-events",
			 G_CALLBACK(imss_daemon_handle_list_events),
			 self);
	g_signal_connect(self->skeleton,
			 "handle-list-nodes",
			 G_CALLBACK(imss_daemon_handle_list_nodes),
			 self);
}
