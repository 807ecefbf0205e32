#ifndef DECONFLICT_HEAP_IN_USE_H
#define DECONFLICT_HEAP_IN_USE_H
#include <stddef.h>

/// Bytes the C allocator has handed out and not had back (glibc's mallinfo2: uordblks +
/// hblkhd), over every arena; 0 where the C library has no mallinfo2.
size_t deconflict_heap_in_use(void);

#endif
