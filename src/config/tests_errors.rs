//! Tests that config errors name the key, the file and line or the variable, and why.

use super::tests::{err_text, load_defaults, load_file};
use super::*;

#[test]
fn bad_value_names_key_file_and_line() {
    let (r, path) = load_file("[mail.smtp]\nhost = \"mx\"\nport = \"abc\"\n", &[]);
    let msg = err_text(r);
    assert!(msg.contains("mail.smtp.port"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("\"abc\""), "{msg}");
    assert!(msg.contains("expected a port number 0-65535"), "{msg}");
}

#[test]
fn bad_enum_value_lists_the_choices() {
    let (r, path) = load_file("# mine\n\n[mail.imap]\ntls = \"tlsx\"\n", &[]);
    let msg = err_text(r);
    let want = format!(
        "invalid value \"tlsx\" for mail.imap.tls in {} line 4 column 7: \
         expected one of none, starttls, tls",
        path.display()
    );
    assert_eq!(msg, want);
}

#[test]
fn bad_list_item_points_at_the_item() {
    let text = "[send_window]\ndays = [\n  \"mon\",\n  \"funday\",\n]\n";
    let msg = err_text(load_file(text, &[]).0);
    assert!(msg.contains("send_window.days[1]"), "{msg}");
    assert!(msg.contains("line 4 column 3"), "{msg}");
    assert!(msg.contains("expected a day name"), "{msg}");
}

#[test]
fn bad_env_value_names_the_variable() {
    let msg = err_text(load_defaults(&[("SECRET_SHOP_SMTP_PORT", "abc")]));
    assert_eq!(
        msg,
        "SECRET_SHOP_SMTP_PORT=\"abc\": invalid value for mail.smtp.port: \
         expected a port number 0-65535"
    );
    let msg = err_text(load_defaults(&[("SECRET_SHOP_IMAP_PORT", "70000")]));
    assert!(msg.starts_with("SECRET_SHOP_IMAP_PORT=\"70000\""), "{msg}");
    let msg = err_text(load_defaults(&[("SECRET_SHOP_MAIL_MODE", "both")]));
    assert!(
        msg.contains("SECRET_SHOP_MAIL_MODE") && msg.contains("mail.mode"),
        "{msg}"
    );
}

#[test]
fn unknown_key_is_rejected_with_its_name() {
    let (r, path) = load_file("[mail.imap]\nhost = \"h\"\nprot = 1\n", &[]);
    let err = r.unwrap_err();
    assert_eq!(err.key(), Some("mail.imap.prot"));
    let msg = err.to_string();
    assert!(msg.contains("unknown key mail.imap.prot"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("line 3 column 1"), "{msg}");
    assert!(msg.contains("did you mean port?"), "{msg}");

    let msg = err_text(load_file("[colours]\ntitle = \"red\"\n", &[]).0);
    assert!(
        msg.contains("unknown key colours") && msg.contains("line 1"),
        "{msg}"
    );
}

#[test]
fn bad_toml_names_the_line() {
    let (r, path) = load_file("[mail]\ndomain = \"x\"\nmode = = \"plus\"\n", &[]);
    let err = r.unwrap_err();
    assert!(
        matches!(err, ConfigError::Syntax { line: 3, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("line 3"),
        "{msg}"
    );
}

#[test]
fn missing_config_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.toml");
    let msg = err_text(Config::load_with_env(Some(&path), &|_| None));
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
}

#[test]
fn secrets_are_not_shown_in_errors() {
    let msg = err_text(load_file("[database]\nurl = 5\n", &[]).0);
    assert!(
        msg.contains("database.url") && !msg.contains(" 5 "),
        "{msg}"
    );
}

#[test]
fn validation_names_the_key() {
    let cases = [
        (
            "[send_window]\nstart = \"18:00\"\n",
            "send_window.start",
            Some(2),
        ),
        ("[send_window]\ndays = []\n", "send_window.days", Some(2)),
        ("[mail.imap]\nport = 0\n", "mail.imap.port", Some(2)),
        (
            "[mail]\nmode = \"plus\"\nplus_user = \"\"\n",
            "mail.plus_user",
            Some(3),
        ),
        (
            "[ai]\nprovider = \"openai\"\nmodel = \"\"\n",
            "ai.model",
            Some(3),
        ),
        (
            "[ai]\nprovider = \"openai\"\nbase_url = \"\"\n",
            "ai.base_url",
            Some(3),
        ),
        ("[ai]\ntemperature = 3\n", "ai.temperature", Some(2)),
        (
            "[send_window]\nstart = \"9am\"\n",
            "send_window.start",
            Some(2),
        ),
        (
            "[send_window]\ntime_zone = \"Mars/Base\"\n",
            "send_window.time_zone",
            Some(2),
        ),
        ("[crawl]\nmax_pages = 0\n", "crawl.max_pages", Some(2)),
        (
            "[crawl]\nmax_page_bytes = 10\n",
            "crawl.max_page_bytes",
            Some(2),
        ),
        ("[crawl]\ntimeout_secs = 0\n", "crawl.timeout_secs", Some(2)),
        (
            "[crawl]\ntimeout_secs = 30\nbudget_secs = 20\n",
            "crawl.budget_secs",
            Some(3),
        ),
        (
            "[crawl]\ncontact = \"caf\u{e9}\"\n",
            "crawl.contact",
            Some(2),
        ),
        ("[crawl]\nmax_pages = -1\n", "crawl.max_pages", Some(2)),
        (
            "[crawl]\nbudget_secs = 3600\n",
            "crawl.budget_secs",
            Some(2),
        ),
    ];
    for (text, key, line) in cases {
        let err = load_file(text, &[]).0.unwrap_err();
        assert_eq!(err.key(), Some(key), "{text}: {err}");
        if let Some(line) = line {
            let msg = err.to_string();
            assert!(msg.contains(&format!("line {line} ")), "{text}: {msg}");
        }
    }
}

/// Issue 10, defect 8: `port = 99999` in the file passed while `SECRET_SHOP_IMAP_PORT` hid it.
#[test]
fn a_bad_file_value_is_an_error_even_under_an_env_override() {
    let text = "[mail.imap]\nhost = \"mx\"\nport = 99999\n";
    let (r, path) = load_file(text, &[("SECRET_SHOP_IMAP_PORT", "993")]);
    let err = r.unwrap_err();
    assert_eq!(err.key(), Some("mail.imap.port"), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()) && msg.contains("line 3"),
        "{msg}"
    );
    assert!(
        msg.contains("99999") && msg.contains("expected a port number"),
        "{msg}"
    );

    // A range serde cannot express, and a wrong type, are caught the same way.
    let (r, _) = load_file(
        "[mail.smtp]\nport = 0\n",
        &[("SECRET_SHOP_SMTP_PORT", "25")],
    );
    assert_eq!(r.unwrap_err().key(), Some("mail.smtp.port"));
    let (r, _) = load_file(
        "[mail.imap]\ntls = \"tlsx\"\n",
        &[("SECRET_SHOP_IMAP_TLS", "none")],
    );
    assert_eq!(r.unwrap_err().key(), Some("mail.imap.tls"));

    // An empty value the environment supplies is not an error in the file.
    let (r, _) = load_file(
        "[mail.imap]\nhost = \"\"\n",
        &[("SECRET_SHOP_IMAP_HOST", "mx")],
    );
    assert_eq!(r.unwrap().mail.imap.host, "mx");
}
