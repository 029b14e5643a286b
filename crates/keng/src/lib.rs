//! Kẻng: the platform through which a provincial police department (Công an tỉnh) works
//! with the press and the public.
//!
//! Layout: `platform/` holds what every capability needs (storage on SQLite or
//! PostgreSQL, the event log, the audit log, authentication, the permission matrix, the
//! web shell, webhook and mail delivery); each capability is a folder of its own
//! (`accounts/`, `newsroom/`; `press_desk/`, `warnings/`, `scamcheck/`, `stats/`,
//! `coverage/` as they come). `server` assembles the node, `openapi` the API document,
//! `demo` the demo province, `cli` the commands — each by looping over
//! `capabilities::ALL`.
//!
//! Imports point one way: capabilities → accounts → platform → `keng-text`. The platform
//! never names a capability (a test below scans its source). Sideways imports between
//! capabilities are allowed only where the importing module's top comment names the
//! reason.
//!
//! The capability contract (`platform::capability::Capability`, see
//! docs/adr/0002-capabilities.md): a capability describes its menu entries, public cache
//! paths and public entities, and gives its routes, its OpenAPI part, its settings, its
//! node-local state, its event-log followers and background tasks, what to close on
//! shutdown and its part of the demo. Adding one is its folder, its migrations named
//! `<timestamp>_<name>_<what>.sql`, and one line in `capabilities::ALL`.

pub mod accounts;
pub mod capabilities;
pub mod cli;
pub mod coverage;
pub mod demo;
pub mod newsroom;
pub mod openapi;
pub mod platform;
pub mod press_desk;
pub mod scamcheck;
pub mod server;
pub mod stats;
pub mod warnings;

#[cfg(test)]
mod architecture {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir)
            .expect("read a source folder")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The capability folders: every folder of `src/` but the platform.
    fn capabilities(src: &Path) -> Vec<String> {
        std::fs::read_dir(src)
            .expect("read src")
            .flatten()
            .filter(|e| e.path().is_dir() && e.file_name() != "platform")
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect()
    }

    #[test]
    fn every_capability_folder_is_in_the_list() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let listed: Vec<&str> = crate::capabilities::all()
            .iter()
            .map(|c| c.describe().name)
            .collect();
        for cap in capabilities(&src) {
            assert!(
                listed.contains(&cap.as_str()),
                "src/{cap} is not in capabilities::all(): {listed:?}"
            );
        }
    }

    #[test]
    fn the_platform_never_names_a_capability() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let caps = capabilities(&src);
        assert!(caps.contains(&"newsroom".to_string()), "{caps:?}");
        let mut files = Vec::new();
        rust_files(&src.join("platform"), &mut files);
        let mut found = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read a source file");
            // Comments out, then every `crate::…` path — grouped ones (`use crate::{…}`,
            // over several lines as rustfmt writes them) included.
            let code: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            let words = |s: &str| {
                s.split(|c: char| !c.is_alphanumeric() && c != '_')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            };
            let mut named = Vec::new();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                let path = if rest.starts_with('{') {
                    // The whole group, up to its closing brace.
                    let mut depth = 0;
                    let end = rest
                        .char_indices()
                        .find(|&(_, c)| {
                            match c {
                                '{' => depth += 1,
                                '}' => depth -= 1,
                                _ => {}
                            }
                            depth == 0
                        })
                        .map_or(rest.len(), |(j, _)| j);
                    words(&rest[..end])
                } else {
                    words(rest).into_iter().take(1).collect()
                };
                named.extend(path);
            }
            for cap in &caps {
                if named.iter().any(|w| w == cap) || code.contains(&format!("super::super::{cap}"))
                {
                    found.push(format!("{}: names {cap}", f.display()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "the platform names a capability:\n{}",
            found.join("\n")
        );
    }
}
