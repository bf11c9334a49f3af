//! The Pipedrive account's person fields, as `GET /api/v2/personFields` lists
//! them: the standard fields a sync can map, and one custom field of every type
//! the field mapping converts.
//!
//! Custom fields are keyed by fixed 40-character hashes, as Pipedrive keys
//! them, so tests and benchmarks can name them. Which persons carry values is
//! decided per filter (see [`crate::PipedriveState::enable_custom_fields`]).

use serde_json::Value;

use crate::clock;

/// `varchar` "Customer code", e.g. `C-0000042`.
pub const CUSTOMER_CODE: &str = "58e9657f444aa167aa2408778e74fb935c07ebf7";
/// `text` "Marketing notes": long text, some of it on several lines.
pub const MARKETING_NOTES: &str = "90762e61e2d157cbcb96d725de228bf708282c3f";
/// `enum` "Segment" (options [`SEGMENT_OPTIONS`]).
pub const SEGMENT: &str = "f25f8a899757c44cd81de9152554b984443a46f9";
/// `set` "Interests" (options [`INTERESTS_OPTIONS`]).
pub const INTERESTS: &str = "a775c56d44c36090429dcfc33151a7872644942a";
/// `date` "Renewal date".
pub const RENEWAL_DATE: &str = "c63d6e968b7d184c077a2a227068e9acedd63570";
/// `phone` "Mobile": free text, as Pipedrive stores phone fields.
pub const MOBILE: &str = "0c5e926097620ef715e9a2edc99928c47e48d422";
/// `double` "Score".
pub const SCORE: &str = "e9080310a896bf886750ff2fae10af549e6276a7";
/// `monetary` "Contract value": `{value, currency}`.
pub const CONTRACT_VALUE: &str = "e7efb0fc9a710cad4704d04d6060ab26b37b8fc1";
/// `address` "Office address": an object of address components.
pub const OFFICE_ADDRESS: &str = "7c96e356d478746b11b54bc0399d0b0513f8eb29";

/// Options of "Segment", by id.
pub const SEGMENT_OPTIONS: [(u64, &str); 3] = [(11, "Enterprise"), (12, "SMB"), (13, "Startup")];
/// An option deleted from "Segment" ("Partner"): a few persons still carry its id.
pub const SEGMENT_DELETED_OPTION: u64 = 14;
/// Options of "Interests", by id.
pub const INTERESTS_OPTIONS: [(u64, &str); 5] = [
    (21, "Webinars"),
    (22, "Newsletter"),
    (23, "Product updates"),
    (24, "Events"),
    (25, "Case studies"),
];
/// An option deleted from "Interests": a few persons' selections still include it.
pub const INTERESTS_DELETED_OPTION: u64 = 26;
/// Options of the standard "Labels" field (`label_ids`).
const LABEL_OPTIONS: [(u64, &str); 4] = [
    (1, "Customer"),
    (2, "Hot lead"),
    (3, "Warm lead"),
    (4, "Cold lead"),
];

/// Address components: (key in the value object, Pipedrive's name for it).
pub(crate) const ADDRESS_COMPONENTS: [(&str, &str); 10] = [
    ("subpremise", "Apartment/suite no"),
    ("street_number", "House number"),
    ("route", "Street/road name"),
    ("sublocality", "District/sublocality"),
    ("locality", "City/town/village/locality"),
    ("admin_area_level_1", "State/county"),
    ("admin_area_level_2", "Region"),
    ("country", "Country"),
    ("postal_code", "ZIP/Postal code"),
    ("formatted_address", "Full/combined address"),
];

/// One person field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonField {
    /// `field_code`: the standard field's name (`first_name`) or the custom field's hash.
    pub code: String,
    /// `field_name`, as users see it.
    pub name: String,
    pub kind: FieldType,
    /// Only `enum` and `set` fields have options.
    pub options: Vec<FieldOption>,
    /// `is_custom_field`.
    pub custom: bool,
}

/// `{id, label}` of an `enum` or `set` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOption {
    pub id: u64,
    pub label: String,
}

/// The `field_type`s the sandbox's fields have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Varchar,
    Text,
    Enum,
    Set,
    Date,
    Phone,
    Double,
    Monetary,
    Address,
    Org,
    User,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Varchar => "varchar",
            Self::Text => "text",
            Self::Enum => "enum",
            Self::Set => "set",
            Self::Date => "date",
            Self::Phone => "phone",
            Self::Double => "double",
            Self::Monetary => "monetary",
            Self::Address => "address",
            Self::Org => "org",
            Self::User => "user",
        }
    }

    /// Whether `value` has the shape a v2 person's `custom_fields` holds for
    /// this type: an option id for `enum`, ids for `set`, `YYYY-MM-DD` for
    /// `date`, a number for `double`, `{value, currency}` for `monetary`, an
    /// object with `value` for `address`, text otherwise. `null` (no value)
    /// fits every type. Option ids are not checked against the options: a
    /// deleted option's id is what Pipedrive keeps.
    pub fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) => true,
            (Self::Varchar | Self::Text | Self::Phone, Value::String(_)) => true,
            (Self::Enum | Self::Org | Self::User, value) => value.is_u64(),
            // Pipedrive refuses an empty selection: no options is null.
            (Self::Set, Value::Array(ids)) => !ids.is_empty() && ids.iter().all(Value::is_u64),
            (Self::Date, Value::String(date)) => clock::is_iso_date(date),
            (Self::Double, value) => value.is_number(),
            (Self::Monetary, value) => value["value"].is_number() && value["currency"].is_string(),
            (Self::Address, value) => value["value"].is_string(),
            _ => false,
        }
    }
}

/// The account's fields in Pipedrive's order: standard fields, then custom ones.
pub(crate) fn account_fields() -> Vec<PersonField> {
    use FieldType::*;
    let standard = [
        ("name", "Name", Varchar),
        ("first_name", "First name", Varchar),
        ("last_name", "Last name", Varchar),
        ("email", "Email", Varchar),
        ("phone", "Phone", Phone),
        ("org_id", "Organization", Org),
        ("owner_id", "Owner", User),
        ("label_ids", "Labels", Set),
    ];
    let custom = [
        (CUSTOMER_CODE, "Customer code", Varchar),
        (MARKETING_NOTES, "Marketing notes", Text),
        (SEGMENT, "Segment", Enum),
        (INTERESTS, "Interests", Set),
        (RENEWAL_DATE, "Renewal date", Date),
        (MOBILE, "Mobile", Phone),
        (SCORE, "Score", Double),
        (CONTRACT_VALUE, "Contract value", Monetary),
        (OFFICE_ADDRESS, "Office address", Address),
    ];
    let field = |(code, name, kind): (&str, &str, FieldType), custom: bool| {
        let options: &[(u64, &str)] = match code {
            "label_ids" => &LABEL_OPTIONS,
            SEGMENT => &SEGMENT_OPTIONS,
            INTERESTS => &INTERESTS_OPTIONS,
            _ => &[],
        };
        PersonField {
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
            options: options
                .iter()
                .map(|&(id, label)| FieldOption {
                    id,
                    label: label.to_owned(),
                })
                .collect(),
            custom,
        }
    };
    let standard = standard.into_iter().map(|spec| field(spec, false));
    standard
        .chain(custom.into_iter().map(|spec| field(spec, true)))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_fields_have_pipedrive_style_keys_and_options() {
        let fields = account_fields();
        let custom: Vec<&PersonField> = fields.iter().filter(|f| f.custom).collect();
        assert_eq!(custom.len(), 9);
        for field in &custom {
            let hex = field
                .code
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            assert!(field.code.len() == 40 && hex, "{}", field.code);
            let has_options = matches!(field.kind, FieldType::Enum | FieldType::Set);
            assert_eq!(!field.options.is_empty(), has_options, "{}", field.name);
        }
        let labels = fields.iter().find(|f| f.code == "label_ids").unwrap();
        assert_eq!(labels.options.len(), 4);
    }

    #[test]
    fn accepts_the_v2_shape_of_each_type() {
        let money = json!({"value": 1200, "currency": "EUR"});
        let address = json!({"value": "Unter den Linden 1, Berlin"});
        for (kind, good, bad) in [
            (FieldType::Enum, json!(11), json!("Enterprise")),
            (FieldType::Set, json!([21, 26]), json!([])),
            (FieldType::Date, json!("2026-05-01"), json!("01/05/2026")),
            (FieldType::Double, json!(73.5), json!("73.5")),
            (FieldType::Monetary, money, json!(1200)),
            (FieldType::Address, address, json!("Berlin")),
            (FieldType::Phone, json!("call after 5pm"), json!(4930123)),
        ] {
            assert!(
                kind.accepts(&good) && kind.accepts(&Value::Null),
                "{kind:?}"
            );
            assert!(!kind.accepts(&bad), "{kind:?} {bad}");
        }
    }
}
