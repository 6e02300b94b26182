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
                    event.at.to_string().replace('T', " ").replace('Z', ""),
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
            if !event.detail.is_empty() {
                let detail = event
                    .detail
                    .iter()
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                parts.push(detail);
            }
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
