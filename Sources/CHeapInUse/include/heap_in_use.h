#ifndef DECONFLICT_HEAP_IN_USE_H
#define DECONFLICT_HEAP_IN_USE_H
#include <stddef.h>

/// Bytes the C allocator has handed out and not had back (glibc's mallinfo2: uordblks +
/// hblkhd), over every arena; 0 where the C library has no mallinfo2.
size_t deconflict_heap_in_use(void);

/// Bytes the C allocator holds free in its arenas (glibc's mallinfo2: fordblks); 0 where
/// the C library has no mallinfo2.
size_t deconflict_heap_free(void);

/// Gives the free pages of every arena back to the system (glibc's malloc_trim(0));
/// returns 1 if any memory was released. Does nothing (0) elsewhere.
int deconflict_heap_trim(void);

#endif
