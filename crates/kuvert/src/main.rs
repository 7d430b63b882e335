//! The `kuvert` binary: one command line for every role of the federation.

fn main() {}
