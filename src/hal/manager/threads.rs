//! The manager's threads: the poller that opens what is attached and marks what went, and one
//! worker per opened device that runs its jobs in order.

use super::*;

pub(super) fn run_poller(
    mut sources: Vec<Box<dyn DeviceSource>>,
    table: &Arc<Table>,
    control: &Receiver<Control>,
    interval: Duration,
) {
    let mut generation = 0;
    poll(&mut sources, table, &mut generation);
    loop {
        match control.recv_timeout(interval) {
            Ok(Control::Refresh(done)) => {
                poll(&mut sources, table, &mut generation);
                let _ = done.send(());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => poll(&mut sources, table, &mut generation),
            Ok(Control::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// One look at every source: open what is new or back, mark what is gone as missing.
fn poll(sources: &mut [Box<dyn DeviceSource>], table: &Arc<Table>, generation: &mut u64) {
    let mut seen = BTreeSet::new();
    for source in sources.iter_mut() {
        for found in source.present() {
            let id = found.info.device_id();
            seen.insert(id.clone());
            let needs_open = table.lock().get(&id).is_none_or(|e| e.jobs.is_none());
            if !needs_open {
                continue;
            }
            // Opening may take a while: no lock held.
            let opened = source.open(&found);
            *generation += 1;
            let mut rows = table.lock();
            let entry = rows.entry(id.clone()).or_insert_with(|| Entry {
                status: DeviceStatus {
                    info: found.info.clone(),
                    kind: found.kind,
                    state: DeviceState::Missing,
                    last_error: None,
                },
                jobs: None,
                generation: 0,
            });
            entry.generation = *generation;
            entry.status.info = found.info.clone();
            match opened {
                Ok(device) => {
                    tracing::info!(device = %id, "device ready");
                    entry.jobs = Some(spawn_worker(id, *generation, device, table.clone()));
                    entry.status.state = DeviceState::Ready;
                }
                Err(e) => {
                    if entry.status.last_error.as_ref() != Some(&e) {
                        tracing::warn!(device = %id, kind = ?e.kind(), error = e.message(), "device does not open");
                    }
                    entry.status.last_error = Some(e);
                    entry.status.state = DeviceState::Missing;
                }
            }
        }
    }
    for (id, entry) in table.lock().iter_mut() {
        if !seen.contains(id) && entry.status.state != DeviceState::Missing {
            tracing::warn!(device = %id, "device unplugged");
            entry.jobs = None; // the worker ends after its current call
            entry.status.state = DeviceState::Missing;
            entry.status.last_error = Some(DeviceError::new(ErrorKind::Disconnected, "unplugged"));
        }
    }
}

pub(super) fn spawn_worker(
    id: String,
    generation: u64,
    device: Opened,
    table: Arc<Table>,
) -> Sender<Job> {
    let (tx, jobs) = mpsc::channel();
    let name = format!("device {id}");
    let spawned = std::thread::Builder::new()
        .name(name)
        .spawn(move || match device {
            Opened::Scanner(scanner) => run_scanner(&id, generation, scanner, &jobs, &table),
            Opened::Camera(camera) => run_camera(&id, generation, camera, &jobs, &table),
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start a device worker thread");
    }
    tx
}

fn not_supported(what: &str) -> DeviceError {
    DeviceError::new(
        ErrorKind::NotSupported,
        format!("this device cannot {what}"),
    )
}

fn run_scanner(
    id: &str,
    generation: u64,
    mut scanner: Box<dyn FingerprintScanner>,
    jobs: &Receiver<Job>,
    table: &Table,
) {
    for job in jobs {
        match job {
            Job::Capture(request, reply) => {
                let result = scanner.capture(&request);
                table.report(id, generation, result.as_ref().err(), false);
                let _ = reply.send(result);
            }
            Job::Still(reply) => {
                let _ = reply.send(Err(not_supported("take a photo")));
            }
            Job::Preview(frames) => {
                let _ = frames.try_send(Err(not_supported("show a preview")));
            }
        }
    }
}

fn run_camera(
    id: &str,
    generation: u64,
    mut camera: Box<dyn Camera>,
    jobs: &Receiver<Job>,
    table: &Table,
) {
    let mut preview: Option<SyncSender<Result<Frame>>> = None;
    loop {
        let job = if preview.is_some() {
            match jobs.try_recv() {
                Ok(job) => Some(job),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return,
            }
        } else {
            match jobs.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            }
        };
        match job {
            Some(Job::Preview(frames)) => preview = Some(frames),
            Some(Job::Still(reply)) => {
                let result = camera.still();
                table.report(id, generation, result.as_ref().err(), preview.is_some());
                let _ = reply.send(result);
            }
            Some(Job::Capture(_, reply)) => {
                let _ = reply.send(Err(not_supported("capture fingers")));
            }
            None => {}
        }
        if let Some(frames) = &preview {
            let result = camera.frame();
            let unplugged = matches!(&result, Err(e) if e.kind() == ErrorKind::Disconnected);
            let error = result.as_ref().err().cloned();
            let gone = match frames.try_send(result) {
                Ok(()) | Err(TrySendError::Full(_)) => false,
                Err(TrySendError::Disconnected(_)) => true,
            };
            let stop = unplugged || gone;
            // Report before the stream closes, so whoever sees it end sees the new state too.
            if error.is_some() || stop {
                table.report(id, generation, error.as_ref(), !stop);
            }
            if stop {
                preview = None;
            }
        }
    }
}
