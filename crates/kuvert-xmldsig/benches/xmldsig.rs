//! Criterion benchmarks for the Mina meddelanden signature profile (PROTOCOL.md §9): sign a
//! SignedDelivery, seal it (sign the SealedDelivery around it) and verify both signatures, for
//! 10 KB, 100 KB and 2 MB letters, next to raw RSA-2048 PKCS#1 SHA-256 signing as the floor.
//!
//! `tools/bench/xmldsig.sh` runs this with `KUVERT_BENCH_EXPORT_DIR` set: the bench then writes
//! the very documents it times, plus the PEM key, certificate and CA, into that directory, so
//! that libxmlsec1 can be timed on the same bytes.
#![allow(clippy::unwrap_used)]

#[path = "support/letters.rs"]
mod letters;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{SignatureAlgorithm, Signer, Verifier, VerifyPolicy};

/// Letter sizes in bytes of the unsigned SignedDelivery. "2 MB" is decimal so that the sealed
/// form stays under the 2 MiB envelope bound (PROTOCOL.md §6.3) that the parser enforces.
const SIZES: [(&str, usize); 3] = [("10KB", 10_000), ("100KB", 100_000), ("2MB", 2_000_000)];

/// One letter in every stage, each stage made from the one before.
struct Letter {
    label: &'static str,
    unsigned: String,
    signed: String,
    sealed_unsigned: String,
    sealed: String,
}

fn benches(c: &mut Criterion) {
    let pki = letters::TestPki::generate();
    let signer = Signer::from_pkcs8_pem(&pki.key_pem, &pki.certificate_pem).unwrap();
    let anchors = TrustAnchors::from_pem(&pki.ca_pem).unwrap();
    let verifier = Verifier::new(anchors, VerifyPolicy::default());
    let letters: Vec<Letter> = SIZES
        .iter()
        .map(|&(label, size_bytes)| {
            let unsigned = letters::unsigned_signed_delivery(size_bytes);
            let signed = signer
                .sign(&unsigned, SignatureAlgorithm::RsaSha256)
                .unwrap();
            let sealed_unsigned = letters::unsigned_sealed_delivery(&signed);
            let sealed = signer
                .sign(&sealed_unsigned, SignatureAlgorithm::RsaSha256)
                .unwrap();
            Letter {
                label,
                unsigned,
                signed,
                sealed_unsigned,
                sealed,
            }
        })
        .collect();
    if let Some(dir) = export_dir() {
        export(&dir, &pki, &letters);
    }

    let mut group = c.benchmark_group("sign");
    for letter in &letters {
        configure(&mut group, letter, letter.unsigned.len());
        group.bench_function(BenchmarkId::from_parameter(letter.label), |bencher| {
            bencher.iter(|| {
                signer
                    .sign(black_box(&letter.unsigned), SignatureAlgorithm::RsaSha256)
                    .unwrap()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("seal");
    for letter in &letters {
        configure(&mut group, letter, letter.sealed_unsigned.len());
        group.bench_function(BenchmarkId::from_parameter(letter.label), |bencher| {
            bencher.iter(|| {
                signer
                    .sign(
                        black_box(&letter.sealed_unsigned),
                        SignatureAlgorithm::RsaSha256,
                    )
                    .unwrap()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("verify");
    for letter in &letters {
        configure(&mut group, letter, letter.sealed.len());
        group.bench_function(BenchmarkId::from_parameter(letter.label), |bencher| {
            bencher.iter(|| {
                // Parsing is part of the job: a receiver gets bytes, not a tree.
                let document = kuvert_xmldsig::parse_document(black_box(&letter.sealed)).unwrap();
                verifier
                    .verify_sealed_delivery(document.root_element())
                    .unwrap();
            });
        });
    }
    group.finish();

    raw_rsa(c, &pki.key_pem);
}

/// RSA-2048 PKCS#1 v1.5 SHA-256 over a SignedInfo-sized message: the cost no XML-DSig
/// implementation can avoid, so `sign 10KB / raw RSA` shows our overhead.
fn raw_rsa(c: &mut Criterion, key_pem: &str) {
    let key_der = pem::parse(key_pem).unwrap().into_contents();
    let key = RsaKeyPair::from_pkcs8(&key_der).unwrap();
    let random = SystemRandom::new();
    let message = [0x5a_u8; 700];
    let mut signature = vec![0_u8; key.public_modulus_len()];
    let mut group = c.benchmark_group("raw_rsa");
    group.bench_function("rsa2048_pkcs1_sha256_sign", |bencher| {
        bencher.iter(|| {
            key.sign(
                &RSA_PKCS1_SHA256,
                &random,
                black_box(&message),
                &mut signature,
            )
            .unwrap();
        });
    });
    group.finish();
}

fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    letter: &Letter,
    n_bytes: usize,
) {
    group.throughput(Throughput::Bytes(n_bytes as u64));
    // Few samples for the big letter keep a full run within a couple of minutes.
    group.sample_size(if letter.label == "2MB" { 10 } else { 50 });
}

/// The directory `tools/bench/xmldsig.sh` asks the documents to be written to, if any.
/// The one place this bench reads the environment.
#[allow(clippy::disallowed_methods)]
fn export_dir() -> Option<PathBuf> {
    std::env::var("KUVERT_BENCH_EXPORT_DIR")
        .ok()
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

fn export(dir: &Path, pki: &letters::TestPki, letters: &[Letter]) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("key.pem", &pki.key_pem);
    write("cert.pem", &pki.certificate_pem);
    write("ca.pem", &pki.ca_pem);
    for letter in letters {
        write(&format!("{}-unsigned.xml", letter.label), &letter.unsigned);
        write(&format!("{}-signed.xml", letter.label), &letter.signed);
        write(
            &format!("{}-sealed-unsigned.xml", letter.label),
            &letter.sealed_unsigned,
        );
        write(&format!("{}-sealed.xml", letter.label), &letter.sealed);
    }
}

criterion_group!(xmldsig, benches);
criterion_main!(xmldsig);
