//! Pure rules of the registry (FaR), with no I/O: who may ask what (`access`), when a
//! recipient is reachable (`reachability`), how e-ID signatures authorise a profile change
//! (`signing`), whether a signed text is bound to the change asked for now (`binding`), and
//! how the protocol's positive `AcceptedSenders` list maps to the stored "every sender except
//! the deselected ones" (`reception`).
//!
//! Everything here takes typed values and store records in and returns decisions; the
//! handlers in `soap.rs` and `http/` do the talking and the store does the keeping.

pub mod access;
pub mod binding;
pub mod reachability;
pub mod reception;
pub mod signing;

#[cfg(test)]
mod tests;
