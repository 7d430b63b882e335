//! Criterion benchmarks for signing, sealing and verifying Mina meddelanden deliveries.
fn main() {}
