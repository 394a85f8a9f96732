/*
 * The skeletons we export: the generated ones, with our own vtable in front
 * (docs/lean.md, "The skeletons' vtable"): every caller's argument is
 * bounded before the generated handler sees it, and Properties.Get and
 * GetAll, and the object manager's view, are answered from a copy of the
 * properties prepared at the first read after a change — in GDBus's worker
 * thread, once prepared, on a connection imss_skeleton_serve() filters.
 */
#pragma once

#include "imss-generated.h"

G_BEGIN_DECLS

ImssExportedManager *
imss_skeleton_new_manager(void);
ImssExportedSlot *
imss_skeleton_new_slot(void);
ImssExportedVirtualClock *
imss_skeleton_new_virtual_clock(void);

guint
imss_skeleton_serve(GDBusConnection *connection);
void
imss_skeleton_unserve(GDBusConnection *connection, guint filter_id);

G_END_DECLS
