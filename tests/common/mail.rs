//! A mail world for engine tests: a fresh database, a fresh persona domain (its catch-all
//! mailbox is ours) and a fresh agent domain (the property's mailbox), on the real servers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use lettre::AsyncTransport;
use secrecy::SecretString;
use secret_shop::config::{Config, TlsMode};
use secret_shop::domain::ids::{MessageId, ShopId};
use secret_shop::domain::message::MessageKind;
use secret_shop::domain::persona::{NewPersona, Persona};
use secret_shop::domain::target::{Target, TargetInput};
use secret_shop::engine::Engine;
use secret_shop::mail::imap::{ImapEndpoint, ImapSession, login};
use secret_shop::mail::smtp::{SmtpEndpoint, transport};
use secret_shop::store::{Actor, MessageRow, NewDraft, Store};

use super::{fresh_database, service_env};

pub struct World {
    pub store: Store,
    pub url: String,
    pub actor: Actor,
    pub persona_domain: String,
    pub agent_domain: String,
    pub config: Config,
    pub env: HashMap<String, String>,
    pub target: Target,
    pub persona: Persona,
    pub shop: ShopId,
}

fn random_domain(prefix: &str) -> String {
    format!(
        "{prefix}{}.test",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The variables a worker process needs to run in this world.
pub fn world_env(url: &str, persona_domain: &str) -> HashMap<String, String> {
    let mut env = HashMap::new();
    let pw = service_env("SECRET_SHOP_MAIL_PASSWORD");
    env.insert("DATABASE_URL".into(), url.to_string());
    env.insert("SECRET_SHOP_OPERATOR".into(), "tester".into());
    env.insert("SECRET_SHOP_MAIL_DOMAIN".into(), persona_domain.to_string());
    env.insert("SECRET_SHOP_SEND_WINDOW".into(), "always".into());
    // Approvals go at once unless a test is about the undo window.
    env.insert("SECRET_SHOP_UNDO_SECONDS".into(), "0".into());
    for kind in ["IMAP", "SMTP"] {
        env.insert(format!("SECRET_SHOP_{kind}_HOST"), "127.0.0.1".into());
        env.insert(
            format!("SECRET_SHOP_{kind}_PORT"),
            service_env(&format!("SECRET_SHOP_{kind}_PORT")),
        );
        env.insert(format!("SECRET_SHOP_{kind}_TLS"), "none".into());
        env.insert(
            format!("SECRET_SHOP_{kind}_USER"),
            format!("ops@{persona_domain}"),
        );
        env.insert(format!("SECRET_SHOP_{kind}_PASSWORD"), pw.clone());
    }
    env.insert(
        "SECRET_SHOP_LOG_FILE".into(),
        std::env::temp_dir()
            .join(format!("secret-shop-test-{persona_domain}.log"))
            .display()
            .to_string(),
    );
    env
}

pub async fn world() -> World {
    let (store, url) = fresh_database().await;
    let persona_domain = random_domain("s");
    let agent_domain = random_domain("p");
    let env = world_env(&url, &persona_domain);
    let config = Config::load_with_env(None, &|k| env.get(k).cloned()).expect("test config");
    let actor = store.actor("tester").await.unwrap();
    let target = store
        .insert_target(
            &actor,
            &TargetInput {
                name: "The Grove".into(),
                email: format!("leasing@{agent_domain}"),
                time_zone: Some("America/Chicago".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let persona = store
        .insert_personas(
            &actor,
            &[NewPersona {
                template_id: None,
                first_name: "Jane".into(),
                last_name: "Porter".into(),
                email: format!("jane.porter@{persona_domain}"),
                phone: String::new(),
                rental_budget: 1800,
                bedrooms: 2,
                bathrooms: 1.0,
                preferences: String::new(),
                pets: "one cat".into(),
                credit_score: 720,
                monthly_income: 6000,
                additional_occupants: String::new(),
                rental_history: String::new(),
                writing_style: String::new(),
                move_in_date: None,
            }],
        )
        .await
        .unwrap()
        .remove(0);
    let shop = store
        .create_shop(&actor, target.id, persona.id, &[])
        .await
        .unwrap()
        .id;
    World {
        store,
        url,
        actor,
        persona_domain,
        agent_domain,
        config,
        env,
        target,
        persona,
        shop,
    }
}

impl World {
    pub async fn engine(&self) -> Engine {
        Engine::new(&self.config, self.store.clone()).await.unwrap()
    }

    /// A plain draft for `shop`, awaiting review.
    pub async fn draft_for(
        &self,
        shop: ShopId,
        kind: MessageKind,
        subject: &str,
        body: &str,
    ) -> secret_shop::store::MessageRow {
        self.store
            .insert_draft(
                &self.actor,
                &NewDraft {
                    shop_id: shop,
                    kind,
                    subject: subject.into(),
                    body_text: body.into(),
                    in_reply_to: None,
                    reference_ids: Vec::new(),
                    generation: None,
                },
            )
            .await
            .unwrap()
    }

    /// The inquiry sent and answered with gaps (application fee given; pet policy and parking
    /// not): the planner drafts a follow-up, which is returned. The engine should follow up at
    /// once after a reply.
    pub async fn replied_with_gaps(&self, engine: &Engine) -> MessageRow {
        let required = vec![
            "application_fee".to_string(),
            "pet_policy".to_string(),
            "parking".to_string(),
        ];
        sqlx::query("UPDATE shops SET required_fields = $2 WHERE id = $1")
            .bind(self.shop)
            .bind(&required)
            .execute(self.store.pool())
            .await
            .unwrap();
        let (_, inquiry) = self.approved_inquiry("2-bedroom").await;
        engine.run_once().await.unwrap();
        self.agent_sends(
            "Re: 2-bedroom",
            "Hi Jane, the application fee is $50.\r\n\r\nBest,\r\nMaria",
            &format!("In-Reply-To: <{inquiry}>\r\n"),
        )
        .await;
        wait_for_mail(&format!("ops@{}", self.persona_domain), 2).await;
        let r = engine.run_once().await.unwrap();
        assert_eq!(r.schedule.drafted, 1, "{r:?}");
        let follow = self.store.pending_drafts().await.unwrap().remove(0);
        assert_eq!(follow.kind, MessageKind::FollowUp);
        follow
    }

    /// The shop's inquiry drafted offline into the review queue, asking for `checklist`.
    pub async fn inquiry_draft(&self, checklist: &[&str]) -> MessageRow {
        let shop = self.store.shop(self.shop).await.unwrap();
        let checklist: Vec<String> = checklist.iter().map(|c| c.to_string()).collect();
        secret_shop::services::shops::draft_inquiry(
            &self.store,
            &secret_shop::ai::Ai::offline(),
            &self.actor,
            &shop,
            &self.persona,
            &self.target,
            &checklist,
        )
        .await
        .unwrap()
    }

    /// A draft, approved: ready for the sender.
    pub async fn approved_inquiry(&self, subject: &str) -> (MessageId, String) {
        let body = "Hi, is the 2-bedroom still available? Jane";
        let d = self
            .draft_for(self.shop, MessageKind::Inquiry, subject, body)
            .await;
        self.store
            .approve_draft(&self.actor, d.id, d.version)
            .await
            .unwrap();
        (d.id, d.message_id.unwrap())
    }

    /// Another persona at the world's domain, shopping the same property: its shop.
    pub async fn another_shopper(&self, first: &str, last: &str) -> (Persona, ShopId) {
        let persona = self
            .store
            .insert_personas(
                &self.actor,
                &[NewPersona {
                    template_id: None,
                    first_name: first.into(),
                    last_name: last.into(),
                    email: format!(
                        "{}.{}@{}",
                        first.to_lowercase(),
                        last.to_lowercase(),
                        self.persona_domain
                    ),
                    phone: String::new(),
                    rental_budget: 1800,
                    bedrooms: 2,
                    bathrooms: 1.0,
                    preferences: String::new(),
                    pets: "none".into(),
                    credit_score: 700,
                    monthly_income: 6000,
                    additional_occupants: String::new(),
                    rental_history: String::new(),
                    writing_style: String::new(),
                    move_in_date: None,
                }],
            )
            .await
            .unwrap()
            .remove(0);
        let shop = self
            .store
            .create_shop(&self.actor, self.target.id, persona.id, &[])
            .await
            .unwrap()
            .id;
        (persona, shop)
    }

    /// Points the target at another address (e.g. a test domain the server rejects).
    pub async fn retarget(&mut self, email: &str) {
        let mut input = TargetInput::from(&self.target);
        input.email = email.to_string();
        self.target = self
            .store
            .update_target(&self.actor, self.target.id, None, &input)
            .await
            .unwrap();
    }

    pub fn agent_address(&self) -> String {
        format!("leasing@{}", self.agent_domain)
    }

    /// What the property's mailbox holds, raw.
    pub async fn agent_mail(&self) -> Vec<Vec<u8>> {
        mailbox_contents(&self.agent_address()).await
    }

    /// The agent writes to the persona over SMTP; `headers` are extra header lines.
    pub async fn agent_sends(&self, subject: &str, body: &str, headers: &str) -> String {
        let id = format!("{}@{}", uuid::Uuid::new_v4().simple(), self.agent_domain);
        let raw = format!(
            "From: Leasing Office <{}>\r\nTo: {}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
             Date: Mon, 23 Nov 2026 10:00:00 -0600\r\n{headers}\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
            self.agent_address(),
            self.persona.email
        );
        smtp_send_raw(
            &self.agent_address(),
            std::slice::from_ref(&self.persona.email),
            raw.as_bytes(),
        )
        .await;
        id
    }

    pub async fn imap_ours(&self) -> ImapSession {
        imap_as(&format!("ops@{}", self.persona_domain)).await
    }
}

pub async fn imap_as(user: &str) -> ImapSession {
    login(&ImapEndpoint {
        host: "127.0.0.1",
        port: service_env("SECRET_SHOP_IMAP_PORT").parse().unwrap(),
        tls: TlsMode::None,
        user,
        password: SecretString::from(service_env("SECRET_SHOP_MAIL_PASSWORD")),
        ca_file: None,
    })
    .await
    .expect("imap login")
}

pub async fn mailbox_contents(user: &str) -> Vec<Vec<u8>> {
    folder_contents(user, "INBOX").await
}

/// Every message in `folder` of `user`'s mailbox, raw (empty if the folder does not exist).
pub async fn folder_contents(user: &str, folder: &str) -> Vec<Vec<u8>> {
    let mut s = imap_as(user).await;
    let Ok(mb) = s.examine(folder).await else {
        return Vec::new();
    };
    if mb.exists == 0 {
        return Vec::new();
    }
    let fetched: Vec<_> = s
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    fetched
        .iter()
        .filter_map(|f| f.body().map(|b| b.to_vec()))
        .collect()
}

/// Runs the real binary with exactly `env` (no user config) and `args`.
pub fn run_binary(env: &HashMap<String, String>, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_secret-shop"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("no-such-config"),
        )
        .envs(env)
        .args(args)
        .output()
        .expect("run secret-shop")
}

pub async fn smtp_send_raw(from: &str, to: &[String], raw: &[u8]) {
    let smtp = transport(&SmtpEndpoint {
        host: "127.0.0.1",
        port: service_env("SECRET_SHOP_SMTP_PORT").parse().unwrap(),
        tls: TlsMode::None,
        user: "",
        password: None,
        ca_file: None,
    })
    .unwrap();
    // An empty sender is the null reverse-path bounces use.
    let envelope = lettre::address::Envelope::new(
        (!from.is_empty()).then(|| from.parse().unwrap()),
        to.iter().map(|t| t.parse().unwrap()).collect(),
    )
    .unwrap();
    smtp.send_raw(&envelope, raw).await.expect("SMTP accepted");
}

/// Polls `check` every 50 ms until it is true or `limit` passes; returns the time it took.
pub async fn wait_until<F, Fut>(limit: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Waits for mail to arrive in `user`'s mailbox (delivery takes a few tens of ms).
pub async fn wait_for_mail(user: &str, count: usize) -> Vec<Vec<u8>> {
    let mut last = Vec::new();
    for _ in 0..200 {
        last = mailbox_contents(user).await;
        if last.len() >= count {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{user} has {} messages, expected {count}", last.len());
}

pub async fn count_inbound(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM messages WHERE direction = 'inbound'")
        .fetch_one(store.pool())
        .await
        .unwrap()
}
