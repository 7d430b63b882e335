//! The HTML sanitiser: scripts, event handlers, `javascript:` and `data:` links, external
//! images, stylesheets, `style` and frames are removed; text, links and `data:` images stay.

use super::sanitise_html;

#[track_caller]
fn check_removed(html: &str, forbidden: &[&str]) {
    let clean = sanitise_html(html).to_ascii_lowercase();
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
    let clean = sanitise_html(concat!(
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
