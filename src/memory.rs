//! Process-wide memory settings for long tensor work (training, encoding).

/// Keeps freed memory in the process heap instead of returning it to the kernel (glibc only).
///
/// Training steps and encoder batches allocate and free tensors of tens of MiB. By default
/// glibc serves such sizes with `mmap` and unmaps them on free, so every step page-faults
/// and zero-fills them again. On 2 contended cores that took about half of a TransE step
/// (d = 256, 64 negatives, measured with `perf`). Encoding ran at about 28 passages/s
/// instead of 30.5 (fp32, all-MiniLM-L6-v2, batch 32, 2 threads). Raising the mmap and trim
/// thresholds to 1 GiB lets the heap reuse them. Call it once at start-up.
pub fn retain_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator thresholds and is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
