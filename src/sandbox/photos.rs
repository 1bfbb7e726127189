//! Test photos for the Help Scout photo URL's preview, under `/sandbox/photos/{name}`: a small
//! PNG, bodies over the preview's 2 MB limit (with and without `Content-Length`), a page that
//! is not an image, a decompression bomb, a slow photo and two redirects. Everything is
//! generated when asked for; nothing is stored in the repository.
//!
//! The route needs no credentials (see [`super::guard`]): a photo URL is public on the real
//! web, and the preview must never send a profile's token to a photo host.

use std::convert::Infallible;
use std::io::Cursor;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use hyper::body::{Frame, SizeHint};
use serde::Deserialize;

use super::state::Shared;

/// The path the photos are served under.
pub const PHOTOS_PATH: &str = "/sandbox/photos";

/// Size of [`PhotoKind::Portrait`]: wider than tall, so a thumbnail's aspect shows.
pub const PORTRAIT_SIZE: (u32, u32) = (320, 200);
/// Bytes of the too-large photos: ten times the preview's limit.
pub const LARGE_PHOTO_BYTES: u64 = 20 * 1024 * 1024;
/// Width and height the bomb's header declares.
pub const BOMB_SIDE: u32 = 100_000;
/// Default and longest wait of the slow photo, in milliseconds.
const SLOW_DEFAULT_MS: u64 = 3_000;
const SLOW_MAX_MS: u64 = 60_000;

/// What a test photo's name serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhotoKind {
    /// A 320 × 200 PNG.
    Portrait,
    /// 20 MB labelled `image/png`, its length declared in `Content-Length` or not (streamed).
    Large { declared: bool },
    /// An HTML page.
    NotAnImage,
    /// A PNG of a few bytes whose header declares 100000 × 100000 pixels.
    Bomb,
    /// The portrait after `?ms=` milliseconds (3000 by default).
    Slow,
    /// A 302 to this location (relative to the photos, or absolute).
    Redirect(&'static str),
}

/// The photos by name.
const PHOTOS: &[(&str, PhotoKind)] = &[
    ("portrait.png", PhotoKind::Portrait),
    ("large.png", PhotoKind::Large { declared: true }),
    ("large-streamed.png", PhotoKind::Large { declared: false }),
    ("not-an-image.html", PhotoKind::NotAnImage),
    ("bomb.png", PhotoKind::Bomb),
    ("slow.png", PhotoKind::Slow),
    ("moved.png", PhotoKind::Redirect("portrait.png")),
    ("moved-away.png", PhotoKind::Redirect("http://photos.invalid/portrait.png")),
];

/// The names served, for the README and the 404's message.
pub fn photo_names() -> impl Iterator<Item = &'static str> {
    PHOTOS.iter().map(|(name, _)| *name)
}

/// The routes, relative to [`PHOTOS_PATH`].
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().route("/{name}", get(photo)).with_state(shared)
}

#[derive(Debug, Deserialize)]
struct SlowQuery {
    ms: Option<u64>,
}

async fn photo(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    Query(query): Query<SlowQuery>,
) -> Response {
    let Some(kind) = PHOTOS.iter().find(|(known, _)| *known == name).map(|(_, kind)| *kind) else {
        let names = photo_names().collect::<Vec<_>>().join(", ");
        return plain(StatusCode::NOT_FOUND, format!("No such test photo; the sandbox serves {names}"));
    };
    match kind {
        PhotoKind::Portrait => png(portrait_png()),
        PhotoKind::Large { declared } => large(declared),
        PhotoKind::NotAnImage => {
            let mut response = plain(StatusCode::OK, "<!doctype html><title>Not a photo</title><p>Hello".to_owned());
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response
        }
        PhotoKind::Bomb => png(bomb_png()),
        PhotoKind::Slow => {
            let wait = Duration::from_millis(query.ms.unwrap_or(SLOW_DEFAULT_MS).min(SLOW_MAX_MS));
            let mut stopped = shared.stopped.clone();
            tokio::select! {
                () = tokio::time::sleep(wait) => png(portrait_png()),
                _ = stopped.wait_for(|stopped| *stopped) => plain(StatusCode::SERVICE_UNAVAILABLE, "Stopping".to_owned()),
            }
        }
        PhotoKind::Redirect(location) => {
            let mut response = plain(StatusCode::FOUND, format!("Moved to {location}"));
            if let Ok(value) = HeaderValue::from_str(location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

fn png(bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    response
}

/// [`LARGE_PHOTO_BYTES`] of a PNG's signature and zeros, made while it is sent.
fn large(declared: bool) -> Response {
    let mut response = Response::new(Body::new(Zeros { left: LARGE_PHOTO_BYTES, declared, started: false }));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    response
}

/// The portrait: a gradient, encoded as PNG.
pub fn portrait_png() -> Vec<u8> {
    let (width, height) = PORTRAIT_SIZE;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        // Both below 256: x < 320 scaled by 255/320, y < 200 scaled by 255/200.
        let red = u8::try_from(x * 255 / width).unwrap_or(u8::MAX);
        let green = u8::try_from(y * 255 / height).unwrap_or(u8::MAX);
        image::Rgb([red, green, 160])
    });
    encode_png(&image::DynamicImage::ImageRgb8(image))
}

/// A 1 × 1 PNG whose header is rewritten to declare [`BOMB_SIDE`] × [`BOMB_SIDE`] (its CRC
/// recomputed, so only a size limit stops a decoder from allocating 40 GB for it).
pub fn bomb_png() -> Vec<u8> {
    let mut bytes = encode_png(&image::DynamicImage::ImageRgb8(image::RgbImage::new(1, 1)));
    // Signature (8), IHDR's length (4) and type (4), then width and height; the CRC covers the
    // type and the 13 bytes of data.
    if bytes.len() >= 33 && &bytes[12..16] == b"IHDR" {
        bytes[16..20].copy_from_slice(&BOMB_SIDE.to_be_bytes());
        bytes[20..24].copy_from_slice(&BOMB_SIDE.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    }
    bytes
}

fn encode_png(image: &image::DynamicImage) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    if let Err(error) = image.write_to(&mut bytes, image::ImageFormat::Png) {
        tracing::warn!("sandbox: could not encode a test photo: {error}");
    }
    bytes.into_inner()
}

/// CRC-32 (ISO-HDLC, PNG's), bit by bit: only used on a 17-byte chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A body of `left` bytes (a PNG signature, then zeros) sent in 64 KiB frames; with `declared`
/// its exact size is known, so hyper writes `Content-Length`, otherwise it is chunked.
struct Zeros {
    left: u64,
    declared: bool,
    started: bool,
}

/// The first frame: a PNG signature, then zeros.
static FIRST_CHUNK: [u8; 64 * 1024] = {
    let mut chunk = [0; 64 * 1024];
    let signature = *b"\x89PNG\r\n\x1a\n";
    let mut i = 0;
    while i < signature.len() {
        chunk[i] = signature[i];
        i += 1;
    }
    chunk
};
/// Every later frame.
static ZERO_CHUNK: [u8; 64 * 1024] = [0; 64 * 1024];

impl hyper::body::Body for Zeros {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let source: &'static [u8] = if self.started { &ZERO_CHUNK } else { &FIRST_CHUNK };
        self.started = true;
        let length = usize::try_from(self.left).map_or(source.len(), |left| left.min(source.len()));
        self.left = self.left.saturating_sub(u64::try_from(length).unwrap_or(u64::MAX));
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&source[..length])))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.declared { SizeHint::with_exact(self.left) } else { SizeHint::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_pngs() {
        // The CRC of "IEND", found in every PNG.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn the_bomb_declares_its_size_with_a_valid_crc() {
        let bomb = bomb_png();
        assert_eq!(&bomb[16..20], &BOMB_SIDE.to_be_bytes());
        assert_eq!(&bomb[29..33], &crc32(&bomb[12..29]).to_be_bytes());
        assert!(bomb.len() < 200, "a few bytes: {}", bomb.len());
    }
}
