//! The pieces that time a connection: [`IdleIo`] notes every byte read or written (for the
//! idle timeout), [`GuardedBody`] gives a request body its deadline and tells the connection
//! table when the body is complete, and [`RequestMark`] follows one request from its headers
//! to its answer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::table::Activity;

/// A connection's stream that notes each byte read or written in its [`Activity`].
pub(crate) struct IdleIo<I> {
    inner: I,
    activity: Arc<Activity>,
}

/// A request body that fails once its deadline passes before it is complete.
pub(crate) struct GuardedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    timeout: Duration,
    mark: Arc<RequestMark>,
}

/// One request from its headers to its answer.
pub(crate) struct RequestMark {
    activity: Arc<Activity>,
    state: AtomicU8,
    is_timed_out: AtomicBool,
}

/// The body's deadline passed before it was complete.
#[derive(Debug, thiserror::Error)]
#[error("request body not received within {timeout_ms} ms")]
pub(crate) struct BodyTimeout {
    timeout_ms: u128,
}

const READING: u8 = 0;
const RECEIVED: u8 = 1;
const ANSWERED: u8 = 2;

impl<I> IdleIo<I> {
    pub(crate) fn new(inner: I, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for IdleIo<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(context, buffer);
        if matches!(polled, Poll::Ready(Ok(()))) && buffer.filled().len() > before {
            self.activity.touch_io();
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for IdleIo<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(context, bytes);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.touch_io();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}

impl GuardedBody {
    /// `inner` with `timeout` from now; a body that is already complete (no body) marks the
    /// request received at once.
    pub(crate) fn new(inner: Incoming, timeout: Duration, mark: Arc<RequestMark>) -> Self {
        if inner.is_end_stream() {
            mark.received();
        }
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            timeout,
            mark,
        }
    }
}

impl Body for GuardedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(context);
        match polled {
            Poll::Ready(None) => {
                self.mark.received();
                Poll::Ready(None)
            }
            Poll::Ready(Some(frame)) => {
                if self.inner.is_end_stream() {
                    self.mark.received();
                }
                Poll::Ready(Some(frame.map_err(Into::into)))
            }
            Poll::Pending => {
                if self.deadline.as_mut().poll(context).is_pending() {
                    return Poll::Pending;
                }
                self.mark.is_timed_out.store(true, Ordering::Release);
                let timeout_ms = self.timeout.as_millis();
                Poll::Ready(Some(Err(Box::new(BodyTimeout { timeout_ms }))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl RequestMark {
    /// A request whose headers just arrived on the connection of `activity`.
    pub(crate) fn new(activity: Arc<Activity>) -> Arc<Self> {
        Arc::new(Self {
            activity,
            state: AtomicU8::new(READING),
            is_timed_out: AtomicBool::new(false),
        })
    }

    /// The body is complete: the handler's work protects the connection from being cut.
    fn received(&self) {
        let changed =
            self.state
                .compare_exchange(READING, RECEIVED, Ordering::AcqRel, Ordering::Acquire);
        if changed.is_ok() {
            self.activity.protect();
        }
    }

    /// The handler answered; the connection made progress.
    pub(crate) fn answered(&self) {
        if self.state.swap(ANSWERED, Ordering::AcqRel) == RECEIVED {
            self.activity.unprotect();
        }
        self.activity.finished_request();
    }

    /// Whether the body's deadline passed before it was complete.
    pub(crate) fn is_timed_out(&self) -> bool {
        self.is_timed_out.load(Ordering::Acquire)
    }
}
