//! threefry2x32: the Threefry-2x32 block cipher (20 rounds) that JAX's
//! default PRNG is built on. `random.rs` at the crate root builds keys,
//! split, fold_in, random bits and distributions on it.

use crate::dtype::DType;
use crate::error::Result;
use crate::ir::Aval;
use crate::runtime::host::HostData;

pub fn threefry_shape(ins: &[Aval]) -> Result<Vec<Aval>> {
    super::arity("threefry2x32", ins, 4)?;
    if ins.iter().any(|a| a.dtype != DType::U32) {
        crate::bail!(Type, "threefry2x32 requires uint32 arguments, got [{}]", super::avals_str(ins));
    }
    let shape = &ins[2].shape;
    if ins.iter().any(|a| &a.shape != shape) {
        crate::bail!(Type, "threefry2x32 requires all arguments to have the same shape, got [{}]", super::avals_str(ins));
    }
    Ok(vec![Aval::new(shape, DType::U32), Aval::new(shape, DType::U32)])
}

/// One Threefry-2x32 block: key (k0, k1), counter (x0, x1).
pub fn threefry2x32(k0: u32, k1: u32, mut x0: u32, mut x1: u32) -> (u32, u32) {
    const ROT: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];
    let ks = [k0, k1, k0 ^ k1 ^ 0x1BD1_1BDA];
    x0 = x0.wrapping_add(ks[0]);
    x1 = x1.wrapping_add(ks[1]);
    for i in 0..5usize {
        for &r in &ROT[i % 2] {
            x0 = x0.wrapping_add(x1);
            x1 = x1.rotate_left(r);
            x1 ^= x0;
        }
        x0 = x0.wrapping_add(ks[(i + 1) % 3]);
        x1 = x1.wrapping_add(ks[(i + 2) % 3]).wrapping_add(i as u32 + 1);
    }
    (x0, x1)
}

pub fn threefry_eval(ins: &[&HostData]) -> Result<Vec<HostData>> {
    let v: Vec<Vec<u32>> = ins.iter().map(|h| h.to_vec::<u32>()).collect();
    let n = v[2].len();
    let (mut o0, mut o1) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let (a, b) = threefry2x32(v[0][i], v[1][i], v[2][i], v[3][i]);
        o0.push(a);
        o1.push(b);
    }
    let shape = ins[2].shape();
    Ok(vec![HostData::from_vec(shape, o0)?, HostData::from_vec(shape, o1)?])
}
