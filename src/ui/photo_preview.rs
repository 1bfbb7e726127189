//! The thumbnail under Help Scout's photo URL, fetched off the UI thread.
//!
//! It is fetched once typing pauses (or the field loses focus), only for a URL that parses, and
//! shown for that URL only. A URL that came with a draft is fetched only when the person asks
//! (Load preview, or leaving the field).
//!
//! Each fetch belongs to the URL it was started for; a changed URL drops it (and aborts it), so
//! a late answer for an old URL has nowhere to arrive. Failures are one quiet line under the
//! field, never an error of the form: the form's own check of `photoUrl` is separate. While
//! nothing is pending the window does not repaint: the pause is waited with
//! `request_repaint_after`, and an arriving result wakes the window itself (see
//! [`super::jobs`]).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use egui::{RichText, Ui};

use super::jobs::{Background, Job};
use crate::photo::{PhotoError, PhotoFetcher, PhotoLimits, Thumbnail, parse_photo_url};

/// How long typing must pause before the photo is fetched, in seconds.
pub const DEBOUNCE_SECS: f64 = 0.4;

/// The accessible name of the thumbnail, what a screen reader says for it.
pub const PREVIEW_ALT_TEXT: &str = "Photo preview";

/// Where the preview of the current URL stands.
#[derive(Default)]
enum Stage {
    /// Nothing to show: no URL, or one that does not parse (the form says why).
    #[default]
    Empty,
    /// A URL the person did not type (it came with a draft): fetched only when asked, so
    /// opening a file never makes a request to a host named in it.
    Offered,
    /// Typed at `since` (egui time); fetched once typing pauses.
    Waiting { since: f64 },
    /// Being fetched.
    Loading(Job<Result<Thumbnail, String>>),
    /// Shown.
    Shown { texture: egui::TextureHandle, source_size: (u32, u32) },
    /// Why there is no preview, in one short line.
    Failed(String),
}

/// The photo URL's preview: the URL it is for, and its stage.
pub struct PhotoPreview {
    background: Background,
    /// Made by the first fetch, off the UI thread; or why it could not be.
    fetcher: Arc<OnceLock<Result<PhotoFetcher, String>>>,
    limits: PhotoLimits,
    /// The URL (trimmed) the stage is for.
    url: String,
    stage: Stage,
}

impl std::fmt::Debug for PhotoPreview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoPreview").field("url", &self.url).finish_non_exhaustive()
    }
}

impl Default for PhotoPreview {
    fn default() -> Self {
        Self::new(Background::default())
    }
}

impl PhotoPreview {
    /// A preview fetching on the window's `background` runtime.
    pub fn new(background: Background) -> Self {
        Self {
            background,
            fetcher: Arc::default(),
            limits: PhotoLimits::default(),
            url: String::new(),
            stage: Stage::Empty,
        }
    }

    /// Whether a fetch is waiting for typing to pause or running: a test waits for it.
    pub fn is_busy(&self) -> bool {
        matches!(self.stage, Stage::Waiting { .. } | Stage::Loading(_))
    }

    /// The line shown under the field when there is no thumbnail, if any.
    pub fn message(&self) -> Option<&str> {
        match &self.stage {
            Stage::Failed(message) => Some(message),
            _ => None,
        }
    }

    /// Follows the field's `text` this frame: a new URL drops what was shown or fetched for the
    /// old one; a pause in typing (or `field` losing focus) starts the fetch; a finished fetch
    /// becomes the thumbnail. Then draws the thumbnail or the line.
    pub fn ui(&mut self, ui: &mut Ui, text: &str, field: &egui::Response) {
        let now = ui.input(|input| input.time);
        let trimmed = text.trim();
        if trimmed != self.url {
            trimmed.clone_into(&mut self.url);
            let stage = match (trimmed.is_empty(), field.changed()) {
                (true, _) => Stage::Empty,
                (false, true) => Stage::Waiting { since: now },
                (false, false) => Stage::Offered,
            };
            self.set_stage(stage);
        }
        let due = match self.stage {
            Stage::Waiting { since } => {
                let left = since + DEBOUNCE_SECS - now;
                if left > 0.0 && !field.lost_focus() {
                    ui.ctx().request_repaint_after(Duration::from_secs_f64(left));
                }
                left <= 0.0 || field.lost_focus()
            }
            Stage::Offered => field.lost_focus(),
            _ => false,
        };
        if due {
            self.fetch_now(ui.ctx());
        }
        self.poll(ui.ctx());
        if self.draw(ui) {
            self.fetch_now(ui.ctx());
        }
    }

    /// Starts the fetch of the current URL (or says why not), dropping what was there.
    fn fetch_now(&mut self, ctx: &egui::Context) {
        let stage = self.start(ctx);
        self.set_stage(stage);
    }

    /// Replaces the stage; a fetch under way is aborted (its answer is dropped with it).
    fn set_stage(&mut self, stage: Stage) {
        if let Stage::Loading(job) = std::mem::replace(&mut self.stage, stage) {
            job.abort();
        }
    }

    /// The fetch of the current URL, or why there is none. An address the preview refuses is
    /// refused here, before any request.
    fn start(&self, ctx: &egui::Context) -> Stage {
        match parse_photo_url(&self.url) {
            Ok(_) => {}
            Err(PhotoError::NotAUrl) => return Stage::Empty,
            Err(refused) => return Stage::Failed(refused.to_string()),
        }
        let (fetcher, limits, url) = (Arc::clone(&self.fetcher), self.limits, self.url.clone());
        let work = async move {
            // Made on the network thread: setting up TLS reads the system's certificates.
            let fetcher = fetcher.get_or_init(|| PhotoFetcher::new(limits).map_err(|e| format!("Preview: {e}")));
            match fetcher {
                Ok(fetcher) => fetcher.thumbnail(&url).await.map_err(|refused| refused.to_string()),
                Err(reason) => Err(reason.clone()),
            }
        };
        match self.background.spawn(ctx, work) {
            Ok(job) => Stage::Loading(job),
            Err(error) => Stage::Failed(format!("Preview: {error}")),
        }
    }

    /// Turns a finished fetch into the thumbnail's texture, or its line.
    fn poll(&mut self, ctx: &egui::Context) {
        let Stage::Loading(job) = &self.stage else { return };
        let stage = match job.poll() {
            Ok(None) => return,
            Ok(Some(Ok(thumbnail))) => {
                let size = [thumbnail.width as usize, thumbnail.height as usize];
                let image = egui::ColorImage::from_rgba_unmultiplied(size, &thumbnail.rgba);
                let texture = ctx.load_texture("photo-preview", image, egui::TextureOptions::LINEAR);
                Stage::Shown { texture, source_size: thumbnail.source_size }
            }
            Ok(Some(Err(line))) => Stage::Failed(line),
            Err(lost) => Stage::Failed(format!("Preview: {lost}")),
        };
        self.stage = stage;
    }

    /// Draws the stage; returns whether the person asked for the preview of an offered URL.
    fn draw(&self, ui: &mut Ui) -> bool {
        match &self.stage {
            Stage::Empty | Stage::Waiting { .. } => {}
            Stage::Offered => {
                return ui
                    .small_button("Load preview")
                    .on_hover_text("Fetch this address's photo to show it here")
                    .clicked();
            }
            Stage::Loading(_) => {
                ui.label(RichText::new("Preview: loading…").small().weak());
            }
            Stage::Shown { texture, source_size: (width, height) } => {
                ui.add(egui::Image::new(texture).alt_text(PREVIEW_ALT_TEXT).fit_to_original_size(1.0))
                    .on_hover_text(format!("{width} × {height} pixels"));
            }
            Stage::Failed(message) => {
                ui.label(RichText::new(message).small().weak());
            }
        }
        false
    }
}
