//! Outgoing mail (invitations, password resets) over SMTP, when `LEADS_SMTP_URL` is set.
//! Without it nothing is sent and the app shows links to copy instead.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

impl Default for Mailer {
    fn default() -> Self {
        Self::disabled()
    }
}

impl Mailer {
    pub fn disabled() -> Self {
        Self {
            transport: None,
            from: "Leads <no-reply@localhost>"
                .parse()
                .expect("a valid mailbox"),
        }
    }

    /// `url`: `smtp://host:port` (plain, or `?tls=required` for STARTTLS), `smtps://…` (TLS),
    /// with `user:password@` when the server wants a login. `from`: `Name <address>`.
    pub fn from_url(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("LEADS_SMTP_URL: {e}"))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("LEADS_MAIL_FROM {from:?}: {e}"))?;
        Ok(Self {
            transport: Some(transport),
            from,
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// Sends a plain-text message; `Ok(false)` when mail is not set up.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<bool, String> {
        let Some(transport) = &self.transport else {
            return Ok(false);
        };
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| e.to_string())?;
        transport.send(message).await.map_err(|e| e.to_string())?;
        Ok(true)
    }
}
