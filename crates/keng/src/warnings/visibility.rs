//! Who may see a warning, decided here and only here: the public (and journalists, and
//! staff on public surfaces) see published and cancelled warnings that are not tests;
//! staff see everything on the warnings desk. Lists, pages, CAP documents, the CAP
//! index and the API all ask [`public`].

use super::model::{State, Warning};

/// The states a public surface lists (a test warning is never one of them).
pub const PUBLIC_STATES: [State; 2] = [State::Published, State::Cancelled];

/// May anyone see `w` on a public surface?
pub fn public(w: &Warning) -> bool {
    !w.is_test && PUBLIC_STATES.contains(&w.state)
}
