//! The simulated SBI service's answers to each method: discovery, device info, captures signed
//! like a registered device's, and the MJPEG preview stream.

use super::*;

/// (device id, SBI type, sub type, sub ids)
pub(super) const DEVICES: [(&str, &str, &str, &[&str]); 2] = [
    ("1", "Finger", "Slap", &["1", "2", "3"]),
    ("2", "Face", "Full face", &["0"]),
];

pub(super) fn digital_id(state: &State, device: usize) -> Vec<u8> {
    let (id, ty, sub, _) = DEVICES[device];
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    serde_json::to_vec(&DigitalId {
        serial_no: format!("{}-{id}", state.serial),
        make: "kattoo".into(),
        model: format!("sim-sbi {ty}"),
        device_type: ty.into(),
        device_sub_type: sub.into(),
        device_provider: "kattoo simulated devices".into(),
        device_provider_id: "kattoo.sim".into(),
        date_time: now,
    })
    .unwrap_or_default()
}

pub(super) fn status(state: &State) -> &'static str {
    if faults(state).busy || state.capturing.load(Ordering::SeqCst) {
        "Busy"
    } else {
        "Ready"
    }
}

pub(super) fn sign(state: &State, payload: &[u8]) -> String {
    sign_with(state, &state.signer, payload)
}

/// Signs capture data: with the capture signer when the simulator has one.
fn sign_capture(state: &State, payload: &[u8]) -> String {
    sign_with(
        state,
        state.capture_signer.as_ref().unwrap_or(&state.signer),
        payload,
    )
}

fn sign_with(state: &State, signer: &JwsSigner, payload: &[u8]) -> String {
    match faults(state).signature {
        SignatureFault::Valid => signer.sign(payload),
        SignatureFault::Unsigned => b64url(payload),
        SignatureFault::Bad => {
            let token = signer.sign(payload);
            let (rest, sig) = token.rsplit_once('.').unwrap_or((&token, ""));
            let mut sig = crate::hal::sbi::jws::b64url_decode(sig).unwrap_or_default();
            if let Some(b) = sig.first_mut() {
                *b ^= 0x55;
            }
            format!("{rest}.{}", b64url(&sig))
        }
    }
}

pub(super) fn discover(state: &State, body: &[u8]) -> Vec<u8> {
    let wanted = serde_json::from_slice::<DiscoverRequest>(body)
        .map(|r| r.device_type)
        .unwrap_or_else(|_| "Biometric Device".into());
    let entries: Vec<DiscoveredEntry> = (0..DEVICES.len())
        .filter(|&i| {
            wanted.eq_ignore_ascii_case("Biometric Device")
                || wanted.eq_ignore_ascii_case(DEVICES[i].1)
        })
        .map(|i| DiscoveredEntry {
            device_id: DEVICES[i].0.into(),
            device_status: status(state).into(),
            certification: "L0".into(),
            service_version: SPEC_VERSION.into(),
            device_sub_id: DEVICES[i].3.iter().map(|s| s.to_string()).collect(),
            callback_id: format!("http://127.0.0.1:{}/", state.port),
            digital_id: b64url(&digital_id(state, i)),
            device_code: format!("{}-{}", state.serial, DEVICES[i].0),
            spec_version: vec![SPEC_VERSION.into()],
            purpose: "Registration".into(),
            error: Some(SbiErrorBlock::success()),
        })
        .collect();
    serde_json::to_vec(&entries).unwrap_or_default()
}

pub(super) fn info(state: &State) -> Vec<u8> {
    let entries: Vec<InfoEntry> = (0..DEVICES.len())
        .map(|i| {
            let payload = DeviceInfoPayload {
                device_status: status(state).into(),
                device_id: DEVICES[i].0.into(),
                firmware: env!("CARGO_PKG_VERSION").into(),
                certification: "L0".into(),
                service_version: SPEC_VERSION.into(),
                device_sub_id: DEVICES[i].3.iter().map(|s| s.to_string()).collect(),
                callback_id: format!("http://127.0.0.1:{}/", state.port),
                digital_id: sign(state, &digital_id(state, i)),
                device_code: format!("{}-{}", state.serial, DEVICES[i].0),
                env: "Developer".into(),
                purpose: "Registration".into(),
                spec_version: vec![SPEC_VERSION.into()],
            };
            InfoEntry {
                device_info: sign(state, &serde_json::to_vec(&payload).unwrap_or_default()),
                error: Some(SbiErrorBlock::success()),
            }
        })
        .collect();
    serde_json::to_vec(&entries).unwrap_or_default()
}

pub(super) fn error_answer(code: u16, info: &str) -> Vec<u8> {
    let entry = BiometricEntry {
        spec_version: SPEC_VERSION.into(),
        error: Some(SbiErrorBlock {
            error_code: code.to_string(),
            error_info: info.into(),
        }),
        ..Default::default()
    };
    serde_json::to_vec(&CaptureResponseBody {
        biometrics: vec![entry],
    })
    .unwrap_or_default()
}

pub(super) fn rcapture(rq: tiny_http::Request, state: &State, body: &[u8]) {
    let port = state.port;
    let f = faults(state);
    let Ok(req) = serde_json::from_slice::<CaptureRequestBody>(body) else {
        let _ = rq.respond(json_response(error_answer(101, "Invalid JSON value"), port));
        return;
    };
    let tx_ok = (4..=50).contains(&req.transaction_id.len())
        && req
            .transaction_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !tx_ok {
        let _ = rq.respond(json_response(
            error_answer(112, "Invalid Transaction ID"),
            port,
        ));
        return;
    }
    if f.busy || state.capturing.swap(true, Ordering::SeqCst) {
        let _ = rq.respond(json_response(error_answer(111, "Device is Busy"), port));
        return;
    }
    let answer = capture_answer(state, &f, &req);
    if !f.delay.is_zero() {
        std::thread::sleep(f.delay);
    }
    if f.vanish {
        tracing::info!(port, "sim-sbi: vanishing mid-capture (fault)");
        state.stop.store(true, Ordering::SeqCst);
        // Wait for the listener to close, then drop the connection without an answer.
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline
            && TcpStream::connect_timeout(
                &(Ipv4Addr::LOCALHOST, port).into(),
                Duration::from_millis(50),
            )
            .is_ok()
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(rq.into_writer());
        state.capturing.store(false, Ordering::SeqCst);
        return;
    }
    state.capturing.store(false, Ordering::SeqCst);
    let _ = rq.respond(json_response(answer, port));
}

pub(super) fn capture_answer(state: &State, f: &SimFaults, req: &CaptureRequestBody) -> Vec<u8> {
    if let Some(code) = f.error_code {
        return error_answer(code, "Simulated device error");
    }
    let Some(bio) = req.bio.first() else {
        return error_answer(101, "No bio block");
    };
    let requested: f64 = bio.requested_score.trim().parse().unwrap_or(0.0);
    let mut records: Vec<(String, Vec<u8>, f64)> = Vec::new();
    if bio.bio_type.eq_ignore_ascii_case("Finger") {
        let Some(set) = bio
            .device_sub_id
            .trim()
            .parse()
            .ok()
            .and_then(finger_set_of_sub_id)
        else {
            return error_answer(109, "Unknown device sub id for a slap scanner");
        };
        let exceptions: Vec<FingerPosition> = bio
            .exception
            .iter()
            .filter_map(|s| finger_from_sub_type(s))
            .collect();
        for p in set
            .positions()
            .into_iter()
            .filter(|p| !exceptions.contains(p))
        {
            let (png, w, h) = &state.fixtures.fingers[&p];
            let quality = if f.low_quality {
                20.0
            } else {
                70.0 + f64::from(p.code())
            };
            let rep = FingerRepresentation::new(
                p,
                *w,
                *h,
                FingerCompression::Png,
                png.clone(),
                Some(quality as u8),
            );
            let iso = FingerRecord::new(vec![rep]).encode().unwrap_or_default();
            records.push((finger_sub_type(p).into(), iso, quality));
        }
    } else if bio.bio_type.eq_ignore_ascii_case("Face") {
        let quality = if f.low_quality { 20.0 } else { 85.0 };
        let (w, h) = state.fixtures.face_size;
        let rep = FaceRepresentation::new(
            w,
            h,
            FaceImageData::Jpeg,
            state.fixtures.face_jpeg.clone(),
            Some(quality as u8),
        );
        records.push((
            String::new(),
            FaceRecord {
                representations: vec![rep],
            }
            .encode()
            .unwrap_or_default(),
            quality,
        ));
    } else {
        return error_answer(109, "Unsupported biometric type");
    }
    let device = usize::from(bio.bio_type.eq_ignore_ascii_case("Face"));
    let digital = sign(state, &digital_id(state, device));
    let mut previous = bio.previous_hash.clone();
    let mut entries = Vec::new();
    for (sub_type, mut iso, quality) in records {
        if f.truncated_iso {
            iso.truncate(iso.len() / 2);
        }
        let hash = chain_hash(&previous, &iso);
        previous = hash.clone();
        let data = BiometricData {
            digital_id: digital.clone(),
            device_code: format!("{}-{}", state.serial, DEVICES[device].0),
            device_service_version: SPEC_VERSION.into(),
            bio_type: DEVICES[device].1.into(),
            bio_sub_type: sub_type,
            purpose: "Registration".into(),
            env: req.env.clone(),
            bio_value: b64url(&iso),
            transaction_id: req.transaction_id.clone(),
            timestamp: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            requested_score: Some(requested),
            quality_score: Some(quality),
        };
        let payload = serde_json::to_vec(&data).unwrap_or_default();
        entries.push(BiometricEntry {
            spec_version: SPEC_VERSION.into(),
            data: sign_capture(state, &payload),
            hash,
            error: Some(SbiErrorBlock::success()),
        });
    }
    let json = serde_json::to_vec(&CaptureResponseBody {
        biometrics: entries,
    })
    .unwrap_or_default();
    if f.malformed_json {
        json[..json.len() / 3].to_vec()
    } else {
        json
    }
}

pub(super) const BOUNDARY: &str = "kattoo-sim-frame";

pub(super) fn stream(rq: tiny_http::Request, state: &State, body: &[u8]) {
    let req = serde_json::from_slice::<StreamRequestBody>(body).ok();
    let device = req
        .as_ref()
        .map(|r| r.device_id.clone())
        .unwrap_or_default();
    let frame = match device.as_str() {
        "1" => state.fixtures.finger_preview.clone(),
        "2" => state.fixtures.face_jpeg.clone(),
        _ => {
            let err = serde_json::json!({ "error": { "errorCode": "106", "errorInfo": "Device not found" } });
            let _ = rq.respond(json_response(err.to_string().into_bytes(), state.port));
            return;
        }
    };
    let limit = req
        .and_then(|r| r.timeout)
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(300_000)
        .min(600_000);
    let end = Instant::now() + Duration::from_millis(limit);
    let mut w = rq.into_writer();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary={BOUNDARY}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    );
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    while Instant::now() < end && !state.stop.load(Ordering::SeqCst) && !faults(state).vanish {
        let part = format!(
            "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            frame.len()
        );
        let ok = w
            .write_all(part.as_bytes())
            .and_then(|_| w.write_all(&frame))
            .and_then(|_| w.write_all(b"\r\n"))
            .and_then(|_| w.flush());
        if ok.is_err() {
            return; // the client went away
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = w
        .write_all(format!("--{BOUNDARY}--\r\n").as_bytes())
        .and_then(|_| w.flush());
}
