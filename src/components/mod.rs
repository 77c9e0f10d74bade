//! One component per file.

pub mod dialog;
pub mod launcher;
pub mod notice_banner;
pub mod promise_line;
pub mod queued;
pub mod receipt;
pub mod report_form;
pub mod text_field;
pub mod track_record;
pub mod undelivered;
pub mod urgent;
pub mod your_reports;
