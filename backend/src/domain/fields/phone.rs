//! Phone numbers to E.164, the form Brevo's SMS attribute takes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use phonenumber::country::{Id, Source};
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber};

use super::convert::shown;

/// The country assumed for numbers written without a country code (`DEFAULT_PHONE_REGION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhoneRegion(Id);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a country code with a phone numbering plan (two letters, e.g. DE or US)")]
pub struct InvalidPhoneRegion(String);

impl FromStr for PhoneRegion {
    type Err = InvalidPhoneRegion;

    /// Accepts an ISO 3166-1 alpha-2 code in any case, e.g. `de`.
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidPhoneRegion(code.to_owned());
        let id = Id::from_str(&code.trim().to_ascii_uppercase()).map_err(|_| invalid())?;
        // The parser unwraps the region's metadata, so a region without any is refused here.
        DATABASE.by_id(id.as_ref()).ok_or_else(invalid)?;
        Ok(Self(id))
    }
}

impl PhoneRegion {
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }
}

/// The number in E.164 (`+4930123456`), or a short reason why it is not one.
pub fn to_e164(raw: &str, region: PhoneRegion) -> Result<String, String> {
    let as_read =
        parse(region.0, raw).ok_or_else(|| format!("phone {} is not a number", shown(raw)))?;
    let number = read_by_own_country(raw, &as_read, region)
        .into_iter()
        .chain([as_read])
        .find(PhoneNumber::is_valid)
        .ok_or_else(|| format!("phone {} is not a valid number", shown(raw)))?;
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The number in E.164 when it names its own country (`+49 30 …`): without
/// `DEFAULT_PHONE_REGION` no other can be read.
pub fn international_to_e164(raw: &str) -> Result<String, String> {
    if raw.chars().filter(char::is_ascii_digit).count() < 3 {
        return Err(format!("phone {} is not a number", shown(raw)));
    }
    let number = parse_in(None, raw)
        .filter(PhoneNumber::is_valid)
        .ok_or_else(|| {
            format!(
                "phone {} has no country code, and DEFAULT_PHONE_REGION is not set",
                shown(raw)
            )
        })?;
    Ok(number.format().mode(Mode::E164).to_string())
}

fn parse(region: Id, raw: &str) -> Option<PhoneNumber> {
    parse_in(Some(region), raw)
}

fn parse_in(region: Option<Id>, raw: &str) -> Option<PhoneNumber> {
    // The library's parser unwraps internally (e.g. regex captures in `parser/helper.rs`);
    // one person's odd number must not take down the whole sync.
    catch_unwind(AssertUnwindSafe(|| phonenumber::parse(region, raw)))
        .ok()?
        .ok()
}

/// A number that names its own country, read again by that country's rules. The library
/// strips the *default* region's national prefix even from such a number ("+49 160 …" read
/// with region US loses the 1 of 160), which its own country's rules do not.
fn read_by_own_country(
    raw: &str,
    as_read: &PhoneNumber,
    region: PhoneRegion,
) -> Option<PhoneNumber> {
    let source = as_read.code().source();
    if !matches!(source, Source::Plus | Source::Idd) {
        return None;
    }
    let own = DATABASE
        .by_code(&as_read.code().value())?
        .into_iter()
        .next()?;
    let own = Id::from_str(own.id()).ok().filter(|own| *own != region.0)?;
    match source {
        Source::Idd => parse(own, &idd_as_plus(raw, region)?),
        _ => parse(own, raw),
    }
}

/// `raw` with the region's international call prefix (`00` in DE, `011` in the US) replaced
/// by `+`, since the number's own country dials out with another prefix.
fn idd_as_plus(raw: &str, region: PhoneRegion) -> Option<String> {
    let idd = DATABASE.by_id(region.as_str())?.international_prefix()?;
    let digits: Vec<(usize, char)> = raw
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .collect();
    let digit_text: String = digits.iter().map(|(_, digit)| digit).collect();
    let prefix = idd.find(&digit_text).filter(|found| found.start() == 0)?;
    let (rest, _) = digits.get(prefix.end())?;
    Some(format!("+{}", &raw[*rest..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> PhoneRegion {
        code.parse().unwrap()
    }

    #[test]
    fn regions_are_parsed_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(region(" de ").as_str(), "DE");
        assert_eq!(region("us").as_str(), "US");
        let error = "Germany".parse::<PhoneRegion>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"Germany\" is not a country code with a phone numbering plan (two letters, e.g. DE or US)"
        );
        assert!("ZZ".parse::<PhoneRegion>().is_err());
        assert!("".parse::<PhoneRegion>().is_err());
    }

    #[test]
    fn national_numbers_take_the_default_region_and_international_ones_keep_theirs() {
        assert_eq!(
            to_e164("030 1234567", region("DE")).unwrap(),
            "+49301234567"
        );
        assert_eq!(
            to_e164("(201) 555-0123", region("US")).unwrap(),
            "+12015550123"
        );
        assert_eq!(
            to_e164("+49 30 1234567", region("US")).unwrap(),
            "+49301234567"
        );
        assert_eq!(
            to_e164("0049 30 1234567", region("DE")).unwrap(),
            "+49301234567"
        );
        assert_eq!(
            to_e164("tel:+49-30-1234567", region("DE")).unwrap(),
            "+49301234567"
        );
    }

    #[test]
    fn a_foreign_number_is_read_by_its_own_countrys_rules() {
        // Read with region US, the library alone turns these into +49 60… and +49 0 30….
        assert_eq!(
            to_e164("+49 160 1000000", region("US")).unwrap(),
            "+491601000000"
        );
        assert_eq!(
            to_e164("011 49 160 1000000", region("US")).unwrap(),
            "+491601000000"
        );
        assert_eq!(
            to_e164("+49 (0)30 1234567", region("US")).unwrap(),
            "+49301234567"
        );
        assert_eq!(
            to_e164("+44 (0)20 7946 0958", region("US")).unwrap(),
            "+442079460958"
        );
        // …unless those rules spoil it: Russia's trunk prefix 8 is also its toll-free range.
        assert_eq!(
            to_e164("+7 800 555 3535", region("DE")).unwrap(),
            "+78005553535"
        );
    }

    #[test]
    fn text_and_impossible_numbers_are_refused_with_a_reason() {
        assert_eq!(
            to_e164("call after 5pm", region("DE")).unwrap_err(),
            "phone \"call after 5pm\" is not a number"
        );
        assert_eq!(
            to_e164("+49 1", region("DE")).unwrap_err(),
            "phone \"+49 1\" is not a number"
        );
        assert_eq!(
            to_e164("030 1234567", region("US")).unwrap_err(),
            "phone \"030 1234567\" is not a valid number"
        );
        assert_eq!(
            international_to_e164("+49 30 1234567").unwrap(),
            "+49301234567"
        );
        assert_eq!(
            international_to_e164("call after 5pm").unwrap_err(),
            "phone \"call after 5pm\" is not a number"
        );
        assert_eq!(
            international_to_e164("030 1234567").unwrap_err(),
            "phone \"030 1234567\" has no country code, and DEFAULT_PHONE_REGION is not set"
        );
    }
}
