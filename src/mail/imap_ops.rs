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

/// Does `folder` hold a message with this Message-ID? A missing folder holds nothing.
pub async fn folder_has_message_id(
    session: &mut ImapSession,
    folder: &str,
    message_id: &str,
) -> Result<bool, ImapError> {
    if session.examine(folder).await.is_err() {
        return Ok(false);
    }
    let id = message_id.trim_matches(|c| c == '<' || c == '>');
    // Quoted-string rules: the id never holds `"` or `\` (we made it), but be safe.
    let id: String = id.chars().filter(|c| *c != '"' && *c != '\\').collect();
    let found = session
        .uid_search(format!("HEADER Message-ID \"<{id}>\""))
        .await?;
    Ok(!found.is_empty())
}

/// Appends a sent message to `folder` (created when missing), marked as read.
pub async fn append_sent(
    session: &mut ImapSession,
    folder: &str,
    raw: &[u8],
) -> Result<(), ImapError> {
    if session
        .append(folder, Some("(\\Seen)"), None, raw)
        .await
        .is_err()
    {
        let _ = session.create(folder).await;
        session.append(folder, Some("(\\Seen)"), None, raw).await?;
    }
    Ok(())
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
