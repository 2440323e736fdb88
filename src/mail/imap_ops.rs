//! IMAP operations the sync and the sender need, on a logged-in session.

use futures::TryStreamExt;

use super::imap::{ImapError, ImapSession};

/// Compact UID set: sorted ids as ranges, `1:5,9,12:14`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// UIDs above `after` in the selected folder, ascending. (`n:*` always matches the last message,
/// even one below `n`, so the result is filtered.)
pub async fn uids_after(session: &mut ImapSession, after: u32) -> Result<Vec<u32>, ImapError> {
    let found = session.uid_search(format!("UID {}:*", after + 1)).await?;
    let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
    uids.sort_unstable();
    Ok(uids)
}

/// The raw bytes of these messages, without marking them read (BODY.PEEK).
pub async fn fetch_raw(
    session: &mut ImapSession,
    uids: &[u32],
) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let stream = session
        .uid_fetch(uid_set(uids), "(UID BODY.PEEK[])")
        .await?;
    let fetched: Vec<_> = stream.try_collect().await?;
    let mut out: Vec<(u32, Vec<u8>)> = fetched
        .iter()
        .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
        .collect();
    out.sort_unstable_by_key(|(uid, _)| *uid);
    Ok(out)
}

/// Does `folder` hold a message with this Message-ID? A folder the server says does not exist
/// holds nothing; every other failure (a dead session, a timeout, a refusal) is an error, never
/// "not there": the caller must not read a check that could not run as "not sent".
pub async fn folder_has_message_id(
    session: &mut ImapSession,
    folder: &str,
    message_id: &str,
) -> Result<bool, ImapError> {
    match session.examine(folder).await {
        Ok(_) => {}
        Err(e) if is_missing_folder(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    let id = message_id.trim_matches(|c| c == '<' || c == '>');
    // Quoted-string rules: the id never holds `"` or `\` (we made it), but be safe.
    let id: String = id.chars().filter(|c| *c != '"' && *c != '\\').collect();
    let found = session
        .uid_search(format!("HEADER Message-ID \"<{id}>\""))
        .await?;
    Ok(!found.is_empty())
}

/// The server's NO for a folder that does not exist (`[NONEXISTENT]`, RFC 5530, or the plain
/// wording of servers without response codes).
pub fn is_missing_folder(e: &async_imap::error::Error) -> bool {
    let async_imap::error::Error::No(text) = e else {
        return false;
    };
    let t = text.to_ascii_lowercase();
    [
        "nonexistent",
        "doesn't exist",
        "does not exist",
        "unknown mailbox",
        "no such mailbox",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// Appends a sent message to `folder`, marked as read; creates the folder when the server
/// refuses the append (async-imap reports a refused APPEND as `Append`, without the server's
/// words), then appends again. Only an append that succeeds is `Ok`.
pub async fn append_sent(
    session: &mut ImapSession,
    folder: &str,
    raw: &[u8],
) -> Result<(), ImapError> {
    use async_imap::error::Error;
    match session.append(folder, Some("(\\Seen)"), None, raw).await {
        Ok(()) => Ok(()),
        Err(e @ (Error::Append | Error::No(_))) => {
            match session.create(folder).await {
                // A refusal (it exists already, say) is fine; a dead session is not.
                Ok(()) | Err(Error::No(_) | Error::Bad(_)) => {}
                Err(e) => return Err(e.into()),
            }
            tracing::debug!(folder, error = %e, "append refused; created the folder");
            session.append(folder, Some("(\\Seen)"), None, raw).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 12, 13, 14, 3]), "1:3,5,9,12:14");
        assert_eq!(uid_set(&[7]), "7");
        assert_eq!(uid_set(&[]), "");
    }
}
