#include "config.h"

#include <locale.h>

#include "imss-notice.h"

#define AV_JA "ウイルス対策およびコンテンツフィルタ"
#define AV_EN "Antivirus and Content Filter"

static void
notice_expiring(ImssNoticeData *notice)
{
	GDate expiry, today;
	g_date_clear(&expiry, 1);
	g_date_clear(&today, 1);
	g_date_set_dmy(&expiry, 20, G_DATE_AUGUST, 2019);
	g_date_set_dmy(&today, 6, G_DATE_AUGUST, 2019);
	g_assert_true(imss_notice_for_expiry(IMSS_SLOT_ANTIVIRUS, &expiry, &today, notice));
}

/* every text in both languages from the catalogues, none from the process's
 * locale (which stays C here) */
static void
test_notice_render_languages(void)
{
	const ImssCatalog *ja = imss_catalog_for_language("ja");
	const ImssCatalog *en = imss_catalog_for_language("en");
	ImssNoticeData notice;
	g_autofree gchar *console_ja = NULL;
	g_autofree gchar *console_en = NULL;
	g_autofree gchar *subject_ja = NULL;
	g_autofree gchar *body_en = NULL;
	g_autofree gchar *process = NULL;

	notice_expiring(&notice);
	console_ja = imss_notice_render_console(ja, &notice);
	console_en = imss_notice_render_console(en, &notice);
	subject_ja = imss_notice_render_mail_subject(ja, &notice);
	body_en = imss_notice_render_mail_body(en, &notice);
	g_assert_cmpstr(console_ja,
	                ==,
	                AV_JA "のサポート契約はあと14日で終了します。保護を維持して製品コンポーネ"
	                      "ントをアップデートするには、契約を更新する必要があります。");
	g_assert_cmpstr(console_en,
	                ==,
	                "The support contract for " AV_EN " ends in 14 days. To maintain "
	                "protection and update product components, you must renew the contract.");
	g_assert_cmpstr(subject_ja, ==, AV_JA "のライセンスの有効期限はあと14日で終了します");
	g_assert_cmpstr(body_en, ==, "The " AV_EN " license expires in 14 days.");
	/* NULL: the process's own locale, C here */
	process = imss_notice_render_console(NULL, &notice);
	g_assert_cmpstr(process, ==, console_en);
}

/* SPEC §9.1: word for word, the shorter name in Email Encryption's second
 * sentence */
static void
test_notice_render_inactive(void)
{
	const struct {
		ImssSlotId slot;
		const gchar *ja;
		const gchar *en;
	} cases[] = {
	    {IMSS_SLOT_CLOUD_PREFILTER,
	     "クラウドプレフィルタはアクティベートされていません。"
	     "この機能を使用するには、クラウドプレフィルタをアクティベートします。",
	     "Cloud Pre-Filter is not activated. To use this feature, activate Cloud Pre-Filter."},
	    {IMSS_SLOT_EMAIL_ENCRYPTION,
	     "Trend Micro Email Encryptionはアクティベートされていません。この機能を使用するには、"
	     "Email Encryptionをアクティベートします。",
	     "Trend Micro Email Encryption is not activated. To use this feature, activate Email "
	     "Encryption."},
	    {IMSS_SLOT_COMPLIANCE,
	     "規制コンプライアンスはアクティベートされていません。"
	     "この機能を使用するには、規制コンプライアンスをアクティベートします。",
	     "Regulatory Compliance is not activated. To use this feature, activate Regulatory "
	     "Compliance."},
	};
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		ImssNoticeData notice;
		g_autofree gchar *ja = NULL;
		g_autofree gchar *en = NULL;
		imss_notice_inactive(cases[i].slot, &notice);
		ja = imss_notice_render_console(imss_catalog_for_language("ja"), &notice);
		en = imss_notice_render_console(imss_catalog_for_language("en"), &notice);
		g_assert_cmpstr(ja, ==, cases[i].ja);
		g_assert_cmpstr(en, ==, cases[i].en);
	}
}

typedef struct {
	const gchar *language;
	const gchar *expected;
	gboolean ok;
} RenderJob;

static gpointer
render_thread(gpointer data)
{
	RenderJob *job = data;
	ImssNoticeData notice;
	notice_expiring(&notice);
	job->ok = TRUE;
	for (guint i = 0; i < 2000 && job->ok; i++) {
		g_autofree gchar *text =
		    imss_notice_render_console(imss_catalog_for_language(job->language), &notice);
		job->ok = g_str_has_prefix(text, job->expected);
	}
	return NULL;
}

/* Japanese and English rendered at the same time from several threads, the
 * first load of the catalogue racing too: each gets its own, and neither
 * LANGUAGE nor the message locale changes */
static void
test_notice_render_threads(void)
{
	RenderJob jobs[] = {
	    {"ja_JP.UTF-8", AV_JA "のサポート契約はあと14日", FALSE},
	    {"en", "The support contract for " AV_EN " ends in 14 days.", FALSE},
	    {"ja", AV_JA "のサポート契約はあと14日", FALSE},
	    {"de_DE", "The support contract for " AV_EN " ends in 14 days.", FALSE}};
	GThread *threads[G_N_ELEMENTS(jobs)];
	g_autofree gchar *messages = g_strdup(setlocale(LC_MESSAGES, NULL));

	g_assert_true(g_setenv("LANGUAGE", "de", TRUE));
	for (guint i = 0; i < G_N_ELEMENTS(jobs); i++)
		threads[i] = g_thread_new("render", render_thread, &jobs[i]);
	for (guint i = 0; i < G_N_ELEMENTS(jobs); i++) {
		g_thread_join(threads[i]);
		g_assert_true(jobs[i].ok);
	}
	g_assert_cmpstr(g_getenv("LANGUAGE"), ==, "de");
	g_assert_cmpstr(setlocale(LC_MESSAGES, NULL), ==, messages);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	g_test_init(&argc, &argv, NULL);
	/* the build tree's catalogues (tests/unit/meson.build) */
	g_assert_nonnull(g_getenv("IMSS_LOCALEDIR"));
	imss_catalog_set_localedir(g_getenv("IMSS_LOCALEDIR"));
	g_test_add_func("/imss/notice/render-threads", test_notice_render_threads);
	g_test_add_func("/imss/notice/render-languages", test_notice_render_languages);
	g_test_add_func("/imss/notice/render-inactive", test_notice_render_inactive);
	return g_test_run();
}
