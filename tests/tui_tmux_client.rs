//! The real binary in tmux as a client's login (issue 12): only the portfolio's panes are
//! offered (no review queue), the shops are its client's targets' only, a report opens, and a key
//! for anything else says why in words.

mod common;

use std::time::Duration;

use common::tmux::{Stderr, Tmux, assert_clean_exit, write_script};
use common::{Cli, fresh_database};

#[tokio::test]
async fn a_client_reads_only_its_own_portfolio_in_a_real_terminal() {
    let (store, url) = fresh_database().await;
    let owner = Cli::new(&url);
    assert!(owner.ok(&["demo"]).contains("loaded demo data"));
    let clara = common::roles::Login::new(&url, "secret_shop_client").await;
    owner.ok(&[
        "operator",
        "role",
        &clara.name,
        "client",
        "--client",
        "Harbor Residential",
    ]);
    let names = |client: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT t.name FROM targets t JOIN clients c ON c.id = t.client_id
                 WHERE c.name = $1 AND EXISTS (SELECT 1 FROM shops s WHERE s.target_id = t.id)",
            )
            .bind(client)
            .fetch_all(store.pool())
            .await
            .unwrap()
        }
    };
    let own = names("Harbor Residential").await;
    let others = names("Summit Living").await;
    assert!(
        !own.is_empty() && !others.is_empty(),
        "both clients have shops"
    );

    let mut cli = Cli::new(&clara.url);
    cli.env.retain(|(k, _)| k != "SECRET_SHOP_OPERATOR");
    let tmux = Tmux::start(&write_script(&cli, &["tui"], Stderr::File));
    let screen = tmux
        .wait("the client's dashboard", Duration::from_secs(30), |s| {
            s.contains("a client · read-only")
        })
        .await;
    let tabs = screen.lines().next().unwrap_or_default();
    assert!(
        tabs.contains("1 Dashboard") && tabs.contains("2 Shops") && tabs.contains("7 Reports"),
        "{screen}"
    );
    for hidden in ["Review", "Inbox", "Targets", "Personas"] {
        assert!(!tabs.contains(hidden), "{hidden} offered: {screen}");
    }
    assert!(!screen.contains("engine on"), "{screen}");

    tmux.key("2");
    let shops = tmux
        .wait("its shops", Duration::from_secs(10), |s| {
            s.lines().nth(1).is_some_and(|l| l.starts_with("┌ Shops"))
                && own.iter().any(|n| s.contains(n.as_str()))
        })
        .await;
    for other in &others {
        assert!(!shops.contains(other.as_str()), "{other}: {shops}");
    }

    // The review pane's key: not offered, and said so.
    tmux.key("3");
    tmux.wait_text("is a client: the review pane is not theirs")
        .await;

    // A report of one of its shops opens.
    tmux.key("7");
    tmux.wait_pane("Reports").await;
    tmux.key("Enter");
    let report = tmux
        .wait("the shop's report", Duration::from_secs(15), |s| {
            (s.contains("Report — shop #") && !s.contains("rendering…")) || s.contains("last error")
        })
        .await;
    assert!(!report.contains("last error"), "{report}");
    assert!(
        own.iter().any(|n| report.contains(n.as_str())),
        "its target in the report: {report}"
    );

    tmux.key("q");
    let after = tmux.wait_exit().await;
    assert_clean_exit(&tmux, &after);
    clara.drop().await;
}
