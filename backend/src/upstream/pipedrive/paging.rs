//! The cursors of Pipedrive's v2 listings (`additional_data.next_cursor`).

use serde::Deserialize;

/// The `additional_data` of a cursor-paged v2 listing.
#[derive(Deserialize)]
pub(super) struct Paging {
    next_cursor: Option<String>,
}

impl Paging {
    /// The cursor of the next page; `None` after the last. Opaque: passed back as received.
    pub(super) fn next(paging: Option<Paging>) -> Option<String> {
        paging
            .and_then(|paging| paging.next_cursor)
            .filter(|cursor| !cursor.is_empty())
    }
}

/// A persons page read only for its cursor: the persons are skipped, not built.
#[derive(Deserialize)]
struct CursorOnly {
    #[serde(default, rename = "data")]
    _data: serde::de::IgnoredAny,
    additional_data: Option<Paging>,
}

const PAGING_KEY: &[u8] = br#""additional_data":"#;

/// How far from the end `additional_data` is looked for: a cursor is some hundred bytes.
const TAIL_BYTES: usize = 4096;

/// The next cursor of a persons page. The next page waits for it, so it is read from the
/// page's tail where Pipedrive puts `additional_data` (after `data`): skimming the ~190 KB of
/// persons before it took 0.35–0.45 ms a page on the chain. The tail counts only if it
/// closes the whole document: a key can only be matched where its quotes are JSON's own (a
/// quote inside a string is escaped), and one nested inside `data` leaves unbalanced
/// brackets. Otherwise (another key order, no cursor) the whole page is read; a page that is
/// not JSON is rejected by the persons' own parse, which reads all of it.
pub(super) fn next_cursor(body: &[u8]) -> serde_json::Result<Option<String>> {
    let tail_start = body.len().saturating_sub(TAIL_BYTES);
    let tail = body[tail_start..]
        .windows(PAGING_KEY.len())
        .rposition(|window| window == PAGING_KEY)
        .map(|at| [b"{".as_slice(), &body[tail_start + at..]].concat());
    if let Some(Ok(page)) = tail.map(|tail| serde_json::from_slice::<CursorOnly>(&tail)) {
        return Ok(Paging::next(page.additional_data));
    }
    let page: CursorOnly = serde_json::from_slice(body)?;
    Ok(Paging::next(page.additional_data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(body: &str) -> Option<String> {
        next_cursor(body.as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_cursor_from_the_tail() {
        let body =
            r#"{"success":true,"data":[{"id":1}],"additional_data":{"next_cursor":"eyJpZCI6MX0"}}"#;
        assert_eq!(cursor(body).as_deref(), Some("eyJpZCI6MX0"));
        let last = r#"{"success":true,"data":[],"additional_data":{"next_cursor":null}}"#;
        assert_eq!(cursor(last), None);
    }

    #[test]
    fn a_key_inside_the_persons_does_not_count_as_the_tail() {
        // Nested in a person: the tail from there does not close the document.
        let nested = r#"{"data":[{"additional_data":{"next_cursor":"wrong"}}],"additional_data":{"next_cursor":"right"}}"#;
        assert_eq!(cursor(nested).as_deref(), Some("right"));
        let nested_last = r#"{"additional_data":{"next_cursor":"right"},"data":[{"additional_data":{"next_cursor":"wrong"}}]}"#;
        assert_eq!(cursor(nested_last).as_deref(), Some("right"));
        // In a string, its quotes are escaped: not a key.
        let quoted = r#"{"additional_data":{"next_cursor":"right"},"data":[{"name":"\"additional_data\":{\"next_cursor\":\"wrong\"}}"}]}"#;
        assert_eq!(cursor(quoted).as_deref(), Some("right"));
    }

    #[test]
    fn another_key_order_or_no_cursor_reads_the_whole_page() {
        let first = r#"{"additional_data":{"next_cursor":"c2"},"success":true,"data":[{"id":1}]}"#;
        assert_eq!(cursor(first).as_deref(), Some("c2"));
        let persons = format!(r#"[{}{{"id":1}}]"#, r#"{"id":1,"name":"Ada"},"#.repeat(500));
        let first_long =
            format!(r#"{{"additional_data":{{"next_cursor":"c3"}},"data":{persons}}}"#);
        assert_eq!(cursor(&first_long).as_deref(), Some("c3"));
        let without = r#"{"success":true,"data":[{"id":1}]}"#;
        assert_eq!(cursor(without), None);
        assert!(next_cursor(b"<html>").is_err());
    }
}
