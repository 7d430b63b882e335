//! Signatures outside the profile, each made with the real key over a hand-written
//! `SignedInfo`: extra and missing transforms, other canonicalizations, algorithm downgrade
//! (HMAC with a known key, truncated HMAC, MD5, DSA, "none", ECDSA with an RSA key) and
//! upgrades the profile does not allow (SHA-512). Each is tried on the sender's signature or
//! on the seal, so both verifications are exercised.

use kuvert_wire::fault::FaultCode;
use kuvert_xmldsig::profile::{ENVELOPED_SIGNATURE, EXC_C14N};

use super::forge::{Digest, SigSpec, Value, envelope, seal_and_wrap, sign_custom, transform};
use super::{Arena, Case};

const SIGNATURE: FaultCode = FaultCode::SIGNATURE_ERROR;

const XPATH: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";
const XPATH2: &str = "http://www.w3.org/2002/06/xmldsig-filter2";
const XSLT: &str = "http://www.w3.org/TR/1999/REC-xslt-19991116";
const BASE64_TRANSFORM: &str = "http://www.w3.org/2000/09/xmldsig#base64";
const C14N10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const C14N10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";

/// Where the hand-made signature goes.
#[derive(Clone, Copy)]
enum Target {
    Sender,
    Seal,
}

pub(super) fn cases(arena: &Arena) -> Vec<Case> {
    let mut cases = transforms(arena);
    cases.extend(canonicalizations(arena));
    cases.extend(downgrades(arena));
    cases
}

/// A delivery with `spec` on the sender's signature or on the seal, the other one normal.
fn signed_with(arena: &Arena, subject: &str, target: Target, spec: &SigSpec) -> String {
    let stages = arena.stages(subject);
    match target {
        Target::Sender => seal_and_wrap(
            &sign_custom(&arena.kommun, &stages.unsigned, spec),
            &arena.intermediary,
        ),
        Target::Seal => envelope(
            &sign_custom(&arena.intermediary, &stages.unsealed, spec),
            "",
        ),
    }
}

fn case(arena: &Arena, name: &'static str, target: Target, spec: SigSpec) -> Case {
    Case::new(name, SIGNATURE, signed_with(arena, name, target, &spec))
}

fn with_transforms(transforms: Vec<String>) -> SigSpec {
    SigSpec {
        transforms,
        ..SigSpec::profile()
    }
}

fn transforms(arena: &Arena) -> Vec<Case> {
    let enveloped = || transform(ENVELOPED_SIGNATURE, "");
    let xpath = transform(XPATH, "<XPath>not(ancestor-or-self::Signature)</XPath>");
    let xpath2 = transform(
        XPATH2,
        "<XPath xmlns=\"http://www.w3.org/2002/06/xmldsig-filter2\" Filter=\"subtract\">\
         //Body</XPath>",
    );
    let xslt = transform(
        XSLT,
        "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">\
         <xsl:template match=\"/\"></xsl:template></xsl:stylesheet>",
    );
    vec![
        case(
            arena,
            "transforms: XPath filter added to the sender's reference",
            Target::Sender,
            with_transforms(vec![enveloped(), xpath]),
        ),
        case(
            arena,
            "transforms: XPath filter 2.0 subtracting the body, on the seal",
            Target::Seal,
            with_transforms(vec![enveloped(), xpath2]),
        ),
        case(
            arena,
            "transforms: XSLT on the sender's reference",
            Target::Sender,
            with_transforms(vec![enveloped(), xslt]),
        ),
        case(
            arena,
            "transforms: base64 decoding on the seal",
            Target::Seal,
            with_transforms(vec![enveloped(), transform(BASE64_TRANSFORM, "")]),
        ),
        case(
            arena,
            "transforms: inclusive C14N on the sender's reference",
            Target::Sender,
            with_transforms(vec![enveloped(), transform(C14N10, "")]),
        ),
        case(
            arena,
            "transforms: exclusive C14N with comments on the seal",
            Target::Seal,
            with_transforms(vec![enveloped(), transform(EXC_C14N_COMMENTS, "")]),
        ),
        case(
            arena,
            "transforms: no enveloped-signature transform on the sender's reference",
            Target::Sender,
            with_transforms(vec![transform(EXC_C14N, "")]),
        ),
        case(
            arena,
            "transforms: no transforms at all on the seal",
            Target::Seal,
            with_transforms(Vec::new()),
        ),
        case(
            arena,
            "transforms: enveloped-signature carrying an XPath child",
            Target::Seal,
            with_transforms(vec![transform(
                ENVELOPED_SIGNATURE,
                "<XPath>not(ancestor-or-self::Signature)</XPath>",
            )]),
        ),
        case(
            arena,
            "transforms: a second Reference to the forged header",
            Target::Seal,
            SigSpec {
                signed_info_tail: format!(
                    "<Reference URI=\"#header\"><Transforms>{}</Transforms>\
                     <DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\">\
                     </DigestMethod><DigestValue>AAAA</DigestValue></Reference>",
                    transform(ENVELOPED_SIGNATURE, "")
                ),
                ..SigSpec::profile()
            },
        ),
        case(
            arena,
            "transforms: exclusive C14N carrying an XPath child",
            Target::Sender,
            with_transforms(vec![
                enveloped(),
                transform(EXC_C14N, "<XPath>not(ancestor-or-self::Body)</XPath>"),
            ]),
        ),
    ]
}

fn canonicalizations(arena: &Arena) -> Vec<Case> {
    let with_c14n = |c14n: &str| SigSpec {
        c14n: c14n.to_owned(),
        ..SigSpec::profile()
    };
    vec![
        case(
            arena,
            "c14n: inclusive C14N 1.0 for SignedInfo of the seal",
            Target::Seal,
            with_c14n(C14N10),
        ),
        case(
            arena,
            "c14n: C14N 1.0 with comments for the sender's SignedInfo",
            Target::Sender,
            with_c14n(C14N10_COMMENTS),
        ),
        case(
            arena,
            "c14n: C14N 1.1 for the seal's SignedInfo",
            Target::Seal,
            with_c14n(C14N11),
        ),
    ]
}

fn downgrades(arena: &Arena) -> Vec<Case> {
    let method = |uri: &str, value: Value| SigSpec {
        method: uri.to_owned(),
        value,
        ..SigSpec::profile()
    };
    let hmac_sha1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
    let hmac_sha256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
    let md5_digest = SigSpec {
        digest_method: "http://www.w3.org/2001/04/xmldsig-more#md5".to_owned(),
        digest: Digest::Fixed(&[0x5a; 16]),
        ..SigSpec::profile()
    };
    vec![
        case(
            arena,
            "algorithms: HMAC-SHA1 with an empty key as the sender's signature",
            Target::Sender,
            method(
                hmac_sha1,
                Value::Hmac(aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            ),
        ),
        case(
            arena,
            "algorithms: HMAC-SHA256 with an empty key as the seal",
            Target::Seal,
            method(hmac_sha256, Value::Hmac(aws_lc_rs::hmac::HMAC_SHA256)),
        ),
        case(
            arena,
            "algorithms: HMAC-SHA1 truncated to 0 bits (CVE-2009-0217)",
            Target::Sender,
            SigSpec {
                method_children: "<HMACOutputLength>0</HMACOutputLength>".to_owned(),
                ..method(hmac_sha1, Value::Fixed(b""))
            },
        ),
        case(
            arena,
            "algorithms: MD5 digest of the sender's reference",
            Target::Sender,
            md5_digest,
        ),
        case(
            arena,
            "algorithms: RSA-MD5 seal",
            Target::Seal,
            method(
                "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
                Value::Fixed(&[1; 256]),
            ),
        ),
        case(
            arena,
            "algorithms: DSA-SHA1 sender signature",
            Target::Sender,
            method(
                "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
                Value::Fixed(&[1; 40]),
            ),
        ),
        case(
            arena,
            "algorithms: signature method \"none\"",
            Target::Seal,
            method("none", Value::Fixed(b"")),
        ),
        case(
            arena,
            "algorithms: empty signature method and empty value",
            Target::Sender,
            method("", Value::Fixed(b"")),
        ),
        case(
            arena,
            "algorithms: ECDSA-SHA256 named with an RSA key",
            Target::Seal,
            method(
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
                Value::Rsa(&aws_lc_rs::signature::RSA_PKCS1_SHA256),
            ),
        ),
        case(
            arena,
            "algorithms: RSA-SHA512 with SHA-512 digests (outside the profile)",
            Target::Sender,
            SigSpec::sha512(),
        ),
        case(
            arena,
            "algorithms: RSA-SHA256 signature value made with SHA-512",
            Target::Seal,
            SigSpec {
                value: Value::Rsa(&aws_lc_rs::signature::RSA_PKCS1_SHA512),
                ..SigSpec::profile()
            },
        ),
    ]
}
