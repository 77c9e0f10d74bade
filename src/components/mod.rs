//! One component per file.

pub mod dialog;
pub mod launcher;
pub mod promise_line;
pub mod receipt;
pub mod report_form;
pub mod text_field;
pub mod urgent;
