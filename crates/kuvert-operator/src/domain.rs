//! The operator's rules, pure (no clock, store, registry or HTTP): [`intake`] verifies a
//! sealed delivery and reads its letter; [`rules`] holds the checks of a delivery (who may
//! deliver for whom, whether the recipient is here and accepts the sender). The shell
//! `crate::intake::Intake` applies them in order and stores the delivery (PROTOCOL.md §11.6
//! step 4).

pub mod intake;
pub mod rules;

#[cfg(test)]
mod tests;
