# kattoo kiosk — русский. Набор ключей совпадает с en и ky (проверяется в tests/ui.rs).

app-title = Kattoo — регистрация избирателей
lang-ky = Кыргызча
lang-ru = Русский
lang-en = English

common-next = Далее
common-back = Назад
common-working = Подождите…
common-logout = Выйти
common-station = Станция { $id } — { $name }

## Первый запуск: мастер настройки
setup-title = Настройка станции
setup-step = Шаг { $step } из { $total }
setup-station-title = Данные станции
setup-station-id = Код станции
setup-station-id-hint = 2–12 заглавных латинских букв A–Z или цифр, например KG1101
setup-station-name = Название станции (печатается в квитанциях)
setup-region-title = Область, которую обслуживает станция
setup-precincts-title = Участки
setup-precincts-label = Номера участков (4 цифры, через пробел или запятую)
setup-passphrase-title = Парольная фраза станции
setup-passphrase = Парольная фраза
setup-passphrase-again = Парольная фраза ещё раз
setup-passphrase-hint = Супервайзер вводит её каждое утро, чтобы разблокировать станцию. Используйте несколько слов, не менее 8 символов. Утерянную фразу восстановить нельзя.
passphrase-strength-weak = Надёжность: слабая — сделайте длиннее
passphrase-strength-fair = Надёжность: средняя
passphrase-strength-strong = Надёжность: высокая
setup-admin-title = Первый администратор
setup-admin-login = Логин администратора
setup-admin-password = Пароль администратора
setup-admin-password-again = Пароль администратора ещё раз
setup-create = Создать станцию
setup-error-station-id = Код станции — 2–12 заглавных латинских букв A–Z или цифр.
setup-error-name = Введите название станции длиной от 1 до 100 символов.
setup-error-region = Выберите область.
setup-error-precincts = Введите хотя бы один участок; каждый номер — ровно 4 цифры.
setup-error-passphrase-short = Парольная фраза должна быть не короче 8 символов.
setup-error-passphrase-mismatch = Фразы не совпадают — введите их ещё раз.
setup-error-login = Логин: 3–32 символа a–z, 0–9, «.», «_» или «-», начинается с буквы.
setup-error-password-short = Пароль должен быть не короче 8 символов.
setup-error-password-mismatch = Пароли не совпадают — введите их ещё раз.

## Разблокировка станции
unlock-title = Разблокировка станции
unlock-passphrase = Парольная фраза станции
unlock-button = Разблокировать
unlock-error-wrong-passphrase = Неверная парольная фраза — проверьте раскладку клавиатуры и Caps Lock и попробуйте снова.

## Вход оператора
login-title = Вход оператора
login-login = Логин
login-password = Пароль
login-button = Войти
login-error-bad-credentials = Неизвестный логин или неверный пароль — попробуйте снова.
login-error-locked-out = Слишком много неудачных попыток: учётная запись заблокирована ещё на { $minutes } мин. Подождите или попросите супервайзера разблокировать её.
login-error-account-locked = Учётная запись заблокирована супервайзером — попросите супервайзера разблокировать её.
login-error-account-disabled = Учётная запись отключена — обратитесь к супервайзеру.

## Главный экран
home-welcome = Оператор: { $login } ({ $role })
role-registrar = регистратор
role-supervisor = супервайзер
role-admin = администратор
home-start-enrollment = Начать регистрацию
home-enrollment-coming = Регистрация на этом экране появится в следующей версии; пока используйте командную строку.
home-review = Проверить и утвердить записи
home-review-coming = Проверка на этом экране появится в следующей версии.
home-today = Сегодня
home-count-saved = Сохранено: { $count }
home-count-pending = Ждут утверждения: { $count }
home-count-approved = Утверждено: { $count }
home-count-rejected = Отклонено: { $count }
home-devices = Устройства: ещё не проверены
home-training-banner = УЧЕБНЫЙ РЕЖИМ — записи, сделанные здесь, никогда не выгружаются.

## Ошибки
error-generic = Произошла ошибка: { $detail }

## Названия полей (анкета гражданина)
field-surname = Фамилия
field-given_name = Имя
field-patronymic = Отчество
field-sex = Пол
field-birth_date = Дата рождения
field-pin = ПИН
field-region = Область
field-district = Район
field-settlement = Населённый пункт
field-street = Улица
field-house = Дом
field-precinct = Участок
field-document_type = Тип документа
field-document_number = Номер документа
field-language = Язык

## Проверка данных (domain::validation::ValidationError::message_id)
validation-required = Это поле обязательно.
validation-too-long = Не более { $max } символов.
validation-control-character = Не должно содержать табуляцию или переводы строки.
validation-digits = Не должно содержать цифр.
validation-not-cyrillic = Пишите кириллицей.
validation-mixed-scripts = Не смешивайте кириллицу и латиницу.
validation-bad-character = Содержит недопустимый символ.
validation-bad-date = Введите существующую дату в виде ГГГГ-ММ-ДД, не ранее 1900 года.
validation-in-future = Дата не может быть в будущем.
validation-too-young = Гражданину должно быть не меньше { $min_age } лет.
validation-pin-length = ПИН должен состоять ровно из 14 цифр.
validation-pin-not-digits = ПИН может содержать только цифры.
validation-pin-sex-digit = ПИН должен начинаться с 1 (женский пол) или 2 (мужской пол).
validation-pin-bad-date = Цифры со 2-й по 9-ю в ПИН должны быть датой рождения ДДММГГГГ.
validation-pin-sex-mismatch = ПИН не соответствует указанному полу.
validation-pin-birth-date-mismatch = ПИН не соответствует указанной дате рождения.
validation-unknown-region = Выберите область из списка.
validation-unknown-district = Выберите район выбранной области.
validation-precinct-format = Номер участка — ровно 4 цифры.
validation-precinct-not-served = Эта станция не обслуживает этот участок.
validation-unknown-document-type = Выберите ID-карту или паспорт.
validation-document-number-format = Номер не соответствует документу: ID, AN или AC и 7 цифр.
validation-unknown-language = Выберите кыргызский, русский или английский.
validation-unknown-sex = Выберите женский или мужской пол.

## Устройства (hal::ErrorKind::message_id)
device-disconnected = Устройство отключено — подключите его снова, съёмка продолжится.
device-busy = Устройство занято — подождите немного и повторите.
device-timeout = Данные не поступили вовремя — снова приложите палец или встаньте перед камерой и повторите.
device-poor-quality = Снимок недостаточно чёткий — протрите стекло и повторите.
device-not-supported = Это устройство так не умеет — используйте другое устройство или вызовите техника.
device-other = Устройство сообщило об ошибке — отключите и снова подключите его и повторите; если ошибка повторится, вызовите техника.

## Квитанция (message_id у receipt::ReceiptError / receipt::PrintError; $detail — текст ошибки)
receipt-error-render = Не удалось подготовить квитанцию: { $detail }. Вызовите техника; сама запись сохранена.
receipt-error-save = Не удалось сохранить квитанцию: { $detail }. Проверьте диск или USB-флешку и повторите.
receipt-error-no-printing = На этом киоске нет системы печати — сохраните квитанцию в PDF или вызовите техника.
receipt-error-no-printer = Принтер по умолчанию не выбран — подключите принтер и сделайте его принтером по умолчанию или сохраните квитанцию в PDF.
receipt-error-print-failed = Печать не удалась: { $detail }. Проверьте, что принтер включён и в нём есть бумага, и повторите.

## Экранная клавиатура
keyboard-shift = Заглавная
keyboard-backspace = Стереть
keyboard-space = Пробел
keyboard-layout = Раскладка
keyboard-hide = Скрыть клавиатуру
