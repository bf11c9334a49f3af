//! Checking a field mapping against what both APIs have now (DESIGN §8), before it is saved
//! and before each sync: Brevo's imports silently drop unknown attributes and mistyped
//! values, so a mapping is refused or trimmed here rather than failing unseen there.

use super::{
    compat::convertible,
    types::{BrevoAttribute, PersonField},
    IncompatibleTypes,
};

/// One entry as the operator wrote it: a person field's key onto an attribute's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingEntry {
    pub pipedrive_field: String,
    pub brevo_attribute: String,
}

/// An entry whose field and attribute both exist and whose types convert.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEntry {
    pub field: PersonField,
    pub attribute: BrevoAttribute,
}

/// The entry as it is saved: the field's key, the attribute as Brevo spells it.
impl From<&CheckedEntry> for MappingEntry {
    fn from(entry: &CheckedEntry) -> Self {
        Self {
            pipedrive_field: entry.field.key.clone(),
            brevo_attribute: entry.attribute.name.clone(),
        }
    }
}

/// The first problem of a mapping, naming its entry by position (`mappings[2]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidMapping {
    #[error("mappings[{index}]: Pipedrive has no person field `{key}`")]
    UnknownField { index: usize, key: String },
    #[error("mappings[{index}]: Brevo has no contact attribute `{name}`")]
    UnknownAttribute { index: usize, name: String },
    #[error("mappings[{index}] and mappings[{first}] both write the Brevo attribute `{name}`")]
    DuplicateAttribute {
        first: usize,
        index: usize,
        name: String,
    },
    #[error("mappings[{index}] ({field} → {attribute}): {reason}")]
    Incompatible {
        index: usize,
        field: String,
        attribute: String,
        reason: IncompatibleTypes,
    },
}

impl InvalidMapping {
    /// The position of the entry the problem is about (the later one of two duplicates).
    pub fn index(&self) -> usize {
        match self {
            Self::UnknownField { index, .. }
            | Self::UnknownAttribute { index, .. }
            | Self::DuplicateAttribute { index, .. }
            | Self::Incompatible { index, .. } => *index,
        }
    }
}

/// An entry left out of a sync because Pipedrive or Brevo changed since it was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedEntry {
    pub entry: MappingEntry,
    pub problem: InvalidMapping,
}

/// Every entry checked, in order; the first problem refuses the whole mapping (a save).
/// Attribute names match regardless of case, as Brevo's do; the checked entry carries the
/// name as Brevo spells it.
pub fn check(
    entries: &[MappingEntry],
    fields: &[PersonField],
    attributes: &[BrevoAttribute],
) -> Result<Vec<CheckedEntry>, InvalidMapping> {
    let mut checked: Vec<CheckedEntry> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let entry = check_entry(index, entry, fields, attributes)?;
        if let Some(first) = checked
            .iter()
            .position(|c| same_name(&c.attribute, &entry.attribute))
        {
            return Err(InvalidMapping::DuplicateAttribute {
                first,
                index,
                name: entry.attribute.name,
            });
        }
        checked.push(entry);
    }
    Ok(checked)
}

/// The saved entries that still hold, and those that no longer do (a field or attribute
/// deleted, a type changed): a sync goes on with the first and reports the second.
pub fn check_saved(
    entries: &[MappingEntry],
    fields: &[PersonField],
    attributes: &[BrevoAttribute],
) -> (Vec<CheckedEntry>, Vec<DroppedEntry>) {
    let mut kept: Vec<(usize, CheckedEntry)> = Vec::with_capacity(entries.len());
    let mut dropped = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let problem = match check_entry(index, entry, fields, attributes) {
            Ok(checked) => {
                // Saved mappings have none; one written around the API keeps its first.
                match kept
                    .iter()
                    .find(|(_, k)| same_name(&k.attribute, &checked.attribute))
                {
                    None => {
                        kept.push((index, checked));
                        continue;
                    }
                    Some(&(first, _)) => InvalidMapping::DuplicateAttribute {
                        first,
                        index,
                        name: checked.attribute.name,
                    },
                }
            }
            Err(problem) => problem,
        };
        dropped.push(DroppedEntry {
            entry: entry.clone(),
            problem,
        });
    }
    (kept.into_iter().map(|(_, k)| k).collect(), dropped)
}

fn check_entry(
    index: usize,
    entry: &MappingEntry,
    fields: &[PersonField],
    attributes: &[BrevoAttribute],
) -> Result<CheckedEntry, InvalidMapping> {
    let field = fields
        .iter()
        .find(|field| field.key == entry.pipedrive_field)
        .ok_or_else(|| InvalidMapping::UnknownField {
            index,
            key: entry.pipedrive_field.clone(),
        })?;
    let attribute = attributes
        .iter()
        .find(|attribute| attribute.name.eq_ignore_ascii_case(&entry.brevo_attribute))
        .ok_or_else(|| InvalidMapping::UnknownAttribute {
            index,
            name: entry.brevo_attribute.clone(),
        })?;
    convertible(&field.field_type, attribute).map_err(|reason| InvalidMapping::Incompatible {
        index,
        field: field.name.clone(),
        attribute: attribute.name.clone(),
        reason,
    })?;
    Ok(CheckedEntry {
        field: field.clone(),
        attribute: attribute.clone(),
    })
}

fn same_name(a: &BrevoAttribute, b: &BrevoAttribute) -> bool {
    a.name.eq_ignore_ascii_case(&b.name)
}
