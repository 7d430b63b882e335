//! Unit tests of rendering and checking communicators' Markdown.

use super::{render, words_to_replace};

#[test]
fn markdown_is_rendered_and_sanitised() {
    let html = render("## Rubrik\n\n*Ny* [länk](https://example.se)<script>x()</script>");
    assert!(html.contains("<h2>Rubrik</h2>"), "{html}");
    assert!(html.contains("<em>Ny</em>"), "{html}");
    assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    assert!(!html.contains("script"), "{html}");
    let html = render("<img src=x onerror=alert(1)> [a](javascript:alert(1))");
    assert!(
        !html.contains("onerror") && !html.contains("javascript"),
        "{html}"
    );
}

#[test]
fn the_words_to_replace_are_named_once() {
    let found = words_to_replace(&["Din Postlåda", "postlådan och ett kvitto"]);
    let named: Vec<_> = found.iter().map(|word| word.right).collect();
    assert_eq!(named, ["brevlåda (digital brevlåda)", "kvittens"]);
    assert!(words_to_replace(&["Skaffa digital brevlåda"]).is_empty());
}
