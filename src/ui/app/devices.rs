//! The kiosk's devices: started on a thread after the first frame, and started again when
//! training mode changes how far they are trusted.

use super::{App, Devices};
use crate::hal::manager::DeviceManager;

impl App {
    /// Training mode decides how far devices are trusted (unsigned SBI data, simulated devices):
    /// when it changes, the devices the kiosk started start again with the new settings.
    pub(super) fn follow_training_mode(&mut self) {
        let training = self.training();
        if self.config.station.training != training {
            self.config.station.training = training;
            // A manager handed in by a test is kept as it is; one still starting is dropped and
            // started again with the new settings.
            if !matches!(self.devices, Devices::Off) && self.device_starts > 0 {
                tracing::info!(training, "training mode changed: restarting the devices");
                self.devices = Devices::Pending;
            }
        }
        if let Devices::Up(m) = &self.devices {
            m.set_prefer_simulated(training);
        }
    }

    /// How many times the kiosk started its devices (a restart on a training switch counts).
    pub fn device_starts(&self) -> u32 {
        self.device_starts
    }

    /// Starts the devices when asked to, and takes the manager once it is up.
    pub(super) fn poll_devices(&mut self, ctx: &egui::Context) {
        match &self.devices {
            Devices::Pending => {
                self.device_starts += 1;
                let config = self.config.clone();
                let rx =
                    crate::ui::worker::background("kattoo-devices-start", Some(ctx), move || {
                        DeviceManager::start_kiosk(&config)
                    });
                self.devices = Devices::Starting(rx);
            }
            Devices::Starting(rx) => match rx.try_recv() {
                Ok(Ok(m)) => self.devices = Devices::Up(m),
                Ok(Err(e)) => {
                    tracing::error!("devices: {e}");
                    self.devices = Devices::Failed(e.message().to_owned());
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.devices = Devices::Failed("the device start thread stopped".into());
                }
            },
            Devices::Off | Devices::Up(_) | Devices::Failed(_) => {}
        }
    }
}
