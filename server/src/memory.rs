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

/// Bulk work (an import's chunks, an export's pages) frees nearly all it allocates, but glibc
/// keeps freed memory inside its heaps unless it sits at a heap's very top. Giving whole free
/// pages back every two seconds (`malloc_trim`) keeps the resident size near what is in use;
/// its cost did not show in create throughput or latency under load. Call inside the runtime.
pub fn spawn_trimmer() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    tokio::spawn(async {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            // SAFETY: malloc_trim only returns unused pages to the system; any thread may call it.
            unsafe {
                libc::malloc_trim(0);
            }
        }
    });
}
