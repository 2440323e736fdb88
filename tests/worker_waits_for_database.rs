//! Issue 10, defect 10: `secret-shop worker` started while Postgres is down waits for it with
//! back-off instead of exiting, then runs normally. A database that refuses us still ends it.
//! The database here is a private Postgres (initdb + pg_ctl) on a port of its own, so stopping
//! and starting it disturbs no other test.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::mail::{smtp_send_raw, wait_for_mail, wait_until, world_env};
use common::service_env;
use secret_shop::store::Store;

/// A Postgres cluster of our own, initialised but not started: nothing listens on its port.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
    /// Postgres refuses to run as root; then it runs as the `postgres` user.
    as_postgres: bool,
}

impl PrivatePostgres {
    fn init() -> PrivatePostgres {
        let as_postgres = run_out("id", &["-u"]).trim() == "0";
        let dir = tempfile::tempdir().expect("temp dir");
        if as_postgres {
            run_out("chown", &["postgres:", &dir.path().display().to_string()]);
        }
        let pg = PrivatePostgres {
            dir,
            port: free_port(),
            as_postgres,
        };
        let data = pg.data().display().to_string();
        pg.pg_tool(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "secretshop",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-N",
            ],
        );
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://secretshop@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let data = self.data().display().to_string();
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.pg_tool(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start",
            ],
        );
    }

    /// Runs one of Postgres's own programs, as the `postgres` user when we are root.
    fn pg_tool(&self, tool: &str, args: &[&str]) {
        let program = pg_bin().join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = cmd
            .args(args)
            .current_dir("/")
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            let data = self.data().display().to_string();
            self.pg_tool("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
        }
    }
}

/// The newest PostgreSQL binaries installed (Debian layout), as `scripts/services` finds them.
fn pg_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("no PostgreSQL under {}: {e}", root.display()))
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with pg_ctl").1
}

fn run_out(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A loopback port nothing listens on (bound, noted, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `secret-shop worker` whose stderr is collected as it comes.
struct Worker {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Worker {
    fn spawn(env: &std::collections::HashMap<String, String>) -> Worker {
        let mut child = Command::new(env!("CARGO_BIN_EXE_secret-shop"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("no-such-config"),
            )
            .envs(env)
            .arg("worker")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the worker");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Worker { child, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[tokio::test]
async fn the_worker_waits_for_a_database_that_is_down_at_start_then_runs() {
    let pg = PrivatePostgres::init();
    let domain = format!("w{}.test", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let env = world_env(&pg.url(), &domain);
    let log = PathBuf::from(&env["SECRET_SHOP_LOG_FILE"]);
    // A reply already waits in the mailbox: once connected, the worker's job is to store it.
    let raw = format!(
        "From: leasing@agent.test\r\nTo: jane.porter@{domain}\r\nSubject: Re: the 2-bed\r\n\
         Message-ID: <{}@agent.test>\r\n\r\nYes, it is still available.\r\n",
        uuid::Uuid::new_v4().simple()
    );
    smtp_send_raw(
        "leasing@agent.test",
        &[format!("jane.porter@{domain}")],
        raw.as_bytes(),
    )
    .await;
    wait_for_mail(&format!("ops@{domain}"), 1).await;

    let mut worker = Worker::spawn(&env);
    let retries = || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        count(&text, "database unavailable, retrying")
    };
    let waited = wait_until(Duration::from_secs(30), || {
        let done = retries() >= 2 || !worker.running();
        async move { done }
    })
    .await;
    assert!(
        waited.is_some() && retries() >= 2,
        "two retries logged: log {:?}, stderr {}",
        std::fs::read_to_string(&log).unwrap_or_default(),
        worker.stderr()
    );
    assert!(worker.running(), "still waiting: {}", worker.stderr());
    let said = worker.stderr();
    assert_eq!(
        count(&said, "waiting for the database"),
        1,
        "said once, on one line: {said}"
    );
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        said.contains(&format!("127.0.0.1:{}", pg.port)),
        "says where: {said}"
    );

    pg.start();
    let ready = wait_until(Duration::from_secs(30), || async {
        worker
            .stderr()
            .contains("database reachable: worker running")
    })
    .await;
    assert!(ready.is_some(), "worker connected: {}", worker.stderr());
    let store = Store::connect(
        &secrecy::SecretString::from(pg.url()),
        2,
        Duration::from_secs(10),
    )
    .await
    .expect("connect to the private Postgres");
    let stored = wait_until(Duration::from_secs(30), || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM messages WHERE direction = 'inbound'")
            .fetch_one(store.pool())
            .await
            .is_ok_and(|n| n >= 1)
    })
    .await;
    assert!(
        stored.is_some(),
        "the worker migrated the database and synced the reply: {}",
        worker.stderr()
    );
    assert!(worker.running(), "{}", worker.stderr());
    let _ = std::fs::remove_file(&log);
}

#[tokio::test]
async fn the_worker_exits_when_the_database_refuses_the_login() {
    let mut url = url::Url::parse(&service_env("DATABASE_URL")).unwrap();
    url.set_password(Some("not-the-password")).unwrap();
    let domain = format!("w{}.test", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let env = world_env(url.as_str(), &domain);
    let mut worker = Worker::spawn(&env);
    let exited = wait_until(Duration::from_secs(20), || {
        let running = worker.running();
        async move { !running }
    })
    .await;
    assert!(exited.is_some(), "a refused login is not waited for");
    let status = worker.child.wait().unwrap();
    let said = worker.stderr();
    assert!(!status.success(), "{said}");
    assert!(said.contains("password authentication failed"), "{said}");
    assert!(!said.contains("waiting for the database"), "{said}");
    assert!(!said.contains("not-the-password"), "{said}");
    let _ = std::fs::remove_file(&env["SECRET_SHOP_LOG_FILE"]);
}
