//! The supervisor's screens, driven headless.
