//! One enrollment, from the citizen's language to the receipt, as a pure state machine.
//!
//! Every rule of the enrollment lives here once: the order of the steps and what unlocks Next,
//! the quality asked of each capture and the tries a citizen gets ([`policy`]), which attempt is
//! kept and when it is forced, the exception photo a missing finger needs, the duplicate-PIN path
//! with a supervisor's override, and what is wiped when. [`next`] takes the state, an event (what
//! the operator did, or what a device or the station answered) and the time, and returns the new
//! state with the effects to carry out: no I/O, no clock, no threads, no egui.
//!
//! The front ends only carry out effects and draw the state. The kiosk's wizard sends the
//! operator's taps and the devices' answers as events; `kattoo enroll` turns files into the same
//! events ([`files`]); both save through [`perform`], so the GUI and the CLI cannot drift apart.

pub mod capture;
mod events;
pub mod files;
mod machine;
pub mod perform;
pub mod policy;
mod state;

pub use machine::{Effect, Event, WorkflowError, next};
pub use policy::{CapturePolicy, Decision};
pub use state::{FaceAttempt, FingerBar, FingerSlot, SaveState, ScoredFinger, State, Step};

#[cfg(test)]
mod tests;
