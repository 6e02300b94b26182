//! Where devices come from: the backends a configuration names, each as a [`DeviceSource`], and
//! the managers the kiosk and the command line start over them.

use super::*;

/// MOSIP SBI devices (see [`crate::hal::sbi`]) as a [`DeviceSource`]: finger and face devices on
/// the configured ports, each device by its serial number.
pub struct SbiSource {
    config: crate::hal::sbi::SbiConfig,
}

impl SbiSource {
    /// Discovery and calls with `config`.
    pub fn new(config: crate::hal::sbi::SbiConfig) -> Self {
        Self { config }
    }
}

impl DeviceSource for SbiSource {
    fn backend(&self) -> Backend {
        Backend::Sbi
    }

    fn present(&mut self) -> Vec<Found> {
        use crate::hal::sbi::Modality;
        [
            (Modality::Finger, DeviceKind::FingerprintScanner),
            (Modality::Face, DeviceKind::Camera),
        ]
        .into_iter()
        .flat_map(|(modality, kind)| {
            crate::hal::sbi::discover(&self.config, modality.name())
                .into_iter()
                .filter(move |d| {
                    d.digital_id
                        .device_type
                        .eq_ignore_ascii_case(modality.name())
                })
                .map(move |d| Found {
                    info: DeviceInfo {
                        make: d.digital_id.make.clone(),
                        model: d.digital_id.model.clone(),
                        serial: d.digital_id.serial_no.clone(),
                        backend: Backend::Sbi,
                    },
                    kind,
                    address: format!("{}/{}", d.port, d.device_id),
                })
        })
        .collect()
    }

    fn open(&mut self, found: &Found) -> Result<Opened> {
        use crate::hal::sbi::{SbiCamera, SbiClient, SbiFingerprintScanner, discover};
        let modality = match found.kind {
            DeviceKind::FingerprintScanner => crate::hal::sbi::Modality::Finger,
            DeviceKind::Camera => crate::hal::sbi::Modality::Face,
        };
        let discovered = discover(&self.config, modality.name())
            .into_iter()
            .find(|d| format!("{}/{}", d.port, d.device_id) == found.address)
            .ok_or_else(|| {
                DeviceError::new(
                    ErrorKind::Disconnected,
                    format!("sbi device {} is gone", found.address),
                )
            })?;
        let client = SbiClient::new(discovered.port, self.config.clone());
        Ok(match found.kind {
            DeviceKind::FingerprintScanner => {
                Opened::Scanner(Box::new(SbiFingerprintScanner::open(client, &discovered)?))
            }
            DeviceKind::Camera => Opened::Camera(Box::new(SbiCamera::open(client, &discovered)?)),
        })
    }
}

/// The SBI device certificates the station trusts (`[devices] sbi_trust_dir`). A file there
/// that is not a certificate is an error: the technician put something wrong in place.
pub fn sbi_trust(
    devices: &crate::config::DevicesConfig,
) -> Result<crate::hal::sbi::TrustedCertificates> {
    crate::hal::sbi::TrustedCertificates::load(std::path::Path::new(&devices.sbi_trust_dir))
        .map_err(|e| {
            DeviceError::new(
                ErrorKind::NotSupported,
                format!("sbi: {e} ([devices] sbi_trust_dir)"),
            )
        })
}

/// The sources that `[devices] backends` names, in that order. Training mode adds `sim` when it
/// is not named. An unknown name, or `libfprint` in a build without it, is an error.
pub fn sources_for(config: &crate::config::Config) -> Result<Vec<Box<dyn DeviceSource>>> {
    let devices = &config.devices;
    let mut names: Vec<&str> = devices.backends.iter().map(String::as_str).collect();
    if config.station.training && !names.contains(&"sim") {
        names.push("sim");
    }
    let mut sources: Vec<Box<dyn DeviceSource>> = Vec::new();
    for name in names {
        match name {
            "sim" => {
                let dir = if devices.sim_fixtures.is_empty() {
                    crate::hal::sim::default_fixtures_dir().to_owned()
                } else {
                    std::path::PathBuf::from(&devices.sim_fixtures)
                };
                sources.push(Box::new(crate::hal::sim::SimSource::fixtures(
                    &dir,
                    Duration::from_millis(33),
                )?));
            }
            "uvc" => sources.push(Box::new(crate::hal::uvc::UvcSource::new(
                devices.camera_max_width,
                devices.camera_max_height,
                Duration::from_millis(devices.camera_frame_timeout_ms),
            ))),
            "sbi" => {
                let mut sbi = crate::hal::sbi::SbiConfig::default();
                sbi.trust.training = config.station.training;
                sbi.trust.trusted = sbi_trust(devices)?;
                sources.push(Box::new(SbiSource::new(sbi)));
            }
            #[cfg(all(feature = "libfprint", target_os = "linux"))]
            "libfprint" => sources.push(Box::new(crate::hal::libfprint::LibfprintSource::start()?)),
            #[cfg(not(all(feature = "libfprint", target_os = "linux")))]
            "libfprint" => {
                return Err(DeviceError::new(
                    ErrorKind::NotSupported,
                    "this build has no libfprint backend (build with --features libfprint on Linux)",
                ));
            }
            other => {
                return Err(DeviceError::new(
                    ErrorKind::NotSupported,
                    format!(
                        "unknown device backend {other:?} in [devices] backends: use uvc, sbi, libfprint or sim"
                    ),
                ));
            }
        }
    }
    Ok(sources)
}

impl DeviceManager {
    /// Starts the manager over the backends the configuration names.
    pub fn start(config: &crate::config::Config) -> Result<Self> {
        Ok(Self::with_sources(
            sources_for(config)?,
            Duration::from_millis(config.devices.poll_interval_ms.max(100)),
        ))
    }
}

impl DeviceManager {
    /// The kiosk window's devices: the configured backends, plus the simulated camera and scanner
    /// as stand-ins while no real one is attached when `[devices] simulate_when_absent` is on (a
    /// real device is always preferred, see `claim`).
    pub fn start_kiosk(config: &crate::config::Config) -> Result<Self> {
        let mut config = config.clone();
        let backends = &mut config.devices.backends;
        if config.devices.simulate_when_absent && !backends.iter().any(|b| b == "sim") {
            backends.push("sim".into());
        }
        Self::start(&config)
    }
}
