//! `/dev/mail`: the development outbox, so a person can open the links mublog emails without
//! a mail server. Only routed in development without SMTP.

use axum::extract::State;
use mail_parser::MessageParser;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One message of the outbox, newest first on the page.
struct OutboxMail {
    sent: SystemTime,
    to: String,
    subject: String,
    text: String,
}

fn read_outbox(dir: &Path) -> Vec<OutboxMail> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut mails: Vec<OutboxMail> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|ext| ext == "eml"))
        .filter_map(|e| {
            let sent = e.metadata().and_then(|m| m.modified()).ok()?;
            let raw = std::fs::read(e.path()).ok()?;
            let message = MessageParser::default().parse(&raw)?;
            let to = message
                .to()
                .and_then(|to| to.first())
                .and_then(|addr| addr.address())
                .unwrap_or_default()
                .to_owned();
            Some(OutboxMail {
                sent,
                to,
                subject: message.subject().unwrap_or_default().to_owned(),
                text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            })
        })
        .collect();
    mails.sort_by_key(|m| std::cmp::Reverse(m.sent));
    mails
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The links in a plain-text body, made clickable.
fn links(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .map(|url| format!("<li><a href=\"{0}\">{0}</a></li>", escape(url)))
        .collect()
}

/// The folder mail goes to without SMTP.
#[derive(Clone)]
pub struct Outbox(pub PathBuf);

pub async fn outbox_page(State(Outbox(dir)): State<Outbox>) -> axum::response::Response {
    let mails = read_outbox(&dir);
    let items: String = mails
        .iter()
        .map(|m| {
            format!(
                "<article class=\"mail\" data-to=\"{to}\"><h2>{subject}</h2><p>To: {to}</p>\
                 <ul>{links}</ul><pre>{text}</pre></article>",
                to = escape(&m.to),
                subject = escape(&m.subject),
                links = links(&m.text),
                text = escape(&m.text),
            )
        })
        .collect();
    let empty = if mails.is_empty() { "<p>No mail yet.</p>" } else { "" };
    crate::tool_page(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Outbox · mublog (development)</title></head><body>\
         <h1>Outbox</h1><p>Mail mublog sent in development, newest first (from {dir}).</p>{empty}{items}\
         </body></html>",
        dir = escape(&dir.display().to_string()),
    ))
}
