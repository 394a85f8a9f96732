/*
 * The a{sv} records shared by the daemon and the clients (see
 * imss-records.h): each record is a table of its members, and one writer and
 * one reader walk the tables.
 */
#include "config.h"

#define G_LOG_DOMAIN "ImssRecords"

#include "imss-records.h"

typedef enum {
	IMSS_FIELD_STRING,  /* gchar *, "s" */
	IMSS_FIELD_BOOLEAN, /* gboolean, "b" */
	IMSS_FIELD_UINT32,  /* guint32, "u" */
	IMSS_FIELD_STRV,    /* gchar **, "as" */
	IMSS_FIELD_INT64,   /* gint64, "x" */
} ImssFieldType;

typedef struct {
	const gchar *key;
	ImssFieldType type;
	gsize offset;
} ImssField;

typedef struct {
	const gchar *name; /* for the errors: "history entry" */
	const ImssField *fields;
	guint n_fields;
} ImssRecordType;

#define IMSS_FIELD(type, member, kind)                                                             \
	{                                                                                          \
		#member, kind, G_STRUCT_OFFSET(type, member)                                       \
	}
#define IMSS_RECORD_TYPE(name, fields)                                                             \
	{                                                                                          \
		name, fields, G_N_ELEMENTS(fields)                                                 \
	}

static const ImssField imss_history_fields[] = {
    IMSS_FIELD(ImssHistoryRecord, time, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, action, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, slot, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, code, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, caller, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, outcome, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, detail, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssHistoryRecord, node, IMSS_FIELD_STRING),
};

static const ImssField imss_node_fields[] = {
    IMSS_FIELD(ImssNodeRecord, name, IMSS_FIELD_STRING),
    /* "this" on the bus (a C++ keyword: not a member name) */
    {"this", IMSS_FIELD_BOOLEAN, G_STRUCT_OFFSET(ImssNodeRecord, is_this)},
    IMSS_FIELD(ImssNodeRecord, started, IMSS_FIELD_INT64),
    {"last-seen", IMSS_FIELD_INT64, G_STRUCT_OFFSET(ImssNodeRecord, last_seen)},
    {"clock-skew", IMSS_FIELD_INT64, G_STRUCT_OFFSET(ImssNodeRecord, clock_skew)},
    {"last-job", IMSS_FIELD_STRING, G_STRUCT_OFFSET(ImssNodeRecord, last_job)},
    {"last-job-at", IMSS_FIELD_INT64, G_STRUCT_OFFSET(ImssNodeRecord, last_job_at)},
};

static const ImssField imss_event_fields[] = {
    IMSS_FIELD(ImssEventRecord, time, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssEventRecord, date, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssEventRecord, slot, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssEventRecord, kind, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssEventRecord, offset, IMSS_FIELD_STRING),
};

static const ImssField imss_clock_fields[] = {
    IMSS_FIELD(ImssClockRecord, now, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssClockRecord, today, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssClockRecord, zone, IMSS_FIELD_STRING),
    /* "virtual" on the bus (a C++ keyword: not a member name) */
    {"virtual", IMSS_FIELD_BOOLEAN, G_STRUCT_OFFSET(ImssClockRecord, virtual_clock)},
};

static const ImssField imss_restart_fields[] = {
    IMSS_FIELD(ImssRestartRecord, unit, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssRestartRecord, state, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssRestartRecord, attempts, IMSS_FIELD_UINT32),
    IMSS_FIELD(ImssRestartRecord, error, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssRestartRecord, requested, IMSS_FIELD_STRING),
};

static const ImssField imss_license_change_fields[] = {
    IMSS_FIELD(ImssLicenseChangeRecord, expiry, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssLicenseChangeRecord, state, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssLicenseChangeRecord, offline, IMSS_FIELD_BOOLEAN),
    IMSS_FIELD(ImssLicenseChangeRecord, code, IMSS_FIELD_STRING),
};

static const ImssField imss_diagnosis_fields[] = {
    IMSS_FIELD(ImssDiagnosisRecord, slot, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, environment, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, findings, IMSS_FIELD_STRV),
    IMSS_FIELD(ImssDiagnosisRecord, finding_ids, IMSS_FIELD_STRV),
    IMSS_FIELD(ImssDiagnosisRecord, action, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, action_id, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, server_status, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, server_expiry, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, next_check, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, last_deployment, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, last_deployment_result, IMSS_FIELD_STRING),
    IMSS_FIELD(ImssDiagnosisRecord, details_url, IMSS_FIELD_STRING),
};

static const ImssRecordType imss_history_type =
    IMSS_RECORD_TYPE("history entry", imss_history_fields);
static const ImssRecordType imss_event_type = IMSS_RECORD_TYPE("event", imss_event_fields);
static const ImssRecordType imss_clock_type = IMSS_RECORD_TYPE("clock", imss_clock_fields);
static const ImssRecordType imss_restart_type = IMSS_RECORD_TYPE("restart", imss_restart_fields);
static const ImssRecordType imss_license_change_type =
    IMSS_RECORD_TYPE("license change", imss_license_change_fields);
static const ImssRecordType imss_diagnosis_type =
    IMSS_RECORD_TYPE("diagnosis", imss_diagnosis_fields);
static const ImssRecordType imss_node_type = IMSS_RECORD_TYPE("node", imss_node_fields);

/* -- the writer, the reader and the cleaner of every record ----------------- */

void
imss_vardict_add(GVariantBuilder *builder, const gchar *key, GVariant *value)
{
	g_variant_builder_add_value(
	    builder,
	    g_variant_new_dict_entry(g_variant_new_string(key), g_variant_new_variant(value)));
}

static const GVariantType *
imss_field_variant_type(ImssFieldType type)
{
	switch (type) {
	case IMSS_FIELD_BOOLEAN:
		return G_VARIANT_TYPE_BOOLEAN;
	case IMSS_FIELD_UINT32:
		return G_VARIANT_TYPE_UINT32;
	case IMSS_FIELD_INT64:
		return G_VARIANT_TYPE_INT64;
	case IMSS_FIELD_STRV:
		return G_VARIANT_TYPE_STRING_ARRAY;
	case IMSS_FIELD_STRING:
	default:
		return G_VARIANT_TYPE_STRING;
	}
}

static GVariant *
imss_field_to_variant(const ImssField *field, gconstpointer record)
{
	gconstpointer member = G_STRUCT_MEMBER_P(record, field->offset);

	switch (field->type) {
	case IMSS_FIELD_BOOLEAN:
		return g_variant_new_boolean(*(const gboolean *)member);
	case IMSS_FIELD_UINT32:
		return g_variant_new_uint32(*(const guint32 *)member);
	case IMSS_FIELD_INT64:
		return g_variant_new_int64(*(const gint64 *)member);
	case IMSS_FIELD_STRV: {
		const gchar *const *strv = *(const gchar *const *const *)member;
		return g_variant_new_strv(strv, strv != NULL ? -1 : 0);
	}
	case IMSS_FIELD_STRING:
	default: {
		const gchar *str = *(const gchar *const *)member;
		return g_variant_new_string(str != NULL ? str : "");
	}
	}
}

static GVariant *
imss_record_to_variant(const ImssRecordType *type, gconstpointer record)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < type->n_fields; i++) {
		const ImssField *field = &type->fields[i];
		imss_vardict_add(&builder, field->key, imss_field_to_variant(field, record));
	}
	return g_variant_builder_end(&builder);
}

/* stores @value (of the field's type) into @record */
static void
imss_field_set(const ImssField *field, gpointer record, GVariant *value)
{
	gpointer member = G_STRUCT_MEMBER_P(record, field->offset);

	switch (field->type) {
	case IMSS_FIELD_BOOLEAN:
		*(gboolean *)member = g_variant_get_boolean(value);
		break;
	case IMSS_FIELD_UINT32:
		*(guint32 *)member = g_variant_get_uint32(value);
		break;
	case IMSS_FIELD_INT64:
		*(gint64 *)member = g_variant_get_int64(value);
		break;
	case IMSS_FIELD_STRV:
		*(gchar ***)member = g_variant_dup_strv(value, NULL);
		break;
	case IMSS_FIELD_STRING:
	default:
		*(gchar **)member = g_variant_dup_string(value, NULL);
		break;
	}
}

static void
imss_record_clear(const ImssRecordType *type, gpointer record)
{
	for (guint i = 0; i < type->n_fields; i++) {
		const ImssField *field = &type->fields[i];
		gpointer member = G_STRUCT_MEMBER_P(record, field->offset);

		if (field->type == IMSS_FIELD_STRING)
			g_clear_pointer((gchar **)member, g_free);
		else if (field->type == IMSS_FIELD_STRV)
			g_clear_pointer((gchar ***)member, g_strfreev);
	}
}

/* fills @record (cleared first) from @dict; on an error @record is left
 * cleared */
static gboolean
imss_record_from_variant(const ImssRecordType *type,
			 GVariant *dict,
			 gpointer record,
			 GError **error)
{
	imss_record_clear(type, record);
	if (dict == NULL || !g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT)) {
		g_set_error(error,
			    G_IO_ERROR,
			    G_IO_ERROR_INVALID_DATA,
			    "the %s is not a dictionary a{sv}",
			    type->name);
		return FALSE;
	}
	for (guint i = 0; i < type->n_fields; i++) {
		const ImssField *field = &type->fields[i];
		const GVariantType *vtype = imss_field_variant_type(field->type);
		g_autoptr(GVariant) value = g_variant_lookup_value(dict, field->key, vtype);

		if (value == NULL) {
			g_autofree gchar *type_str = g_variant_type_dup_string(vtype);
			imss_record_clear(type, record);
			g_set_error(error,
				    G_IO_ERROR,
				    G_IO_ERROR_INVALID_DATA,
				    "the %s has no “%s” (%s)",
				    type->name,
				    field->key,
				    type_str);
			return FALSE;
		}
		imss_field_set(field, record, value);
	}
	return TRUE;
}

/* -- the records -------------------------------------------------------------- */

/* the three public functions of a record type */
#define IMSS_RECORD_DEFINE(TypeName, type_name, record_type)                                       \
	void                                                                                       \
	type_name##_clear(TypeName *self)                                                          \
	{                                                                                          \
		g_return_if_fail(self != NULL);                                                    \
		imss_record_clear(&record_type, self);                                             \
	}                                                                                          \
												   \
	GVariant *                                                                                 \
	type_name##_to_variant(const TypeName *self)                                               \
	{                                                                                          \
		g_return_val_if_fail(self != NULL, NULL);                                          \
		return imss_record_to_variant(&record_type, self);                                 \
	}                                                                                          \
												   \
	gboolean                                                                                   \
	type_name##_from_variant(GVariant *dict, TypeName *self, GError **error)                   \
	{                                                                                          \
		g_return_val_if_fail(self != NULL, FALSE);                                         \
		g_return_val_if_fail(error == NULL || *error == NULL, FALSE);                      \
		return imss_record_from_variant(&record_type, dict, self, error);                  \
	}

IMSS_RECORD_DEFINE(ImssHistoryRecord, imss_history_record, imss_history_type)
IMSS_RECORD_DEFINE(ImssEventRecord, imss_event_record, imss_event_type)
IMSS_RECORD_DEFINE(ImssClockRecord, imss_clock_record, imss_clock_type)
IMSS_RECORD_DEFINE(ImssRestartRecord, imss_restart_record, imss_restart_type)
IMSS_RECORD_DEFINE(ImssLicenseChangeRecord, imss_license_change_record, imss_license_change_type)
IMSS_RECORD_DEFINE(ImssDiagnosisRecord, imss_diagnosis_record, imss_diagnosis_type)
IMSS_RECORD_DEFINE(ImssNodeRecord, imss_node_record, imss_node_type)
