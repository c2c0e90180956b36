//! Prints graphs the way JAX prints jaxprs:
//! `{ lambda ; a:f32[3]. let b:f32[3] = exp a in (b) }`.

use super::{Atom, Graph, Var};
use std::collections::HashMap;
use std::fmt::{self, Write};

/// Names variables a, b, ..., z, ba, bb, ... in order of first definition.
fn var_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse(); // "ba" follows "z", as in JAX
    String::from_utf8(s).unwrap()
}

struct Namer(HashMap<Var, String>);

impl Namer {
    fn define(&mut self, v: Var) -> String {
        let n = var_name(self.0.len());
        self.0.insert(v, n.clone());
        n
    }
    fn atom(&self, a: &Atom) -> String {
        match a {
            Atom::Var(v) => self.0.get(v).cloned().unwrap_or_else(|| format!("?{}", v.0)),
            Atom::Lit(x) => format!("{}:{}", x.literal_str(), x.aval()),
        }
    }
}

impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut n = Namer(HashMap::new());
        let mut s = String::from("{ lambda ");
        let cs: Vec<String> = self.consts.iter().map(|(v, _)| format!("{}:{}", n.define(*v), self.aval(*v))).collect();
        s += &cs.join(" ");
        s += "; ";
        let is: Vec<String> = self.invars.iter().map(|v| format!("{}:{}", n.define(*v), self.aval(*v))).collect();
        s += &is.join(" ");
        s += ". let";
        for e in &self.eqns {
            let ins: Vec<String> = e.inputs.iter().map(|a| n.atom(a)).collect();
            let outs: Vec<String> = e.outputs.iter().map(|v| format!("{}:{}", n.define(*v), self.aval(*v))).collect();
            let params = e.prim.params_str();
            let _ = write!(
                s,
                "\n    {} = {}{} {}",
                outs.join(" "),
                e.prim.name(),
                if params.is_empty() { String::new() } else { format!("[{params}]") },
                ins.join(" ")
            );
        }
        let outs: Vec<String> = self.outvars.iter().map(|a| n.atom(a)).collect();
        let _ = write!(s, "\n  in ({}) }}", outs.join(", "));
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_follow_jax() {
        assert_eq!(super::var_name(0), "a");
        assert_eq!(super::var_name(25), "z");
        assert_eq!(super::var_name(26), "ba");
        assert_eq!(super::var_name(27), "bb");
    }
}
