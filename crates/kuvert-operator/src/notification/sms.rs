//! SMS notifications through a gateway: the [`SmsGateway`] trait and its HTTP JSON
//! implementation [`HttpSmsGateway`] (`POST {"to": "+46…", "text": "…"}`, any 2xx is sent).

use async_trait::async_trait;
use kuvert_store::operator::MobileNumber;

use super::NotificationError;

/// Something that sends one SMS.
#[async_trait]
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    /// Sends `text` to `to`.
    ///
    /// # Errors
    /// [`NotificationError::SmsGatewayUnreachable`] or [`NotificationError::SmsRefused`]
    /// when the gateway did not take the message.
    async fn send(&self, to: &MobileNumber, text: &str) -> Result<(), NotificationError>;
}

/// A gateway reached over HTTP with a JSON body.
#[derive(Debug, Clone)]
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: String,
}

impl HttpSmsGateway {
    /// A gateway at `url`, called with `client` (built by `kuvert_web::http_client`).
    #[must_use]
    pub fn new(client: reqwest::Client, url: String) -> Self {
        Self { client, url }
    }
}

#[async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(&self, to: &MobileNumber, text: &str) -> Result<(), NotificationError> {
        let body = serde_json::json!({ "to": to.as_str(), "text": text });
        let response = self
            .client
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|error| NotificationError::SmsGatewayUnreachable(error.to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(NotificationError::SmsRefused(format!(
                "gateway answered {status}"
            )))
        }
    }
}
