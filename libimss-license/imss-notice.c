/*
 * ImssNotice: a notice of imss-licensed with its text, rendered by the
 * renderer the daemon uses (common/imss-notice.c).
 */
#define G_LOG_DOMAIN "ImssLicense"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "imss-catalog.h"
#include "imss-date.h"
#include "imss-notice-private.h"
#include "imss-notice.h"
#include "imss-slot.h"

/**
 * ImssNotice:
 *
 * A notice (SPEC §9): a license that is about to expire or has expired, an
 * optional component that is not activated, a code the license server
 * refused, a failed restart… with its text in one language. The daemon's
 * GetNotices renders the text; for the #ImssClient::notice signal the
 * library renders it with the daemon's renderer in #ImssClient:language.
 * imss_notice_render_text() renders it in any other language.
 */

struct _ImssNotice {
	GObject parent_instance;
	ImssNoticeData data;
	GVariant *fields;
	gchar *text;
	gchar *language;
	gboolean hideable;
	gboolean mail;
};

enum {
	PROP_0,
	PROP_KIND,
	PROP_SLOT_ID,
	PROP_SEVERITY,
	PROP_TEXT,
	PROP_LAST
};

static GParamSpec *obj_props[PROP_LAST] = {NULL};

G_DEFINE_TYPE(ImssNotice, imss_notice, G_TYPE_OBJECT)

void
imss_license_init_i18n(void)
{
	static gsize done = 0;
	if (g_once_init_enter(&done)) {
		bindtextdomain(GETTEXT_PACKAGE, imss_catalog_default_localedir());
		bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
		/* the catalogues of other languages (texts in a requested
		 * language) from the same place: $IMSS_LOCALEDIR or LOCALEDIR */
		imss_catalog_set_localedir(imss_catalog_default_localedir());
		g_once_init_leave(&done, 1);
	}
}

/* the catalogue of @language; NULL (gettext in the process's locale) for NULL */
static const ImssCatalog *
imss_notice_catalog(const gchar *language)
{
	return language != NULL ? imss_catalog_for_language(language) : NULL;
}

ImssNotice *
imss_notice_new(GVariant *fields, const gchar *text, const gchar *language)
{
	g_autoptr(ImssNotice) self = NULL;

	g_return_val_if_fail(fields != NULL, NULL);
	g_return_val_if_fail(g_variant_is_of_type(fields, G_VARIANT_TYPE_VARDICT), NULL);

	self = g_object_new(IMSS_TYPE_NOTICE, NULL);
	if (!imss_notice_from_variant(fields, &self->data))
		return NULL;
	self->fields = g_variant_ref_sink(fields);
	g_variant_lookup(fields, "hideable", "b", &self->hideable);
	g_variant_lookup(fields, "mail", "b", &self->mail);
	self->language = g_strdup(language);
	self->text = text != NULL ? g_strdup(text)
				  : imss_notice_render_console(imss_notice_catalog(language), &self->data);
	return g_steal_pointer(&self);
}

/**
 * imss_notice_get_kind:
 * @self: a notice
 *
 * Returns: what the notice is about
 */
ImssNoticeKind
imss_notice_get_kind(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), IMSS_NOTICE_LAST);
	return self->data.kind;
}

/**
 * imss_notice_get_slot_id:
 * @self: a notice
 *
 * Returns: the slot the notice is about, "" for a notice about the gateway
 *   (a failed restart, the mail recipients, Control Manager)
 */
const gchar *
imss_notice_get_slot_id(ImssNotice *self)
{
	const gchar *id;
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	id = imss_slot_to_string(self->data.slot);
	return id != NULL ? id : "";
}

/**
 * imss_notice_get_unit:
 * @self: a notice
 *
 * Returns: the systemd unit of a failed restart, "" for other notices
 */
const gchar *
imss_notice_get_unit(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return self->data.unit;
}

/**
 * imss_notice_get_severity:
 * @self: a notice
 *
 * Returns: how urgent it is
 */
ImssNoticeSeverity
imss_notice_get_severity(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), IMSS_NOTICE_SEVERITY_INFO);
	return imss_notice_data_get_severity(&self->data);
}

/**
 * imss_notice_get_has_dates:
 * @self: a notice
 *
 * Returns: whether the notice is about a license's dates (expiring,
 *   expired, updates-ended): then the days and dates below are set
 */
gboolean
imss_notice_get_has_dates(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), FALSE);
	return imss_notice_kind_has_dates(self->data.kind);
}

/**
 * imss_notice_get_days_left:
 * @self: a notice
 *
 * Returns: N = E − today (0 without dates)
 */
gint
imss_notice_get_days_left(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), 0);
	return self->data.days_left;
}

/**
 * imss_notice_get_grace_left:
 * @self: a notice
 *
 * Returns: M = G − today (0 without dates)
 */
gint
imss_notice_get_grace_left(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), 0);
	return self->data.grace_left;
}

/**
 * imss_notice_get_days_since:
 * @self: a notice
 *
 * Returns: D = today − E (0 without dates)
 */
gint
imss_notice_get_days_since(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), 0);
	return self->data.days_since;
}

/* the date in @fields under @key ("" when there is none) */
static const gchar *
imss_notice_field_string(ImssNotice *self, const gchar *key)
{
	const gchar *value = NULL;
	if (!g_variant_lookup(self->fields, key, "&s", &value))
		return "";
	return value;
}

/**
 * imss_notice_get_expiry:
 * @self: a notice
 *
 * Returns: the expiry date E (YYYY-MM-DD), "" without dates
 */
const gchar *
imss_notice_get_expiry(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return imss_notice_field_string(self, "expiry");
}

/**
 * imss_notice_get_grace_end:
 * @self: a notice
 *
 * Returns: the end of the grace period G (YYYY-MM-DD), "" without dates
 */
const gchar *
imss_notice_get_grace_end(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return imss_notice_field_string(self, "grace_end");
}

/**
 * imss_notice_get_hideable:
 * @self: a notice
 *
 * Returns: whether imss_client_set_inactive_notices_hidden_async() can hide
 *   it (the inactive-component notices)
 */
gboolean
imss_notice_get_hideable(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), FALSE);
	return self->hideable;
}

/**
 * imss_notice_get_mail:
 * @self: a notice
 *
 * Returns: whether it is a daily notice of the mail period (E−15 … G),
 *   which carries the same fields as the mail
 */
gboolean
imss_notice_get_mail(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), FALSE);
	return self->mail;
}

/**
 * imss_notice_get_text:
 * @self: a notice
 *
 * Returns: the console text of the notice in imss_notice_get_language()
 */
const gchar *
imss_notice_get_text(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return self->text;
}

/**
 * imss_notice_get_language:
 * @self: a notice
 *
 * Returns: (nullable): the language the text was asked in; %NULL for the
 *   language of the process
 */
const gchar *
imss_notice_get_language(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return self->language;
}

/**
 * imss_notice_get_fields:
 * @self: a notice
 *
 * The notice as the daemon sent it: the `a{sv}` the D-Bus API documents
 * for GetNotices and the Notice signal.
 *
 * Returns: (transfer none): its fields
 */
GVariant *
imss_notice_get_fields(ImssNotice *self)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return self->fields;
}

/**
 * imss_notice_render_text:
 * @self: a notice
 * @language: (nullable): a language tag or locale name ("ja", "en",
 *   "ja_JP.UTF-8"), or %NULL for the language of the process
 *
 * Returns: (transfer full): the console text in @language (English when
 *   there is no catalogue for it)
 */
gchar *
imss_notice_render_text(ImssNotice *self, const gchar *language)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return imss_notice_render_console(imss_notice_catalog(language), &self->data);
}

/**
 * imss_notice_render_subject:
 * @self: a notice
 * @language: (nullable): a language, as for imss_notice_render_text()
 *
 * Returns: (transfer full) (nullable): the subject of the notice's mail
 *   (SPEC §9.2) in @language, %NULL when the notice has no mail
 */
gchar *
imss_notice_render_subject(ImssNotice *self, const gchar *language)
{
	g_return_val_if_fail(IMSS_IS_NOTICE(self), NULL);
	return imss_notice_render_mail_subject(imss_notice_catalog(language), &self->data);
}

static void
imss_notice_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	ImssNotice *self = IMSS_NOTICE(object);

	switch (prop_id) {
	case PROP_KIND:
		g_value_set_enum(value, imss_notice_get_kind(self));
		break;
	case PROP_SLOT_ID:
		g_value_set_string(value, imss_notice_get_slot_id(self));
		break;
	case PROP_SEVERITY:
		g_value_set_enum(value, imss_notice_get_severity(self));
		break;
	case PROP_TEXT:
		g_value_set_string(value, imss_notice_get_text(self));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
imss_notice_finalize(GObject *object)
{
	ImssNotice *self = IMSS_NOTICE(object);
	g_clear_pointer(&self->fields, g_variant_unref);
	g_free(self->text);
	g_free(self->language);
	G_OBJECT_CLASS(imss_notice_parent_class)->finalize(object);
}

static void
imss_notice_init(ImssNotice *self)
{
	imss_notice_data_init(&self->data, IMSS_NOTICE_INACTIVE, IMSS_SLOT_LAST, NULL);
}

static void
imss_notice_class_init(ImssNoticeClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->get_property = imss_notice_get_property;
	object_class->finalize = imss_notice_finalize;
	imss_license_init_i18n();

	/**
	 * ImssNotice:kind:
	 *
	 * What the notice is about.
	 */
	obj_props[PROP_KIND] = g_param_spec_enum("kind",
						 NULL,
						 "What the notice is about",
						 IMSS_TYPE_NOTICE_KIND,
						 IMSS_NOTICE_INACTIVE,
						 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * ImssNotice:slot-id:
	 *
	 * The slot it is about, "" for the gateway's own notices.
	 */
	obj_props[PROP_SLOT_ID] = g_param_spec_string("slot-id",
						      NULL,
						      "The slot it is about",
						      "",
						      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * ImssNotice:severity:
	 *
	 * How urgent it is.
	 */
	obj_props[PROP_SEVERITY] = g_param_spec_enum("severity",
						     NULL,
						     "How urgent it is",
						     IMSS_TYPE_NOTICE_SEVERITY,
						     IMSS_NOTICE_SEVERITY_INFO,
						     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	/**
	 * ImssNotice:text:
	 *
	 * The console text.
	 */
	obj_props[PROP_TEXT] = g_param_spec_string("text",
						   NULL,
						   "The console text",
						   "",
						   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, PROP_LAST, obj_props);
}
