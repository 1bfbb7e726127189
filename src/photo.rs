//! Loading a Help Scout photo URL as a small thumbnail for the form's preview.
//!
//! A photo URL names a stranger's server, so the fetch is careful: https only (plain http only
//! for loopback, where the built-in sandbox serves its test photos), a plain GET with no
//! credentials and no cookies, redirects followed by hand so every hop is checked again, at most
//! [`PhotoLimits::max_bytes`] read (refused from `Content-Length`, cut off while streaming when
//! there is none), a content type that must be an image, and a decoder with size limits so a
//! small file declaring huge dimensions is refused before any pixel is allocated. Decoding runs
//! on tokio's blocking pool. Knows nothing about egui: the window turns the pixels into a texture.

use std::io::Cursor;
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use thiserror::Error;
use url::Url;

use crate::backends::http::{is_loopback_url, user_agent};

/// What a preview may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Largest body read, in bytes.
    pub max_bytes: u64,
    /// Largest width or height the decoder accepts, in pixels.
    pub max_side: u32,
    /// Most bytes the decoder may allocate.
    pub max_alloc: u64,
    /// Longest side of the thumbnail, in pixels.
    pub thumbnail_side: u32,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for the whole fetch, every hop and the body included.
    pub timeout: Duration,
    /// Redirects followed at most.
    pub max_redirects: usize,
}

/// Default of [`PhotoLimits::max_bytes`]: 2 MB, far above a profile photo.
pub const MAX_PHOTO_BYTES: u64 = 2 * 1024 * 1024;

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: MAX_PHOTO_BYTES,
            max_side: 4096,
            // A 4096 × 4096 RGBA image and the decoder's own buffers.
            max_alloc: 96 * 1024 * 1024,
            thumbnail_side: 96,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_redirects: 3,
        }
    }
}

/// A decoded, scaled-down photo: RGBA pixels, row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Width in pixels (at most [`PhotoLimits::thumbnail_side`]).
    pub width: u32,
    /// Height in pixels (at most [`PhotoLimits::thumbnail_side`]).
    pub height: u32,
    /// `width × height × 4` bytes, unpremultiplied RGBA.
    pub rgba: Vec<u8>,
    /// The photo's own size, before scaling.
    pub source_size: (u32, u32),
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("source_size", &self.source_size)
            .finish_non_exhaustive()
    }
}

/// Why there is no preview; each says it in the one short line shown under the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhotoError {
    /// Not `https` (and not a loopback `http` address), at the start or after a redirect.
    #[error("Preview needs an https address")]
    NeedsHttps,
    /// The text is not a URL.
    #[error("Preview: not a web address")]
    NotAUrl,
    /// The body is (or says it is) over the byte limit.
    #[error("Preview: larger than {} MB", .limit / (1024 * 1024))]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The content type is not an image, or the bytes are no image format we know.
    #[error("Preview: not an image")]
    NotAnImage,
    /// The dimensions are over the decoder's limits (a decompression bomb, or just huge).
    #[error("Preview: the image is too large to show")]
    TooManyPixels,
    /// An image format we know, but the bytes are broken.
    #[error("Preview: the image could not be read")]
    Undecodable,
    /// No connection (name not found, refused, TLS failed).
    #[error("Preview: could not connect")]
    CouldNotConnect,
    /// No whole answer within the time allowed.
    #[error("Preview: no answer within {} s", .seconds)]
    TimedOut {
        /// The time allowed, in seconds.
        seconds: u64,
    },
    /// The server answered something other than the photo.
    #[error("Preview: the server answered {status}")]
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// More redirects than allowed, or one without a usable `Location`.
    #[error("Preview: too many redirects")]
    Redirects,
    /// The connection broke while the photo was read.
    #[error("Preview: the download broke off")]
    BrokenOff,
}

/// Whether a photo may be fetched from `url`: `https`, or loopback `http`.
///
/// Loopback `http` only when `loopback_allowed`: the first address was loopback, so a public
/// host cannot redirect into the person's own machine.
pub fn check_address(url: &Url, loopback_allowed: bool) -> Result<(), PhotoError> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback_allowed && is_loopback_url(url) => Ok(()),
        _ => Err(PhotoError::NeedsHttps),
    }
}

/// Parses a photo URL as typed (trimmed) and checks it with [`check_address`]; a text that is
/// not a URL gives [`PhotoError::NotAUrl`], before anything is sent.
pub fn parse_photo_url(text: &str) -> Result<Url, PhotoError> {
    let url = Url::parse(text.trim()).map_err(|_not_a_url| PhotoError::NotAUrl)?;
    check_address(&url, true)?;
    Ok(url)
}

/// Fetches photos and turns them into thumbnails. Cheap to share (`Arc`), one per window.
#[derive(Debug, Clone)]
pub struct PhotoFetcher {
    /// For public hosts: the system's proxy settings apply.
    public: reqwest::Client,
    /// For loopback addresses: never through a proxy.
    loopback: reqwest::Client,
    limits: PhotoLimits,
}

/// The HTTP client could not be set up.
#[derive(Debug, Error)]
#[error("could not set up the photo preview's HTTP client: {0}")]
pub struct PhotoSetupError(#[from] reqwest::Error);

impl PhotoFetcher {
    /// A fetcher with `limits`. Its clients send no credentials, keep no cookies and follow no
    /// redirects by themselves ([`Self::thumbnail`] follows them, checking each hop).
    pub fn new(limits: PhotoLimits) -> Result<Self, PhotoSetupError> {
        let builder = || {
            reqwest::Client::builder()
                .user_agent(user_agent())
                .connect_timeout(limits.connect_timeout)
                .timeout(limits.timeout)
                .redirect(reqwest::redirect::Policy::none())
        };
        Ok(Self { public: builder().build()?, loopback: builder().no_proxy().build()?, limits })
    }

    /// Its limits.
    pub fn limits(&self) -> &PhotoLimits {
        &self.limits
    }

    /// The photo at `text` (a URL as typed), fetched and scaled down to a thumbnail; or why not.
    /// Refused addresses are refused before any request.
    pub async fn thumbnail(&self, text: &str) -> Result<Thumbnail, PhotoError> {
        let url = parse_photo_url(text)?;
        let seconds = self.timeout_seconds();
        let bytes = tokio::time::timeout(self.limits.timeout, self.fetch(url))
            .await
            .map_err(|_elapsed| PhotoError::TimedOut { seconds })??;
        let limits = self.limits;
        tokio::task::spawn_blocking(move || decode_thumbnail(&bytes, &limits))
            .await
            .map_err(|_joined| PhotoError::Undecodable)?
    }

    /// The body at `url`, following redirects (each hop checked) and within the byte limit.
    async fn fetch(&self, first: Url) -> Result<Vec<u8>, PhotoError> {
        let loopback_allowed = is_loopback_url(&first);
        let mut url = first;
        for _hop in 0..=self.limits.max_redirects {
            check_address(&url, loopback_allowed)?;
            let client = if is_loopback_url(&url) { &self.loopback } else { &self.public };
            let response = client.get(url.clone()).send().await.map_err(|e| self.transport_error(&e))?;
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|location| url.join(location).ok())
                    .ok_or(PhotoError::Redirects)?;
                url = next;
                continue;
            }
            if !status.is_success() {
                return Err(PhotoError::Status { status: status.as_u16() });
            }
            return self.read_image_body(response).await;
        }
        Err(PhotoError::Redirects)
    }

    /// Checks the answer's type and length, then reads at most the byte limit of it.
    async fn read_image_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, PhotoError> {
        let headers = response.headers();
        if let Some(kind) = headers.get(CONTENT_TYPE) {
            let kind = kind.to_str().unwrap_or_default();
            if !is_image_type(kind) {
                return Err(PhotoError::NotAnImage);
            }
        }
        let limit = self.limits.max_bytes;
        let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit) {
            return Err(PhotoError::TooLarge { limit });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport_error(&e))? {
            let total = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
            if total > limit {
                return Err(PhotoError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The time allowed, in whole seconds rounded up (a message never says "0 s").
    fn timeout_seconds(&self) -> u64 {
        let timeout = self.limits.timeout;
        timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0)
    }

    fn transport_error(&self, error: &reqwest::Error) -> PhotoError {
        if error.is_timeout() {
            PhotoError::TimedOut { seconds: self.timeout_seconds() }
        } else if error.is_connect() {
            PhotoError::CouldNotConnect
        } else if error.is_body() || error.is_decode() {
            PhotoError::BrokenOff
        } else {
            PhotoError::CouldNotConnect
        }
    }
}

/// Content types a photo may come with: any `image/…`, or none in particular (the bytes decide).
fn is_image_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence.starts_with("image/") || essence == "application/octet-stream"
}

/// Decodes `bytes` within `limits` and scales the image down to fit
/// [`PhotoLimits::thumbnail_side`] (a smaller image is kept as it is).
pub fn decode_thumbnail(bytes: &[u8], limits: &PhotoLimits) -> Result<Thumbnail, PhotoError> {
    let mut reader =
        image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_io| PhotoError::NotAnImage)?;
    if reader.format().is_none() {
        return Err(PhotoError::NotAnImage);
    }
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decoder_limits);
    let image = reader.decode().map_err(|error| match error {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        image::ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Undecodable,
    })?;
    let source_size = (image.width(), image.height());
    let side = limits.thumbnail_side;
    let image = if image.width() > side || image.height() > side { image.thumbnail(side, side) } else { image };
    let rgba = image.to_rgba8();
    Ok(Thumbnail { width: rgba.width(), height: rgba.height(), rgba: rgba.into_raw(), source_size })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[test]
    fn only_https_or_loopback_http_may_be_fetched() {
        for allowed in [
            "https://photos.example/a.png",
            "http://127.0.0.1:8080/sandbox/photos/small.png",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert_eq!(check_address(&url(allowed), true), Ok(()), "{allowed}");
        }
        for refused in ["http://photos.example/a.png", "ftp://127.0.0.1/a.png", "file:///etc/passwd", "data:,x"] {
            assert_eq!(check_address(&url(refused), true), Err(PhotoError::NeedsHttps), "{refused}");
        }
        // After a public first address, loopback is out of reach.
        assert_eq!(check_address(&url("http://127.0.0.1:8080/x"), false), Err(PhotoError::NeedsHttps));
        assert_eq!(parse_photo_url("not a url"), Err(PhotoError::NotAUrl));
    }

    #[test]
    fn the_messages_are_the_short_lines_shown_under_the_field() {
        assert_eq!(PhotoError::TooLarge { limit: MAX_PHOTO_BYTES }.to_string(), "Preview: larger than 2 MB");
        assert_eq!(PhotoError::NeedsHttps.to_string(), "Preview needs an https address");
        assert_eq!(PhotoError::TimedOut { seconds: 10 }.to_string(), "Preview: no answer within 10 s");
    }

    #[test]
    fn image_types_and_octet_streams_are_accepted_and_others_not() {
        assert!(is_image_type("image/png"));
        assert!(is_image_type("Image/JPEG; charset=binary"));
        assert!(is_image_type("application/octet-stream"));
        assert!(!is_image_type("text/html; charset=utf-8"));
        assert!(!is_image_type("application/json"));
    }
}
