//! Editing a draft in the operator's own editor (`$VISUAL`, then `$EDITOR`, then `vi`): the text
//! goes out as a file with a `Subject:` line, a blank line and the body, and comes back the same
//! way. The CLI runs it directly; the TUI suspends its terminal around it.

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};

/// The file the editor sees.
pub fn to_editor_text(subject: &str, body: &str) -> String {
    format!("Subject: {subject}\n\n{body}")
}

/// Reads the edited file back: the first line must still be `Subject: ...`; the body follows
/// the blank line. Trailing whitespace that editors add is dropped.
pub fn from_editor_text(text: &str) -> anyhow::Result<(String, String)> {
    let text = text.replace("\r\n", "\n");
    let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let Some(subject) = first
        .strip_prefix("Subject:")
        .or_else(|| first.strip_prefix("subject:"))
    else {
        bail!("the first line must be `Subject: ...`; the draft was left as it was");
    };
    let subject = subject.trim().to_string();
    let body = rest.trim_start_matches('\n').trim_end().to_string();
    if subject.is_empty() {
        bail!("the subject is empty; the draft was left as it was");
    }
    if body.is_empty() {
        bail!("the body is empty; the draft was left as it was");
    }
    Ok((subject, body))
}

/// The editor command line: `$VISUAL`, `$EDITOR`, or `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor on `path` and waits. Through `sh -c` so `EDITOR="code --wait"` works.
pub fn run_editor(path: &Path) -> anyhow::Result<()> {
    let editor = editor_command();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("secret-shop-editor")
        .arg(path)
        .status()
        .with_context(|| format!("could not start the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` exited with {status}; the draft was left as it was");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_through_the_editor_format() {
        let t = to_editor_text("Re: 2BR", "Hi Pat,\n\nThanks!\n");
        assert_eq!(
            from_editor_text(&t).unwrap(),
            ("Re: 2BR".to_string(), "Hi Pat,\n\nThanks!".to_string())
        );
    }

    #[test]
    fn a_broken_subject_line_or_empty_body_is_refused() {
        assert!(from_editor_text("Hi Pat\n\nbody").is_err());
        assert!(from_editor_text("Subject:   \n\nbody").is_err());
        assert!(from_editor_text("Subject: x\n\n  \n").is_err());
        assert_eq!(
            from_editor_text("Subject: x\r\n\r\nbody\r\n").unwrap().1,
            "body"
        );
    }
}
