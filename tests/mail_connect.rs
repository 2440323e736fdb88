//! Connections to the real Postfix and Dovecot `scripts/test` starts, in every TLS mode.

mod common;

use std::path::PathBuf;

use lettre::AsyncTransport;
use lettre::message::Message;
use secrecy::SecretString;
use secret_shop::config::TlsMode;
use secret_shop::mail::imap::{ImapEndpoint, login};
use secret_shop::mail::smtp::{SmtpEndpoint, transport};

fn ca() -> PathBuf {
    common::service_env("SECRET_SHOP_TLS_CA_FILE").into()
}

fn imap_port(tls: TlsMode) -> u16 {
    let var = match tls {
        TlsMode::Tls => "SECRET_SHOP_IMAPS_PORT",
        _ => "SECRET_SHOP_IMAP_PORT",
    };
    common::service_env(var).parse().unwrap()
}

async fn imap_login(tls: TlsMode, user: &str) -> secret_shop::mail::imap::ImapSession {
    let ca = ca();
    let ep = ImapEndpoint {
        host: "127.0.0.1",
        port: imap_port(tls),
        tls,
        user,
        password: SecretString::from(common::service_env("SECRET_SHOP_MAIL_PASSWORD")),
        ca_file: Some(&ca),
    };
    login(&ep)
        .await
        .unwrap_or_else(|e| panic!("{tls:?} login: {e}"))
}

#[tokio::test]
async fn imap_logs_in_plain_starttls_and_tls() {
    for tls in [TlsMode::None, TlsMode::StartTls, TlsMode::Tls] {
        let mut s = imap_login(tls, "operator@shop.test").await;
        s.examine("INBOX").await.expect("INBOX exists");
        s.logout().await.unwrap();
    }
}

#[tokio::test]
async fn tls_without_the_private_ca_is_refused() {
    let ep = ImapEndpoint {
        host: "127.0.0.1",
        port: imap_port(TlsMode::Tls),
        tls: TlsMode::Tls,
        user: "operator@shop.test",
        password: SecretString::from(common::service_env("SECRET_SHOP_MAIL_PASSWORD")),
        ca_file: None,
    };
    let Err(err) = login(&ep).await else {
        panic!("an unknown CA must not be trusted");
    };
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[tokio::test]
async fn plain_text_is_refused_off_loopback() {
    let ep = SmtpEndpoint {
        host: "mail.example.com",
        port: 25,
        tls: TlsMode::None,
        user: "",
        password: None,
        ca_file: None,
    };
    assert!(transport(&ep).is_err());
}

/// Mail sent over SMTP (STARTTLS, authenticated) to any address at a fresh domain lands in that
/// domain's catch-all INBOX.
#[tokio::test]
async fn smtp_starttls_delivers_into_the_domains_catch_all_mailbox() {
    let ca = ca();
    let ep = SmtpEndpoint {
        host: "127.0.0.1",
        port: common::service_env("SECRET_SHOP_SMTP_PORT")
            .parse()
            .unwrap(),
        tls: TlsMode::StartTls,
        user: &common::service_env("SECRET_SHOP_SMTP_USER"),
        password: Some(SecretString::from(common::service_env(
            "SECRET_SHOP_SMTP_PASSWORD",
        ))),
        ca_file: Some(&ca),
    };
    let smtp = transport(&ep).unwrap();
    assert!(smtp.test_connection().await.unwrap());
    let domain = format!("p{}.test", uuid::Uuid::new_v4().simple());
    let subject = format!("Inquiry {}", uuid::Uuid::new_v4());
    let msg = Message::builder()
        .from("Jane Porter <jane.porter@shop.test>".parse().unwrap())
        .to(format!("leasing@{domain}").parse().unwrap())
        .subject(&subject)
        .body("Is the 2-bedroom still available?".to_string())
        .unwrap();
    smtp.send(msg).await.expect("accepted");

    let mut session = imap_login(TlsMode::None, &format!("anyone@{domain}")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mailbox = session.examine("INBOX").await.unwrap();
        if mailbox.exists > 0 {
            let found = session
                .uid_search(format!("SUBJECT \"{subject}\""))
                .await
                .unwrap();
            assert_eq!(found.len(), 1);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not delivered in 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
