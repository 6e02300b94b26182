//! The supervisor's station (approvals, export, operators, devices, audit, statistics, training
//! mode): the interface the app drives. The screens themselves are being built.
use crate::domain::Timestamp;
use crate::hal::manager::DeviceManager;
use crate::station::{Session, Station};
use crate::ui::i18n::I18n;
use egui::Ui;
pub type Apply = Box<dyn FnOnce(&mut SupervisorScreen) + Send>;
pub type Task = Box<dyn FnOnce(&mut Station, &Session, Timestamp) -> Apply + Send>;
#[must_use]
pub enum SupervisorIntent {
    None,
    Home,
    Run(Task),
}
#[derive(Default)]
pub struct SupervisorScreen {}
impl SupervisorScreen {
    pub fn show(
        &mut self,
        _ui: &mut Ui,
        _i18n: &I18n,
        _s: &Session,
        _d: Option<&DeviceManager>,
        _b: bool,
        _n: Timestamp,
    ) -> SupervisorIntent {
        SupervisorIntent::None
    }
}
