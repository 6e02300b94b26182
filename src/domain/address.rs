//! Where a citizen lives and votes: the region/district table, addresses and precinct numbers.
//!
//! Regions and districts are stored as stable ASCII codes (the table in [`regions`] gives their
//! Kyrgyz, Russian and English names for display); settlement, street and house are free
//! Cyrillic text.

pub use super::regions::{District, Region, region, regions};
use crate::domain::validation::{Field, Rule, ValidationError, clean_text, is_cyrillic_letter};

/// Longest accepted settlement or street, in characters.
const PLACE_MAX_CHARS: usize = 80;
/// Longest accepted house designation, in characters.
const HOUSE_MAX_CHARS: usize = 16;

/// A validated address; `region` and `district` are codes from [`regions`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// Region code, e.g. `chui`.
    pub region: String,
    /// District code within the region, e.g. `sokuluk`.
    pub district: String,
    /// City, town or village, in Cyrillic.
    pub settlement: String,
    /// Street (or microdistrict), in Cyrillic; empty in a village without street names (the
    /// record keeps `""`, so its format is unchanged).
    pub street: String,
    /// House designation, e.g. `12А` or `5/2`.
    pub house: String,
}

/// Address text as typed; missing = `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub region: Option<String>,
    pub district: Option<String>,
    pub settlement: Option<String>,
    pub street: Option<String>,
    pub house: Option<String>,
}

impl AddressInput {
    /// Checks every part and returns all errors, in field order.
    ///
    /// The district is checked only when the region is known.
    pub fn validate(&self) -> Result<Address, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut keep = |field: Field, result: Result<String, Rule>| {
            result
                .map_err(|rule| errors.push(ValidationError::new(field, rule)))
                .ok()
        };
        let region_code = code(&self.region).and_then(|c| region(&c).ok_or(Rule::UnknownRegion));
        let district = match (&region_code, code(&self.district)) {
            (_, Err(rule)) => Err(rule),
            (Ok(region), Ok(district)) if region.district(&district).is_none() => {
                Err(Rule::UnknownDistrict)
            }
            (_, Ok(district)) => Ok(district),
        };
        let region = keep(Field::Region, region_code.map(|r| r.code.to_owned()));
        let district = keep(Field::District, district);
        let settlement = keep(Field::Settlement, validate_place(text(&self.settlement)));
        // Optional: many villages have no street names.
        let street = keep(
            Field::Street,
            match text(&self.street).trim() {
                "" => Ok(String::new()),
                typed => validate_place(typed),
            },
        );
        let house = keep(Field::House, validate_house(text(&self.house)));
        match (region, district, settlement, street, house) {
            (Some(region), Some(district), Some(settlement), Some(street), Some(house))
                if errors.is_empty() =>
            {
                Ok(Address {
                    region,
                    district,
                    settlement,
                    street,
                    house,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The input text, or "" if missing.
fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// A region or district code: trimmed, ASCII-lowercased, required.
fn code(value: &Option<String>) -> Result<String, Rule> {
    match value.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_ascii_lowercase()),
        _ => Err(Rule::Required),
    }
}

/// Checks a settlement or street name: Cyrillic letters, digits, space and `.-'’,№/`.
pub fn validate_place(raw: &str) -> Result<String, Rule> {
    let place = clean_text(raw)?;
    check_text(&place, PLACE_MAX_CHARS, |c| {
        c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '\'' | '’' | ',' | '№' | '/')
    })?;
    Ok(place)
}

/// Checks a house designation such as `12`, `12А`, `5/2` or `12-корпус 3`.
pub fn validate_house(raw: &str) -> Result<String, Rule> {
    let house = clean_text(raw)?;
    check_text(&house, HOUSE_MAX_CHARS, |c| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '/')
    })?;
    Ok(house)
}

/// Length, then letters (Cyrillic only), then every other character against `allowed`.
fn check_text(text: &str, max: usize, allowed: impl Fn(char) -> bool) -> Result<(), Rule> {
    if text.chars().count() > max {
        return Err(Rule::TooLong { max });
    }
    for c in text.chars() {
        if is_cyrillic_letter(c) || allowed(c) {
            continue;
        }
        return Err(if c.is_alphabetic() {
            Rule::NotCyrillic
        } else {
            Rule::BadCharacter
        });
    }
    Ok(())
}

/// An electoral precinct number: exactly four ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Precinct(String);

impl Precinct {
    /// Parses a precinct, trimming surrounding whitespace; [`Rule::PrecinctFormat`] otherwise.
    ///
    /// Whether the station serves it is the station's check, not this one.
    pub fn parse(raw: &str) -> Result<Precinct, Rule> {
        let digits = raw.trim();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Precinct(digits.to_owned()))
        } else {
            Err(Rule::PrecinctFormat)
        }
    }

    /// The four digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Precinct {
    type Error = Rule;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Precinct::parse(&value)
    }
}

impl From<Precinct> for String {
    fn from(precinct: Precinct) -> String {
        precinct.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(region: &str, district: &str) -> AddressInput {
        AddressInput {
            region: Some(region.into()),
            district: Some(district.into()),
            settlement: Some("Бишкек".into()),
            street: Some("Чүй проспекти".into()),
            house: Some("12А".into()),
        }
    }

    fn rules(result: Result<Address, Vec<ValidationError>>) -> Vec<(Field, Rule)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    #[test]
    fn table_has_nine_regions_with_unique_ascii_codes() {
        let codes: Vec<_> = regions().iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            [
                "batken",
                "chui",
                "issyk-kul",
                "jalal-abad",
                "naryn",
                "osh-region",
                "talas",
                "bishkek",
                "osh"
            ]
        );
        for region in regions() {
            assert!(!region.districts.is_empty(), "{}", region.code);
            let mut seen = std::collections::HashSet::new();
            for district in region.districts {
                assert!(
                    seen.insert(district.code),
                    "{}/{}",
                    region.code,
                    district.code
                );
                let ascii_slug = |s: &str| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
                assert!(ascii_slug(district.code), "{}", district.code);
                for name in [district.name_ky, district.name_ru] {
                    assert!(name.chars().any(is_cyrillic_letter), "{name}");
                }
                assert!(district.name_en.is_ascii(), "{}", district.name_en);
            }
        }
        let chui = region("chui").unwrap();
        let chui_codes: Vec<_> = chui.districts.iter().map(|d| d.code).collect();
        assert_eq!(
            chui_codes,
            [
                "alamudun", "chui", "jaiyl", "kemin", "moskva", "panfilov", "sokuluk", "ysyk-ata",
                "tokmok"
            ]
        );
        let bishkek = region("bishkek").unwrap();
        assert_eq!(bishkek.districts.len(), 4);
        assert_eq!(
            region("osh").unwrap().district("osh").unwrap().name_ru,
            "город Ош"
        );
    }

    #[test]
    fn every_region_and_district_validates() {
        for r in regions() {
            for d in r.districts {
                let address = input(r.code, d.code).validate().unwrap();
                assert_eq!(
                    (address.region.as_str(), address.district.as_str()),
                    (r.code, d.code)
                );
            }
        }
        let address = input(" Chui ", "SOKULUK").validate().unwrap();
        assert_eq!(
            (address.region.as_str(), address.district.as_str()),
            ("chui", "sokuluk")
        );
    }

    #[test]
    fn unknown_region_and_wrong_district() {
        assert_eq!(
            rules(input("moscow", "lenin").validate()),
            [(Field::Region, Rule::UnknownRegion)]
        );
        assert_eq!(
            rules(input("osh", "sokuluk").validate()),
            [(Field::District, Rule::UnknownDistrict)]
        );
        assert_eq!(
            rules(input("chui", "lenin").validate()),
            [(Field::District, Rule::UnknownDistrict)]
        );
        assert!(region("").is_none());
    }

    #[test]
    fn missing_parts_are_all_reported_in_order() {
        assert_eq!(
            rules(AddressInput::default().validate()),
            [
                (Field::Region, Rule::Required),
                (Field::District, Rule::Required),
                (Field::Settlement, Rule::Required),
                (Field::House, Rule::Required),
            ]
        );
    }

    #[test]
    fn a_village_without_street_names_leaves_the_street_empty() {
        let mut a = input("chui", "sokuluk");
        a.street = Some("   ".into());
        assert_eq!(a.validate().unwrap().street, "");
        a.street = None;
        assert_eq!(a.validate().unwrap().street, "");
        // A street that is typed is still checked.
        a.street = Some("Lenina".into());
        assert_eq!(rules(a.validate()), [(Field::Street, Rule::NotCyrillic)]);
    }

    #[test]
    fn settlement_and_street_text() {
        for good in [
            "с. Ленинское",
            "ул. Токтогула, 5/1",
            "мкр. Джал-23",
            "№ 7 көчөсү",
            "Ош’ко",
            "Үч-Коргон",
        ] {
            assert!(validate_place(good).is_ok(), "{good}");
        }
        assert_eq!(validate_place("  ул.   Манаса "), Ok("ул. Манаса".into()));
        assert_eq!(validate_place(""), Err(Rule::Required));
        assert_eq!(validate_place("Lenina street"), Err(Rule::NotCyrillic));
        assert_eq!(validate_place("ул. Lenina"), Err(Rule::NotCyrillic));
        assert_eq!(
            validate_place("ул.\u{7}Манаса"),
            Err(Rule::ControlCharacter)
        );
        assert_eq!(validate_place("ул. Манаса; 5"), Err(Rule::BadCharacter));
        assert_eq!(
            validate_place(&"а".repeat(80)).map(|s| s.chars().count()),
            Ok(80)
        );
        assert_eq!(
            validate_place(&"а".repeat(81)),
            Err(Rule::TooLong { max: 80 })
        );
    }

    #[test]
    fn house_text() {
        for good in ["12", "12А", "5/2", "12-корпус 3", "б/н"] {
            assert_eq!(validate_house(good), Ok(good.to_owned()), "{good}");
        }
        assert_eq!(validate_house(" "), Err(Rule::Required));
        assert_eq!(validate_house("12A"), Err(Rule::NotCyrillic));
        assert_eq!(validate_house("12, кв. 3"), Err(Rule::BadCharacter));
        assert_eq!(validate_house("1234567890123456").map(|_| ()), Ok(()));
        assert_eq!(
            validate_house("12345678901234567"),
            Err(Rule::TooLong { max: 16 })
        );
    }

    #[test]
    fn precinct_is_four_digits() {
        assert_eq!(Precinct::parse(" 1001 ").unwrap().as_str(), "1001");
        assert_eq!(Precinct::parse("0042").unwrap().as_str(), "0042");
        for bad in ["12a", "123", "01234", "", "１２３４", "12 3"] {
            assert_eq!(Precinct::parse(bad), Err(Rule::PrecinctFormat), "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&Precinct::parse("1001").unwrap()).unwrap(),
            "\"1001\""
        );
        assert!(serde_json::from_str::<Precinct>("\"12a\"").is_err());
    }

    #[test]
    fn input_refuses_unknown_fields() {
        assert!(
            serde_json::from_str::<AddressInput>(r#"{"region":"chui","zip":"720000"}"#).is_err()
        );
    }
}
