//! Test PKI: organisation and e-ID certificates for the demo and tests
