#ifndef CALLGRIND_REGION_H
#define CALLGRIND_REGION_H

/// Starts counting (under `valgrind --tool=callgrind --instr-atstart=no`); outside
/// valgrind these do nothing.
void callgrind_region_begin(void);
/// Stops counting.
void callgrind_region_end(void);
/// Whether the process runs under valgrind.
int callgrind_region_active(void);

#endif
