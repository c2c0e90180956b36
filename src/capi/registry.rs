//! Handle registries: a handle is (type tag, generation, slot) packed in a
//! pointer-sized value, so stale, forged and wrong-kind handles are caught.

use super::invalid;
use std::sync::Mutex;

pub(crate) struct Registry<T> {
    tag: u64,
    kind: &'static str,
    inner: Mutex<Slots<T>>,
}

struct Slots<T> {
    slots: Vec<(u32, Option<T>)>,
    free: Vec<u32>,
    live: usize,
}

const TAG_SHIFT: u32 = 56;
const GEN_SHIFT: u32 = 32;
const GEN_MASK: u64 = 0xff_ffff;

impl<T: Clone> Registry<T> {
    pub const fn new(tag: u64, kind: &'static str) -> Self {
        Registry { tag, kind, inner: Mutex::new(Slots { slots: Vec::new(), free: Vec::new(), live: 0 }) }
    }

    pub fn insert(&self, v: T) -> usize {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let idx = match s.free.pop() {
            Some(i) => {
                s.slots[i as usize].1 = Some(v);
                i
            }
            None => {
                s.slots.push((1, Some(v)));
                s.slots.len() as u32 - 1
            }
        };
        s.live += 1;
        let gen = s.slots[idx as usize].0 as u64;
        ((self.tag << TAG_SHIFT) | ((gen & GEN_MASK) << GEN_SHIFT) | (idx as u64 + 1)) as usize
    }

    fn decode(&self, h: usize) -> crate::Result<(usize, u32)> {
        let h = h as u64;
        if h == 0 {
            return Err(invalid(format!("null {} handle", self.kind)));
        }
        if h >> TAG_SHIFT != self.tag {
            return Err(invalid(format!("the handle passed as a {} is not a {} handle", self.kind, self.kind)));
        }
        let idx = (h & 0xffff_ffff) as usize;
        if idx == 0 {
            return Err(invalid(format!("invalid {} handle", self.kind)));
        }
        Ok((idx - 1, ((h >> GEN_SHIFT) & GEN_MASK) as u32))
    }

    pub fn get(&self, h: usize) -> crate::Result<T> {
        let (idx, gen) = self.decode(h)?;
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match s.slots.get(idx) {
            Some((g, Some(v))) if (*g as u64 & GEN_MASK) as u32 == gen => Ok(v.clone()),
            _ => Err(invalid(format!("{} handle used after it was freed (or never created)", self.kind))),
        }
    }

    pub fn remove(&self, h: usize) -> crate::Result<T> {
        let (idx, gen) = self.decode(h)?;
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let ok = matches!(s.slots.get(idx), Some((g, Some(_))) if (*g as u64 & GEN_MASK) as u32 == gen);
        if !ok {
            return Err(invalid(format!("{} handle freed twice (or never created)", self.kind)));
        }
        let v = s.slots[idx].1.take().unwrap();
        s.slots[idx].0 = s.slots[idx].0.wrapping_add(1);
        s.free.push(idx as u32);
        s.live -= 1;
        Ok(v)
    }

    pub fn live(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).live
    }
}
