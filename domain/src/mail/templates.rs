//! The messages mublog sends, and their templates (`domain/templates/mail`). HTML templates
//! are auto-escaped by minijinja; every message also has a plain-text body.

use super::MailError;
use minijinja::{context, Environment, Value};
use std::sync::OnceLock;

/// A message to one recipient, with the links it carries.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Mail {
    /// Confirms the address of a new account.
    VerifyEmail { name: String, link: String },
    /// Sets a new password; the link works once, for an hour.
    ResetPassword { name: String, link: String },
    /// Someone tried to register this address again: tell its owner, who may have forgotten.
    AccountExists { name: String, sign_in_link: String, reset_link: String },
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in [
            ("layout.html", include_str!("../../templates/mail/layout.html")),
            ("verify_email.html", include_str!("../../templates/mail/verify_email.html")),
            ("verify_email.txt", include_str!("../../templates/mail/verify_email.txt")),
            ("reset_password.html", include_str!("../../templates/mail/reset_password.html")),
            ("reset_password.txt", include_str!("../../templates/mail/reset_password.txt")),
            ("account_exists.html", include_str!("../../templates/mail/account_exists.html")),
            ("account_exists.txt", include_str!("../../templates/mail/account_exists.txt")),
        ] {
            env.add_template(name, source).expect("mail templates are valid");
        }
        env
    })
}

impl Mail {
    /// The template name; also what logs say about a message (never its links).
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    fn subject_and_context(&self) -> (&'static str, Value) {
        match self {
            Mail::VerifyEmail { name, link } => ("Confirm your email for mublog", context! { name, link }),
            Mail::ResetPassword { name, link } => ("Reset your mublog password", context! { name, link }),
            Mail::AccountExists { name, sign_in_link, reset_link } => {
                ("You already have a mublog account", context! { name, sign_in_link, reset_link })
            }
        }
    }

    pub fn render(&self) -> Result<Rendered, MailError> {
        let (subject, ctx) = self.subject_and_context();
        let render = |ext: &str| {
            let name = format!("{}.{ext}", self.kind());
            templates()
                .get_template(&name)
                .and_then(|t| t.render(&ctx))
                .map_err(|e| MailError::Template { template: name, detail: e.to_string() })
        };
        Ok(Rendered { subject: subject.to_owned(), text: render("txt")?, html: render("html")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_text_carries_the_link() {
        let mail = Mail::VerifyEmail {
            name: "<script>alert(1)</script>".into(),
            link: "https://mublog.example/verify/abc?x=1&y=2".into(),
        };
        let r = mail.render().unwrap();
        assert!(!r.html.contains("<script>alert(1)"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert!(r.text.contains("https://mublog.example/verify/abc?x=1&y=2"));
        // minijinja escapes `/` too (`&#x2f;`); mail clients decode entities in attributes.
        assert!(r.html.contains("verify&#x2f;abc?x=1&amp;y=2"), "{}", r.html);
    }
}
