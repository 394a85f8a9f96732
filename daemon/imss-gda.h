/* libgda 5 has no g_autoptr support: add it for the types we use. */
#pragma once

#include <libgda/libgda.h>
#include <sql-parser/gda-sql-parser.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GdaConnection, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GdaStatement, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GdaSet, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GdaSqlParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GdaDataModel, g_object_unref)
