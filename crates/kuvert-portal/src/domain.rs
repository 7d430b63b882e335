//! The portal's rules, free of HTTP and SQL: what a deep link carries ([`deep_link`]) and how
//! a visit is counted without tracking anyone ([`visitor`]).

pub(crate) mod deep_link;
pub(crate) mod visitor;
