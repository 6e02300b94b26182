//! `kattoo sim-sbi`: serve the fixture fingerprints and face as a MOSIP SBI 0.9.5 device service
//! on 127.0.0.1, with fault knobs, so the real SBI client can be tried without hardware.

use crate::hal::sbi::sim::{SignatureFault, SimConfig, SimFaults, SimSbi, default_fixtures};
use anyhow::Context as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `kattoo sim-sbi`.
#[derive(Debug, clap::Args)]
pub struct SimSbiArgs {
    /// Port to listen on (4501–4600); default: the first free one.
    #[arg(long, value_parser = clap::value_parser!(u16).range(4501..=4600))]
    pub port: Option<u16>,
    /// Directory with fingers/1NN_1.png and faces/astronaut.png.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Serial number prefix of the simulated devices.
    #[arg(long, default_value = "KATTOOSIM0001")]
    pub serial: String,
    /// Fault: wait this many milliseconds before answering a capture.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub delay_ms: u64,
    /// Fault: report Busy and refuse captures with error 111.
    #[arg(long)]
    pub busy: bool,
    /// Fault: answer captures with this SBI error code (100–112, 5xx).
    #[arg(long, value_name = "CODE")]
    pub fail_code: Option<u16>,
    /// Fault: report low quality scores.
    #[arg(long)]
    pub low_quality: bool,
    /// Fault: send unsigned data.
    #[arg(long, conflicts_with = "bad_signature")]
    pub unsigned: bool,
    /// Fault: send signatures that do not verify.
    #[arg(long)]
    pub bad_signature: bool,
    /// Fault: answer captures with malformed JSON.
    #[arg(long)]
    pub malformed_json: bool,
    /// Fault: send truncated ISO records.
    #[arg(long)]
    pub truncated_iso: bool,
    /// Fault: stop listening and drop the connection on the first capture.
    #[arg(long)]
    pub vanish: bool,
}

impl SimSbiArgs {
    fn faults(&self) -> SimFaults {
        SimFaults {
            delay: Duration::from_millis(self.delay_ms),
            busy: self.busy,
            error_code: self.fail_code,
            low_quality: self.low_quality,
            signature: if self.unsigned {
                SignatureFault::Unsigned
            } else if self.bad_signature {
                SignatureFault::Bad
            } else {
                SignatureFault::Valid
            },
            malformed_json: self.malformed_json,
            truncated_iso: self.truncated_iso,
            vanish: self.vanish,
        }
    }
}

/// Runs the simulator until it is interrupted (or vanishes).
pub fn run(args: SimSbiArgs) -> anyhow::Result<ExitCode> {
    let ports = args.port.map_or(crate::hal::sbi::PORT_RANGE, |p| p..=p);
    let config = SimConfig {
        ports,
        fixtures: args.fixtures.clone().unwrap_or_else(default_fixtures),
        faults: args.faults(),
        serial: args.serial.clone(),
        ..SimConfig::default()
    };
    let fixtures = config.fixtures.display().to_string();
    let sim = SimSbi::start(config)
        .with_context(|| format!("starting the simulated SBI service (fixtures in {fixtures})"))?;
    use sha2::Digest;
    println!(
        "sim-sbi: serving on http://127.0.0.1:{} (device 1: Finger slap, device 2: Face)",
        sim.port()
    );
    println!(
        "sim-sbi: signing certificate sha256 {}",
        hex::encode(sha2::Sha256::digest(sim.certificate_der()))
    );
    if args.faults() != SimFaults::default() {
        println!("sim-sbi: faults {:?}", args.faults());
    }
    println!("sim-sbi: press Ctrl-C to stop");
    sim.wait();
    println!("sim-sbi: stopped");
    Ok(ExitCode::SUCCESS)
}
