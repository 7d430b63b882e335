//! The operator's rules, apart from HTTP: [`rules`] holds the pure checks of a delivery
//! (who may deliver for whom, whether the recipient is here and accepts the sender);
//! [`intake`] applies them in order to a sealed delivery and stores it (PROTOCOL.md §11.6
//! step 4).

pub mod intake;
pub mod rules;

#[cfg(test)]
mod tests;
