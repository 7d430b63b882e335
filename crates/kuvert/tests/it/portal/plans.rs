//! Annual plans and the editor's review (issue 13 §4) with the whole federation and e-ID
//! login: a communicator adds an activity to the own sender's plan (refused while it holds a
//! word TERMS.md replaces, and never to another sender's or the common plan), the editor to
//! the common plan; every communicator sees both; a campaign made from the activity e-mails
//! the editor at once (the real SMTP server's Maildir when `KUVERT_TEST_SMTP` is set, else the
//! demo's mail folder), and only the editor marks it checked; the yearly meeting's CSV holds
//! the plan, the campaign and its review. FAQ entries and pages go through the news workflow
//! and are published on `/fragor` and `/sidor/{id}`. An activity is edited and deleted only by
//! whoever keeps its plan, each change kept.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kuvert::testkit::{Federation, FederationOptions};
use kuvert_store::portal::plans::ChangeKind;
use kuvert_testenv::browser::location;
use reqwest::StatusCode;

use super::editorial::{EDITOR_SENDER, OWN_SENDER, bare_client, form, logged_in, person};
use crate::account::at;

/// The editor's address in the demo's portal configuration.
const EDITOR_ADDRESS: &str = "redaktion@";

/// A federation whose portal e-mails the editor through the real SMTP server when one is
/// given; the folder its e-mails arrive in.
async fn federation() -> (Federation, PathBuf) {
    let smtp = kuvert_testenv::external("SMTP", "the editor's e-mail at a real SMTP server");
    let maildir = smtp
        .as_ref()
        .and_then(|_| kuvert_testenv::external_path("SMTP_MAILDIR", "the delivered e-mail"));
    let federation = Federation::start(FederationOptions {
        smtp_address: smtp.filter(|_| maildir.is_some()),
        ..FederationOptions::default()
    })
    .await;
    let folder = maildir.unwrap_or_else(|| federation.editor_mail_dir());
    (federation, folder)
}

/// The e-mail to the editor holding `needle`, waiting for the SMTP server to write it.
async fn mail_with(folder: &Path, needle: &str) -> String {
    for _ in 0..100 {
        let found = ["", "new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(folder.join(sub)).ok())
            .flatten()
            .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
            .find(|text| text.contains(EDITOR_ADDRESS) && text.contains(needle));
        if let Some(mail) = found {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no e-mail to the editor with {needle} in {}",
        folder.display()
    );
}

fn day_in(days: i64) -> String {
    let now = time::OffsetDateTime::now_utc() + time::Duration::days(days);
    kuvert_core::calendar::stockholm_day(now).to_string()
}

/// A token no earlier run wrote into the shared Maildir.
fn unique(prefix: &str) -> String {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000;
    format!("{prefix}{nanos}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_campaign_from_activity_editor_mail_and_check() {
    let (federation, mail_folder) = federation().await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let plans = at(&portal_url, "kommunikator/planer");
    let (start, end) = (day_in(10), day_in(40));
    let message = unique("Digital brevlåda sparar tid ");
    let activity = |csrf: &str, plan: &str, message: &str| {
        form(&[
            ("csrf_token", csrf),
            ("plan", plan),
            ("budskap", message),
            ("malgrupp", "Nyinflyttade"),
            ("kanal", "brev"),
            ("start", &start),
            ("slut", &end),
        ])
    };

    // Forged, another sender's plan, the common plan, a word to replace: refused.
    let forged = writer
        .post_form(&plans, &activity("00", OWN_SENDER.number, &message))
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    for plan in [EDITOR_SENDER.number, "gemensam"] {
        let refused = writer
            .post_form(&plans, &activity(&writer_csrf, plan, &message))
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{plan}");
    }
    let worded = activity(&writer_csrf, OWN_SENDER.number, "Få ditt kvitto digitalt");
    let refused = writer.post_form(&plans, &worded).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("skriv i stället ”kvittens”"), "{html}");
    let store = federation.demo().portal.plans_store();
    assert!(store.activities(None).await.unwrap().is_empty());

    // The own plan and the common plan; the editor is told at once.
    let added = writer
        .post_form(&plans, &activity(&writer_csrf, OWN_SENDER.number, &message))
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    mail_with(&mail_folder, "Planerad aktivitet").await;
    let common = editor
        .post_form(
            &plans,
            &activity(&editor_csrf, "gemensam", "Ett brev, en brevlåda"),
        )
        .await;
    assert_eq!(common.status(), StatusCode::SEE_OTHER);
    let year = &start[..4];
    let html = writer
        .get(&at(&portal_url, &format!("kommunikator/planer?ar={year}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Gemensam plan") && html.contains("Ett brev, en brevlåda"));
    assert!(html.contains(&message), "{html}");
    let id = store
        .activities(None)
        .await
        .unwrap()
        .into_iter()
        .find(|activity| activity.planned.message == message)
        .unwrap()
        .id;

    // A campaign from the activity: the form comes filled in; the editor gets an e-mail.
    let code = unique("PLAN");
    let new = at(
        &portal_url,
        &format!("kommunikator/kampanjer/ny?aktivitet={id}"),
    );
    let html = writer.get(&new).await.text().await.unwrap();
    assert!(
        html.contains(&format!("value=\"{id}\"")) && html.contains(&start),
        "{html}"
    );
    let created = writer
        .post_form(
            &at(&portal_url, "kommunikator/kampanjer/ny"),
            &form(&[
                ("csrf_token", &writer_csrf),
                ("aktivitet", &id),
                ("kod", &code),
                ("namn", "Tid över"),
                ("avsandare", OWN_SENDER.number),
                ("kanal", "brev"),
                ("start", &start),
                ("slut", &end),
                ("mal", "50"),
            ]),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let mail = mail_with(&mail_folder, &code).await;
    assert!(mail.contains("Kampanj att granska"), "{mail}");

    // Only the editor marks it checked.
    let page = at(&portal_url, location(&created).trim_start_matches('/'));
    let check = format!("{page}/granskad");
    let token = |csrf: &str| form(&[("csrf_token", csrf)]);
    let not_editor = writer.post_form(&check, &token(&writer_csrf)).await;
    assert_eq!(not_editor.status(), StatusCode::NOT_FOUND);
    let html = editor.get(&page).await.text().await.unwrap();
    assert!(html.contains("Inte granskad ännu") && html.contains("Markera som granskad"));
    let checked = editor.post_form(&check, &token(&editor_csrf)).await;
    assert_eq!(checked.status(), StatusCode::SEE_OTHER);
    let html = writer.get(&page).await.text().await.unwrap();
    let anna = person("anna").personal_identity_number();
    assert!(
        html.contains(&format!("granskade av {}", anna.as_str())),
        "{html}"
    );

    // The yearly meeting's file: the plan, the campaign, its review.
    let csv = writer
        .get(&at(&portal_url, "kommunikator/planer/arsmote.csv"))
        .await
        .text()
        .await
        .unwrap();
    let row = csv.lines().find(|line| line.contains(&message)).unwrap();
    assert!(row.contains(&code) && row.contains(anna.as_str()), "{csv}");
    assert!(csv.contains("Gemensam plan"), "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faq_entries_and_pages_are_published_through_the_editor() {
    let (federation, mail_folder) = federation().await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let list = at(&portal_url, "kommunikator/nyheter");
    let mut published = Vec::new();
    for (kind, token) in [("fraga", unique("F")), ("sida", unique("S"))] {
        let title = format!("Kan jag byta brevlåda {token}");
        let submitted = writer
            .post_form(
                &list,
                &form(&[
                    ("csrf_token", &writer_csrf),
                    ("avsandare", OWN_SENDER.number),
                    ("slag", kind),
                    ("titel", &title),
                    ("text", "Ja, när du vill. Se **Mina meddelanden**."),
                ]),
            )
            .await;
        assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
        mail_with(&mail_folder, &token).await;
        let page = at(&portal_url, location(&submitted).trim_start_matches('/'));
        let done = editor
            .post_form(
                &page,
                &form(&[
                    ("csrf_token", &editor_csrf),
                    ("titel", &title),
                    ("text", "Ja, när du vill. Se **Mina meddelanden**."),
                    ("kommentar", ""),
                    ("steg", "publicera"),
                ]),
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        published.push((page.rsplit('/').next().unwrap().to_owned(), title));
    }
    let visitor = bare_client();
    let faq = visitor.get(at(&portal_url, "fragor")).send().await.unwrap();
    assert!(faq.headers().get("set-cookie").is_none());
    let html = faq.text().await.unwrap();
    assert!(html.contains(&published[0].1) && html.contains("<strong>Mina meddelanden</strong>"));
    let (page_id, page_title) = &published[1];
    let page = visitor
        .get(at(&portal_url, &format!("sidor/{page_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(page_title.as_str()));
    // A FAQ entry is not a page.
    let (faq_id, _) = &published[0];
    let not_page = visitor
        .get(at(&portal_url, &format!("sidor/{faq_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(not_page.status(), StatusCode::NOT_FOUND);
}

/// Issue 13 §4: an activity is changed or deleted only by whoever keeps its plan — its
/// sender's communicator, the editor for the common plan; anyone else gets 403 — with the
/// session's CSRF token, the TERMS.md check on the edited text, and every change kept with who
/// made it, when and the activity as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_activity_is_edited_and_deleted_only_by_its_plans_keepers() {
    let (federation, _) = federation().await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let plans = at(&portal_url, "kommunikator/planer");
    let (start, end) = (day_in(10), day_in(40));
    let activity = |csrf: &str, plan: &str, message: &str| {
        form(&[
            ("csrf_token", csrf),
            ("plan", plan),
            ("budskap", message),
            ("malgrupp", "Nyinflyttade"),
            ("kanal", "brev"),
            ("start", &start),
            ("slut", &end),
        ])
    };
    let own = activity(&writer_csrf, OWN_SENDER.number, "Läs breven var du är");
    assert_eq!(
        writer.post_form(&plans, &own).await.status(),
        StatusCode::SEE_OTHER
    );
    let common = activity(&editor_csrf, "gemensam", "Ett brev, en brevlåda");
    assert_eq!(
        editor.post_form(&plans, &common).await.status(),
        StatusCode::SEE_OTHER
    );
    let store = federation.demo().portal.plans_store();
    let id_of = |message: &'static str| {
        let store = store.clone();
        async move {
            let activities = store.activities(None).await.unwrap();
            let found = activities.iter().find(|a| a.planned.message == message);
            found.unwrap().id.clone()
        }
    };
    let own_id = id_of("Läs breven var du är").await;
    let common_id = id_of("Ett brev, en brevlåda").await;
    let page_of = |id: &str| at(&portal_url, &format!("kommunikator/planer/aktivitet/{id}"));

    // The plans page links the keeper to the form; the form shows the activity.
    let html = writer
        .get(&at(
            &portal_url,
            &format!("kommunikator/planer?ar={}", &start[..4]),
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("/kommunikator/planer/aktivitet/{own_id}")),
        "{html}"
    );
    assert!(!html.contains(&format!("/kommunikator/planer/aktivitet/{common_id}")));
    let form_page = writer.get(&page_of(&own_id)).await;
    assert_eq!(form_page.status(), StatusCode::OK);
    assert!(
        form_page
            .text()
            .await
            .unwrap()
            .contains("Läs breven var du är")
    );

    // Another sender's communicator (the editor too) and a communicator at the common plan:
    // 403, for the form, an edit and a deletion alike.
    let edited = |csrf: &str, message: &str| {
        form(&[
            ("csrf_token", csrf),
            ("budskap", message),
            ("malgrupp", "Studenter"),
            ("kanal", "webb"),
            ("start", &start),
            ("slut", &end),
        ])
    };
    let delete = |id: &str| format!("{}/ta-bort", page_of(id));
    let token = |csrf: &str| form(&[("csrf_token", csrf)]);
    let refusals = [
        editor.get(&page_of(&own_id)).await,
        editor
            .post_form(&page_of(&own_id), &edited(&editor_csrf, "Annat"))
            .await,
        editor
            .post_form(&delete(&own_id), &token(&editor_csrf))
            .await,
        writer.get(&page_of(&common_id)).await,
        writer
            .post_form(&page_of(&common_id), &edited(&writer_csrf, "Annat"))
            .await,
        writer
            .post_form(&delete(&common_id), &token(&writer_csrf))
            .await,
    ];
    for refused in refusals {
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
    // A forged form; a word TERMS.md replaces: nothing stored.
    let forged = writer
        .post_form(&page_of(&own_id), &edited("00", "Läs breven hemma"))
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let worded = writer
        .post_form(
            &page_of(&own_id),
            &edited(&writer_csrf, "Få ditt kvitto digitalt"),
        )
        .await;
    assert_eq!(worded.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = worded.text().await.unwrap();
    assert!(html.contains("skriv i stället ”kvittens”"), "{html}");
    let unchanged = store.activity(&own_id).await.unwrap().unwrap();
    assert_eq!(unchanged.planned.message, "Läs breven var du är");
    assert!(store.activity_changes(&own_id).await.unwrap().is_empty());

    // The keepers edit and delete; each change is kept.
    let saved = writer
        .post_form(&page_of(&own_id), &edited(&writer_csrf, "Läs breven hemma"))
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let now = store.activity(&own_id).await.unwrap().unwrap();
    assert_eq!(
        (now.planned.message.as_str(), now.planned.channel.as_str()),
        ("Läs breven hemma", "webb")
    );
    let tolvan = person("tolvan").personal_identity_number();
    let changes = store.activity_changes(&own_id).await.unwrap();
    let [change] = changes.as_slice() else {
        panic!("{changes:?}");
    };
    assert_eq!(change.kind, ChangeKind::Edited);
    assert_eq!(change.by, tolvan);
    assert_eq!(change.before.message, "Läs breven var du är");
    let html = writer.get(&page_of(&own_id)).await.text().await.unwrap();
    assert!(
        html.contains(&format!("ändrad av {}", tolvan.as_str())),
        "{html}"
    );
    for (browser, csrf, id) in [
        (&writer, &writer_csrf, &own_id),
        (&editor, &editor_csrf, &common_id),
    ] {
        let deleted = browser.post_form(&delete(id), &token(csrf)).await;
        assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
        assert!(store.activity(id).await.unwrap().is_none());
        let kinds: Vec<ChangeKind> = (store.activity_changes(id).await.unwrap().iter())
            .map(|change| change.kind)
            .collect();
        assert_eq!(kinds.last(), Some(&ChangeKind::Deleted), "{kinds:?}");
    }
    let gone = writer.get(&page_of(&own_id)).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}
