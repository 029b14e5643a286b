//! Reading the project's own source, for the tests that check it: every Rust file under
//! a folder, and every `.route(path, handlers)` call with the methods it serves.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)
        .expect("read a source folder")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// One `.route(…)` call: its path and the methods its handlers serve (lowercase).
pub struct RouteCall {
    pub path: String,
    pub methods: Vec<&'static str>,
}

/// Every `.route("…", …)` call in `src`, each read to its closing parenthesis. Fails on a
/// catch-all handler (`any(..)`, `on(..)`): a method the scans could not see.
pub fn route_calls(src: &str) -> Vec<RouteCall> {
    let path_re = regex::Regex::new(r#"^\s*"([^"]+)""#).expect("regex");
    let catch_all = regex::Regex::new(r"(^|[^\w])(any|on)\(").expect("regex");
    let mut calls = Vec::new();
    for chunk in src.split(".route(").skip(1) {
        let Some(c) = path_re.captures(chunk) else {
            continue;
        };
        let mut depth = 1;
        let end = chunk
            .char_indices()
            .find(|&(_, ch)| {
                match ch {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(chunk.len(), |(i, _)| i);
        let handlers = &chunk[c.get(0).map_or(0, |m| m.end())..end];
        assert!(
            !catch_all.is_match(handlers),
            "{}: give each method its own handler (get(..).post(..)) so the route scans see it",
            &c[1]
        );
        let methods = ["get", "post", "put", "delete", "patch"]
            .into_iter()
            .filter(|m| handlers.contains(&format!("{m}(")))
            .collect();
        calls.push(RouteCall {
            path: c[1].to_string(),
            methods,
        });
    }
    calls
}
