#ifndef HEAP_STATS_H
#define HEAP_STATS_H
#include <stddef.h>

/// Bytes of the heap in use by live allocations (glibc's mallinfo2 uordblks).
size_t heap_bytes_in_use(void);

#endif
