//! Pipedrive person fields and Brevo contact attributes, as both APIs describe them.

/// An enum whose variants are the strings an API sends, plus `Other` for any it adds later.
macro_rules! api_string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this service does not know yet, kept as sent.
            Other(String),
        }

        impl $name {
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)+
                    Self::Other(code) => code,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

api_string_enum! {
    /// A person field's `field_type`, as `GET /api/v2/personFields` lists them.
    PersonFieldType {
        Varchar => "varchar",
        VarcharAuto => "varchar_auto",
        VarcharOptions => "varchar_options",
        Text => "text",
        Phone => "phone",
        Enum => "enum",
        Set => "set",
        Date => "date",
        Daterange => "daterange",
        Time => "time",
        Timerange => "timerange",
        Int => "int",
        Double => "double",
        Monetary => "monetary",
        Boolean => "boolean",
        Address => "address",
        User => "user",
        Org => "org",
        People => "people",
        Deal => "deal",
        Deals => "deals",
        Lead => "lead",
        Project => "project",
        Stage => "stage",
        Activity => "activity",
        Json => "json",
        Picture => "picture",
        Status => "status",
        VisibleTo => "visible_to",
        PriceList => "price_list",
        BillingFrequency => "billing_frequency",
        ProjectsBoard => "projects_board",
        ProjectsPhase => "projects_phase",
    }
}

api_string_enum! {
    /// A Brevo attribute's `category`. `calculated` and `global` values are computed by
    /// Brevo; nothing can write them.
    AttributeCategory {
        Normal => "normal",
        Transactional => "transactional",
        Category => "category",
        Calculated => "calculated",
        Global => "global",
    }
}

/// A person field: a standard one by its code (`first_name`, `phone`, …), a custom one by
/// its 40-character key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonField {
    pub key: String,
    pub name: String,
    pub field_type: PersonFieldType,
    pub custom: bool,
    /// The choices of an `enum` or `set` field; empty for other types.
    pub options: Vec<FieldOption>,
}

/// Whether `key` names a custom field: Pipedrive keys them by a 40-character hash
/// (personFields' `field_code`), standard fields by a word (`first_name`, `phone`).
pub fn is_custom_field_key(key: &str) -> bool {
    key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldOption {
    pub id: OptionId,
    pub label: String,
}

/// The spec gives custom fields' options integer ids and standard fields' options string
/// ids (getPersonFields `options[].id` is `oneOf: [integer, string]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OptionId {
    Number(i64),
    Code(String),
}

/// A Brevo contact attribute, as `GET /v3/contacts/attributes` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct BrevoAttribute {
    pub name: String,
    pub category: AttributeCategory,
    pub attribute_type: BrevoAttributeType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrevoAttributeType {
    Text,
    Date,
    Float,
    Boolean,
    /// Transactional ids; no person field fills one.
    Id,
    /// A fixed set of labelled integer values.
    Category {
        enumeration: Vec<CategoryValue>,
    },
    /// Several strings from the attribute's options (`createAttribute` allows it; the
    /// listing does not return the options).
    MultipleChoice,
    /// The listing may omit `type` (only `name` and `category` are required).
    Untyped,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryValue {
    pub value: i64,
    pub label: String,
}

impl BrevoAttribute {
    /// Builds an attribute from the listing's `name`, `category`, `type` and `enumeration`.
    /// A category attribute is listed with `category: "category"` and, in the spec's own
    /// example, `type: "text"`; `createAttribute` calls its type `category`. Either makes it
    /// a category attribute.
    pub fn from_listing(
        name: impl Into<String>,
        category: &str,
        attribute_type: Option<&str>,
        enumeration: Vec<CategoryValue>,
    ) -> Self {
        let category = AttributeCategory::from_code(category);
        let attribute_type = match attribute_type {
            _ if category == AttributeCategory::Category => {
                BrevoAttributeType::Category { enumeration }
            }
            Some("category") => BrevoAttributeType::Category { enumeration },
            Some("text") => BrevoAttributeType::Text,
            Some("date") => BrevoAttributeType::Date,
            Some("float") => BrevoAttributeType::Float,
            Some("boolean") => BrevoAttributeType::Boolean,
            Some("id") => BrevoAttributeType::Id,
            Some("multiple-choice") => BrevoAttributeType::MultipleChoice,
            Some(other) => BrevoAttributeType::Other(other.to_owned()),
            None => BrevoAttributeType::Untyped,
        };
        Self {
            name: name.into(),
            category,
            attribute_type,
        }
    }

    /// Whether an import can set it at all.
    pub fn is_writable(&self) -> bool {
        !matches!(
            self.category,
            AttributeCategory::Calculated | AttributeCategory::Global
        )
    }
}

impl BrevoAttributeType {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text => "text",
            Self::Date => "date",
            Self::Float => "float",
            Self::Boolean => "boolean",
            Self::Id => "id",
            Self::Category { .. } => "category",
            Self::MultipleChoice => "multiple-choice",
            Self::Untyped => "untyped",
            Self::Other(name) => name,
        }
    }
}

impl std::fmt::Display for BrevoAttributeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_types_round_trip_and_unknown_ones_are_kept() {
        assert_eq!(PersonFieldType::from_code("set"), PersonFieldType::Set);
        assert_eq!(PersonFieldType::VisibleTo.as_str(), "visible_to");
        let future = PersonFieldType::from_code("hologram");
        assert_eq!(future, PersonFieldType::Other("hologram".into()));
        assert_eq!(future.to_string(), "hologram");
    }

    #[test]
    fn a_category_attribute_is_recognised_by_its_category_or_its_type() {
        let gold = vec![CategoryValue {
            value: 1,
            label: "Gold".into(),
        }];
        let listed = BrevoAttribute::from_listing("TIER", "category", Some("text"), gold.clone());
        let created = BrevoAttribute::from_listing("TIER", "normal", Some("category"), gold);
        assert!(matches!(
            listed.attribute_type,
            BrevoAttributeType::Category { .. }
        ));
        assert_eq!(listed.attribute_type, created.attribute_type);
    }

    #[test]
    fn attribute_types_follow_the_listing() {
        let of = |t| BrevoAttribute::from_listing("A", "normal", t, vec![]).attribute_type;
        assert_eq!(of(Some("float")), BrevoAttributeType::Float);
        assert_eq!(
            of(Some("multiple-choice")),
            BrevoAttributeType::MultipleChoice
        );
        assert_eq!(of(Some("rgb")), BrevoAttributeType::Other("rgb".into()));
        assert_eq!(of(None), BrevoAttributeType::Untyped);
    }

    #[test]
    fn custom_field_keys_are_told_from_standard_codes_by_their_shape() {
        assert!(is_custom_field_key(
            "f25f8a899757c44cd81de9152554b984443a46f9"
        ));
        assert!(!is_custom_field_key("first_name"));
        assert!(!is_custom_field_key(&"g".repeat(40)));
        assert!(!is_custom_field_key(&"a".repeat(41)));
    }

    #[test]
    fn calculated_and_global_attributes_cannot_be_written() {
        let of = |c| BrevoAttribute::from_listing("A", c, Some("float"), vec![]);
        assert!(of("normal").is_writable());
        assert!(of("transactional").is_writable());
        assert!(!of("calculated").is_writable());
        assert!(!of("global").is_writable());
    }
}
