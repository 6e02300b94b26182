//! Where a citizen lives and votes: the region/district table, addresses and precinct numbers.
//!
//! Regions and districts are stored as stable ASCII codes (the table below gives their Kyrgyz,
//! Russian and English names for display); settlement, street and house are free Cyrillic text.

use crate::domain::validation::{Field, Rule, ValidationError, clean_text, is_cyrillic_letter};

/// Longest accepted settlement or street, in characters.
const PLACE_MAX_CHARS: usize = 80;
/// Longest accepted house designation, in characters.
const HOUSE_MAX_CHARS: usize = 16;

/// A region: one of the seven oblasts or the two cities of republican significance.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    /// Stable ASCII code, as stored in records (e.g. `chui`).
    pub code: &'static str,
    /// Kyrgyz name.
    pub name_ky: &'static str,
    /// Russian name.
    pub name_ru: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Its districts (raions) and cities of regional significance.
    pub districts: &'static [District],
}

impl Region {
    /// The district of this region with that code.
    pub fn district(&self, code: &str) -> Option<&'static District> {
        self.districts.iter().find(|d| d.code == code)
    }
}

/// A district (raion), a city of regional significance, or a city district of Bishkek.
#[derive(Debug, PartialEq, Eq)]
pub struct District {
    /// Stable ASCII code, unique within its region (e.g. `sokuluk`).
    pub code: &'static str,
    /// Kyrgyz name.
    pub name_ky: &'static str,
    /// Russian name.
    pub name_ru: &'static str,
    /// English name.
    pub name_en: &'static str,
}

const fn d(
    code: &'static str,
    name_ky: &'static str,
    name_ru: &'static str,
    name_en: &'static str,
) -> District {
    District {
        code,
        name_ky,
        name_ru,
        name_en,
    }
}

#[rustfmt::skip]
static REGIONS: &[Region] = &[
    Region {
        code: "batken",
        name_ky: "Баткен облусу",
        name_ru: "Баткенская область",
        name_en: "Batken Region",
        districts: &[
            d("batken", "Баткен району", "Баткенский район", "Batken District"),
            d("kadamjai", "Кадамжай району", "Кадамжайский район", "Kadamjai District"),
            d("leilek", "Лейлек району", "Лейлекский район", "Leilek District"),
            d("batken-city", "Баткен шаары", "город Баткен", "Batken City"),
            d("kyzyl-kiya", "Кызыл-Кыя шаары", "город Кызыл-Кия", "Kyzyl-Kiya City"),
            d("sulukta", "Сүлүктү шаары", "город Сулюкта", "Sulukta City"),
        ],
    },
    Region {
        code: "chui",
        name_ky: "Чүй облусу",
        name_ru: "Чуйская область",
        name_en: "Chui Region",
        districts: &[
            d("alamudun", "Аламүдүн району", "Аламудунский район", "Alamudun District"),
            d("chui", "Чүй району", "Чуйский район", "Chui District"),
            d("jaiyl", "Жайыл району", "Жайыльский район", "Jaiyl District"),
            d("kemin", "Кемин району", "Кеминский район", "Kemin District"),
            d("moskva", "Москва району", "Московский район", "Moskva District"),
            d("panfilov", "Панфилов району", "Панфиловский район", "Panfilov District"),
            d("sokuluk", "Сокулук району", "Сокулукский район", "Sokuluk District"),
            d("ysyk-ata", "Ысык-Ата району", "Ысык-Атинский район", "Ysyk-Ata District"),
            d("tokmok", "Токмок шаары", "город Токмок", "Tokmok City"),
        ],
    },
    Region {
        code: "issyk-kul",
        name_ky: "Ысык-Көл облусу",
        name_ru: "Иссык-Кульская область",
        name_en: "Issyk-Kul Region",
        districts: &[
            d("ak-suu", "Ак-Суу району", "Ак-Суйский район", "Ak-Suu District"),
            d("jeti-oguz", "Жети-Өгүз району", "Джети-Огузский район", "Jeti-Oguz District"),
            d("issyk-kul", "Ысык-Көл району", "Иссык-Кульский район", "Issyk-Kul District"),
            d("ton", "Тоң району", "Тонский район", "Ton District"),
            d("tup", "Түп району", "Тюпский район", "Tup District"),
            d("karakol", "Каракол шаары", "город Каракол", "Karakol City"),
            d("balykchy", "Балыкчы шаары", "город Балыкчи", "Balykchy City"),
        ],
    },
    Region {
        code: "jalal-abad",
        name_ky: "Жалал-Абад облусу",
        name_ru: "Джалал-Абадская область",
        name_en: "Jalal-Abad Region",
        districts: &[
            d("aksy", "Аксы району", "Аксыйский район", "Aksy District"),
            d("ala-buka", "Ала-Бука району", "Ала-Букинский район", "Ala-Buka District"),
            d("bazar-korgon", "Базар-Коргон району", "Базар-Коргонский район", "Bazar-Korgon District"),
            d("chatkal", "Чаткал району", "Чаткальский район", "Chatkal District"),
            d("nooken", "Ноокен району", "Ноокенский район", "Nooken District"),
            d("suzak", "Сузак району", "Сузакский район", "Suzak District"),
            d("toguz-toro", "Тогуз-Торо району", "Тогуз-Тороуский район", "Toguz-Toro District"),
            d("toktogul", "Токтогул району", "Токтогульский район", "Toktogul District"),
            d("jalal-abad", "Жалал-Абад шаары", "город Джалал-Абад", "Jalal-Abad City"),
            d("kara-kol", "Кара-Көл шаары", "город Кара-Куль", "Kara-Kol City"),
            d("mailuu-suu", "Майлуу-Суу шаары", "город Майлуу-Суу", "Mailuu-Suu City"),
            d("tash-komur", "Таш-Көмүр шаары", "город Таш-Кумыр", "Tash-Komur City"),
        ],
    },
    Region {
        code: "naryn",
        name_ky: "Нарын облусу",
        name_ru: "Нарынская область",
        name_en: "Naryn Region",
        districts: &[
            d("ak-talaa", "Ак-Талаа району", "Ак-Талинский район", "Ak-Talaa District"),
            d("at-bashy", "Ат-Башы району", "Ат-Башинский район", "At-Bashy District"),
            d("jumgal", "Жумгал району", "Жумгальский район", "Jumgal District"),
            d("kochkor", "Кочкор району", "Кочкорский район", "Kochkor District"),
            d("naryn", "Нарын району", "Нарынский район", "Naryn District"),
            d("naryn-city", "Нарын шаары", "город Нарын", "Naryn City"),
        ],
    },
    Region {
        code: "osh-region",
        name_ky: "Ош облусу",
        name_ru: "Ошская область",
        name_en: "Osh Region",
        districts: &[
            d("alai", "Алай району", "Алайский район", "Alai District"),
            d("aravan", "Араван району", "Араванский район", "Aravan District"),
            d("chong-alai", "Чоң-Алай району", "Чон-Алайский район", "Chong-Alai District"),
            d("kara-kulja", "Кара-Кулжа району", "Кара-Кульджинский район", "Kara-Kulja District"),
            d("kara-suu", "Кара-Суу району", "Кара-Суйский район", "Kara-Suu District"),
            d("nookat", "Ноокат району", "Ноокатский район", "Nookat District"),
            d("uzgen", "Өзгөн району", "Узгенский район", "Uzgen District"),
        ],
    },
    Region {
        code: "talas",
        name_ky: "Талас облусу",
        name_ru: "Таласская область",
        name_en: "Talas Region",
        districts: &[
            d("bakai-ata", "Бакай-Ата району", "Бакай-Атинский район", "Bakai-Ata District"),
            d("kara-buura", "Кара-Буура району", "Кара-Бууринский район", "Kara-Buura District"),
            d("manas", "Манас району", "Манасский район", "Manas District"),
            d("talas", "Талас району", "Таласский район", "Talas District"),
            d("talas-city", "Талас шаары", "город Талас", "Talas City"),
        ],
    },
    Region {
        code: "bishkek",
        name_ky: "Бишкек шаары",
        name_ru: "город Бишкек",
        name_en: "Bishkek City",
        districts: &[
            d("birinchi-mai", "Биринчи Май району", "Первомайский район", "Birinchi Mai District"),
            d("lenin", "Ленин району", "Ленинский район", "Lenin District"),
            d("oktyabr", "Октябрь району", "Октябрьский район", "Oktyabr District"),
            d("sverdlov", "Свердлов району", "Свердловский район", "Sverdlov District"),
        ],
    },
    Region {
        code: "osh",
        name_ky: "Ош шаары",
        name_ru: "город Ош",
        name_en: "Osh City",
        districts: &[d("osh", "Ош шаары", "город Ош", "Osh City")],
    },
];

/// Every region, oblasts first, then Bishkek and Osh.
pub fn regions() -> &'static [Region] {
    REGIONS
}

/// The region with that code.
pub fn region(code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.code == code)
}

/// A validated address; `region` and `district` are codes from [`regions`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// Region code, e.g. `chui`.
    pub region: String,
    /// District code within the region, e.g. `sokuluk`.
    pub district: String,
    /// City, town or village, in Cyrillic.
    pub settlement: String,
    /// Street (or microdistrict), in Cyrillic.
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
        let street = keep(Field::Street, validate_place(text(&self.street)));
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
                (Field::Street, Rule::Required),
                (Field::House, Rule::Required),
            ]
        );
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
