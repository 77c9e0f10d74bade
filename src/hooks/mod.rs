//! Reusable hooks.

pub mod use_focus_trap;
pub mod use_outbox;
