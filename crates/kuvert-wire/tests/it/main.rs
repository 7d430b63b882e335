//! Integration tests of kuvert-wire: real fixture responses, real signed samples, round trips
//! of every operation in both directions, and XSD validation of everything we build.
#![allow(clippy::unwrap_used)]

mod examples;
mod faults;
mod fixtures;
mod round_trip;
mod samples;
mod signed_letter;
mod xsd;
