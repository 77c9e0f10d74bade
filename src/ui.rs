//! The widget's state as yew holds it: core's pure [`State`] and reducer
//! (`reach_us_core::widget`), wrapped so that yew's `use_reducer` can drive it.
//! Nothing is decided here; the rules and their tests live in the core.
use std::ops::Deref;
use std::rc::Rc;

pub use reach_us_core::send_error::SendError;
pub use reach_us_core::widget::{Accepted, Phase, Undelivered};

use crate::attached::Files;

/// The widget's state: core's, with the visitor's files attached.
pub type State = reach_us_core::widget::State<Files>;
/// Everything that can happen to it.
pub type Action = reach_us_core::widget::Action<Files>;
use yew::Reducible;

/// Core's [`State`] behind an `Rc`, as a yew `Reducible` (a foreign trait needs a local
/// type). Reads go straight through to the state (`Deref`).
#[derive(Clone, Debug, PartialEq)]
pub struct Ui(Rc<State>);

impl Ui {
    /// The widget's initial state.
    pub fn new(state: State) -> Self {
        Ui(Rc::new(state))
    }
}

impl Deref for Ui {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

impl Reducible for Ui {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = self.0.clone().reduce(action);
        // The same `Rc` back means nothing changed: keep ours, so yew does not render.
        if Rc::ptr_eq(&next, &self.0) {
            self
        } else {
            Rc::new(Ui(next))
        }
    }
}
