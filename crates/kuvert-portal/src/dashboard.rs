//! Statistics dashboards: the public one at `/statistik` and the figures the communicators'
//! pages reuse. Every figure is computed by pure functions ([`model`]) from the registry's
//! statistics feed and the portal's own counts, turned into a [`dataset::Dataset`] and shown
//! three ways from that one value: an accessible table, a CSV file
//! (`/statistik/{figure}.csv`) and a server-rendered SVG chart (`/statistik/{figure}.svg`).
//! No JavaScript is needed and nothing here sets a cookie.
//!
//! Benchmark: `cargo bench -p kuvert --bench statistics` renders every dashboard over HTTP at
//! the real federation's portal against a year of daily counts for six million profiles and
//! prints the median and p95 time per page (`KUVERT_BENCH_PROFILES`, `KUVERT_BENCH_RENDERS`
//! change the size).

pub(crate) mod dataset;
pub(crate) mod feed;
pub(crate) mod figures;
pub(crate) mod http;
pub(crate) mod model;
pub(crate) mod number;
pub(crate) mod public;
pub(crate) mod settings;
pub(crate) mod svg;
