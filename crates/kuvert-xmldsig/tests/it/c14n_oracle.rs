//! Exclusive C14N checked byte for byte against libxml2 (through lxml, `tools/oracles/c14n.py`).
//!
//! The corpus in `tests/corpus/c14n/` covers one C14N rule per file; a sibling `<name>.case`
//! file names the subtree (`element=N`, the N-th element in document order, 0 = the document
//! element) and the InclusiveNamespaces PrefixList (`prefixes=a b`). On top of that every
//! element of every real Mina meddelanden sample, schema and WSDL in the contracts' folder
//! (`kuvert_testenv::mm_schemas`, by default `../shared/mm-schemas/`) is canonicalized as a
//! subtree, which exercises namespaces inherited from ancestors; without that folder only the
//! corpus is compared, and the test says so. One Python process answers all requests of a test.
//!
//! The same subtrees are also checked in the prefix-free view the MM signatures are computed
//! over (PROTOCOL.md §9.2 quirk 1): lxml canonicalizes a prefix-stripped copy made the way the
//! Skatteverket library's `removeXmlNsPrefixes` does it.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

const CORPUS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/c14n");
const ORACLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/oracles/c14n.py");

/// One canonicalization to compare: a subtree of a file with a prefix list.
#[derive(Debug)]
struct Case {
    path: PathBuf,
    element_idx: usize,
    prefixes: Vec<String>,
    is_prefix_free: bool,
}

/// The oracle's answer when a subtree has namespaced attributes (other than `xml:`), which the
/// prefix-free oracle cannot rebuild faithfully; MM content has none.
const OUT_OF_SCOPE: &str = "namespaced attributes are out of scope";

#[test]
fn corpus_has_at_least_30_documents() {
    assert!(
        corpus_cases().len() >= 30,
        "the C14N corpus shrank below 30 documents"
    );
}

#[test]
fn exclusive_c14n_matches_lxml_on_corpus_and_real_samples() {
    let Some(python) = kuvert_testenv::external("PYTHON", "exclusive C14N against lxml") else {
        return;
    };
    let mut cases = corpus_cases();
    let n_corpus = cases.len();
    cases.extend(sample_cases());
    let expected = run_oracle(&python, &cases);
    assert_eq!(
        expected.len(),
        cases.len(),
        "the oracle answered a different number of cases"
    );

    let failures = compare(&cases, &expected);
    eprintln!(
        "compared {} canonical forms with lxml ({n_corpus} corpus cases, {} sample subtrees)",
        cases.len(),
        cases.len() - n_corpus
    );
    assert!(
        failures.is_empty(),
        "{} of {} canonical forms differ from lxml:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn prefix_free_c14n_matches_lxml_on_corpus_and_real_samples() {
    let Some(python) = kuvert_testenv::external("PYTHON", "prefix-free C14N against lxml") else {
        return;
    };
    let mut cases = corpus_cases();
    cases.extend(sample_cases());
    for case in &mut cases {
        case.is_prefix_free = true;
        case.prefixes.clear();
    }
    let expected = run_oracle(&python, &cases);
    let n_out_of_scope = expected
        .iter()
        .filter(|answer| {
            answer
                .as_ref()
                .is_err_and(|message| message.contains(OUT_OF_SCOPE))
        })
        .count();
    let failures = compare(&cases, &expected);
    eprintln!(
        "compared {} prefix-free canonical forms with lxml ({n_out_of_scope} out of scope)",
        cases.len() - n_out_of_scope
    );
    assert!(
        n_out_of_scope * 10 < cases.len(),
        "too few prefix-free cases in scope"
    );
    assert!(
        failures.is_empty(),
        "{} of {} prefix-free canonical forms differ from lxml:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Describes every case whose canonical form differs from the oracle's.
fn compare(cases: &[Case], expected: &[Result<Vec<u8>, String>]) -> Vec<String> {
    assert_eq!(
        expected.len(),
        cases.len(),
        "the oracle answered a different number of cases"
    );
    let mut failures = Vec::new();
    for (case, expected) in cases.iter().zip(expected) {
        let actual = canonicalize(case);
        match expected {
            Ok(expected) if *expected == actual => {}
            Ok(expected) => failures.push(describe_mismatch(case, expected, &actual)),
            Err(message) if message.contains(OUT_OF_SCOPE) => {}
            Err(message) => failures.push(format!("{case:?}: lxml failed: {message}")),
        }
    }
    failures
}

/// Our canonical form of one case.
fn canonicalize(case: &Case) -> Vec<u8> {
    let xml = read_xml(&case.path);
    let document = kuvert_xmldsig::parse_document(&xml)
        .unwrap_or_else(|error| panic!("{} does not parse: {error}", case.path.display()));
    let element = document
        .descendants()
        .filter(|node| node.is_element())
        .nth(case.element_idx)
        .unwrap_or_else(|| panic!("{case:?} names a missing element"));
    if case.is_prefix_free {
        return kuvert_xmldsig::c14n::View::new(element)
            .prefix_free()
            .to_vec();
    }
    let prefixes: Vec<&str> = case.prefixes.iter().map(String::as_str).collect();
    kuvert_xmldsig::c14n::exclusive(element, &prefixes)
}

/// Runs one `c14n.py` process for all cases; each answer is the canonical bytes or an error.
fn run_oracle(python: &str, cases: &[Case]) -> Vec<Result<Vec<u8>, String>> {
    let mut child = Command::new(python)
        .arg(ORACLE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {python} {ORACLE}: {error}"));
    let requests: String = cases
        .iter()
        .map(|case| {
            let mode = if case.is_prefix_free {
                "prefix-free"
            } else {
                "exclusive"
            };
            let (path, prefixes) = (case.path.display(), case.prefixes.join(" "));
            format!("{path}\t{}\t{prefixes}\t{mode}\n", case.element_idx)
        })
        .collect();
    let mut stdin = child.stdin.take().unwrap();
    // Write from a thread: the oracle answers while we still send, and both pipes are bounded.
    let writer = std::thread::spawn(move || stdin.write_all(requests.as_bytes()));
    let answers: Vec<Result<Vec<u8>, String>> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|line| {
            let line = line.unwrap();
            match line.strip_prefix("ERROR ") {
                Some(message) => Err(message.to_owned()),
                None => Ok(BASE64.decode(line.trim()).unwrap()),
            }
        })
        .collect();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success(), "{ORACLE} failed");
    answers
}

fn corpus_cases() -> Vec<Case> {
    let mut paths = files_with_extensions(Path::new(CORPUS_DIR), &["xml"]);
    paths.sort();
    paths.into_iter().map(|path| corpus_case(&path)).collect()
}

/// Reads the optional `<name>.case` sidecar; without one the case is the whole document element.
fn corpus_case(path: &Path) -> Case {
    let mut case = Case {
        path: path.to_owned(),
        element_idx: 0,
        prefixes: Vec::new(),
        is_prefix_free: false,
    };
    let Ok(sidecar) = std::fs::read_to_string(path.with_extension("case")) else {
        return case;
    };
    for line in sidecar.lines() {
        match line.split_once('=') {
            Some(("element", index)) => case.element_idx = index.trim().parse().unwrap(),
            Some(("prefixes", list)) => {
                case.prefixes = list.split_whitespace().map(str::to_owned).collect();
            }
            _ if line.trim().is_empty() => {}
            _ => panic!(
                "{}: unknown line {line:?} in the .case file",
                path.display()
            ),
        }
    }
    case
}

/// Every element of every XML sample, XSD and WSDL in the contracts' folder; none (after
/// saying so) when that folder is missing.
fn sample_cases() -> Vec<Case> {
    let Some(samples) = kuvert_testenv::mm_schemas("C14N of the real samples' subtrees") else {
        return Vec::new();
    };
    let mut paths = files_with_extensions(&samples, &["xml", "xsd", "wsdl"]);
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the real MM samples under {}",
        samples.display()
    );
    let mut cases = Vec::new();
    for path in paths {
        let xml = read_xml(&path);
        let document = roxmltree::Document::parse(&xml).unwrap();
        let n_elements = document
            .descendants()
            .filter(|node| node.is_element())
            .count();
        cases.extend((0..n_elements).map(|element_idx| Case {
            path: path.clone(),
            element_idx,
            prefixes: Vec::new(),
            is_prefix_free: false,
        }));
    }
    cases
}

fn files_with_extensions(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_with_extensions(&path, extensions));
        } else if path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| extensions.contains(&extension))
        {
            found.push(path);
        }
    }
    found
}

/// The file as text, byte order mark included: peers may send one and the parser must cope.
fn read_xml(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn describe_mismatch(case: &Case, expected: &[u8], actual: &[u8]) -> String {
    let first_difference = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let start = first_difference.saturating_sub(60);
    let excerpt = |bytes: &[u8]| {
        String::from_utf8_lossy(
            &bytes[start.min(bytes.len())..(first_difference + 60).min(bytes.len())],
        )
        .into_owned()
    };
    format!(
        "{} element {} prefixes {:?}: first difference at byte {first_difference}\n  \
         lxml: {:?}\n  ours: {:?}",
        case.path.display(),
        case.element_idx,
        case.prefixes,
        excerpt(expected),
        excerpt(actual)
    )
}
