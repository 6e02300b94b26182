# kattoo kiosk — English. Every key here must exist in ky and ru too (tests/ui.rs checks).

app-title = Kattoo — voter registration
lang-ky = Кыргызча
lang-ru = Русский
lang-en = English

common-next = Next
common-back = Back
common-working = Please wait…
common-logout = Log out
common-station = Station { $id } — { $name }

## First run: the setup wizard
setup-title = Set up this station
setup-step = Step { $step } of { $total }
setup-station-title = Station identity
setup-station-id = Station code
setup-station-id-hint = 2–12 capital letters A–Z or digits, e.g. KG1101
setup-station-name = Station name (printed on receipts)
setup-region-title = Region served by this station
setup-precincts-title = Precincts
setup-precincts-label = Precinct numbers (4 digits, separated by spaces or commas)
setup-passphrase-title = Station passphrase
setup-passphrase = Passphrase
setup-passphrase-again = Passphrase again
setup-passphrase-hint = The supervisor types this every morning to unlock the station. Use several words; at least 8 characters. It cannot be recovered if lost.
passphrase-strength-weak = Strength: weak — make it longer
passphrase-strength-fair = Strength: fair
passphrase-strength-strong = Strength: strong
setup-admin-title = First administrator
setup-admin-login = Admin login
setup-admin-password = Admin password
setup-admin-password-again = Admin password again
setup-create = Create station
setup-error-station-id = The station code must be 2–12 capital letters A–Z or digits.
setup-error-name = Enter a station name of 1–100 characters.
setup-error-region = Choose a region.
setup-error-precincts = Enter at least one precinct; each is exactly 4 digits.
setup-error-passphrase-short = The passphrase must be at least 8 characters.
setup-error-passphrase-mismatch = The two passphrases differ — type them again.
setup-error-login = The login must be 3–32 characters a–z, 0–9, “.”, “_” or “-”, starting with a letter.
setup-error-password-short = The password must be at least 8 characters.
setup-error-password-mismatch = The two passwords differ — type them again.

## Unlocking the station
unlock-title = Unlock the station
unlock-passphrase = Station passphrase
unlock-button = Unlock
unlock-error-wrong-passphrase = Wrong passphrase — check the keyboard language and Caps Lock, then try again.

## Operator login
login-title = Operator login
login-login = Login
login-password = Password
login-button = Log in
login-error-bad-credentials = Unknown login or wrong password — try again.
login-error-locked-out = Too many failed attempts: this account is locked for { $minutes } more min. Wait or ask a supervisor to unlock it.
login-error-account-locked = This account is locked by a supervisor — ask a supervisor to unlock it.
login-error-account-disabled = This account is disabled — ask a supervisor.

## Home
home-welcome = Operator: { $login } ({ $role })
role-registrar = registrar
role-supervisor = supervisor
role-admin = administrator
home-start-enrollment = Start enrollment
home-enrollment-coming = Enrollment on this screen comes in the next version; use the command line meanwhile.
home-review = Review and approve records
home-review-coming = Review on this screen comes in the next version.
home-today = Today
home-count-saved = Saved: { $count }
home-count-pending = Waiting for approval: { $count }
home-count-approved = Approved: { $count }
home-count-rejected = Rejected: { $count }
home-devices = Devices: not checked yet
home-training-banner = TRAINING MODE — records made here are never exported.

## Errors
error-generic = Something went wrong: { $detail }

## Field names (citizen form)
field-surname = Surname
field-given_name = Given name
field-patronymic = Patronymic
field-sex = Sex
field-birth_date = Date of birth
field-pin = PIN
field-region = Region
field-district = District
field-settlement = Settlement
field-street = Street
field-house = House
field-precinct = Precinct
field-document_type = Document type
field-document_number = Document number
field-language = Language

## Validation (domain::validation::ValidationError::message_id)
validation-required = This field is required.
validation-too-long = At most { $max } characters.
validation-control-character = Must not contain tabs or line breaks.
validation-digits = Must not contain digits.
validation-not-cyrillic = Write in Cyrillic letters.
validation-mixed-scripts = Do not mix Cyrillic and Latin letters.
validation-bad-character = Contains a character that is not allowed here.
validation-bad-date = Enter a real date as YYYY-MM-DD, not before 1900.
validation-in-future = The date must not be in the future.
validation-too-young = The citizen must be at least { $min_age } years old.
validation-pin-length = The PIN must be exactly 14 digits.
validation-pin-not-digits = The PIN may contain only digits.
validation-pin-sex-digit = The PIN must start with 1 (female) or 2 (male).
validation-pin-bad-date = Digits 2 to 9 of the PIN must be a real birth date DDMMYYYY.
validation-pin-sex-mismatch = The PIN does not match the sex entered.
validation-pin-birth-date-mismatch = The PIN does not match the birth date entered.
validation-unknown-region = Choose a region from the list.
validation-unknown-district = Choose a district of the chosen region.
validation-precinct-format = A precinct number is exactly 4 digits.
validation-precinct-not-served = This station does not serve that precinct.
validation-unknown-document-type = Choose ID card or passport.
validation-document-number-format = The number does not fit the document: ID, AN or AC and 7 digits.
validation-unknown-language = Choose Kyrgyz, Russian or English.
validation-unknown-sex = Choose female or male.

## Devices (hal::ErrorKind::message_id)
device-disconnected = The device is unplugged — plug it back in; the capture will resume.
device-busy = The device is busy — wait a moment and try again.
device-timeout = Nothing arrived in time — place the finger or face again and retry.
device-poor-quality = The capture is not clear enough — clean the glass, then try again.
device-not-supported = This device cannot do that — use another device or call a technician.
device-other = The device reported a problem — unplug it, plug it back in and retry; if it repeats, call a technician.

## Receipt (receipt::ReceiptError / receipt::PrintError message_id; $detail is the error's text)
receipt-error-render = The receipt could not be prepared: { $detail }. Call a technician; the record itself is saved.
receipt-error-save = The receipt could not be saved: { $detail }. Check the disk or the USB stick and try again.
receipt-error-no-printing = This kiosk has no printing system — save the receipt as PDF instead, or call a technician.
receipt-error-no-printer = No default printer is set — connect the printer and make it the default, or save the receipt as PDF.
receipt-error-print-failed = Printing failed: { $detail }. Check that the printer is on and has paper, then try again.

## On-screen keyboard
keyboard-shift = Shift
keyboard-backspace = Backspace
keyboard-space = Space
keyboard-layout = Layout
keyboard-hide = Hide keyboard
