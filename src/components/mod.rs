//! One view per file. They are view functions (`fn(&State, …) -> Html`), not yew
//! components: each re-renders with its parent anyway, and a component costs about 1 KiB
//! of wasm for its own lifecycle and props machinery. The one component is `App`, which
//! holds the hooks (state, effects, focus trap, outbox runner).

pub mod attachments;
pub mod dialog;
pub mod incident_offer;
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
