//! Outgoing email: rendered from templates (HTML plus plain text) and delivered over SMTP by
//! lettre, or, in development without SMTP, written as `.eml` files to an outbox folder.

mod templates;

pub use templates::Mail;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("MUBLOG_SMTP_URL is not a valid SMTP URL: {0}")]
    BadUrl(String),
    #[error("`{0}` is not a valid email address")]
    BadAddress(String),
    #[error("rendering template {template}: {detail}")]
    Template { template: String, detail: String },
    #[error("building the message: {0}")]
    Build(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// Sends mail. Cheap to share behind an `Arc`; SMTP connections are pooled.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// SMTP when `smtp_url` is given (`smtp://host:port`, `smtps://user:pass@host`), otherwise
    /// the outbox folder.
    pub fn new(smtp_url: Option<&str>, outbox: &Path, from: &str) -> Result<Self, MailError> {
        let from = from.parse().map_err(|_| MailError::BadAddress(from.to_owned()))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::BadUrl(e.to_string()))?
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(outbox).map_err(|e| MailError::Delivery(e.to_string()))?;
                Transport::Outbox(AsyncFileTransport::new(outbox))
            }
        };
        Ok(Mailer { transport, from })
    }

    /// The outbox folder, when mail goes there instead of to SMTP.
    pub fn outbox(dir: &Path) -> PathBuf {
        dir.join("outbox")
    }

    pub async fn send(&self, to: &str, mail: &Mail) -> Result<(), MailError> {
        let rendered = mail.render()?;
        let to: Mailbox = to.parse().map_err(|_| MailError::BadAddress(to.to_owned()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .multipart(MultiPart::alternative_plain_html(rendered.text, rendered.html))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.map(drop).map_err(|e| MailError::Delivery(e.to_string()))
            }
            Transport::Outbox(file) => {
                file.send(message).await.map(drop).map_err(|e| MailError::Delivery(e.to_string()))
            }
        }
    }
}
