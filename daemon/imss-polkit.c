#define G_LOG_DOMAIN "ImssPolkit"

#include "config.h"

#include <polkit/polkit.h>

#include "imss-error.h"
#include "imss-polkit.h"

struct _ImssPolkit {
	GObject parent_instance;
	PolkitAuthority *authority; /* obtained on first use */
};

G_DEFINE_TYPE(ImssPolkit, imss_polkit, G_TYPE_OBJECT)

typedef struct {
	gchar *sender;
	gchar *action_id;
	gboolean interactive;
} ImssPolkitHelper;

static void
imss_polkit_helper_free(ImssPolkitHelper *helper)
{
	g_free(helper->sender);
	g_free(helper->action_id);
	g_free(helper);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImssPolkitHelper, imss_polkit_helper_free)

static void
imss_polkit_deny(GTask *task, const gchar *why)
{
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_message("denied %s to %s: %s", helper->action_id, helper->sender, why);
	g_task_return_new_error(task,
				IMSS_ERROR,
				IMSS_ERROR_NOT_AUTHORIZED,
				"%s",
				imss_error_to_text(IMSS_ERROR_NOT_AUTHORIZED));
}

static void
imss_polkit_check_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = G_TASK(user_data);
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(PolkitAuthorizationResult) result =
	    polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source),
							res,
							&error_local);
	if (result == NULL) {
		imss_polkit_deny(task, error_local->message);
		return;
	}
	if (!polkit_authorization_result_get_is_authorized(result)) {
		imss_polkit_deny(task,
				 polkit_authorization_result_get_is_challenge(result)
				     ? "authentication required"
				     : "not authorized");
		return;
	}
	g_debug("authorized %s for %s", helper->action_id, helper->sender);
	g_task_return_boolean(task, TRUE);
}

static void
imss_polkit_check_authority(ImssPolkit *self, GTask *task)
{
	ImssPolkitHelper *helper = g_task_get_task_data(task);
	g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new(helper->sender);
	polkit_authority_check_authorization(
	    self->authority,
	    subject,
	    helper->action_id,
	    NULL,
	    helper->interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
				: POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
	    g_task_get_cancellable(task),
	    imss_polkit_check_cb,
	    task);
}

static void
imss_polkit_get_authority_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	ImssPolkit *self = g_task_get_source_object(task);
	g_autoptr(GError) error_local = NULL;
	PolkitAuthority *authority = polkit_authority_get_finish(res, &error_local);
	if (authority == NULL) {
		imss_polkit_deny(task, error_local->message);
		g_object_unref(task);
		return;
	}
	if (self->authority == NULL)
		self->authority = authority;
	else
		g_object_unref(authority);
	imss_polkit_check_authority(self, task);
}

void
imss_polkit_check_async(ImssPolkit *self,
			const gchar *sender,
			const gchar *action_id,
			gboolean interactive,
			GCancellable *cancellable,
			GAsyncReadyCallback callback,
			gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	ImssPolkitHelper *helper = g_new0(ImssPolkitHelper, 1);
	helper->sender = g_strdup(sender);
	helper->action_id = g_strdup(action_id);
	helper->interactive = interactive;
	g_task_set_task_data(task, helper, (GDestroyNotify)imss_polkit_helper_free);

	if (sender == NULL) {
		imss_polkit_deny(task, "no sender");
		g_object_unref(task);
		return;
	}
	if (self->authority == NULL) {
		polkit_authority_get_async(cancellable, imss_polkit_get_authority_cb, task);
		return;
	}
	imss_polkit_check_authority(self, task);
}

gboolean
imss_polkit_check_finish(ImssPolkit *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

static void
imss_polkit_finalize(GObject *obj)
{
	ImssPolkit *self = IMSS_POLKIT(obj);
	g_clear_object(&self->authority);
	G_OBJECT_CLASS(imss_polkit_parent_class)->finalize(obj);
}

static void
imss_polkit_class_init(ImssPolkitClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = imss_polkit_finalize;
}

static void
imss_polkit_init(ImssPolkit *self)
{
}

ImssPolkit *
imss_polkit_new(void)
{
	return g_object_new(IMSS_TYPE_POLKIT, NULL);
}
