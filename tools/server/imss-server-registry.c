/*
 * The code registry of imss-license-server (see imss-server-registry.h).
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssLicenseServer"

#include <gio/gio.h>

#include "imss-date.h"
#include "imss-server-registry.h"

/* what the admin interface made of a code; a code without a state (or in
 * CODE_STATUS_VALID without renewals) is answered from the code itself */
typedef enum {
	CODE_STATUS_VALID,
	CODE_STATUS_REPLACED,
	CODE_STATUS_SUSPENDED,
} CodeStatus;

typedef struct {
	GDate expiry;
	gboolean has_effective;
	GDate effective; /* valid when has_effective */
	GDate posted;	 /* the server date of the admin request, for ordering */
	guint seq;	 /* the order of the admin requests */
} Renewal;

typedef struct {
	gchar *code; /* canonical; the key of ServerRegistry.codes */
	gchar *id;   /* the details-page id */
	ImssCodeInfo info;
	CodeStatus status;
	gchar *replaced_by; /* canonical, when CODE_STATUS_REPLACED */
	GArray *renewals;   /* of Renewal */
} CodeState;

struct _ServerRegistry {
	guint max_codes;
	gboolean has_today_option; /* server_registry_new() */
	GDate today_option;
	gboolean has_today; /* the date in use, if not the real one */
	GDate today;
	GHashTable *codes; /* canonical code → CodeState */
	GHashTable *ids;   /* details id → CodeState (borrowed) */
	guint renewal_seq;
};

static void
code_state_free(CodeState *state)
{
	g_free(state->code);
	g_free(state->id);
	g_free(state->replaced_by);
	g_array_unref(state->renewals);
	g_free(state);
}

ServerRegistry *
server_registry_new(const GDate *today, guint max_codes)
{
	ServerRegistry *self;

	g_return_val_if_fail(today == NULL || g_date_valid(today), NULL);

	self = g_new0(ServerRegistry, 1);
	self->max_codes = max_codes;
	g_date_clear(&self->today_option, 1);
	if (today != NULL) {
		self->has_today_option = TRUE;
		self->today_option = *today;
	}
	self->codes = g_hash_table_new_full(g_str_hash,
					    g_str_equal,
					    NULL,
					    (GDestroyNotify)code_state_free);
	self->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	server_registry_reset(self);
	return self;
}

void
server_registry_free(ServerRegistry *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->ids);
	g_hash_table_unref(self->codes);
	g_free(self);
}

void
server_registry_reset(ServerRegistry *self)
{
	g_return_if_fail(self != NULL);

	g_hash_table_remove_all(self->ids);
	g_hash_table_remove_all(self->codes);
	self->has_today = self->has_today_option;
	self->today = self->today_option;
}

/* -- the server's date ----------------------------------------------------- */

void
server_registry_get_today(ServerRegistry *self, GDate *today)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(today != NULL);

	if (self->has_today) {
		*today = self->today;
		return;
	}
	g_date_clear(today, 1);
	g_date_set_time_t(today, time(NULL));
}

void
server_registry_set_today(ServerRegistry *self, const GDate *today)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(today == NULL || g_date_valid(today));

	self->has_today = today != NULL;
	if (today != NULL)
		self->today = *today;
}

gchar *
server_registry_format_time(ServerRegistry *self)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *date = NULL;
	GDate today;

	g_return_val_if_fail(self != NULL, NULL);

	if (!self->has_today)
		return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	server_registry_get_today(self, &today);
	date = imss_date_format(&today);
	return g_strdup_printf("%sT%02d:%02d:%02dZ",
			       date,
			       g_date_time_get_hour(now),
			       g_date_time_get_minute(now),
			       g_date_time_get_second(now));
}

/* -- codes ------------------------------------------------------------------ */

/* the state of @code, created if needed; NULL when the table is full and
 * @always is FALSE */
static CodeState *
server_registry_state(ServerRegistry *self,
		      const gchar *code,
		      const ImssCodeInfo *info,
		      gboolean always)
{
	CodeState *state = g_hash_table_lookup(self->codes, code);

	if (state != NULL)
		return state;
	if (!always && g_hash_table_size(self->codes) >= self->max_codes)
		return NULL;
	state = g_new0(CodeState, 1);
	state->code = g_strdup(code);
	state->id = imss_protocol_details_id(code);
	state->info = *info;
	state->status = CODE_STATUS_VALID;
	state->renewals = g_array_new(FALSE, FALSE, sizeof(Renewal));
	g_hash_table_insert(self->codes, state->code, state);
	g_hash_table_insert(self->ids, g_strdup(state->id), state);
	return state;
}

gboolean
server_registry_remember(ServerRegistry *self, const gchar *code, const ImssCodeInfo *info)
{
	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(code != NULL, FALSE);
	g_return_val_if_fail(info != NULL, FALSE);

	return server_registry_state(self, code, info, FALSE) != NULL;
}

void
server_registry_renew(ServerRegistry *self,
		      const gchar *code,
		      const ImssCodeInfo *info,
		      const GDate *expiry,
		      const GDate *effective)
{
	Renewal renewal = {0};
	CodeState *state;

	g_return_if_fail(self != NULL);
	g_return_if_fail(code != NULL);
	g_return_if_fail(info != NULL);
	g_return_if_fail(expiry != NULL && g_date_valid(expiry));
	g_return_if_fail(effective == NULL || g_date_valid(effective));

	renewal.expiry = *expiry;
	renewal.has_effective = effective != NULL;
	if (effective != NULL)
		renewal.effective = *effective;
	server_registry_get_today(self, &renewal.posted);
	renewal.seq = ++self->renewal_seq;
	state = server_registry_state(self, code, info, TRUE);
	g_array_append_val(state->renewals, renewal);
}

gboolean
server_registry_replace(ServerRegistry *self,
			const gchar *code,
			const ImssCodeInfo *info,
			const gchar *new_code,
			const ImssCodeInfo *new_info,
			GError **error)
{
	CodeState *state;
	CodeState *new_state;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(code != NULL && info != NULL, FALSE);
	g_return_val_if_fail(new_code != NULL && new_info != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (g_strcmp0(code, new_code) == 0) {
		g_set_error_literal(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "a code cannot replace itself");
		return FALSE;
	}
	state = server_registry_state(self, code, info, TRUE);
	new_state = server_registry_state(self, new_code, new_info, TRUE);
	state->status = CODE_STATUS_REPLACED;
	g_free(state->replaced_by);
	state->replaced_by = g_strdup(new_code);
	new_state->status = CODE_STATUS_VALID;
	g_clear_pointer(&new_state->replaced_by, g_free);
	return TRUE;
}

void
server_registry_suspend(ServerRegistry *self, const gchar *code, const ImssCodeInfo *info)
{
	CodeState *state;

	g_return_if_fail(self != NULL);
	g_return_if_fail(code != NULL);
	g_return_if_fail(info != NULL);

	state = server_registry_state(self, code, info, TRUE);
	state->status = CODE_STATUS_SUSPENDED;
	g_clear_pointer(&state->replaced_by, g_free);
}

/* the renewal in force on @today: of those in effect, the latest effective
 * wins (one without an effective date counts from the day it was posted);
 * on the same date the one posted last */
static const Renewal *
server_registry_renewal_in_force(const CodeState *state, const GDate *today)
{
	const Renewal *best = NULL;

	for (guint i = 0; i < state->renewals->len; i++) {
		const Renewal *r = &g_array_index(state->renewals, Renewal, i);
		const GDate *from = r->has_effective ? &r->effective : &r->posted;
		const GDate *best_from;

		if (r->has_effective && g_date_compare(today, &r->effective) < 0)
			continue;
		if (best == NULL) {
			best = r;
			continue;
		}
		best_from = best->has_effective ? &best->effective : &best->posted;
		if (g_date_compare(from, best_from) > 0 ||
		    (g_date_compare(from, best_from) == 0 && r->seq > best->seq))
			best = r;
	}
	return best;
}

ImssServerStatus
server_registry_view(ServerRegistry *self,
		     const gchar *code,
		     const ImssCodeInfo *info,
		     GDate *expiry,
		     const gchar **replaced_by)
{
	CodeState *state;
	const Renewal *renewal;
	GDate today;

	g_return_val_if_fail(self != NULL, IMSS_SERVER_STATUS_UNKNOWN);
	g_return_val_if_fail(code != NULL && info != NULL, IMSS_SERVER_STATUS_UNKNOWN);
	g_return_val_if_fail(expiry != NULL && replaced_by != NULL, IMSS_SERVER_STATUS_UNKNOWN);

	state = g_hash_table_lookup(self->codes, code);
	*replaced_by = NULL;
	*expiry = info->expiry;
	if (state == NULL)
		return IMSS_SERVER_STATUS_VALID;
	if (state->status == CODE_STATUS_SUSPENDED)
		return IMSS_SERVER_STATUS_SUSPENDED;
	if (state->status == CODE_STATUS_REPLACED) {
		*replaced_by = state->replaced_by;
		return IMSS_SERVER_STATUS_REPLACED;
	}
	server_registry_get_today(self, &today);
	renewal = server_registry_renewal_in_force(state, &today);
	if (renewal != NULL)
		*expiry = renewal->expiry;
	return IMSS_SERVER_STATUS_VALID;
}

const gchar *
server_registry_lookup_id(ServerRegistry *self, const gchar *id, ImssCodeInfo *info)
{
	CodeState *state;

	g_return_val_if_fail(self != NULL, NULL);
	g_return_val_if_fail(info != NULL, NULL);

	state = id != NULL ? g_hash_table_lookup(self->ids, id) : NULL;
	if (state == NULL)
		return NULL;
	*info = state->info;
	return state->code;
}
