//! XLA's CPU runtime computes with subnormal floats flushed to zero (inputs
//! read as zero, results written as zero), so JAX never shows a subnormal
//! result. The interpreter sets the same floating-point mode around each
//! kernel, so eager and interpreted results equal XLA's
//! (`softplus(-100.) == 0.`, not 3.8e-44).

/// Flushes subnormals on this thread until dropped (then restores the mode).
pub struct FlushDenormals {
    #[cfg_attr(not(any(target_arch = "x86_64", target_arch = "aarch64")), allow(dead_code))]
    saved: u64,
}

impl FlushDenormals {
    pub fn on() -> FlushDenormals {
        let saved = read_mode();
        write_mode(saved | FLUSH_BITS);
        FlushDenormals { saved }
    }
}

impl Drop for FlushDenormals {
    fn drop(&mut self) {
        write_mode(self.saved);
    }
}

// MXCSR: FTZ (bit 15) and DAZ (bit 6)
#[cfg(target_arch = "x86_64")]
const FLUSH_BITS: u64 = (1 << 15) | (1 << 6);

#[cfg(target_arch = "x86_64")]
fn read_mode() -> u64 {
    let mut csr: u32 = 0;
    // SAFETY: stmxcsr stores the SSE control register into the 4 bytes given
    unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags)) };
    csr as u64
}

#[cfg(target_arch = "x86_64")]
fn write_mode(mode: u64) {
    let csr = mode as u32;
    // SAFETY: ldmxcsr loads a control word read by stmxcsr with only the flush bits changed
    unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags)) };
}

// FPCR: FZ (bit 24)
#[cfg(target_arch = "aarch64")]
const FLUSH_BITS: u64 = 1 << 24;

#[cfg(target_arch = "aarch64")]
fn read_mode() -> u64 {
    let fpcr: u64;
    // SAFETY: reads the floating-point control register
    unsafe { std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack, preserves_flags)) };
    fpcr
}

#[cfg(target_arch = "aarch64")]
fn write_mode(mode: u64) {
    // SAFETY: writes back the control register with only the flush bit changed
    unsafe { std::arch::asm!("msr fpcr, {}", in(reg) mode, options(nomem, nostack, preserves_flags)) };
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const FLUSH_BITS: u64 = 0;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn read_mode() -> u64 {
    0
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn write_mode(_: u64) {}
