//! The persistent compilation cache: executables serialized through the
//! plugin, on disk under `~/.cache/jaxcore/compile/` (or
//! `JAXCORE_COMPILE_CACHE=DIR`; `off` disables it). An entry's file name is a
//! hash of its key, and the file repeats the whole key, so a corrupt,
//! truncated or foreign entry is detected, ignored and replaced. The folder
//! is kept under `JAXCORE_COMPILE_CACHE_MAX_MB` (default 1024) by removing
//! the least recently written entries.

use std::io::Write;
use std::path::PathBuf;

const MAGIC: &[u8] = b"jaxcore-compile-cache-v1\n";

pub fn dir() -> Option<PathBuf> {
    match std::env::var("JAXCORE_COMPILE_CACHE") {
        Ok(v) if v == "off" || v == "0" => None,
        Ok(v) if !v.is_empty() => Some(PathBuf::from(v)),
        _ => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            Some(base.join("jaxcore/compile"))
        }
    }
}

/// 128-bit FNV-1a (two 64-bit lanes): stable across builds and platforms.
fn hash(key: &[u8]) -> String {
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325u64, 0x8422_2325_cbf2_9ce4u64);
    for &x in key {
        a = (a ^ x as u64).wrapping_mul(0x0000_0100_0000_01b3);
        b = (b ^ (x as u64).rotate_left(3)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{a:016x}{b:016x}")
}

/// The serialized executable stored under `key`, if a valid entry exists.
pub fn load(key: &[u8]) -> Option<Vec<u8>> {
    let path = dir()?.join(hash(key));
    let data = std::fs::read(path).ok()?;
    let rest = data.strip_prefix(MAGIC)?;
    if rest.len() < 8 {
        return None;
    }
    let klen = u64::from_le_bytes(rest[..8].try_into().ok()?) as usize;
    let rest = &rest[8..];
    if rest.len() < klen || &rest[..klen] != key {
        return None; // another key with the same hash, or a damaged file
    }
    Some(rest[klen..].to_vec())
}

/// Stores an entry (best effort: a cache that cannot be written is skipped).
pub fn store(key: &[u8], exe: &[u8]) {
    let Some(d) = dir() else { return };
    if std::fs::create_dir_all(&d).is_err() {
        return;
    }
    let path = d.join(hash(key));
    let tmp = d.join(format!(".{}.{}", hash(key), std::process::id()));
    let ok = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(MAGIC)?;
        f.write_all(&(key.len() as u64).to_le_bytes())?;
        f.write_all(key)?;
        f.write_all(exe)
    });
    if ok.is_ok() && std::fs::rename(&tmp, &path).is_ok() {
        evict(&d);
    } else {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn evict(d: &std::path::Path) {
    let max = std::env::var("JAXCORE_COMPILE_CACHE_MAX_MB").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(1024) * (1 << 20);
    let Ok(rd) = std::fs::read_dir(d) else { return };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, p) in files {
        if total <= max {
            break;
        }
        if std::fs::remove_file(&p).is_ok() {
            total -= len;
        }
    }
}
