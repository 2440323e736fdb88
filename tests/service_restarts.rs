//! Dovecot and Postgres restart under a running engine: it reconnects and carries on.
//! Alone in its test binary, because it stops services other tests use.

mod common;

use std::process::Command;
use std::time::Duration;

use common::mail::{count_inbound, wait_until, world};
use common::service_env;
use tokio_util::sync::CancellationToken;

fn services(action: &str, service: &str) {
    let dir = service_env("SECRET_SHOP_SERVICES_DIR");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/services");
    let out = Command::new(script)
        .args([action, service, &dir])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scripts/services {action} {service}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn the_engine_survives_dovecot_and_postgres_restarts() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.syncer.poll_interval = Duration::from_secs(3600);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn({
        let (engine, shutdown) = (engine.clone(), shutdown.clone());
        async move { engine.run(shutdown).await }
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;

    services("stop-one", "dovecot");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    services("start-one", "dovecot");
    w.agent_sends("after dovecot restart", "hello again", "")
        .await;
    let first = wait_until(Duration::from_secs(60), || async {
        count_inbound(&w.store).await >= 1
    })
    .await;
    assert!(first.is_some(), "reconnected to Dovecot and synced");

    services("stop-one", "postgres");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    services("start-one", "postgres");
    w.agent_sends("after postgres restart", "and again", "")
        .await;
    let second = wait_until(Duration::from_secs(60), || async {
        count_inbound(&w.store).await >= 2
    })
    .await;
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(15), running)
        .await
        .expect("stops when asked")
        .unwrap();
    assert!(second.is_some(), "reconnected to Postgres and synced");
    assert_eq!(count_inbound(&w.store).await, 2);
}
