//! An IMAP session whose connection the test can cut: every read and write fails from then on,
//! as on a session whose server restarted while the client held it.
#![allow(dead_code)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use secret_shop::mail::imap::{ImapSession, MailStream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::service_env;

#[derive(Debug)]
pub struct Cuttable {
    inner: TcpStream,
    cut: Arc<AtomicBool>,
}

fn broken() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection cut by the test")
}

impl AsyncRead for Cuttable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.cut.load(Ordering::SeqCst) {
            return Poll::Ready(Err(broken()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Cuttable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.cut.load(Ordering::SeqCst) {
            return Poll::Ready(Err(broken()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.cut.load(Ordering::SeqCst) {
            return Poll::Ready(Err(broken()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A logged-in session as `user` (plain IMAP on loopback) and the switch that cuts it.
pub async fn cuttable_session(user: &str) -> (ImapSession, Arc<AtomicBool>) {
    let port: u16 = service_env("SECRET_SHOP_IMAP_PORT").parse().unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let cut = Arc::new(AtomicBool::new(false));
    let stream = Cuttable {
        inner: tcp,
        cut: cut.clone(),
    };
    let mut client = async_imap::Client::new(Box::new(stream) as Box<dyn MailStream>);
    client.read_response().await.unwrap().expect("a greeting");
    let session = client
        .login(user, service_env("SECRET_SHOP_MAIL_PASSWORD"))
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    (session, cut)
}
