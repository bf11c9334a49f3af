//! A page of a job's change log as JSON, written straight from the reader's rows.
//!
//! At a random depth every page is a cache miss, so its rows are rendered on every request:
//! serialising each row through serde, which escapes every key and the action again, was a
//! tenth of the request's CPU. The fixed parts are written here as bytes; only the address
//! and the reason, the text that may need escaping, go through serde_json.

use crate::{
    db::change_reader::{ChangeQuery, ChangeReader, ChangeRow},
    error::ApiError,
};

/// A [`super::changes::ChangePage`] as JSON, and how many changes it holds.
pub struct PageBody {
    pub body: Vec<u8>,
    pub rows: u32,
}

/// The page of the changes `query` reads, which asks for one row more than the page holds:
/// that row only tells that another page follows.
pub fn page_body(
    reader: &ChangeReader,
    query: ChangeQuery<'_>,
    length_hint: usize,
) -> Result<PageBody, ApiError> {
    let limit = query.limit - 1;
    // A first read of a page has no length to go by: room for rows of usual length.
    let mut body = Vec::with_capacity(length_hint.max(query.limit as usize * 128));
    body.extend_from_slice(br#"{"items":["#);
    let (mut rows, mut last_id, mut more) = (0, None, false);
    reader.read(query, |row| {
        if rows == limit {
            more = true;
            return;
        }
        if rows > 0 {
            body.push(b',');
        }
        push_change(&mut body, &row);
        rows += 1;
        last_id = Some(row.id);
    })?;
    body.extend_from_slice(br#"],"next_before":"#);
    match last_id.filter(|_| more) {
        Some(id) => push_integer(&mut body, id),
        None => body.extend_from_slice(b"null"),
    }
    body.push(b'}');
    Ok(PageBody { body, rows })
}

/// `row` as the JSON object `ChangeOut` serialises to, keys in the same order.
fn push_change(out: &mut Vec<u8>, row: &ChangeRow<'_>) {
    out.extend_from_slice(br#"{"id":"#);
    push_integer(out, row.id);
    out.extend_from_slice(br#","action":""#);
    out.extend_from_slice(row.action.as_str().as_bytes());
    out.extend_from_slice(br#"","email":"#);
    push_text(out, row.email);
    out.extend_from_slice(br#","person_id":"#);
    match row.person_id {
        Some(id) => push_integer(out, id),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","reason":"#);
    push_text(out, row.reason);
    out.push(b'}');
}

fn push_integer(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn push_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => {
            serde_json::to_writer(&mut *out, text).expect("a string serialises into memory")
        }
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::change::ChangeAction, routes::changes::ChangeOut};

    fn schema_type(row: ChangeRow<'_>) -> ChangeOut<'_> {
        ChangeOut {
            id: row.id,
            action: row.action.into(),
            email: row.email,
            person_id: row.person_id,
            reason: row.reason,
        }
    }

    fn written(row: ChangeRow<'_>) -> String {
        let mut out = Vec::new();
        push_change(&mut out, &row);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_row_is_written_as_serde_writes_its_change() {
        let rows = [
            ChangeRow {
                id: 1,
                action: ChangeAction::Added,
                email: Some("ada@example.com"),
                person_id: Some(12),
                reason: None,
            },
            ChangeRow {
                id: i64::MAX,
                action: ChangeAction::Removed,
                email: Some("left@example.com"),
                person_id: None,
                reason: None,
            },
            ChangeRow {
                id: 7,
                action: ChangeAction::Skipped,
                email: None,
                person_id: Some(-3),
                reason: Some("no \"email\",\n\tat all \\ \u{1} é ✓"),
            },
            ChangeRow {
                id: 8,
                action: ChangeAction::Held,
                email: Some("quo\"te@example.com"),
                person_id: Some(0),
                reason: Some(""),
            },
        ];
        for row in rows {
            // The schema's type, serialised by serde: what the API documents is what a page holds.
            let expected = serde_json::to_string(&schema_type(row)).unwrap();
            assert_eq!(written(row), expected);
            let parsed: serde_json::Value = serde_json::from_str(&written(row)).unwrap();
            assert_eq!(parsed["reason"].as_str(), row.reason);
        }
    }
}
