//! Every `ccall` in the Julia binding names a function of `include/jaxcore.h`
//! with the same number of arguments and compatible types, so a header
//! change cannot silently break the binding.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// name -> (return type, parameter types) of every function in the header.
fn header_functions() -> HashMap<String, (String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("include/jaxcore.h")).unwrap();
    // drop comments, join lines, split on ';'
    let mut clean = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("/*") {
        clean.push_str(&rest[..i]);
        rest = &rest[i + rest[i..].find("*/").unwrap() + 2..];
    }
    clean.push_str(rest);
    let clean: String = clean.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//")).collect::<Vec<_>>().join(" ");
    let mut out = HashMap::new();
    for decl in clean.split(';') {
        // what follows an `extern "C" {` or a closing brace
        let d = decl.rsplit(|c| c == '{' || c == '}').next().unwrap().trim();
        let (Some(open), true) = (d.find('('), d.ends_with(')')) else { continue };
        if d.starts_with("typedef") {
            continue;
        }
        let head = d[..open].trim();
        let Some(sp) = head.rfind(|c: char| c == ' ' || c == '*') else { continue };
        let name = head[sp + 1..].to_string();
        if !name.starts_with("jc_") {
            continue;
        }
        let ret = head[..sp + 1].trim().to_string();
        let params = &d[open + 1..d.len() - 1];
        let ps: Vec<String> = if params.trim() == "void" || params.trim().is_empty() {
            vec![]
        } else {
            params
                .split(',')
                .map(|p| {
                    // the type: everything but the trailing parameter name
                    let p = p.trim();
                    let cut = p.rfind(|c: char| c == ' ' || c == '*').unwrap();
                    p[..cut + 1].trim().to_string()
                })
                .collect()
        };
        out.insert(name, (ret, ps));
    }
    out
}

/// (symbol, return type, argument types) of every `ccall((:sym, libjaxcore), R, (A, B), ...)`.
fn julia_ccalls() -> Vec<(String, String, Vec<String>, String)> {
    let mut files = Vec::new();
    fn walk(d: &Path, files: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, files);
            } else if p.extension().map(|x| x == "jl").unwrap_or(false) {
                files.push(p);
            }
        }
    }
    walk(&root().join("bindings/julia"), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("ccall((:") {
            let s = &rest[i + 8..];
            let end = s.find(',').unwrap();
            let sym = s[..end].to_string();
            // after "libjaxcore), "
            let after = &s[s.find(')').unwrap() + 1..];
            let after = after.trim_start_matches(',').trim_start();
            let comma = after.find(',').unwrap();
            let ret = after[..comma].trim().to_string();
            let tup = after[comma + 1..].trim_start();
            assert!(tup.starts_with('('), "{}: ccall of {sym}: argument types must be a literal tuple", f.display());
            // the balanced tuple of argument types
            let mut depth = 0;
            let mut close = 0;
            for (k, c) in tup.char_indices() {
                match c {
                    '(' | '{' => depth += 1,
                    ')' | '}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = &tup[1..close];
            let mut args = Vec::new();
            let (mut depth, mut cur) = (0, String::new());
            for c in inner.chars() {
                match c {
                    '{' | '(' => {
                        depth += 1;
                        cur.push(c)
                    }
                    '}' | ')' => {
                        depth -= 1;
                        cur.push(c)
                    }
                    ',' if depth == 0 => {
                        args.push(cur.trim().to_string());
                        cur.clear()
                    }
                    _ => cur.push(c),
                }
            }
            if !cur.trim().is_empty() {
                args.push(cur.trim().to_string());
            }
            out.push((sym, ret, args, f.display().to_string()));
            rest = &s[end..];
        }
    }
    out
}

/// Whether a Julia ccall type can carry the C type.
fn compatible(c: &str, j: &str) -> bool {
    let c = c.replace("const ", "").replace("struct ", "");
    let c = c.trim();
    let ptr = c.ends_with('*');
    let base = c.trim_end_matches('*').trim();
    if ptr {
        let (jptr, inner) = if let Some(x) = j.strip_prefix("Ptr{").or_else(|| j.strip_prefix("Ref{")) {
            (true, x.trim_end_matches('}'))
        } else {
            (j == "Cstring", "UInt8")
        };
        if !jptr {
            return false;
        }
        return match base {
            "char" => inner == "UInt8" || j == "Cstring",
            "void" => true,
            "jc_array" | "jc_fn" | "jc_client" | "jc_device" => inner == "Handle" || inner == "Ptr{Cvoid}",
            "int64_t" => inner == "Int64",
            "size_t" => inner == "Csize_t",
            "double" => inner == "Float64",
            "bool" => inner == "Bool",
            "jc_dtype" | "uint32_t" => inner == "UInt32",
            "jc_params" => inner == "JcParams",
            _ => false,
        };
    }
    match base {
        "jc_status" | "int32_t" => j == "Int32",
        "jc_dtype" | "uint32_t" => j == "UInt32",
        "size_t" => j == "Csize_t",
        "int64_t" => j == "Int64",
        "double" => j == "Float64",
        "bool" => j == "Bool",
        "void" => j == "Cvoid",
        "jc_array" | "jc_fn" | "jc_client" | "jc_device" => j == "Handle" || j == "Ptr{Cvoid}",
        "jc_callback" | "jc_free_fn" => j == "Ptr{Cvoid}",
        _ => false,
    }
}

#[test]
fn every_julia_ccall_matches_the_header() {
    let header = header_functions();
    assert!(header.len() > 50, "parsed only {} functions from the header", header.len());
    let calls = julia_ccalls();
    assert!(calls.len() >= 30, "found only {} ccalls in the Julia binding", calls.len());
    let mut problems = Vec::new();
    for (sym, ret, args, file) in &calls {
        let Some((cret, cargs)) = header.get(sym) else {
            problems.push(format!("{file}: {sym} is not in include/jaxcore.h"));
            continue;
        };
        let cret = if cret == "const char *" { "const char *".to_string() } else { cret.clone() };
        let ret_ok = if cret.ends_with('*') { ret == "Cstring" || ret.starts_with("Ptr{") } else { compatible(&cret, ret) };
        if !ret_ok {
            problems.push(format!("{file}: {sym} returns {cret} in C but {ret} in Julia"));
        }
        if args.len() != cargs.len() {
            problems.push(format!("{file}: {sym} takes {} arguments in C but {} in Julia", cargs.len(), args.len()));
            continue;
        }
        for (i, (c, j)) in cargs.iter().zip(args).enumerate() {
            if !compatible(c, j) {
                problems.push(format!("{file}: {sym} argument {i} is {c} in C but {j} in Julia"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_catches_a_mismatch() {
    assert!(compatible("size_t", "Csize_t"));
    assert!(!compatible("size_t", "Int32"));
    assert!(!compatible("jc_array *", "Handle"));
    assert!(compatible("const jc_array *", "Ptr{Handle}"));
    assert!(compatible("const char *", "Cstring"));
    assert!(!compatible("double", "Float32"));
}
