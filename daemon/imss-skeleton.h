/*
 * The skeletons we export: the generated ones, with our own vtable in front
 * (docs/lean.md, "The skeletons' vtable"): every caller's argument is
 * bounded before the generated handler sees it, and Properties.Get and
 * GetAll, and the object manager's view, are answered from a copy of the
 * properties prepared at the first read after a change.
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

G_END_DECLS
