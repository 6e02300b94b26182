# kattoo kiosk — кыргызча. Ачкычтар en жана ru файлдарындагыдай болушу керек (tests/ui.rs текшерет).

app-title = Kattoo — шайлоочуларды каттоо
lang-ky = Кыргызча
lang-ru = Русский
lang-en = English

common-next = Кийинки
common-back = Артка
common-working = Күтө туруңуз…
common-logout = Чыгуу
common-station = Станция { $id } — { $name }

## Биринчи ишке киргизүү: жөндөө устасы
setup-title = Станцияны жөндөө
setup-step = { $total } кадамдын { $step }-кадамы
setup-station-title = Станциянын маалыматы
setup-station-id = Станциянын коду
setup-station-id-hint = 2–12 баш латын тамгасы A–Z же сан, мисалы KG1101
setup-station-name = Станциянын аталышы (дүмүрчөктө басылат)
setup-region-title = Станция тейлеген облус
setup-precincts-title = Участоктор
setup-precincts-label = Участоктордун номерлери (4 сан, боштук же үтүр менен)
setup-passphrase-title = Станциянын сырсөз фразасы
setup-passphrase = Сырсөз фразасы
setup-passphrase-again = Сырсөз фразасын кайталаңыз
setup-passphrase-hint = Көзөмөлчү аны күн сайын эртең менен станцияны ачуу үчүн терет. Бир нече сөз колдонуңуз, кеминде 8 белги. Жоголгон фразаны калыбына келтирүүгө болбойт.
passphrase-strength-weak = Бекемдиги: начар — узунураак кылыңыз
passphrase-strength-fair = Бекемдиги: орточо
passphrase-strength-strong = Бекемдиги: жогору
setup-admin-title = Биринчи администратор
setup-admin-login = Администратордун логини
setup-admin-password = Администратордун сырсөзү
setup-admin-password-again = Администратордун сырсөзүн кайталаңыз
setup-create = Станцияны түзүү
setup-error-station-id = Станциянын коду 2–12 баш латын тамгасы A–Z же сандан турат.
setup-error-name = Станциянын аталышын жазыңыз (1ден 100гө чейин белги).
setup-error-region = Облусту тандаңыз.
setup-error-precincts = Жок дегенде бир участок жазыңыз; ар бир номер так 4 сандан турат.
setup-error-passphrase-short = Сырсөз фразасы кеминде 8 белгиден турушу керек.
setup-error-passphrase-mismatch = Фразалар дал келбейт — кайра териңиз.
setup-error-login = Логин: 3–32 белги a–z, 0–9, «.», «_» же «-», тамга менен башталат.
setup-error-password-short = Сырсөз кеминде 8 белгиден турушу керек.
setup-error-password-mismatch = Сырсөздөр дал келбейт — кайра териңиз.

## Станцияны ачуу
unlock-title = Станцияны ачуу
unlock-passphrase = Станциянын сырсөз фразасы
unlock-button = Ачуу
unlock-error-wrong-passphrase = Сырсөз фразасы туура эмес — клавиатуранын тилин жана Caps Lockту текшерип, кайра аракет кылыңыз.

## Оператордун кириши
login-title = Оператордун кириши
login-login = Логин
login-password = Сырсөз
login-button = Кирүү
login-error-bad-credentials = Логин белгисиз же сырсөз туура эмес — кайра аракет кылыңыз.
login-error-locked-out = Ийгиликсиз аракеттер өтө көп: эсеп дагы { $minutes } мүнөткө бөгөттөлдү. Күтүңүз же көзөмөлчүдөн ачып берүүнү сураныңыз.
login-error-account-locked = Бул эсепти көзөмөлчү бөгөттөгөн — көзөмөлчүдөн ачып берүүнү сураныңыз.
login-error-account-disabled = Бул эсеп өчүрүлгөн — көзөмөлчүгө кайрылыңыз.

## Башкы экран
home-welcome = Оператор: { $login } ({ $role })
role-registrar = каттоочу
role-supervisor = көзөмөлчү
role-admin = администратор
home-start-enrollment = Каттоону баштоо
home-enrollment-coming = Бул экрандагы каттоо кийинки версияда пайда болот; азырынча буйрук сабын колдонуңуз.
home-review = Жазууларды текшерүү жана бекитүү
home-review-coming = Бул экрандагы текшерүү кийинки версияда пайда болот.
home-today = Бүгүн
home-count-saved = Сакталды: { $count }
home-count-pending = Бекитүүнү күтүүдө: { $count }
home-count-approved = Бекитилди: { $count }
home-count-rejected = Четке кагылды: { $count }
home-devices = Түзмөктөр: азырынча текшерилген жок
home-training-banner = ОКУУ РЕЖИМИ — бул жерде жасалган жазуулар эч качан экспорттолбойт.

## Каталар
error-generic = Ката кетти: { $detail }

## Талаалардын аттары (жарандын анкетасы)
field-surname = Фамилиясы
field-given_name = Аты
field-patronymic = Атасынын аты
field-sex = Жынысы
field-birth_date = Туулган күнү
field-pin = ПИН
field-region = Облус
field-district = Район
field-settlement = Калктуу конуш
field-street = Көчө
field-house = Үй
field-precinct = Участок
field-document_type = Документтин түрү
field-document_number = Документтин номери
field-language = Тил

## Маалыматтарды текшерүү (domain::validation::ValidationError::message_id)
validation-required = Бул талааны толтуруу милдеттүү.
validation-too-long = { $max } белгиден ашпашы керек.
validation-control-character = Табуляция же жаңы сап болбошу керек.
validation-digits = Сандар болбошу керек.
validation-not-cyrillic = Кирилл тамгалары менен жазыңыз.
validation-mixed-scripts = Кирилл жана латын тамгаларын аралаштырбаңыз.
validation-bad-character = Бул жерде уруксат берилбеген белги бар.
validation-bad-date = Чыныгы күндү ЖЖЖЖ-АА-КК түрүндө жазыңыз, 1900-жылдан мурун эмес.
validation-in-future = Күн келечекте болбошу керек.
validation-too-young = Жаран кеминде { $min_age } жашта болушу керек.
validation-pin-length = ПИН так 14 сандан турушу керек.
validation-pin-not-digits = ПИНде сандар гана болушу керек.
validation-pin-sex-digit = ПИН 1 (аял) же 2 (эркек) менен башталышы керек.
validation-pin-bad-date = ПИНдин 2–9-сандары чыныгы туулган күн болушу керек (ККААЖЖЖЖ).
validation-pin-sex-mismatch = ПИН көрсөтүлгөн жыныска дал келбейт.
validation-pin-birth-date-mismatch = ПИН көрсөтүлгөн туулган күнгө дал келбейт.
validation-unknown-region = Тизмеден облусту тандаңыз.
validation-unknown-district = Тандалган облустун районун тандаңыз.
validation-precinct-format = Участоктун номери так 4 сандан турат.
validation-precinct-not-served = Бул станция ал участокту тейлебейт.
validation-unknown-document-type = ID-картаны же паспортту тандаңыз.
validation-document-number-format = Номер документке туура келбейт: ID, AN же AC жана 7 сан.
validation-unknown-language = Кыргыз, орус же англис тилин тандаңыз.
validation-unknown-sex = Аял же эркек жынысын тандаңыз.

## Түзмөктөр (hal::ErrorKind::message_id)
device-disconnected = Түзмөк ажыратылды — аны кайра туташтырыңыз, тартуу улантылат.
device-busy = Түзмөк бош эмес — бир аз күтүп, кайра аракет кылыңыз.
device-timeout = Маалымат убагында келген жок — манжаны кайра коюңуз же камеранын алдына туруңуз да, кайталаңыз.
device-poor-quality = Сүрөт жетиштүү так эмес — айнекти тазалап, кайра аракет кылыңыз.
device-not-supported = Бул түзмөк муну аткара албайт — башка түзмөктү колдонуңуз же техникти чакырыңыз.
device-other = Түзмөк ката кабарлады — ажыратып, кайра туташтырыңыз да, кайталаңыз; ката кайталанса, техникти чакырыңыз.

## Дүмүрчөк (receipt::ReceiptError / receipt::PrintError message_id; $detail — катанын тексти)
receipt-error-render = Дүмүрчөктү даярдоо мүмкүн болгон жок: { $detail }. Техникти чакырыңыз; жазуунун өзү сакталды.
receipt-error-save = Дүмүрчөктү сактоо мүмкүн болгон жок: { $detail }. Дискти же USB флешканы текшерип, кайра аракет кылыңыз.
receipt-error-no-printing = Бул киоскто басып чыгаруу системасы жок — дүмүрчөктү PDF катары сактаңыз же техникти чакырыңыз.
receipt-error-no-printer = Демейки принтер тандалган эмес — принтерди туташтырып, аны демейки кылып коюңуз же дүмүрчөктү PDF катары сактаңыз.
receipt-error-print-failed = Басып чыгаруу ишке ашкан жок: { $detail }. Принтер күйгүзүлгөнүн жана анда кагаз бар экенин текшерип, кайра аракет кылыңыз.

## Экрандагы клавиатура
keyboard-shift = Баш тамга
keyboard-backspace = Өчүрүү
keyboard-space = Боштук
keyboard-layout = Клавиатуранын тили
keyboard-hide = Клавиатураны жашыруу
