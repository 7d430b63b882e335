//! `read_body`, the one bounded reader of response bodies, against a real server: a body at
//! the bound is read whole; one past it is refused, whether its `Content-Length` says so or
//! it streams without one.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use kuvert_web::{BodyError, ListenerTls, read_body};

use crate::{client, start};

const BOUND: u64 = 1024;

/// `/sized/{n}`: `n` bytes with a `Content-Length`; `/streamed/{n}`: `n` bytes in 100-byte
/// chunks without one.
fn router() -> Router {
    Router::new()
        .route(
            "/sized/{n}",
            get(|axum::extract::Path(n): axum::extract::Path<usize>| async move { vec![b'x'; n] }),
        )
        .route(
            "/streamed/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<usize>| async move {
                    let chunks = (0..n).step_by(100).map(move |start| {
                        let length = (n - start).min(100);
                        Ok::<_, std::io::Error>(vec![b'x'; length])
                    });
                    Body::from_stream(futures::stream::iter(chunks))
                },
            ),
        )
}

async fn read(path: &str) -> Result<Vec<u8>, BodyError> {
    let server = start(ListenerTls::Plain, router()).await;
    let response = client(None)
        .get(server.url("http", path))
        .send()
        .await
        .unwrap();
    let body = read_body(response, BOUND).await;
    server.stop().await;
    body
}

#[tokio::test]
async fn read_body_reads_a_body_of_exactly_the_bound() {
    assert_eq!(read("/sized/1024").await.unwrap().len(), 1024);
    assert_eq!(read("/streamed/1024").await.unwrap().len(), 1024);
}

#[tokio::test]
async fn read_body_refuses_a_content_length_over_the_bound() {
    let error = read("/sized/1025").await.unwrap_err();
    assert!(
        matches!(error, BodyError::TooLarge { max: BOUND }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "response body exceeds 1024 bytes");
}

#[tokio::test]
async fn read_body_cuts_off_a_body_without_length_at_the_bound() {
    let error = read("/streamed/5000").await.unwrap_err();
    assert!(
        matches!(error, BodyError::TooLarge { max: BOUND }),
        "{error:?}"
    );
}
