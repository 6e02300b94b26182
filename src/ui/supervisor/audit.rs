//! The audit viewer: the audit rows newest first, a page at a time, under the result of walking
//! the whole hash chain (intact with its row count, or the first row that is wrong).

use super::{Load, Message, Task, button, error_message, task};
use crate::audit::{Action, ChainError, Event};
use crate::ui::i18n::I18n;
use egui::{RichText, Ui};

/// Rows on one page.
const PAGE: u64 = 20;

/// One page of the log.
struct AuditPage {
    /// The newest row's number.
    head: u64,
    /// Newest first.
    rows: Vec<(u64, Event)>,
    chain: Result<u64, ChainError>,
}

/// The audit tab.
pub(super) struct AuditTab {
    /// 0 is the newest page.
    page: u64,
    data: Load<AuditPage>,
}

impl Default for AuditTab {
    fn default() -> Self {
        AuditTab {
            page: 0,
            data: Load::NotAsked,
        }
    }
}

/// The message id naming an audited action.
fn action_message(action: Action) -> &'static str {
    match action {
        Action::StationInit => "sv-audit-station-init",
        Action::Login => "sv-audit-login",
        Action::LoginFailed => "sv-audit-login-failed",
        Action::Lockout => "sv-audit-lockout",
        Action::Logout => "sv-audit-logout",
        Action::Enrollment => "sv-audit-enrollment",
        Action::Approval => "sv-audit-approval",
        Action::Rejection => "sv-audit-rejection",
        Action::OperatorAdd => "sv-audit-operator-add",
        Action::OperatorLock => "sv-audit-operator-lock",
        Action::OperatorUnlock => "sv-audit-operator-unlock",
        Action::OperatorDisable => "sv-audit-operator-disable",
        Action::OperatorPasswordReset => "sv-audit-operator-password-reset",
        Action::Export => "sv-audit-export",
        Action::Refusal => "sv-audit-refusal",
        Action::TrainingMode => "sv-audit-training-mode",
        Action::TrainingReset => "sv-audit-training-reset",
        Action::DeviceBackends => "sv-audit-device-backends",
        Action::BatchRecipients => "sv-audit-batch-recipients",
        Action::Identification => "sv-audit-identification",
        Action::TemplatesExtracted => "sv-audit-templates-extracted",
        Action::OperatorFingers => "sv-audit-operator-fingers",
        Action::FingerRequired => "sv-audit-finger-required",
        Action::DuplicateSearch => "sv-audit-duplicate-search",
    }
}

impl AuditTab {
    /// Asks for the newest page again.
    pub(super) fn refresh(&mut self) {
        self.page = 0;
        self.data = Load::NotAsked;
    }

    pub(super) fn show(&mut self, ui: &mut Ui, i18n: &I18n, busy: bool) -> Option<Task> {
        let page = self.page;
        if let Some(t) = self.data.ask(busy, || load(page)) {
            return Some(t);
        }
        let data = self.data.show(ui, i18n)?;
        match &data.chain {
            Ok(rows) => Message::ok("sv-audit-chain-ok")
                .with("rows", rows)
                .show(ui, i18n),
            Err(e) => Message::error("sv-audit-chain-broken")
                .with("seq", e.seq())
                .with("detail", e)
                .show(ui, i18n),
        }
        let pages = data.head.div_ceil(PAGE).max(1);
        let mut go = None;
        ui.horizontal(|ui| {
            if button(ui, i18n.tr("sv-audit-newer"), None, !busy && self.page > 0).clicked() {
                go = Some(self.page - 1);
            }
            ui.label(i18n.tr_args(
                "sv-page",
                &[("page", (self.page + 1).into()), ("pages", pages.into())],
            ));
            if button(
                ui,
                i18n.tr("sv-audit-older"),
                None,
                !busy && self.page + 1 < pages,
            )
            .clicked()
            {
                go = Some(self.page + 1);
            }
            if button(ui, i18n.tr("sv-refresh"), None, !busy).clicked() {
                go = Some(0);
            }
        });
        ui.separator();
        for (seq, event) in &data.rows {
            ui.label(
                RichText::new(format!(
                    "#{seq} · {} · {}",
                    i18n.moment(&event.at),
                    i18n.tr(action_message(event.action))
                ))
                .strong(),
            );
            let mut parts = Vec::new();
            if let Some(op) = &event.operator {
                parts.push(i18n.tr_args("sv-audit-by", &[("operator", op.as_str().into())]));
            }
            if let Some(subject) = &event.subject {
                parts.push(subject.clone());
            }
            parts.extend(event.detail.iter().map(|(k, v)| detail_text(i18n, k, v)));
            if !parts.is_empty() {
                ui.label(RichText::new(parts.join(" · ")).weak());
            }
            ui.add_space(4.0);
        }
        if let Some(page) = go {
            self.page = page;
            self.data = Load::Loading;
            return Some(load(page));
        }
        None
    }
}

/// Page `page` (0 newest) and the chain check.
fn load(page: u64) -> Task {
    task(
        move |st, session, now| -> Result<AuditPage, Message> {
            let fail = |e: crate::station::Error| error_message(&e);
            let head = st.audit_head().map_err(fail)?.0;
            let newest = head.saturating_sub(page * PAGE);
            let from = newest.saturating_sub(PAGE - 1).max(1);
            let mut rows = if newest == 0 {
                Vec::new()
            } else {
                st.audit_events(session, from, newest + 1 - from, now)
                    .map_err(fail)?
            };
            rows.reverse();
            let chain = st.verify_audit().map_err(fail)?;
            Ok(AuditPage { head, rows, chain })
        },
        |screen, result| screen.audit.data = Load::from_result(result),
    )
}

/// One detail of an audit event as the supervisor's language says it: its label, and its value
/// translated where it is one of a known set (roles, reasons, refused actions, device backends,
/// finger names, yes/no), each item of a list on its own; numbers, ids and hashes as they are.
fn detail_text(i18n: &I18n, key: &str, value: &serde_json::Value) -> String {
    let label_id = format!("audit-key-{}", key.replace('_', "-"));
    let label = if i18n.has(i18n.language(), &label_id) {
        i18n.tr(&label_id)
    } else {
        key.to_owned()
    };
    let value = match value {
        serde_json::Value::Bool(b) => i18n.tr(if *b {
            "audit-value-true"
        } else {
            "audit-value-false"
        }),
        serde_json::Value::String(s) => value_text(i18n, s),
        other => other.to_string(),
    };
    format!("{label}: {value}")
}

/// A detail's text value, translated where it names something known.
fn value_text(i18n: &I18n, text: &str) -> String {
    let known = |v: &str| {
        let id = format!("audit-value-{}", slug(v));
        i18n.has(i18n.language(), &id).then(|| i18n.tr(&id))
    };
    if let Some(t) = known(text) {
        return t;
    }
    // A device id: its backend named, its serial as it is.
    if let Some((backend, serial)) = text.split_once(':')
        && let Some(t) = known(backend)
    {
        return format!("{t} {serial}");
    }
    // A list (backends, finger positions), every item known.
    let items: Vec<&str> = text.split([',', ' ']).filter(|p| !p.is_empty()).collect();
    if items.len() > 1
        && let Some(all) = items.iter().map(|p| known(p)).collect::<Option<Vec<_>>>()
    {
        return all.join(", ");
    }
    text.to_owned()
}

/// `text` lower-cased with every run of other characters than `a-z0-9` made one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Language;
    use serde_json::json;

    #[test]
    fn details_speak_the_supervisors_language() {
        let ru = I18n::new(Language::Ru);
        assert_eq!(
            slug("search a draft's fingerprints"),
            "search-a-draft-s-fingerprints"
        );
        for (key, value) in [
            ("role", json!("supervisor")),
            ("why", json!("unknown-login")),
            ("action", json!("approve records")),
            ("backends", json!("uvc sbi")),
            ("device", json!("sim:FP-0001")),
            ("on", json!(true)),
        ] {
            let text = detail_text(&ru, key, &value);
            assert!(
                !text.contains(key) && !text.is_ascii(),
                "{key}: {text} is not Russian"
            );
        }
        assert!(detail_text(&ru, "device", &json!("sim:FP-0001")).ends_with(" FP-0001"));
        // Numbers and ids are shown as they are.
        assert!(detail_text(&ru, "sequence", &json!(42)).ends_with(": 42"));
        assert!(
            detail_text(&ru, "supersedes", &json!("KG1101-000001-20261127-3"))
                .ends_with(": KG1101-000001-20261127-3")
        );
    }
}
