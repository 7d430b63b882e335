//! The limiter in process: a client over its burst gets 429 (or fault 5005 when it speaks
//! SOAP) with `Retry-After`, another client is not slowed, certificates beat addresses, and
//! the key map stays bounded.

use axum::body::Body;
use axum::routing::{get, post};
use tower::ServiceExt;

use super::*;

fn limit(per_second: u32, burst: u32) -> Option<RateLimit> {
    Some(RateLimit {
        per_second: NonZeroU32::new(per_second).unwrap(),
        burst: NonZeroU32::new(burst).unwrap(),
    })
}

fn router(limiter: &RateLimiter) -> Router {
    let routes = Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/soap", post(|| async { "ok" }));
    limiter.apply(routes)
}

fn from(address: &str) -> Request {
    let mut request = Request::get("/").body(Body::empty()).unwrap();
    let address: SocketAddr = format!("{address}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

async fn status(router: &Router, request: Request) -> Response {
    router.clone().oneshot(request).await.unwrap()
}

#[tokio::test]
async fn a_client_over_its_burst_gets_429_with_retry_after_and_others_do_not() {
    let limiter = RateLimiter::new(limit(1, 3));
    let router = router(&limiter);
    for _ in 0..3 {
        assert_eq!(status(&router, from("192.0.2.1")).await.status(), 200);
    }
    let refused = status(&router, from("192.0.2.1")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
    assert_eq!(status(&router, from("192.0.2.2")).await.status(), 200);
    let mut unknown = from("192.0.2.1");
    unknown.extensions_mut().remove::<ConnectInfo<SocketAddr>>();
    assert_eq!(
        status(&router, unknown).await.status(),
        200,
        "no address, no limit"
    );
}

#[tokio::test]
async fn a_soap_client_over_its_limit_gets_fault_5005_with_retry_after() {
    let limiter = RateLimiter::new(limit(1, 1));
    let router = router(&limiter);
    let certificate = PeerCertificate::new(b"certificate one");
    let soap = |peer: &PeerCertificate| {
        let mut request = Request::post("/soap")
            .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", "\"\"")
            .body(Body::from("<x/>"))
            .unwrap();
        request.extensions_mut().insert(peer.clone());
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 1))));
        request
    };
    assert_eq!(status(&router, soap(&certificate)).await.status(), 200);
    let refused = status(&router, soap(&certificate)).await;
    assert_eq!(refused.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    let body = axum::body::to_bytes(refused.into_body(), 64 * 1024)
        .await
        .unwrap();
    let body = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        body.contains(">5005<") && body.contains("soap:Fault"),
        "{body}"
    );
    let other = PeerCertificate::new(b"certificate two");
    assert_eq!(
        status(&router, soap(&other)).await.status(),
        200,
        "another certificate from the same address has its own bucket"
    );
}

#[tokio::test]
async fn no_limit_limits_nothing() {
    let router = router(&RateLimiter::new(None));
    for _ in 0..100 {
        assert_eq!(status(&router, from("192.0.2.1")).await.status(), 200);
    }
}

#[test]
fn the_key_map_stays_bounded() {
    let limiter = RateLimiter::with_keys_max(limit(1, 1), 100);
    for index in 0..1_000_u32 {
        let address = IpAddr::from(index.to_be_bytes());
        let mut request = Request::get("/").body(Body::empty()).unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(address, 1)));
        let _ = limiter.check(&request);
        let keyed = limiter.inner.as_ref().unwrap();
        let held = keyed.buckets.lock().unwrap().len();
        assert!(held <= 100, "{held} clients tracked");
    }
}
