//! Which Pipedrive field types can fill which Brevo attribute types: checked when a mapping
//! is saved and again before each conversion, so an import never sends a value Brevo would
//! silently drop.

use super::types::{BrevoAttribute, BrevoAttributeType, PersonFieldType};

/// How a field's value is read from a person, whatever it is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueKind {
    Text,
    Phone,
    SingleOption,
    MultipleOptions,
    Date,
    Number,
    Boolean,
}

impl ValueKind {
    /// `None` for field types whose values mean nothing outside Pipedrive (ids of users,
    /// organisations, deals…) or have no Brevo counterpart (ranges, pictures, JSON).
    pub(super) fn of(field_type: &PersonFieldType) -> Option<Self> {
        use PersonFieldType as F;
        Some(match field_type {
            F::Varchar | F::VarcharAuto | F::VarcharOptions | F::Text | F::Time | F::Address => {
                Self::Text
            }
            F::Phone => Self::Phone,
            F::Enum => Self::SingleOption,
            F::Set => Self::MultipleOptions,
            F::Date => Self::Date,
            F::Int | F::Double | F::Monetary => Self::Number,
            F::Boolean => Self::Boolean,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncompatibleTypes {
    #[error("a Pipedrive {field_type} field cannot fill a Brevo {attribute_type} attribute")]
    Types {
        field_type: String,
        attribute_type: String,
    },
    #[error("Brevo computes {category} attributes itself; they cannot be written")]
    ReadOnly { category: String },
}

/// Whether values of `field_type` can be written to `attribute`:
///
/// | Pipedrive field type                                        | Brevo attribute types          |
/// |-------------------------------------------------------------|--------------------------------|
/// | `varchar`, `varchar_auto`, `varchar_options`, `text`, `time`| text, category (label match)   |
/// | `address` (its formatted `value`)                           | text, category (label match)   |
/// | `phone` (E.164)                                             | text                           |
/// | `enum` (the option's label)                                 | text, category, multiple-choice|
/// | `set` (labels; joined with `, ` for text)                   | text, multiple-choice          |
/// | `date` (`YYYY-MM-DD`)                                       | text, date                     |
/// | `int`, `double`, `monetary` (the amount)                    | text, float                    |
/// | `boolean`                                                   | text, boolean                  |
/// | every other type (`user`, `org`, `daterange`, …)            | none                           |
///
/// Nothing fills an `id` attribute (transactional ids), an attribute of a type this
/// service does not know, or a `calculated`/`global` one (computed by Brevo). A set cannot
/// fill a category attribute, which holds one value.
pub fn convertible(
    field_type: &PersonFieldType,
    attribute: &BrevoAttribute,
) -> Result<(), IncompatibleTypes> {
    value_kind_for(field_type, attribute).map(|_| ())
}

/// [`convertible`], giving how to read the field when the pair is allowed.
pub(super) fn value_kind_for(
    field_type: &PersonFieldType,
    attribute: &BrevoAttribute,
) -> Result<ValueKind, IncompatibleTypes> {
    if !attribute.is_writable() {
        return Err(IncompatibleTypes::ReadOnly {
            category: attribute.category.to_string(),
        });
    }
    let incompatible = || IncompatibleTypes::Types {
        field_type: field_type.to_string(),
        attribute_type: attribute.attribute_type.to_string(),
    };
    let kind = ValueKind::of(field_type).ok_or_else(incompatible)?;
    if accepts(kind, &attribute.attribute_type) {
        Ok(kind)
    } else {
        Err(incompatible())
    }
}

fn accepts(kind: ValueKind, attribute_type: &BrevoAttributeType) -> bool {
    use BrevoAttributeType as A;
    use ValueKind as K;
    match attribute_type {
        A::Text => true,
        A::Date => kind == K::Date,
        A::Float => kind == K::Number,
        A::Boolean => kind == K::Boolean,
        A::Category { .. } => matches!(kind, K::Text | K::SingleOption),
        A::MultipleChoice => matches!(kind, K::SingleOption | K::MultipleOptions),
        A::Id | A::Untyped | A::Other(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(category: &str, attribute_type: &str) -> BrevoAttribute {
        BrevoAttribute::from_listing("ATTR", category, Some(attribute_type), vec![])
    }

    fn allowed(field_type: &str, attribute_type: &str) -> bool {
        let field_type = PersonFieldType::from_code(field_type);
        convertible(&field_type, &attribute("normal", attribute_type)).is_ok()
    }

    #[test]
    fn the_documented_pairs_are_allowed() {
        for (field, attributes) in [
            ("varchar", &["text", "category"][..]),
            ("text", &["text", "category"]),
            ("address", &["text"]),
            ("phone", &["text"]),
            ("enum", &["text", "category", "multiple-choice"]),
            ("set", &["text", "multiple-choice"]),
            ("date", &["text", "date"]),
            ("double", &["text", "float"]),
            ("monetary", &["float"]),
            ("int", &["float"]),
            ("boolean", &["text", "boolean"]),
        ] {
            for attribute in attributes {
                assert!(allowed(field, attribute), "{field} → {attribute}");
            }
        }
    }

    #[test]
    fn mismatched_pairs_are_refused_with_both_types_named() {
        for (field, attribute) in [
            ("varchar", "float"),
            ("date", "float"),
            ("set", "category"),
            ("phone", "category"),
            ("double", "date"),
            ("enum", "boolean"),
            ("varchar", "multiple-choice"),
            ("double", "id"),
            ("user", "text"),
            ("daterange", "text"),
            ("hologram", "text"),
            ("varchar", "rgb"),
        ] {
            assert!(!allowed(field, attribute), "{field} → {attribute}");
        }
        let error = convertible(&PersonFieldType::Set, &attribute("category", "text"));
        assert_eq!(
            error.unwrap_err().to_string(),
            "a Pipedrive set field cannot fill a Brevo category attribute"
        );
    }

    #[test]
    fn computed_attributes_are_refused_whatever_the_field() {
        let error = convertible(&PersonFieldType::Double, &attribute("calculated", "float"));
        assert_eq!(
            error.unwrap_err().to_string(),
            "Brevo computes calculated attributes itself; they cannot be written"
        );
    }
}
