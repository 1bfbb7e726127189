//! Frame counting for the benchmark script: when asked (`INTAKE_BENCH_REPORT`), the app writes
//! the time to its first frame, the number of frames painted, and the time until the last draft
//! was back in the form to a file, from a side thread, so idle periods (no frames at all) are
//! reported too.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shared counters; cheap to update every frame.
#[derive(Debug)]
pub struct FrameStats {
    frames: Arc<AtomicU64>,
    first_frame_micros: Arc<AtomicU64>,
    restored_micros: Arc<AtomicU64>,
    process_start: Instant,
}

impl FrameStats {
    /// Starts the reporter thread writing to `path` every 100 ms.
    pub fn start(path: PathBuf, process_start: Instant) -> Self {
        let frames = Arc::new(AtomicU64::new(0));
        let first_frame_micros = Arc::new(AtomicU64::new(0));
        let restored_micros = Arc::new(AtomicU64::new(0));
        let (f, ff, r) = (Arc::clone(&frames), Arc::clone(&first_frame_micros), Arc::clone(&restored_micros));
        let spawned = std::thread::Builder::new().name("intake-frame-stats".to_owned()).spawn(move || {
            loop {
                #[expect(clippy::cast_precision_loss, reason = "microseconds since start fit f64 exactly")]
                let report = format!(
                    "{{\"frames\":{},\"first_frame_ms\":{:.1},\"restored_ms\":{:.1}}}\n",
                    f.load(Ordering::Relaxed),
                    ff.load(Ordering::Relaxed) as f64 / 1000.0,
                    r.load(Ordering::Relaxed) as f64 / 1000.0
                );
                if crate::private_files::write_private_file(&path, report.as_bytes()).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        if let Err(err) = spawned {
            tracing::warn!("frame statistics are off: {err}");
        }
        Self { frames, first_frame_micros, restored_micros, process_start }
    }

    /// Records the time since process start at which the last draft was back in the form.
    pub fn on_restored(&self) {
        let micros = u64::try_from(self.process_start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.restored_micros.store(micros, Ordering::Relaxed);
    }

    /// Counts a frame; the first one also records the time since process start.
    pub fn on_frame(&self) {
        if self.frames.fetch_add(1, Ordering::Relaxed) == 0 {
            let micros = u64::try_from(self.process_start.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.first_frame_micros.store(micros, Ordering::Relaxed);
        }
    }
}
