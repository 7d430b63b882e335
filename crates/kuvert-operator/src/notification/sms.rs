//! SMS notifications through a gateway: the [`SmsGateway`] trait and its HTTP JSON
//! implementation [`HttpSmsGateway`] (`POST {"to": "+46…", "text": "…"}`, with the
//! configured token as `Authorization: Bearer …`; any 2xx is sent).

use async_trait::async_trait;
use kuvert_store::operator::MobileNumber;
use secrecy::{ExposeSecret, SecretString};

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
    /// Sent as a bearer token, when the gateway wants one.
    token: Option<SecretString>,
}

impl HttpSmsGateway {
    /// A gateway at `url`, called with `client` (built by `kuvert_web::http_client`),
    /// authenticating with `token` when given.
    #[must_use]
    pub fn new(client: reqwest::Client, url: String, token: Option<SecretString>) -> Self {
        Self { client, url, token }
    }
}

#[async_trait]
impl SmsGateway for HttpSmsGateway {
    async fn send(&self, to: &MobileNumber, text: &str) -> Result<(), NotificationError> {
        let body = serde_json::json!({ "to": to.as_str(), "text": text });
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose_secret());
        }
        let response = request
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
