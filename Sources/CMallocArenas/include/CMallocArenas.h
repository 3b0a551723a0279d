#ifndef CMALLOCARENAS_H
#define CMALLOCARENAS_H

/// Limits glibc's malloc arenas to `count`; returns 1 when applied, 0 otherwise (also on a
/// C library without arenas).
int tiersync_limit_malloc_arenas(int count);

#endif
