//! The letter HTML rules: the sanitiser removes scripts, event handlers, `javascript:` and
//! `data:` links, external images, stylesheets, `style` and frames and keeps text, links and
//! `data:` images; the check names each of those it would remove, with its line; the plain
//! text of a body for a paper copy.

use super::{HtmlRule, check, has_script, sanitise, text_of};

#[track_caller]
fn check_removed(html: &str, forbidden: &[&str]) {
    let clean = sanitise(html).to_ascii_lowercase();
    for needle in forbidden {
        assert!(!clean.contains(needle), "{needle:?} survived in {clean:?}");
    }
}

#[test]
fn sanitise_removes_script_elements() {
    check_removed("<p>Hej</p><script>alert(1)</script>", &["<script", "alert"]);
}

#[test]
fn sanitise_removes_event_handlers() {
    check_removed(
        r#"<img src="data:image/png;base64,AAAA" onerror="alert(1)"><p onclick="x()">a</p>"#,
        &["onerror", "onclick", "alert"],
    );
}

#[test]
fn sanitise_removes_javascript_links() {
    check_removed(
        r#"<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(2)">y</a>"#,
        &["javascript", "alert"],
    );
}

#[test]
fn sanitise_removes_external_images() {
    check_removed(
        r#"<img src="http://tracker.example/p.gif"><img src="https://t.example/x.png">"#,
        &["tracker.example", "t.example", "src="],
    );
}

#[test]
fn sanitise_removes_external_stylesheets_and_style() {
    check_removed(
        r#"<link rel="stylesheet" href="http://evil.example/s.css"><style>p{}</style>
        <p style="background: url(http://evil.example/bg.png)">a</p>"#,
        &["<link", "evil.example", "<style", "style=", "url("],
    );
}

#[test]
fn sanitise_removes_data_links_and_frames() {
    check_removed(
        concat!(
            r#"<a href="data:text/html,<script>alert(1)</script>">x</a>"#,
            r#"<iframe src="https://a.example"></iframe><form action="/x"><input></form>"#,
        ),
        &["data:text", "<iframe", "<form", "<input", "alert"],
    );
}

#[test]
fn sanitise_keeps_text_links_and_data_images() {
    let clean = sanitise(concat!(
        r#"<h2>Beslut</h2><p>Se <a href="https://kommun.example/a">sidan</a>.</p>"#,
        r#"<img alt="logga" src="data:image/png;base64,iVBORw0KGgo=">"#,
    ));
    assert!(clean.contains("<h2>Beslut</h2>"), "{clean}");
    assert!(
        clean.contains(r#"href="https://kommun.example/a""#),
        "{clean}"
    );
    assert!(
        clean.contains(r#"rel="noopener noreferrer nofollow""#),
        "{clean}"
    );
    assert!(
        clean.contains(r#"src="data:image/png;base64,iVBORw0KGgo=""#),
        "{clean}"
    );
}

/// The rules `check` names in `html`, each with its line.
fn findings(html: &str) -> Vec<(u64, HtmlRule)> {
    check(html)
        .into_iter()
        .map(|finding| (finding.line, finding.rule))
        .collect()
}

#[test]
fn check_finds_nothing_in_what_the_sanitiser_keeps_whole() {
    let html = concat!(
        "<!DOCTYPE html><html><head><title>Brev</title></head><body><h2>Beslut</h2>\n",
        r#"<p>Se <a href="https://kommun.example/a">sidan</a> eller "#,
        r#"<a href="mailto:bygg@kommun.example">skriv</a>.</p>"#,
        r#"<img alt="logga" src="data:image/png;base64,iVBORw0KGgo=">"#,
        "<table><tr><td>1</td></tr></table></body></html>",
    );
    assert_eq!(findings(html), Vec::new());
}

#[test]
fn check_names_each_dropped_piece_with_its_line() {
    let html = concat!(
        "<p>Hej</p>\n",
        "<script>alert(1)</script>\n",
        r#"<p onclick="x()" style="color:red">a</p>"#,
        "\n",
        r#"<img src="https://tracker.example/p.gif"><a href="javascript:alert(1)">x</a>"#,
        "\n",
        r#"<a href="/relativ">r</a><iframe src="https://a.example"></iframe>"#,
    );
    let element = |name: &str| HtmlRule::Element(name.to_owned());
    let address = |element: &str, attribute: &str, address: &str| HtmlRule::Address {
        element: element.to_owned(),
        attribute: attribute.to_owned(),
        address: address.to_owned(),
    };
    assert_eq!(
        findings(html),
        vec![
            (2, HtmlRule::Script),
            (
                3,
                HtmlRule::EventHandler {
                    element: "p".to_owned(),
                    attribute: "onclick".to_owned()
                }
            ),
            (
                3,
                HtmlRule::Style {
                    element: "p".to_owned()
                }
            ),
            (4, address("img", "src", "https://tracker.example/p.gif")),
            (4, address("a", "href", "javascript:alert(1)")),
            (5, address("a", "href", "/relativ")),
            (5, element("iframe")),
        ]
    );
}

#[test]
fn check_and_sanitiser_agree_on_every_dropped_piece() {
    // Each piece the check names is one the sanitiser removes.
    for (html, gone) in [
        ("<style>p{}</style>", "<style"),
        (r#"<p style="x">a</p>"#, "style="),
        (r#"<b onmouseover="x()">a</b>"#, "onmouseover"),
        (r#"<a href="data:text/html,x">a</a>"#, "data:text"),
        (r#"<img src="http://t.example/x.png">"#, "t.example"),
        (r#"<form action="/x"><input></form>"#, "<form"),
    ] {
        assert!(!check(html).is_empty(), "check missed {html}");
        assert!(
            !sanitise(html).contains(gone),
            "sanitiser kept {gone} of {html}"
        );
    }
}

#[test]
fn has_script_ignores_case() {
    assert!(has_script(b"<p>a</p><ScRiPt src=x>"));
    assert!(!has_script(b"<p>description</p>"));
}

#[test]
fn text_of_reads_like_the_letter() {
    let text = text_of(concat!(
        "<h1>Beslut</h1><p>Hej   Åsa,\n du har fått\t&quot;bygglov&quot; &amp; mer.</p>",
        "<style>p{color:red}</style><ul><li>ett</li><li>två</li></ul>rad<br>ny rad",
    ));
    assert_eq!(
        text,
        "Beslut\n\nHej Åsa, du har fått \"bygglov\" & mer.\n\nett\n\ntvå\n\nrad\nny rad"
    );
}
