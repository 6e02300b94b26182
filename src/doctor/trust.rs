//! The `sbi-trust` check: which SBI device certificates the station trusts.

use super::{Check, Status};
use crate::config::Config;

const NAME: &str = "sbi-trust";

/// Whether SBI devices can be verified: the device-provider CAs (and pinned device
/// certificates) in `[devices] sbi_trust_dir`. None installed outside training is a warning:
/// every SBI device is refused until the provider's CA certificate is put in place.
pub fn sbi_trust_check(config: &Config) -> Check {
    let devices = &config.devices;
    if !devices.backends.iter().any(|b| b == "sbi") {
        return Check::new(NAME, Status::Ok, "the SBI backend is not used");
    }
    if config.station.training {
        return Check::new(
            NAME,
            Status::Ok,
            "training mode: SBI data is accepted unverified and marked so",
        );
    }
    let trusted = match crate::hal::manager::sbi_trust(devices) {
        Ok(t) => t,
        Err(e) => return Check::new(NAME, Status::Fail, e.message().to_owned()),
    };
    if trusted.is_empty() {
        return Check::new(
            NAME,
            Status::Warn,
            format!(
                "no trusted SBI device-provider certificate in {}: every SBI device is refused until the provider's CA certificate (PEM) is put there",
                devices.sbi_trust_dir
            ),
        );
    }
    let names: Vec<String> = trusted
        .anchors
        .iter()
        .map(|c| c.tbs_certificate.subject.to_string())
        .collect();
    Check::new(
        NAME,
        Status::Ok,
        format!(
            "{} device-provider CA(s) trusted ({}), {} pinned device certificate(s), in {}",
            trusted.anchors.len(),
            if names.is_empty() {
                "-".to_owned()
            } else {
                names.join("; ")
            },
            trusted.pinned_sha256.len(),
            devices.sbi_trust_dir
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hal::sbi::certify::DeviceCa;

    fn with_dir(dir: &std::path::Path, training: bool) -> Config {
        let mut c = Config::default();
        c.devices.sbi_trust_dir = dir.display().to_string();
        c.station.training = training;
        c
    }

    #[test]
    fn the_check_warns_without_a_trusted_ca_fails_on_a_bad_file_and_names_what_is_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sbi-trust");
        let check = sbi_trust_check(&with_dir(&dir, false));
        assert_eq!(check.status, Status::Warn, "{check:?}");
        assert!(check.message.contains(&*dir.display().to_string()));
        assert_eq!(sbi_trust_check(&with_dir(&dir, true)).status, Status::Ok);
        let mut uvc_only = with_dir(&dir, false);
        uvc_only.devices.backends = vec!["uvc".into()];
        assert_eq!(sbi_trust_check(&uvc_only).status, Status::Ok);

        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("provider.pem"), "not a certificate").unwrap();
        let check = sbi_trust_check(&with_dir(&dir, false));
        assert_eq!(check.status, Status::Fail, "{check:?}");
        assert!(check.message.contains("provider.pem"), "{}", check.message);

        let ca = DeviceCa::generate("Provider CA").unwrap();
        std::fs::write(dir.join("provider.pem"), ca.certificate_pem()).unwrap();
        let check = sbi_trust_check(&with_dir(&dir, false));
        assert_eq!(check.status, Status::Ok, "{check:?}");
        assert!(
            check
                .message
                .starts_with("1 device-provider CA(s) trusted (CN=Provider CA"),
            "{}",
            check.message
        );
    }
}
