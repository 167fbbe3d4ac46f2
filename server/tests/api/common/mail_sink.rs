//! A real SMTP server on localhost (mailin-embedded) that keeps what it receives, so tests
//! read back the mail mublog sent through lettre.

use mail_parser::MessageParser;
use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl ReceivedMail {
    /// The token of the first link into `path_prefix` (such as `/verify/`).
    pub fn token(&self, path_prefix: &str) -> String {
        let word =
            self.text.split_whitespace().find(|w| w.contains(path_prefix)).expect("a link in the mail");
        word.rsplit('/').next().unwrap().to_owned()
    }
}

#[derive(Clone)]
struct Collector {
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    current: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.current.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received.lock().unwrap().push(std::mem::take(&mut self.current));
        response::OK
    }
}

pub struct MailSink {
    /// `smtp://127.0.0.1:<port>`, for `MUBLOG_SMTP_URL`.
    pub url: String,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl MailSink {
    pub fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// A sink on a given listener (to start one where mail was failing before).
    pub fn on(listener: TcpListener) -> Self {
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Collector { received: received.clone(), current: Vec::new() });
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            // The sink lives as long as the test process; an error here fails the test's wait.
            let _ = server.serve();
        });
        MailSink { url, received }
    }

    pub fn all(&self) -> Vec<ReceivedMail> {
        self.received.lock().unwrap().iter().map(|raw| parse(raw)).collect()
    }

    /// Waits (up to 10 s) until `count` messages to `to` have arrived, and returns them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<ReceivedMail> {
        let what = format!("expected {count} mail(s) to {to}");
        super::eventually(Duration::from_secs(10), &what, async || {
            let mails: Vec<ReceivedMail> = self.all().into_iter().filter(|m| m.to == to).collect();
            (mails.len() >= count).then_some(mails)
        })
        .await
    }

    /// Waits (up to 10 s) for the first message to `to` with this subject.
    pub async fn wait_for_subject(&self, to: &str, subject: &str) -> ReceivedMail {
        let what = format!("no mail to {to} with subject {subject:?}");
        super::eventually(Duration::from_secs(10), &what, async || {
            self.all().into_iter().find(|m| m.to == to && m.subject == subject)
        })
        .await
    }
}

fn parse(raw: &[u8]) -> ReceivedMail {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    ReceivedMail {
        to: message.to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: message.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
    }
}
