//! The promise engine: from "now", a response time and the brand's business hours,
//! holidays and time zone, the instant a reply is due.
//!
//! Business time is real elapsed time during which the brand's local wall clock is inside
//! an open window on a day that is not a holiday. Time-zone arithmetic goes through the
//! [`Zone`] trait: natively a real tz database (tests), in the browser `Intl`, so the wasm
//! ships no tz data.

mod engine;
mod hours;
pub mod live;
mod rule;
pub mod sim;
mod zone;

pub use engine::{due, is_open, next_opening, DueError};
pub use hours::{BusinessHours, Date, HoursError, Window};
pub use rule::{PromiseRule, RawHours, RawPromise, PROMISE_FIELDS};
pub use zone::{FixedOffset, Zone};
