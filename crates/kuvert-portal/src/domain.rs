//! The portal's rules, free of HTTP and SQL: what a deep link carries ([`deep_link`]), how a
//! visit is counted without tracking anyone ([`visitor`]), what a sender's logo may hold
//! ([`logo`]), how sure an A/B test's difference is ([`significance`]) and how
//! communicators' Markdown is rendered and checked ([`markdown`]).

pub(crate) mod deep_link;
pub(crate) mod logo;
pub(crate) mod markdown;
pub(crate) mod significance;
pub(crate) mod visitor;
