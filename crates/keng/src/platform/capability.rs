//! What a capability contributes to the surfaces the platform shares, without the
//! platform naming it: navigation entries, the public paths the page cache may keep,
//! and the entities whose changes alter what the public sees. Each capability describes
//! itself in a [`Capability`]; the binary installs the list once at start
//! ([`install`]), and the web shell, the page cache and the event log read it from here.
//!
//! It is static data of the binary (the same on every node), so it is kept process-wide.

use std::sync::OnceLock;

use super::permissions::{Action, Actor, Role};

/// A navigation entry of the web shell.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    pub href: &'static str,
    /// Its label's locale key.
    pub key: &'static str,
    pub shown_to: ShownTo,
}

/// Who sees a navigation entry.
#[derive(Debug, Clone, Copy)]
pub enum ShownTo {
    /// Everyone, signed in or not.
    Everyone,
    /// Signed-in accounts the permission matrix allows this action.
    Allowed(Action),
    /// Signed-in accounts of this role.
    Role(Role),
}

/// A path (or every path under a prefix) whose anonymous GET response depends only on
/// the database and the language: the page cache may keep it.
#[derive(Debug, Clone, Copy)]
pub enum CachePath {
    Exact(&'static str),
    Prefix(&'static str),
}

impl CachePath {
    fn matches(&self, path: &str) -> bool {
        match self {
            CachePath::Exact(p) => path == *p,
            CachePath::Prefix(p) => path.starts_with(p),
        }
    }
}

/// One capability's contributions.
#[derive(Debug, Clone, Copy)]
pub struct Capability {
    /// Its folder's name.
    pub name: &'static str,
    pub nav: &'static [NavEntry],
    pub cache_paths: &'static [CachePath],
    /// Entities whose changes can alter a public page or feed.
    pub public_entities: &'static [&'static str],
}

static INSTALLED: OnceLock<Vec<Capability>> = OnceLock::new();

/// Installs the binary's capabilities (once; later calls are ignored).
pub fn install(list: Vec<Capability>) {
    let _ = INSTALLED.set(list);
}

/// The installed capabilities, in the order given.
pub fn all() -> &'static [Capability] {
    INSTALLED.get().map(Vec::as_slice).unwrap_or(&[])
}

/// May the page cache keep the anonymous response to `path`?
pub fn cacheable(path: &str) -> bool {
    all()
        .iter()
        .flat_map(|c| c.cache_paths)
        .any(|p| p.matches(path))
}

/// Does a change of `entity` alter what the public sees?
pub fn is_public_entity(entity: &str) -> bool {
    all()
        .iter()
        .flat_map(|c| c.public_entities)
        .any(|e| *e == entity)
}

/// The capabilities' navigation entries for everyone, then those for a signed-in
/// `actor` (None: signed out or not yet through their second factor), each group in
/// the capabilities' order.
pub fn nav_for(actor: Option<&Actor>, allowed: impl Fn(Action) -> bool) -> Vec<NavEntry> {
    let entries = || all().iter().flat_map(|c| c.nav);
    let everyone = entries().filter(|n| matches!(n.shown_to, ShownTo::Everyone));
    let signed_in = entries().filter(|n| match (n.shown_to, actor) {
        (ShownTo::Allowed(a), Some(_)) => allowed(a),
        (ShownTo::Role(r), Some(actor)) => actor.role == r,
        _ => false,
    });
    everyone.chain(signed_in).copied().collect()
}
