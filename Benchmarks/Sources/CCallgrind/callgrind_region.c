#include "callgrind_region.h"
#include <valgrind/callgrind.h>

void callgrind_region_begin(void) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
}

void callgrind_region_end(void) {
    CALLGRIND_STOP_INSTRUMENTATION;
}

int callgrind_region_active(void) {
    return RUNNING_ON_VALGRIND ? 1 : 0;
}
