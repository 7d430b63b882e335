//! Every bound Kuvert enforces, declared once with its source (STYLE.md §7).
//!
//! Exceeding one of these is an operating error that callers report with a specific fault
//! (`MAX_EXCEEDED`, PROTOCOL.md §10); nothing here means "unlimited".

/// Default bound on a whole SOAP envelope, attachments included (PROTOCOL.md §6.3: "Ett
/// meddelande får vara max 2 MB, inklusive bilagor"). Operators may configure another value.
pub const ENVELOPE_BYTES_DEFAULT_MAX: u64 = 2 * 1024 * 1024;

/// Hard ceiling on any configured envelope bound, so a typo cannot make a server buffer
/// gigabytes. Ten times the protocol's 2 MB leaves room for operators that accept more.
pub const ENVELOPE_BYTES_CEILING: u64 = 20 * 1024 * 1024;
const _: () = assert!(ENVELOPE_BYTES_DEFAULT_MAX <= ENVELOPE_BYTES_CEILING);

/// Element nesting depth accepted by the XML parser. The deepest MM message (SOAP envelope →
/// deliverSecure → SignedDelivery → Delivery → Message → Header → OfficialMatter → extension →
/// Identity) is about 12 levels; 64 leaves room for `xs:any` content without allowing stack
/// exhaustion.
pub const XML_DEPTH_MAX: u32 = 64;

/// Nodes (elements, attributes, text) accepted in one XML document. A 2 MB letter is mostly
/// base64 text in a few nodes; 100 000 nodes bounds memory for hostile many-tiny-node input.
pub const XML_NODES_MAX: u32 = 100_000;

/// Bytes of one attribute value or namespace name in a sealed delivery. The MM schemas allow
/// only `Id` (`xs:ID`) on `SealedDelivery`/`SignedDelivery`, and XML-DSig attributes are
/// algorithm URIs and references; 1 KiB is far above any of them (issue 10: a 1.5 MB
/// attribute on a signed element was accepted).
pub const XML_ATTRIBUTE_BYTES_MAX: usize = 1_024;

/// Ids per `isReachable` call (Recipient v3 XSD: `recipientId` 0..1000).
pub const REACHABILITY_IDS_PER_CALL_MAX: usize = 1_000;

/// Ids per `isRegistered` call. The XSD says 1..n; we apply the same bound as `isReachable`.
pub const REGISTERED_IDS_PER_CALL_MAX: usize = 1_000;

/// Ids per batch in a mass mailing; one batch is one `isReachable` call.
pub const MAILING_BATCH_IDS_MAX: usize = 1_000;
const _: () = assert!(MAILING_BATCH_IDS_MAX <= REACHABILITY_IDS_PER_CALL_MAX);

/// Recipients in one `notify` delivery (`msg:DeliveryHeader/Recipient` 1..1000).
pub const NOTIFY_RECIPIENTS_MAX: usize = 1_000;

/// Message subject length in characters (`msg3:Subject` maxLength 255).
pub const SUBJECT_CHARS_MAX: usize = 255;

/// Support text length in characters (`msg3:SupportInfo/Text` maxLength 1024).
pub const SUPPORT_TEXT_CHARS_MAX: usize = 1_024;

/// Support URL and phone number length in characters (maxLength 255).
pub const SUPPORT_URL_CHARS_MAX: usize = 255;

/// E-mail address length bounds (`rcpt:EMailAdress` 5..256).
pub const EMAIL_ADDRESS_CHARS_MIN: usize = 5;
/// See [`EMAIL_ADDRESS_CHARS_MIN`].
pub const EMAIL_ADDRESS_CHARS_MAX: usize = 256;

/// Sender name length bounds (`sndr:Sender/Name` 2..256).
pub const SENDER_NAME_CHARS_MIN: usize = 2;
/// See [`SENDER_NAME_CHARS_MIN`].
pub const SENDER_NAME_CHARS_MAX: usize = 256;

/// SMS notification text (`ntf2:SmsMessage/text` maxLength 160).
pub const SMS_TEXT_CHARS_MAX: usize = 160;

/// SMS sender name (`ntf2:SmsMessage/From` maxLength 11).
pub const SMS_FROM_CHARS_MAX: usize = 11;

/// E-mail notification subject (`ntf2:EmailMessage/Subject` maxLength 254).
pub const EMAIL_SUBJECT_CHARS_MAX: usize = 254;

/// Attachments in one message. The XSD allows 0..n; within a 2 MB envelope more than 100 files
/// would each be a few kilobytes, which no real letter needs.
pub const ATTACHMENTS_PER_MESSAGE_MAX: usize = 100;

/// A `CallId` in a fault (`common3:ExceptionInformation/CallId`, 20..50 characters).
pub const CALL_ID_CHARS_MIN: usize = 20;
/// See [`CALL_ID_CHARS_MIN`].
pub const CALL_ID_CHARS_MAX: usize = 50;

/// One HTTP response body the OIDC relying party reads from an e-ID provider (discovery
/// document, JWKS, token, userinfo, client registration). Real ones are a few kilobytes;
/// 256 KiB bounds memory against a hostile or broken provider.
pub const OIDC_RESPONSE_BYTES_MAX: usize = 256 * 1024;

/// Seconds between two fetches of an e-ID provider's keys made because an id_token named a
/// key (`kid`) the relying party does not know: enough for a real key rotation, too few for
/// forged tokens to make it hammer the provider.
pub const OIDC_JWKS_REFRESH_MIN_SECS: u64 = 60;

/// Seconds an e-ID provider's keys (discovery document and JWKS) are used before they are
/// fetched again at the next login, so a retired key stops being trusted.
pub const OIDC_JWKS_MAX_AGE_SECS: u64 = 60 * 60;

/// Text a person signs with e-ID (`AgreementText` of `register`, `changeServiceSupplier`,
/// `storeAccountPreferences`; PROTOCOL.md §5.1, §11.1). The Mina meddelanden terms of use are
/// about 10 kB; 64 KiB leaves room without letting a signing request carry a letter.
pub const EID_SIGNED_TEXT_BYTES_MAX: usize = 64 * 1024;

/// A DER certificate in `SignatureData/Certificate`. Real e-ID certificates are 1–2 kB.
pub const EID_CERTIFICATE_BYTES_MAX: usize = 16 * 1024;

/// A nonce in `SignatureData/Nonce` (characters). Ours are 43 (32 random bytes, base64url).
pub const EID_NONCE_CHARS_MAX: usize = 128;

/// Authorisation codes, access tokens and signing requests the test e-ID provider holds at
/// once. It is a demo component; 10 000 pending logins is far beyond any demo.
pub const TEST_EID_PENDING_GRANTS_MAX: usize = 10_000;

/// Certificates in one chain from leaf to trust anchor, both included. Swedish organisation
/// and e-ID certificates sit two or three levels below their root (PROTOCOL.md §8); 8 bounds
/// chain building over hostile `KeyInfo` content.
pub const CERTIFICATE_CHAIN_DEPTH_MAX: usize = 8;

/// `msg3:Header/Id` of a message, in characters. The XSD says only `string`; reference code
/// sends a UUID (36). 255 matches the other ids of the model (`ofm3:idStringRestriction`).
pub const MESSAGE_ID_CHARS_MAX: usize = 255;

/// Free header texts without an XSD bound (`Reference`, `CorrelationId`, `Attention` of the
/// delivery header and the sender), in characters. Real values are case numbers and names.
pub const HEADER_TEXT_CHARS_MAX: usize = 1_024;

/// `msg3:Metadata` entries in one message header (XSD 0..n). No sample sends more than a few.
pub const METADATA_ENTRIES_MAX: usize = 100;

/// `msg:MetaData/Tag` and `Value`, in characters (XSD `string`, no bound given).
pub const METADATA_TEXT_CHARS_MAX: usize = 1_024;

/// `msg:Attachment/Filename`, in characters: the common file system limit on one name.
pub const FILENAME_CHARS_MAX: usize = 255;

/// `svc:DeliveryResult/TransId`, in characters. Operators send a UUID (36; PROTOCOL.md §5.3).
pub const TRANS_ID_CHARS_MAX: usize = 255;

/// `ofm3:EventId`, `OfficialMatterId`, `PrecedingEventId` (`ofm3:idStringRestriction`, 255).
pub const OFFICIAL_MATTER_ID_CHARS_MAX: usize = 255;

/// `ofm3:MatterSubject` and `ofm3:EventType` (maxLength 2000).
pub const OFFICIAL_MATTER_TEXT_CHARS_MAX: usize = 2_000;

/// `msg3:Language` (`xs:language`), in characters. The pattern allows any number of subtags;
/// 35 is the longest tag RFC 5646 §4.4.1 asks implementations to support.
pub const LANGUAGE_CHARS_MAX: usize = 35;

/// Items in a list the XSD leaves unbounded in a registry response or request (`getSenders`,
/// `getDispatchers`, signers, accepted senders, statuses). Sweden has a few thousand
/// connected senders; 10 000 bounds memory without cutting a real list short.
pub const UNBOUNDED_LIST_ITEMS_MAX: usize = 10_000;

/// Letters per page of a mailbox listing. A page is one screen of the web inbox; 100 keeps a
/// page fast on SQLite while letting the export walk a large mailbox in few queries.
pub const LETTERS_PER_PAGE_MAX: u32 = 100;

/// Characters of a mailbox search text (sender name or subject); a subject is at most
/// [`SUBJECT_CHARS_MAX`], so longer search text can never match.
pub const MAILBOX_SEARCH_CHARS_MAX: usize = SUBJECT_CHARS_MAX;

/// Notifications one outbox worker claims per round: small enough that a lease expires only
/// when the worker died, large enough to keep an SMTP connection busy.
pub const NOTIFICATIONS_PER_BATCH_MAX: usize = 100;

/// Send attempts per notification before it is marked failed and shown to the recipient. With
/// the doubling back-off from one minute this spans about four hours.
pub const NOTIFICATION_ATTEMPTS_MAX: u32 = 8;

/// Audit events returned in one listing of a mailbox's access log.
pub const AUDIT_EVENTS_PER_PAGE_MAX: u32 = 500;

/// Credentials (organisation plus person certificates) in one test PKI. The demo needs a
/// handful; 1 000 bounds key generation time and the files `TestPki::load` reads.
pub const PKI_CREDENTIALS_MAX: usize = 1_000;

/// Bytes of one PEM file of the test PKI. An RSA-2048 certificate or PKCS#8 key is under
/// 2 KiB; 64 KiB leaves room for chains without letting a stray file fill memory.
pub const PKI_PEM_FILE_BYTES_MAX: u64 = 64 * 1024;

/// Open connections one HTTP listener serves at a time. Far above the few callers a role
/// has, low enough to bound memory. Past it a new connection takes the slot of the one that
/// has gone longest without finishing a request (unless every handler is busy with a received
/// request; then it waits in the kernel's accept queue), so slow clients cannot fill it.
pub const HTTP_CONNECTIONS_MAX: usize = 1_024;

/// Time a client gets to finish the TLS handshake, so a slow or silent peer cannot hold a
/// connection slot (request headers have [`HTTP_HEADER_TIMEOUT_MS_DEFAULT`]).
pub const HTTP_HANDSHAKE_TIMEOUT_MS: u64 = 10_000;

/// Time `/readyz` on the admin listener gives each of its checks (a query to the database,
/// a listing of the blob store): a load balancer or orchestrator asks every few seconds and
/// must get an answer, 503 when a dependency hangs, well before its own timeout.
pub const READINESS_CHECK_TIMEOUT_MS: u64 = 2_000;

/// Request body on the admin listener (`/healthz`, `/readyz`, `/metrics`), which reads none.
pub const ADMIN_REQUEST_BYTES_MAX: usize = 1_024;

/// Time open connections get to finish their requests after shutdown is signalled, before
/// they are cut.
pub const HTTP_SHUTDOWN_DRAIN_MS: u64 = 10_000;

/// Default time a client gets to send a request's headers, and the time a kept-alive
/// HTTP/1 connection may wait for its next request (hyper times both from when it starts
/// reading a request head). Configurable per listener (`http.header_timeout_ms`).
pub const HTTP_HEADER_TIMEOUT_MS_DEFAULT: u64 = 10_000;

/// Default time a client gets to send a whole request body after its headers: a 20 MiB
/// envelope ([`ENVELOPE_BYTES_CEILING`]) at 4 Mbit/s takes 42 s. Past it the request is
/// answered 408 and the connection closed (`http.body_timeout_ms`).
pub const HTTP_BODY_TIMEOUT_MS_DEFAULT: u64 = 60_000;

/// Default time a connection may pass without a byte read or written in either direction
/// (a stalled body, a client that stops reading its answer) before it is closed
/// (`http.idle_timeout_ms`).
pub const HTTP_IDLE_TIMEOUT_MS_DEFAULT: u64 = 30_000;

/// Shortest configurable header, body or idle timeout: a shorter one cuts honest clients
/// on a slow link.
pub const HTTP_TIMEOUT_MS_MIN: u64 = 100;

/// Longest configurable header, body or idle timeout.
pub const HTTP_TIMEOUT_MS_MAX: u64 = 3_600_000;

/// Clients (certificates or addresses) a rate limiter tracks at once; past it the limiter
/// forgets the ones whose buckets are full again, then starts over, so memory stays bounded
/// (about 100 bytes each) whatever the number of addresses that call.
pub const RATE_LIMIT_KEYS_MAX: usize = 100_000;

/// Default requests per second one client certificate may make to a mutual-TLS listener
/// (SOAP and REST), and the burst it may use at once. A mass mailing at the sender's
/// highest concurrency ([`MAILING_CONCURRENCY_PER_OPERATOR_MAX`]) makes a few hundred
/// deliveries a second; a limited client gets 429 or fault 5005 with `Retry-After`.
pub const RATE_LIMIT_CERTIFICATE_PER_SECOND_DEFAULT: u32 = 2_000;

/// Default burst of one client certificate (requests without waiting).
pub const RATE_LIMIT_CERTIFICATE_BURST_DEFAULT: u32 = 10_000;

/// Default requests per second one client address may make to the web pages (inbox,
/// portal). A page with its style sheet and images is under ten requests; people behind one
/// shared address (an office, a proxy) need more.
pub const RATE_LIMIT_ADDRESS_PER_SECOND_DEFAULT: u32 = 100;

/// Default burst of one client address on the web pages.
pub const RATE_LIMIT_ADDRESS_BURST_DEFAULT: u32 = 1_000;

/// Bytes of the sealed cookie that carries a login in progress (OIDC state, PKCE verifier,
/// nonce, deep link, language): a few hundred; browsers keep cookies up to 4 KiB.
pub const PRELOGIN_COOKIE_BYTES_MAX: usize = 2_048;

/// Seconds a login in progress stays valid between the redirect to the e-ID provider and its
/// callback: enough to find one's phone and sign, short enough that a stolen cookie expires.
pub const PRELOGIN_LIFETIME_SECS: u64 = 15 * 60;

/// Language ranges read from one `Accept-Language` header; browsers send fewer than ten.
pub const ACCEPT_LANGUAGE_RANGES_MAX: usize = 16;

/// Mailbox operators the portal's chooser lists. Sweden has four today (PROTOCOL.md §13);
/// a page of 50 stays usable.
pub const PORTAL_OPERATORS_MAX: usize = 50;

/// Bytes of one registry SOAP response an operator reads (`getSenders`, `getDispatchers` list
/// up to [`UNBOUNDED_LIST_ITEMS_MAX`] entries of a few hundred bytes each).
pub const REGISTRY_RESPONSE_BYTES_MAX: u64 = 8 * 1024 * 1024;

/// Recipients whose registry answers (profile, reception rules) an operator caches at once;
/// past it the cache starts over, so memory stays bounded under a mass mailing.
pub const RECIPIENT_CACHE_ENTRIES_MAX: usize = 10_000;

/// Attempts a sender makes at one `deliverSecure` (the first plus retries) after transport
/// errors or 5xx answers without an MM fault. The same sealed delivery is resent, so the
/// operator's idempotency (PRODUCT.md) returns the original receipt.
pub const DELIVERY_ATTEMPTS_MAX: u32 = 8;

/// Longest pause between two `deliverSecure` attempts; the back-off doubles up to it.
pub const DELIVERY_BACKOFF_MS_MAX: u64 = 60_000;

/// Sender identities (avsändare) one intermediary configuration may sign for.
pub const SENDERS_PER_INTERMEDIARY_MAX: usize = 1_000;

/// Sender systems (client certificates' organisations) one sender may let hand its letters to
/// an intermediary's `distributeSecure` (issue 15): the sender itself and the few service
/// providers running its systems; a configuration with more is a mistake.
pub const CLIENTS_PER_SENDER_MAX: usize = 16;

/// Web inbox sessions an operator keeps in its database at once: logged-in people only (a
/// login in progress is a sealed cookie, so anonymous requests add none). Past it the least
/// recently used session is dropped; 100 000 rows of well under 1 KiB each are about 100 MiB.
pub const INBOX_SESSIONS_MAX: usize = 100_000;

/// Letters per page of the web inbox: one screen, well under [`LETTERS_PER_PAGE_MAX`].
pub const INBOX_LETTERS_PER_PAGE: u32 = 20;
const _: () = assert!(INBOX_LETTERS_PER_PAGE <= LETTERS_PER_PAGE_MAX);

/// Bytes of one web inbox form post (settings, mark unread, the signing service's
/// `SignatureData` post-back: an RSA-8192 signature and a certificate, base64, percent-encoded).
pub const INBOX_FORM_BYTES_MAX: usize = 64 * 1024;

/// Characters of a mailbox operator's short name in portal addresses (`/skaffa/{slug}`);
/// operator names are short, 32 leaves room for a hyphenated one.
pub const OPERATOR_SLUG_CHARS_MAX: usize = 32;

/// Bytes of one portal request (pages take no form posts; only the communicators' forms do).
pub const PORTAL_REQUEST_BYTES_MAX: usize = 32 * 1024;

/// Characters of a referrer's domain the portal counts visits by (DNS names are at most 253).
pub const REFERRER_DOMAIN_CHARS_MAX: usize = 253;

/// Minutes a notification address's confirmation code stays valid: long enough to fetch an
/// e-mail or SMS on another device, short enough that a guessed code has little time.
pub const CONFIRMATION_CODE_MINUTES_MAX: i64 = 30;

/// Wrong entries of one confirmation code before it stops working. With a 6-digit code the
/// chance of guessing it is 5 in a million; a new code must then be sent.
pub const CONFIRMATION_CODE_TRIES_MAX: u32 = 5;

/// Confirmation codes sent to one channel of one mailbox per day: enough to fix a typo or
/// lose a message a few times, too few to use the operator to flood someone's phone or inbox.
pub const CONFIRMATION_CODES_PER_DAY_MAX: u32 = 5;

/// Sender names a summary notification lists before "and N more" (SMS is 160 characters).
pub const NOTIFICATION_SENDERS_NAMED_MAX: usize = 5;

/// Characters of a campaign code (`kampanj=` in a deep link, SESSION2 data model): short
/// enough to type from a paper letter, long enough for `KOMMUN-HOST-2026-FB`.
pub const CAMPAIGN_CODE_CHARS_MAX: usize = 32;

/// Days one statistics query may span (registry feed, portal visit counts): ten years, the
/// longest period the dashboards chart, so one request cannot read an unbounded history.
pub const STATISTICS_RANGE_DAYS_MAX: i64 = 3_660;

/// Letters one report may add for one sender and month (digital or paper): above the yearly
/// post of all Swedish public senders together (~100 million), so a typo cannot overflow sums.
pub const LETTERS_PER_REPORT_MAX: u64 = 1_000_000_000;

/// Characters of a campaign's name as communicators see it in lists and charts.
pub const CAMPAIGN_NAME_CHARS_MAX: usize = 100;

/// Characters of a campaign's channel ("brev", "webb", "sociala medier", …).
pub const CAMPAIGN_CHANNEL_CHARS_MAX: usize = 60;

/// Senders owning one campaign (a joint campaign of a region's municipalities has ~50).
pub const CAMPAIGN_OWNERS_MAX: usize = 64;

/// Campaigns the portal keeps; the list is shown whole to communicators.
pub const CAMPAIGNS_MAX: usize = 10_000;

/// Characters of a portal page name visits are counted by (a route such as `/skaffa`).
pub const PORTAL_PAGE_CHARS_MAX: usize = 64;

/// Senders one communicator may speak for (a region's communicator covers its municipalities).
pub const COMMUNICATOR_SENDERS_MAX: usize = 300;

/// Letters in one mailbox export (issue 4 §6): far above a lifetime of post from public
/// senders (tens a year), so the zip and its manifest stay bounded.
pub const EXPORT_LETTERS_MAX: usize = 100_000;

/// Bytes of sealed deliveries and receipts in one export, before compression: 2 GiB stays
/// below the 4 GiB sizes of a zip without Zip64 and holds a thousand letters of 2 MB.
pub const EXPORT_BYTES_MAX: u64 = 2 * 1024 * 1024 * 1024;

/// Entries `kuvert verify` reads from one export zip: two files per letter, the manifest and
/// the read-me.
pub const EXPORT_ZIP_ENTRIES_MAX: usize = 2 * EXPORT_LETTERS_MAX + 2;

/// Bytes of an export's `manifest.json` (about 500 bytes per letter).
pub const EXPORT_MANIFEST_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// Live login sessions of the portal's communicators, kept in its database; past it the
/// least recently used goes. Communicators are a few hundred people, so this is far above use.
pub const COMMUNICATOR_SESSIONS_MAX: usize = 10_000;

/// Bytes of a communicator's form post (campaign, annual target): a few short fields.
pub const COMMUNICATOR_FORM_BYTES_MAX: usize = 16 * 1024;

/// Campaign codes one statistics feed request may filter on (`campaign=A,B,…`): a
/// communicator's overview asks for its campaigns in pieces of this size, and each code is
/// one index range in the registry's query.
pub const STATISTICS_CAMPAIGNS_MAX: usize = 50;

/// Seconds a web session (operator inbox, portal communicators) lives at most, however
/// active: a working day. The idle timeout ends unused sessions sooner; this one ends a
/// session kept busy by a stolen cookie, after which the person logs in again with e-ID.
pub const WEB_SESSION_LIFETIME_SECS: u64 = 8 * 60 * 60;

/// Bytes of one web session's stored data (JSON: who is logged in, a signing in progress with
/// its agreement text); the inbox's largest, a reception-rules signing, is a few KiB.
pub const WEB_SESSION_DATA_BYTES_MAX: usize = 64 * 1024;

/// Seconds between two writes of a session's last request time: a session read more often is
/// not written on every request, so its idle timeout may end up to this much later.
pub const WEB_SESSION_TOUCH_SECS: u64 = 60;

/// Times a change of a web session is made again from the newer version when another node
/// changed the session meanwhile (two requests of one person at once); then it is given up.
pub const WEB_SESSION_CHANGE_ATTEMPTS_MAX: usize = 3;

/// Seconds an e-ID signature of a profile change stays usable after the signing time bound
/// into its text (`kuvert_eid::signature::SigningBinding`). A person signs at the e-ID and the
/// operator sends the change to the registry within seconds; ten minutes leaves room for a
/// slow signing and clock drift, and bounds how long a signature someone saw could be
/// replayed (the registry also refuses any signature it has accepted before).
pub const EID_SIGNATURE_AGE_SECS_MAX: i64 = 10 * 60;

/// Seconds a signing time may lie ahead of the registry's clock (operator and registry
/// clocks differ a little; NTP keeps them within a second, two minutes is generous).
pub const EID_SIGNATURE_CLOCK_SKEW_SECS_MAX: i64 = 2 * 60;

/// Seconds the registry remembers the digest of an accepted e-ID signature: as long as the
/// signature could pass the age check (signed at most the skew ahead of its acceptance, then
/// usable for the age bound). Older digests are forgotten, so the table stays bounded.
pub const EID_SIGNATURE_USED_KEEP_SECS: i64 =
    EID_SIGNATURE_AGE_SECS_MAX + EID_SIGNATURE_CLOCK_SKEW_SECS_MAX;

/// Bytes of one mass-mailing manifest (`kuvert mailing`). A row is about 100 bytes (number,
/// subject, a file name), so this holds the row bound below with room for inline bodies.
pub const MAILING_MANIFEST_BYTES_MAX: u64 = 256 * 1024 * 1024;

/// Rows of one manifest. A national mailing (about eight million people) is split into
/// manifests of this size; each row is held in memory while its run lasts.
pub const MAILING_MANIFEST_ROWS_MAX: usize = 1_000_000;

/// Bytes of one manifest field: an inline body is at most this; longer bodies go in a file.
pub const MAILING_FIELD_BYTES_MAX: usize = 64 * 1024;

/// Bad manifest rows named in one refusal; the count of the rest is given.
pub const MAILING_ROW_ERRORS_SHOWN_MAX: usize = 100;

/// Letters in flight to one operator at a time when the operator sets nothing else: enough to
/// hide the round trip, few enough not to look like an attack on its delivery service.
pub const MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT: usize = 8;

/// Upper bound of the per-operator concurrency an operator may choose.
pub const MAILING_CONCURRENCY_PER_OPERATOR_MAX: usize = 64;

/// Bytes of one mailing journal line (a failure reason is cut to fit) and of the journal.
pub const MAILING_JOURNAL_LINE_BYTES_MAX: usize = 4 * 1024;
/// Bytes of a whole mailing journal (a few events per row of the largest manifest).
pub const MAILING_JOURNAL_BYTES_MAX: u64 = 1024 * 1024 * 1024;

/// Bytes of one certificate revocation list, read from a file or a distribution point. A CRL
/// entry is about 40 bytes, so 16 MiB holds some 400 000 revoked certificates, far more than a
/// Swedish organisation CA lists, while a hostile distribution point cannot fill memory.
pub const CRL_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// CRL sources (files plus distribution points) one role may configure.
pub const CRL_SOURCES_MAX: usize = 32;

/// Shortest CRL refresh interval, in seconds: a distribution point is not polled more often.
pub const CRL_REFRESH_SECS_MIN: u64 = 1;

/// Characters of a sender's one-line message on its deep link's landing (issue 13 §1), and of
/// each variant of an A/B-tested message: one line on a phone.
pub const BRAND_MESSAGE_CHARS_MAX: usize = 160;

/// Characters of a logo's alt text: a name, not a description.
pub const LOGO_ALT_CHARS_MAX: usize = 120;

/// Bytes of a sender's logo as uploaded (SVG or PNG): a logo, not a photograph. The upload
/// form, with its other fields, stays within [`PORTAL_REQUEST_BYTES_MAX`].
pub const LOGO_BYTES_MAX: usize = 24 * 1024;
const _: () = assert!(LOGO_BYTES_MAX + 4 * 1024 <= PORTAL_REQUEST_BYTES_MAX);

/// Pixels of a PNG logo's width and of its height.
pub const LOGO_PNG_PIXELS_MAX: u32 = 2_000;

/// Elements of an SVG logo: a logo is a few dozen shapes.
pub const LOGO_SVG_ELEMENTS_MAX: usize = 2_000;

/// Characters of a comment in the portal's page feedback ("Hittade du det du sökte?").
pub const FEEDBACK_COMMENT_CHARS_MAX: usize = 1_000;

/// Feedback comments one communicator page lists (newest first).
pub const FEEDBACK_COMMENTS_SHOWN_MAX: usize = 200;

/// Other connected senders suggested on a sender's landing ("Du kan också få post från …").
pub const RELATED_SENDERS_SHOWN_MAX: usize = 6;

/// A/B tests one portal keeps (running or ended).
pub const AB_TESTS_MAX: usize = 1_000;

/// Characters of the title of a communicator's submission (news, FAQ entry or page).
pub const SUBMISSION_TITLE_CHARS_MAX: usize = 200;

/// Characters of a submission's Markdown text. Bounded so that a form carrying the text, the
/// title and an editor's comment, every character percent-encoded as up to six bytes, fits in
/// [`PORTAL_REQUEST_BYTES_MAX`].
pub const SUBMISSION_BODY_CHARS_MAX: usize = 4_000;

/// Characters of the editor's comment on one version of a submission.
pub const EDITOR_COMMENT_CHARS_MAX: usize = 500;
const _: () = assert!(
    (SUBMISSION_BODY_CHARS_MAX + SUBMISSION_TITLE_CHARS_MAX + EDITOR_COMMENT_CHARS_MAX) * 6
        + 2 * 1024
        <= PORTAL_REQUEST_BYTES_MAX
);

/// Versions one submission keeps (every edit, return and publication is one).
pub const SUBMISSION_VERSIONS_MAX: usize = 200;

/// Submissions one portal keeps.
pub const SUBMISSIONS_MAX: usize = 10_000;

/// Published news items the portal's news page and Atom feed show (newest first).
pub const NEWS_SHOWN_MAX: usize = 50;

/// Published FAQ entries the portal's FAQ page shows under its own questions (newest first);
/// published pages are found by their id, so any number may be.
pub const FAQ_SHOWN_MAX: usize = 100;

/// Characters of a planned activity's message (issue 13 §4).
pub const PLAN_MESSAGE_CHARS_MAX: usize = 300;

/// Characters of a planned activity's target group and of its channel each.
pub const PLAN_FIELD_CHARS_MAX: usize = 100;

/// Activities one portal keeps across every plan and year.
pub const PLAN_ACTIVITIES_MAX: usize = 10_000;

/// The network's standard campaign questions (issue 13 §5): a survey a visitor finishes in a
/// minute.
pub const SURVEY_QUESTIONS_MAX: usize = 10;

/// Characters of one standard campaign question, in each language.
pub const SURVEY_QUESTION_CHARS_MAX: usize = 200;

/// Characters of one free-text answer on a campaign's survey page. Bounded so that a form
/// answering every question, every character percent-encoded as up to six bytes, fits in
/// [`PORTAL_REQUEST_BYTES_MAX`]; within the feedback comment's bound, whose masking it uses.
pub const SURVEY_ANSWER_CHARS_MAX: usize = 500;
const _: () = assert!(
    SURVEY_QUESTIONS_MAX * SURVEY_ANSWER_CHARS_MAX * 6 + 2 * 1024 <= PORTAL_REQUEST_BYTES_MAX
);
const _: () = assert!(SURVEY_ANSWER_CHARS_MAX <= FEEDBACK_COMMENT_CHARS_MAX);

/// Free-text answers to one question a campaign's page shows (newest first).
pub const SURVEY_TEXT_ANSWERS_SHOWN_MAX: usize = 50;
/// Characters of an operator's internet domain (`ServiceSupplier`; RFC 1035: 253 in text form).
pub const SERVICE_DOMAIN_CHARS_MAX: usize = 253;

/// Signatures in one signed Recipient request (`SignatureData` 1..n): a company's signatory
/// rule rarely needs more than a handful.
pub const EID_SIGNATURES_PER_REQUEST_MAX: usize = 64;

/// Bytes of one RSA signature in `SignatureData`: 1024 bytes is an RSA-8192 signature, the
/// biggest key `RSA_PKCS1_2048_8192_SHA256` verifies.
pub const EID_SIGNATURE_BYTES_MAX: usize = 1_024;

/// Characters of the `state` the test e-ID provider's signing page echoes back; it is the
/// caller's opaque correlation value.
pub const TEST_EID_STATE_CHARS_MAX: usize = 512;

/// Default connections in one database pool (`database_pool.max_connections`). SQLite
/// serialises writers anyway; PostgreSQL gets enough for a busy operator on two cores without
/// starving the server.
pub const DATABASE_POOL_CONNECTIONS_DEFAULT: u32 = 8;

/// Ceiling on a configured pool: PostgreSQL's default `max_connections` is 100.
pub const DATABASE_POOL_CONNECTIONS_MAX: u32 = 100;
const _: () = assert!(DATABASE_POOL_CONNECTIONS_DEFAULT <= DATABASE_POOL_CONNECTIONS_MAX);

/// Ceiling on how long a request may wait for a free database connection
/// (`database_pool.acquire_timeout_ms`).
pub const DATABASE_ACQUIRE_TIMEOUT_MS_MAX: u64 = 300_000;

/// Characters of a blob key; keys become file paths, so no `..`, no leading `/`.
pub const BLOB_KEY_CHARS_MAX: usize = 200;

/// Bytes of one blob a store writes or reads back: a blob is a stored `deliverSecure`
/// envelope, so the envelope ceiling bounds it. A longer object in a bucket is refused unread.
pub const BLOB_BYTES_MAX: u64 = ENVELOPE_BYTES_CEILING;

/// Default time to open a connection to the S3 endpoint of the blob store.
pub const BLOB_S3_CONNECT_TIMEOUT_MS_DEFAULT: u64 = 5_000;

/// Default time one S3 request may take, body included: a 20 MiB blob
/// ([`BLOB_BYTES_MAX`]) at 8 Mbit/s takes 21 s.
pub const BLOB_S3_REQUEST_TIMEOUT_MS_DEFAULT: u64 = 30_000;

/// Ceiling on a configured S3 timeout, so a typo cannot hang an intake for hours; a delivery
/// waits on its blob write before its receipt.
pub const BLOB_S3_TIMEOUT_MS_MAX: u64 = 300_000;
const _: () = assert!(BLOB_S3_REQUEST_TIMEOUT_MS_DEFAULT <= BLOB_S3_TIMEOUT_MS_MAX);

/// Retries of one failed S3 request (server errors, dropped connections) before the blob
/// operation fails; each retry resends the same bytes to the same key.
pub const BLOB_S3_RETRIES_MAX: usize = 3;

/// Bytes of a backup archive's `manifest.json` (table names, columns, digests; the blobs are
/// listed in `blobs.jsonl`).
pub const BACKUP_MANIFEST_BYTES_MAX: u64 = 16 * 1024 * 1024;

/// Bytes of one line of a backup archive's table or blob list: a row holds no blob, but a
/// receipt or a sender's logo (base64) may be long.
pub const BACKUP_LINE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// Rows a restore inserts per call into the store.
pub const RESTORE_BATCH_ROWS_MAX: usize = 500;

/// Profiles one statistics seed may create (feature `bench-seed`; the generated person
/// numbers run out at about 30 million).
pub const SEED_PROFILES_MAX: u64 = 20_000_000;

/// Days one statistics seed may spread registrations over (ten years).
pub const SEED_DAYS_MAX: u32 = 3_660;

/// Idle connections an outgoing HTTP client keeps per host; callers talk to a handful of peers.
pub const HTTP_CLIENT_IDLE_CONNECTIONS_PER_HOST_MAX: usize = 8;

/// Bytes of the registry's answer to a sender's letters report: the report's echo is well
/// under a kilobyte, problem JSON too.
pub const LETTER_REPORT_ANSWER_BYTES_MAX: usize = 16 * 1024;

/// The smallest side of a deep link's QR code image in pixels, large enough to scan from paper.
pub const QR_SIDE_PIXELS_MIN: u32 = 240;

/// Page number of a web inbox listing (letters, access log); pages past this one are refused
/// rather than asked of the database.
pub const INBOX_PAGE_NUMBER_MAX: u32 = 100_000;

/// Recent notifications the inbox's settings page reads to find failures.
pub const INBOX_NOTIFICATIONS_SHOWN_MAX: u32 = 50;

/// Characters of the portal's public address: deep links built on it must fit a QR code that
/// still scans from a printed letter.
pub const PORTAL_PUBLIC_URL_CHARS_MAX: usize = 200;

/// Days back the communicators' overview reaches for results: the registry feed is asked for
/// one year.
pub const COMMUNICATOR_RESULTS_DAYS_MAX: i64 = 366;

/// Days a daily statistics series may span; a longer range is shown per month.
pub const STATISTICS_DAILY_SERIES_DAYS_MAX: i64 = 92;
const _: () = assert!(STATISTICS_DAILY_SERIES_DAYS_MAX <= STATISTICS_RANGE_DAYS_MAX);

/// Rows of a statistics table shown open; longer tables are folded under their chart.
pub const STATISTICS_OPEN_TABLE_ROWS_MAX: usize = 24;

/// Points of a statistics line up to which every point gets a marker.
pub const STATISTICS_MARKED_POINTS_MAX: usize = 40;

/// Digits in a row that page feedback masks as a number before storing a comment: a
/// personnummer (10 or 12 digits), an organisation number, a phone number.
pub const FEEDBACK_DIGITS_MASKED_MIN: usize = 10;

/// Deliveries committed in one transaction by the operator's group commit: large enough that
/// a national mailing's concurrent letters share a sync, small enough that one transaction
/// holds SQLite's write lock only for milliseconds.
pub const GROUP_COMMIT_DELIVERIES_MAX: usize = 256;

/// Lines of a postal address on a paper letter (a manifest's `address`): name, c/o, street,
/// box, postcode and town, country — what PostNord's address block holds.
pub const POSTAL_ADDRESS_LINES_MAX: usize = 6;

/// Lines a postal address needs at least: a name, and a postcode with a town.
pub const POSTAL_ADDRESS_LINES_MIN: usize = 2;

/// Characters of one postal address line: what the window of a C5 envelope shows at 10 pt.
pub const POSTAL_ADDRESS_LINE_CHARS_MAX: usize = 40;

/// Bytes one PDF stream may inflate to while `kuvert check` reads an attachment: a letter is at
/// most `ENVELOPE_BYTES_DEFAULT_MAX`, and this bounds a small file that inflates to gigabytes.
pub const PDF_STREAM_INFLATED_BYTES_MAX: usize = 64 * 1024 * 1024;

/// Pages of one paper letter's body: a letter, not a book; a longer text is cut there and the
/// cut is said on its last page.
pub const PAPER_LETTER_PAGES_MAX: usize = 20;

/// Nesting of dictionaries and arrays `kuvert check` follows inside one PDF object while it
/// looks for JavaScript; deeper nesting is itself reported (no real document nests so deep).
pub const PDF_OBJECT_DEPTH_MAX: usize = 64;

/// Letters in one `POST /api/v1/batches` of the sender service (issue 15): a batch is one
/// transaction, and 1 000 letters of 2 MB would be more than a request should carry; larger
/// mailings go in several batches.
pub const SENDER_SERVICE_BATCH_LETTERS_MAX: usize = 1_000;

/// Bytes of one request body to the sender service: one letter within
/// `ENVELOPE_BYTES_DEFAULT_MAX` grows by a third as base64 in JSON; a batch may carry many
/// small letters up to this bound.
pub const SENDER_SERVICE_REQUEST_BYTES_MAX: usize = 32 * 1024 * 1024;

/// Parts of one `multipart/form-data` letter posted to the sender service: the `letter`
/// part, the `body` part and one part per attachment.
pub const SENDER_SERVICE_MULTIPART_PARTS_MAX: usize = ATTACHMENTS_PER_MESSAGE_MAX + 2;

/// Bytes of one part of a `multipart/form-data` letter: no part can be larger than the
/// whole letter it belongs to (PROTOCOL.md §6.3).
pub const SENDER_SERVICE_PART_BYTES_MAX: u64 = ENVELOPE_BYTES_DEFAULT_MAX;

/// Characters of a caller's `Idempotency-Key` (the IETF draft names no bound; a UUID is 36).
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 255;

/// Events in one page of the sender service's feed (`GET /api/v1/events?limit=`).
pub const SENDER_EVENTS_PER_PAGE_MAX: u32 = 1_000;

/// Letters one worker round of the sender service claims.
pub const SENDER_SERVICE_CLAIM_LETTERS_MAX: usize = 100;

/// Letters one round of a service's letter reporter (the sender service's, the
/// intermediary's) claims and counts: the registry gets one report per sender of the round,
/// so a backlog after an outage is reported in a few rounds of small statements.
pub const LETTERS_REPORTED_PER_ROUND_MAX: usize = 10_000;
const _: () = assert!(LETTERS_REPORTED_PER_ROUND_MAX as u64 <= LETTERS_PER_REPORT_MAX);

/// Rounds of a queued letter whose registry or operator could not be reached before it is
/// failed (each round retries the delivery itself up to `DELIVERY_ATTEMPTS_MAX` times).
pub const SENDER_SERVICE_ROUNDS_MAX: u32 = 8;

/// Clients (mutual TLS or OAuth 2) a sender service is configured with.
pub const SENDER_SERVICE_CLIENTS_MAX: usize = 1_000;

/// Seconds an OAuth 2 access token of the sender service is valid (RFC 6749 §4.4 client
/// credentials; short, so a removed client loses access soon).
pub const OAUTH_TOKEN_LIFETIME_SECS_MAX: u64 = 60 * 60;

/// Bytes of a `POST /oauth/token` form (client id, secret, grant type).
pub const OAUTH_TOKEN_REQUEST_BYTES_MAX: usize = 4 * 1024;

/// Webhook endpoints one sender service pushes its events to (issue 15): each is one
/// delivering task per node.
pub const WEBHOOK_ENDPOINTS_MAX: usize = 64;

/// Senders one webhook endpoint names (as many as a client may send for).
pub const WEBHOOK_SENDERS_MAX: usize = 1_000;

/// Attempts at one event before it goes to the dead-letter list: with the default back-off
/// (1 s doubling to 10 min, jittered) 20 attempts span one to two hours.
pub const WEBHOOK_ATTEMPTS_MAX: u32 = 50;

/// Milliseconds of a webhook's first back-off: below this a refusing receiver would be
/// hammered.
pub const WEBHOOK_BACKOFF_MS_MIN: u64 = 10;
/// The longest wait between two attempts at one event (a day: a receiver down longer is
/// better served by the dead-letter list and a retry).
pub const WEBHOOK_BACKOFF_MS_MAX: u64 = 24 * 60 * 60 * 1_000;

/// Milliseconds one webhook request may take, connection included; it must also stay under
/// the service's lease, so a node never pushes past its claim.
pub const WEBHOOK_REQUEST_TIMEOUT_MS_MAX: u64 = 60_000;

/// Events one webhook endpoint reads from the feed at a time (sent one by one, in order).
pub const WEBHOOK_EVENTS_PER_READ_MAX: u32 = 100;

/// Dead letters in one page of `GET /api/v1/webhooks/dead-letters`.
pub const WEBHOOK_DEAD_LETTERS_PER_PAGE_MAX: u32 = 1_000;
const _: () = assert!(WEBHOOK_BACKOFF_MS_MIN < WEBHOOK_BACKOFF_MS_MAX);
