//! The regions (oblasts and the two cities of republican significance) and their districts, with
//! their stable codes and their names in Kyrgyz, Russian and English.

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
