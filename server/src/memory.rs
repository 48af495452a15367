//! Resident memory: keeping glibc's malloc from holding on to what password hashing used.
//!
//! A password hash (argon2) allocates 19 MiB at once. glibc serves a block that large with
//! `mmap` and unmaps it when freed, but then raises its mmap threshold to the block's size, so
//! every later hash is carved from a heap arena (one per thread that hashed) and stays resident:
//! seven sign-ins took an idle server from 23 to 80 MB. A fixed threshold keeps large blocks on
//! `mmap`, and two arenas bound what per-thread heaps keep.

/// Sets the allocator's parameters; call first thing in `main`, before other threads start.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's tuning parameters, and runs before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
