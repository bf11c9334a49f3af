//! Properties of the phone and date conversions over generated input.

use phonenumber::Mode;
use proptest::prelude::*;

use crate::domain::fields::convert::date_from_text;
use crate::domain::fields::phone::{to_e164, PhoneRegion};
use crate::domain::fields::value::date_text;

fn region(code: &str) -> PhoneRegion {
    code.parse().unwrap()
}

/// A valid number of `region`, built from real area codes so few candidates are rejected.
fn valid_number(region_code: &'static str) -> impl Strategy<Value = phonenumber::PhoneNumber> {
    let candidate = match region_code {
        "US" => (
            prop::sample::select(vec!["201", "212", "305", "415", "512", "617", "702", "917"]),
            "[2-9][0-9]{2}[0-9]{4}",
        )
            .prop_map(|(area, rest)| format!("+1{area}{rest}"))
            .boxed(),
        _ => (
            prop::sample::select(vec!["30", "40", "89", "221", "69", "151", "160", "176"]),
            "[1-9][0-9]{6,7}",
        )
            .prop_map(|(area, rest)| format!("+49{area}{rest}"))
            .boxed(),
    };
    candidate.prop_filter_map("not a valid number", |e164| {
        phonenumber::parse(None, e164).ok().filter(|n| n.is_valid())
    })
}

proptest! {
    #[test]
    fn national_and_international_forms_give_the_same_e164(
        (home, number) in prop_oneof![
            valid_number("DE").prop_map(|n| ("DE", n)),
            valid_number("US").prop_map(|n| ("US", n)),
        ]
    ) {
        let e164 = number.format().mode(Mode::E164).to_string();
        let abroad = if home == "DE" { "US" } else { "DE" };
        let national = number.format().mode(Mode::National).to_string();
        let international = number.format().mode(Mode::International).to_string();
        prop_assert_eq!(to_e164(&national, region(home)), Ok(e164.clone()));
        prop_assert_eq!(to_e164(&international, region(home)), Ok(e164.clone()));
        prop_assert_eq!(to_e164(&international, region(abroad)), Ok(e164.clone()));
        prop_assert_eq!(to_e164(&e164, region(abroad)), Ok(e164.clone()));
        // Dialled from abroad: 011 from the US, 00 from Germany.
        let idd = if abroad == "US" { "011" } else { "00" };
        let dialled = format!("{idd} {}", &international[1..]);
        prop_assert_eq!(to_e164(&dialled, region(abroad)), Ok(e164.clone()));
    }

    #[test]
    fn garbage_is_refused_or_converted_but_never_panics(
        raw in prop_oneof![any::<String>(), "[0-9+()\\-./ x#*a-z]{0,30}"],
        code in prop::sample::select(vec!["DE", "US", "GB", "FR"]),
    ) {
        if let Ok(e164) = to_e164(&raw, region(code)) {
            prop_assert!(e164.starts_with('+'));
            prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn every_valid_date_round_trips(day in (0..=9999_i32, 1..=366_u16).prop_filter_map(
        "no such day in that year",
        |(year, ordinal)| time::Date::from_ordinal_date(year, ordinal).ok(),
    )) {
        let written = date_text(day);
        prop_assert_eq!(date_from_text(&written), Ok(day));
    }

    #[test]
    fn impossible_calendar_dates_are_refused(year in 0..=9999_i32, month in 0..=99_u8, day in 0..=99_u8) {
        let written = format!("{year:04}-{month:02}-{day:02}");
        let real = time::Month::try_from(month)
            .ok()
            .and_then(|month| time::Date::from_calendar_date(year, month, day).ok());
        prop_assert_eq!(date_from_text(&written).ok(), real);
    }

    #[test]
    fn any_accepted_string_is_exactly_the_date_it_means(raw in prop_oneof![
        any::<String>(),
        "[0-9+\\-T: ]{8,12}",
    ]) {
        if let Ok(day) = date_from_text(&raw) {
            prop_assert_eq!(date_text(day), raw);
        }
    }
}
