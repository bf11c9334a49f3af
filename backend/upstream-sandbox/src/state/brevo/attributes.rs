//! The account's contact attributes: which exist, how they are created and
//! deleted, and the value each keeps from an import or `createContact`.
//!
//! Brevo ignores attributes the account does not have and "values that don't
//! match the attribute type" (createContact in the spec); the sandbox drops
//! them silently the same way, so a client learns of them only by reading
//! the contact back.

use serde_json::{json, Number, Value};

use super::account::{Account, Rejection};
use crate::clock;

/// Categories of `createAttribute` / `deleteAttribute`.
const CATEGORIES: [&str; 5] = [
    "normal",
    "transactional",
    "category",
    "calculated",
    "global",
];

/// A contact attribute, as `GET /v3/contacts/attributes` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    /// Upper-case, as Brevo names attributes.
    pub name: String,
    /// `normal`, `transactional` or `category` (`calculated` and `global` are
    /// not modelled).
    pub category: &'static str,
    /// `text`, `date`, `float`, `boolean` or `id`. A `category` attribute is
    /// listed as `text`, as in the spec's example, and takes the `value` of
    /// one of its `enumeration` items.
    pub kind: &'static str,
    /// `(value, label)` items of a `category` attribute.
    pub enumeration: Vec<(i64, String)>,
    /// A deleted attribute keeps its place, so the indexes stored with
    /// contacts' values stay valid; it is neither listed nor set, and its
    /// values are no longer shown.
    pub(super) deleted: bool,
}

/// The account a sandbox starts with: the first and last name attributes
/// first (list seeding relies on it), then typed ones for field mapping.
pub(super) fn defaults(first_name: &str, last_name: &str) -> Vec<Attribute> {
    let plain = |name: &str, category, kind| Attribute {
        name: name.to_owned(),
        category,
        kind,
        enumeration: Vec::new(),
        deleted: false,
    };
    let segments = [(1, "Enterprise"), (2, "SMB"), (3, "Startup")];
    let segment = Attribute {
        enumeration: segments.map(|(v, label)| (v, label.to_owned())).to_vec(),
        ..plain("SEGMENT", "category", "text")
    };
    vec![
        plain(first_name, "normal", "text"),
        plain(last_name, "normal", "text"),
        plain("SMS", "normal", "text"),
        plain("COMPANY", "normal", "text"),
        plain("OPT_IN", "normal", "boolean"),
        // Not settable by imports: clients must not pick attributes blindly.
        plain("ORDER_ID", "transactional", "id"),
        segment,
        plain("INTERESTS", "normal", "text"),
        plain("RENEWAL_DATE", "normal", "date"),
        plain("SCORE", "normal", "float"),
        plain("CONTRACT_VALUE", "normal", "float"),
        plain("VIP", "normal", "boolean"),
    ]
}

impl Attribute {
    /// Whether imports and `createContact` may set it.
    pub(super) fn settable(&self) -> bool {
        !self.deleted && matches!(self.category, "normal" | "category")
    }

    /// What the attribute keeps of `value`, or `None` when Brevo would ignore
    /// it: a text attribute takes a string, `date` a `YYYY-MM-DD` string,
    /// `float` a number, `boolean` a boolean, a category attribute one of its
    /// enumeration's values, and `SMS` a phone number of 6–19 digits with an
    /// optional leading `+`. With `from_text` (CSV cells, the in-process
    /// helper) strings are read as the number, boolean or value they spell.
    /// Empty values (`null`, `""`) pass unchanged: they erase or are ignored.
    pub(super) fn accept(&self, value: Value, from_text: bool) -> Option<Value> {
        if value.is_null() || value.as_str() == Some("") {
            return Some(value);
        }
        let text = value.as_str().filter(|_| from_text).map(str::trim);
        if self.category == "category" {
            let chosen = value.as_i64().or_else(|| text?.parse().ok())?;
            let known = self.enumeration.iter().any(|(option, _)| *option == chosen);
            return known.then(|| json!(chosen));
        }
        // CSV cells spell numbers and booleans as text.
        let spelled = match (self.kind, text) {
            ("float", Some(text)) => text
                .parse()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number),
            ("boolean", Some(text)) => text.parse().ok().map(Value::Bool),
            _ => None,
        };
        if spelled.is_some() {
            return spelled;
        }
        let kept = match self.kind {
            "text" if self.name == "SMS" => value.as_str().is_some_and(is_sms_number),
            "text" => value.is_string(),
            "date" => value.as_str().is_some_and(clock::is_iso_date),
            "float" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => false,
        };
        kept.then_some(value)
    }
}

/// What Brevo takes as an SMS number: digits with the country code, e.g.
/// `33689965433` or `+33689965433`.
fn is_sms_number(text: &str) -> bool {
    let digits = text.strip_prefix('+').unwrap_or(text);
    (6..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What `createAttribute` asked for besides the path's category and name.
#[derive(Debug, Clone, Default)]
pub(crate) struct AttributeSpec {
    pub kind: Option<String>,
    pub enumeration: Option<Vec<(i64, String)>>,
    /// `value`, `isRecurring` or `multiCategoryOptions` was given.
    pub unsupported: bool,
}

impl Account {
    /// The attributes that exist, in creation order.
    pub fn attributes(&self) -> Vec<&Attribute> {
        let live = self
            .attributes
            .iter()
            .filter(|attribute| !attribute.deleted);
        live.collect()
    }

    /// `POST /v3/contacts/attributes/{category}/{name}`.
    pub fn create_attribute(
        &mut self,
        category: &str,
        name: &str,
        spec: AttributeSpec,
    ) -> Result<(), Rejection> {
        let category = known_category(category)?;
        let shaped = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !shaped {
            let message =
                "Attribute name must start with a letter and hold only letters, digits and _";
            return Err(Rejection::invalid(message));
        }
        let name = name.to_ascii_uppercase();
        if self.attribute_index(&name).is_some() {
            return Err(Rejection::new(
                400,
                "duplicate_parameter",
                "Attribute name already exists",
            ));
        }
        let enumeration = spec.enumeration.unwrap_or_default();
        let kind = match category {
            "calculated" | "global" => {
                let message = "calculated and global attributes are not supported by the sandbox";
                return Err(Rejection::invalid(message));
            }
            _ if spec.unsupported => {
                let message =
                    "value, isRecurring and multiCategoryOptions are not supported by the sandbox";
                return Err(Rejection::invalid(message));
            }
            "category" => {
                let typed = matches!(spec.kind.as_deref(), None | Some("category"));
                let distinct = enumeration.iter().enumerate().all(|(at, (value, label))| {
                    !label.is_empty() && enumeration[..at].iter().all(|(seen, _)| seen != value)
                });
                if enumeration.is_empty() || !typed || !distinct {
                    let message = "A category attribute needs an enumeration of distinct, labelled values (and no type but category)";
                    return Err(Rejection::invalid(message));
                }
                "text"
            }
            _ if !enumeration.is_empty() => {
                return Err(Rejection::invalid(
                    "enumeration is only for category attributes",
                ));
            }
            _ => {
                let types: &[&'static str] = if category == "normal" {
                    &["text", "date", "float", "boolean"]
                } else {
                    &["text", "date", "float", "id"]
                };
                let wanted = spec.kind.as_deref().unwrap_or("text");
                let kind = types.iter().copied().find(|kind| *kind == wanted);
                kind.ok_or_else(|| {
                    Rejection::invalid(format!(
                        "type {wanted} is not available for {category} attributes in the sandbox"
                    ))
                })?
            }
        };
        self.attributes.push(Attribute {
            name,
            category,
            kind,
            enumeration,
            deleted: false,
        });
        Ok(())
    }

    /// `DELETE /v3/contacts/attributes/{category}/{name}`: the attribute and
    /// its values go.
    pub fn delete_attribute(&mut self, category: &str, name: &str) -> Result<(), Rejection> {
        let category = known_category(category)?;
        let index = self.attribute_index(name);
        let index = index.filter(|&index| self.attributes[index].category == category);
        let index = index.ok_or_else(|| Rejection::not_found("Attribute not found"))?;
        self.attributes[index].deleted = true;
        Ok(())
    }

    /// The index of the live attribute with this name, matched case-insensitively.
    pub(super) fn attribute_index(&self, name: &str) -> Option<usize> {
        self.attributes
            .iter()
            .position(|attribute| !attribute.deleted && attribute.name.eq_ignore_ascii_case(name))
    }
}

fn known_category(category: &str) -> Result<&'static str, Rejection> {
    CATEGORIES
        .into_iter()
        .find(|known| *known == category)
        .ok_or_else(|| {
            Rejection::invalid(format!(
                "attributeCategory should be one of {}",
                CATEGORIES.join(", ")
            ))
        })
}
