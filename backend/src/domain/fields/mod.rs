//! The field mapping's pure half (DESIGN §8): Pipedrive person fields and Brevo attributes,
//! which pairs can be mapped, and each person's values converted for Brevo.

mod compat;
mod convert;
mod phone;
mod types;
mod validate;
mod value;

#[cfg(test)]
mod tests;

pub use compat::{convertible, IncompatibleTypes};
pub use convert::{convert, place_of, FieldPlace, Unconvertible};
pub use phone::{InvalidPhoneRegion, PhoneRegion};
pub use types::{
    is_custom_field_key, AttributeCategory, BrevoAttribute, BrevoAttributeType, CategoryValue,
    FieldOption, OptionId, PersonField, PersonFieldType,
};
pub use validate::{check, check_saved, CheckedEntry, DroppedEntry, InvalidMapping, MappingEntry};
pub use value::BrevoValue;
