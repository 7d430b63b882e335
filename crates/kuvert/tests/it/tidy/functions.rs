//! The function length limit (STYLE.md §3: a function ≤ 70 lines): every `fn` body in the
//! non-test sources, found by a brace-matching scan of the code with comments, strings and
//! char literals blanked out, so a brace inside them does not count.

use super::rust_files;

/// STYLE.md §3: lines of a function's body, between the line of its `{` and of its `}`.
const FUNCTION_LINES_MAX: usize = 70;

/// Functions allowed past [`FUNCTION_LINES_MAX`], as `(path from repo root, fn name, why)`.
/// Keep it short: past the limit, find the natural seam instead.
const FUNCTION_LINES_ALLOWED: &[(&str, &str, &str)] = &[];

#[test]
fn tidy_functions_stay_within_70_lines() {
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let is_test = path.contains("/tests/") || path.ends_with("/tests.rs");
        if is_test || !path.contains("/src/") {
            continue;
        }
        let code = &text[..text.find("\n#[cfg(test)]").unwrap_or(text.len())];
        for function in functions(code) {
            let is_allowed = FUNCTION_LINES_ALLOWED
                .iter()
                .any(|(allowed, name, _)| *allowed == path && *name == function.name);
            if function.body_lines > FUNCTION_LINES_MAX && !is_allowed {
                problems.push(format!(
                    "{path}:{}: fn {} has {} lines, max {FUNCTION_LINES_MAX}: split it at a seam",
                    function.line, function.name, function.body_lines
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "functions too long:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_function_scan_ignores_braces_in_strings_comments_and_chars() {
    let source = r####"
fn short() {
    let text = "}}} {";
    let raw = r#"}"#;
    // }
    /* } /* nested } */ } */
    let brace = '}';
    let quote = '\'';
    let lifetime: &'static str = "x";
}

trait Named {
    fn declared(&self) -> [u8; 4];
}

fn second<'a>(value: &'a str) -> &'a str {
    value
}
"####;
    let found: Vec<(String, usize, usize)> = functions(source)
        .into_iter()
        .map(|function| (function.name, function.line, function.body_lines))
        .collect();
    assert_eq!(
        found,
        [("short".to_owned(), 2, 7), ("second".to_owned(), 16, 1)]
    );
}

/// One function found in a source file.
struct Function {
    name: String,
    /// 1-based line of its `fn` keyword.
    line: usize,
    /// Lines strictly between the lines of its opening and closing brace.
    body_lines: usize,
}

/// Every `fn` with a body in `source`, nested ones included.
fn functions(source: &str) -> Vec<Function> {
    let code: Vec<char> = code_only(source).chars().collect();
    let line_of = |at: usize| 1 + code[..at].iter().filter(|&&c| c == '\n').count();
    let mut found = Vec::new();
    for at in 0..code.len() {
        let Some(name) = fn_name_at(&code, at) else {
            continue;
        };
        let Some(open) = body_start(&code, at) else {
            continue;
        };
        let Some(close) = matching_brace(&code, open) else {
            continue;
        };
        found.push(Function {
            name,
            line: line_of(at),
            body_lines: (line_of(close) - line_of(open)).saturating_sub(1),
        });
    }
    found
}

/// The name of the function whose `fn` keyword starts at `at`, if one does (not a `fn(…)`
/// pointer type, not a word that merely ends in `fn`).
fn fn_name_at(code: &[char], at: usize) -> Option<String> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let is_keyword = code.get(at..at + 3)? == ['f', 'n', ' '];
    let is_word_start = at == 0 || !is_ident(code[at - 1]);
    if !is_keyword || !is_word_start {
        return None;
    }
    let name: String = code[at + 3..]
        .iter()
        .skip_while(|c| c.is_whitespace())
        .take_while(|&&c| is_ident(c))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The `{` opening the body of the function at `at`; `None` for a declaration (`;` first).
/// A `;` inside brackets (`-> [u8; 4]`) does not end the signature.
fn body_start(code: &[char], at: usize) -> Option<usize> {
    let mut depth = 0_usize;
    for (offset, &c) in code[at..].iter().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '{' if depth == 0 => return Some(at + offset),
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The `}` that closes the `{` at `open`.
fn matching_brace(code: &[char], open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    for (offset, &c) in code[open..].iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

/// `source` with every comment, string and char literal replaced by spaces (line breaks
/// kept, so line numbers stay right). Lifetimes (`'a`) stay code.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let blank = |from: usize, to: usize, out: &mut Vec<char>| {
        for c in &mut out[from..to.min(chars.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut idx = 0;
    while idx < chars.len() {
        let end = match chars[idx] {
            '/' if chars.get(idx + 1) == Some(&'/') => line_comment_end(&chars, idx),
            '/' if chars.get(idx + 1) == Some(&'*') => block_comment_end(&chars, idx),
            '"' => string_end(&chars, idx + 1),
            'r' if is_raw_string_start(&chars, idx) => raw_string_end(&chars, idx + 1),
            '\'' => char_literal_end(&chars, idx),
            _ => None,
        };
        match end {
            Some(end) => {
                blank(idx, end, &mut out);
                idx = end;
            }
            None => idx += 1,
        }
    }
    out.into_iter().collect()
}

fn line_comment_end(chars: &[char], start: usize) -> Option<usize> {
    let length = chars[start..].iter().position(|&c| c == '\n');
    Some(length.map_or(chars.len(), |length| start + length))
}

/// Block comments nest in Rust.
fn block_comment_end(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut idx = start;
    while idx + 1 < chars.len() {
        match (chars[idx], chars[idx + 1]) {
            ('/', '*') => {
                depth += 1;
                idx += 2;
            }
            ('*', '/') => {
                depth -= 1;
                idx += 2;
                if depth == 0 {
                    return Some(idx);
                }
            }
            _ => idx += 1,
        }
    }
    Some(chars.len())
}

/// The end (past the closing `"`) of a string whose text starts at `from`.
fn string_end(chars: &[char], from: usize) -> Option<usize> {
    let mut idx = from;
    while idx < chars.len() {
        match chars[idx] {
            '\\' => idx += 2,
            '"' => return Some(idx + 1),
            _ => idx += 1,
        }
    }
    Some(chars.len())
}

/// `r"`, `r#"`, `br"`…: an `r` that starts a word (or follows a `b` that does).
fn is_raw_string_start(chars: &[char], at: usize) -> bool {
    let is_ident = |c: &char| c.is_alphanumeric() || *c == '_';
    let starts_word = |idx: usize| idx == 0 || !is_ident(&chars[idx - 1]);
    let is_prefix = starts_word(at) || (at > 0 && chars[at - 1] == 'b' && starts_word(at - 1));
    let hashes = chars[at + 1..].iter().take_while(|&&c| c == '#').count();
    is_prefix && chars.get(at + 1 + hashes) == Some(&'"')
}

/// The end of a raw string whose hashes start at `from`.
fn raw_string_end(chars: &[char], from: usize) -> Option<usize> {
    let hashes = chars[from..].iter().take_while(|&&c| c == '#').count();
    let mut idx = from + hashes + 1;
    while idx < chars.len() {
        let closes = chars[idx] == '"'
            && chars[idx + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes;
        if closes {
            return Some(idx + 1 + hashes);
        }
        idx += 1;
    }
    Some(chars.len())
}

/// The end of a char literal at `start` (`'x'`, `'\n'`, `'\u{7B}'`); `None` for a lifetime.
fn char_literal_end(chars: &[char], start: usize) -> Option<usize> {
    match chars.get(start + 1)? {
        '\\' => {
            // The escaped character itself may be a quote (`'\''`).
            let length = chars.get(start + 3..)?.iter().position(|&c| c == '\'')?;
            Some(start + 3 + length + 1)
        }
        _ if chars.get(start + 2) == Some(&'\'') => Some(start + 3),
        _ => None,
    }
}
