//! Builds the exact bytes of an outbound message: the same bytes go to SMTP and to the Sent
//! folder, so the Message-ID found in Sent is the one the agent received.

use lettre::Address;
use lettre::address::Envelope;
use lettre::message::{Mailbox, Message, header::ContentType};

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("bad address {0:?}: {1}")]
    Address(String, String),
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// What one outbound email says and who it goes to.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub message_id: &'a str,
    pub from_name: &'a str,
    pub from_addr: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub body_text: &'a str,
    pub in_reply_to: Option<&'a str>,
    /// The thread so far, oldest first (References).
    pub references: &'a [String],
}

fn address(s: &str) -> Result<Address, ComposeError> {
    s.parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::Address(s.into(), e.to_string()))
}

fn bracketed(id: &str) -> String {
    format!("<{}>", id.trim_matches(|c| c == '<' || c == '>'))
}

/// The message bytes and the SMTP envelope. The envelope also carries the persona's own address
/// (a blind copy that is not in the headers): the copy lands in our mailbox, and finding it there
/// proves the server accepted the message even if we crash before recording that.
pub fn compose(m: &Outgoing<'_>) -> Result<(Vec<u8>, Envelope), ComposeError> {
    let from = address(m.from_addr)?;
    let mut builder = Message::builder()
        .from(Mailbox::new(Some(m.from_name.to_string()), from.clone()))
        .subject(m.subject)
        .message_id(Some(bracketed(m.message_id)))
        .date_now();
    let mut rcpt = Vec::with_capacity(m.to.len() + 1);
    for to in m.to {
        let a = address(to)?;
        builder = builder.to(Mailbox::new(None, a.clone()));
        rcpt.push(a);
    }
    rcpt.push(from.clone());
    if let Some(parent) = m.in_reply_to {
        builder = builder.in_reply_to(bracketed(parent));
    }
    if !m.references.is_empty() {
        let refs: Vec<String> = m.references.iter().map(|r| bracketed(r)).collect();
        builder = builder.references(refs.join(" "));
    }
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(m.body_text.to_string())
        .map_err(|e| ComposeError::Build(e.to_string()))?;
    let envelope =
        Envelope::new(Some(from), rcpt).map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok((message.formatted(), envelope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_identity_and_thread() {
        let to = vec!["leasing@grove.test".to_string()];
        let refs = vec!["a1@shop.test".to_string(), "<r1@grove.test>".to_string()];
        let (raw, env) = compose(&Outgoing {
            message_id: "f1@shop.test",
            from_name: "Jane Porter",
            from_addr: "jane.porter@shop.test",
            to: &to,
            subject: "Re: 2-bedroom availability",
            body_text: "Thanks! What is the pet deposit?",
            in_reply_to: Some("r1@grove.test"),
            references: &refs,
        })
        .unwrap();
        let text = String::from_utf8(raw).unwrap();
        assert!(
            text.contains("From: \"Jane Porter\" <jane.porter@shop.test>"),
            "{text}"
        );
        assert!(text.contains("Message-ID: <f1@shop.test>"), "{text}");
        assert!(text.contains("In-Reply-To: <r1@grove.test>"), "{text}");
        assert!(
            text.contains("References: <a1@shop.test> <r1@grove.test>"),
            "{text}"
        );
        assert!(
            !text.to_lowercase().contains("bcc"),
            "the self copy is not in the headers"
        );
        let rcpt: Vec<String> = env.to().iter().map(|a| a.to_string()).collect();
        assert_eq!(rcpt, ["leasing@grove.test", "jane.porter@shop.test"]);
    }
}
