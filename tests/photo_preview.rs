//! The photo URL's preview loader, without a window: sandbox-served photos over real HTTP on
//! 127.0.0.1, and the refusals (an address that is not https, bodies over 2 MB with and
//! without `Content-Length`, a page that is not an image, a decompression bomb, a slow host).

mod net_support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use intake::photo::{MAX_PHOTO_BYTES, PhotoError, PhotoFetcher, PhotoLimits, decode_thumbnail};
use intake::sandbox::{BOMB_SIDE, LARGE_PHOTO_BYTES, PORTRAIT_SIZE, SandboxServer};
use net_support::{UntrustedTlsServer, closed_port, sandbox};

fn fetcher() -> PhotoFetcher {
    PhotoFetcher::new(PhotoLimits::default()).expect("the fetcher is set up")
}

async fn thumbnail_of(server: &SandboxServer, name: &str) -> Result<intake::photo::Thumbnail, PhotoError> {
    fetcher().thumbnail(&server.photo_url(name)).await
}

#[tokio::test]
async fn a_sandbox_png_becomes_a_thumbnail_of_at_most_96_pixels_keeping_its_aspect() {
    let server = sandbox();
    let thumbnail = thumbnail_of(&server, "portrait.png").await.expect("the portrait loads");
    assert_eq!(thumbnail.source_size, PORTRAIT_SIZE);
    // 320 × 200 fitted into 96 × 96.
    assert_eq!((thumbnail.width, thumbnail.height), (96, 60));
    assert_eq!(thumbnail.rgba.len(), 96 * 60 * 4);
    // The gradient survives: red grows to the right, green downwards.
    let pixel = |x: usize, y: usize| &thumbnail.rgba[(y * 96 + x) * 4..(y * 96 + x) * 4 + 4];
    assert!(pixel(90, 0)[0] > pixel(5, 0)[0] + 100, "{:?} {:?}", pixel(90, 0), pixel(5, 0));
    assert!(pixel(0, 55)[1] > pixel(0, 3)[1] + 100, "{:?} {:?}", pixel(0, 55), pixel(0, 3));
}

#[tokio::test]
async fn a_redirect_is_followed_and_every_hop_is_checked_again() {
    let server = sandbox();
    let moved = thumbnail_of(&server, "moved.png").await.expect("a redirect on loopback is followed");
    assert_eq!((moved.width, moved.height), (96, 60));
    // The second hop is plain http to a public name: refused there, before any request to it
    // (one would end in "could not connect": the name cannot resolve).
    assert_eq!(thumbnail_of(&server, "moved-away.png").await, Err(PhotoError::NeedsHttps));
}

#[tokio::test]
async fn an_address_that_is_not_https_is_refused_without_any_request() {
    // 0.0.0.0 reaches this machine's listeners on Linux, but it is not a loopback name: a
    // request would arrive at this listener.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    for text in [
        format!("http://0.0.0.0:{port}/photo.png"),
        format!("ftp://127.0.0.1:{port}/photo.png"),
        "http://photos.example/photo.png".to_owned(),
    ] {
        assert_eq!(fetcher().thumbnail(&text).await, Err(PhotoError::NeedsHttps), "{text}");
    }
    assert!(listener.accept().is_err(), "no connection was made");
    // On Linux the same address with a plain connection does arrive: the refusal above is what
    // kept it out.
    if cfg!(target_os = "linux") {
        let _probe = std::net::TcpStream::connect(("0.0.0.0", port)).expect("0.0.0.0 reaches loopback");
        listener.set_nonblocking(false).expect("blocking");
        assert!(listener.accept().is_ok(), "a plain connection to 0.0.0.0 reaches the listener");
    }
    assert_eq!(fetcher().thumbnail("not a web address").await, Err(PhotoError::NotAUrl));
}

#[tokio::test]
async fn https_is_checked_for_real_and_a_closed_port_cannot_connect() {
    let untrusted = UntrustedTlsServer::start();
    let url = format!("https://localhost:{}/photo.png", untrusted.port());
    assert_eq!(fetcher().thumbnail(&url).await, Err(PhotoError::CouldNotConnect), "an untrusted certificate");
    let url = format!("http://127.0.0.1:{}/photo.png", closed_port());
    assert_eq!(fetcher().thumbnail(&url).await, Err(PhotoError::CouldNotConnect));
}

#[tokio::test]
async fn a_20_mb_image_is_refused_with_and_without_content_length() {
    let server = sandbox();
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    // The two photos differ as they should: one declares its length, the other is chunked.
    let declared = client.get(server.photo_url("large.png")).send().await.expect("answer");
    assert_eq!(declared.content_length(), Some(LARGE_PHOTO_BYTES));
    drop(declared);
    let streamed = client.get(server.photo_url("large-streamed.png")).send().await.expect("answer");
    assert!(streamed.headers().get(reqwest::header::CONTENT_LENGTH).is_none());
    assert_eq!(streamed.headers()[reqwest::header::TRANSFER_ENCODING], "chunked");
    drop(streamed);

    for name in ["large.png", "large-streamed.png"] {
        let refused = thumbnail_of(&server, name).await;
        assert_eq!(refused, Err(PhotoError::TooLarge { limit: MAX_PHOTO_BYTES }), "{name}");
        assert_eq!(refused.expect_err("refused").to_string(), "Preview: larger than 2 MB");
    }
}

#[tokio::test]
async fn the_byte_limit_is_exact() {
    // A limit one byte under the portrait's length refuses it, one equal to it lets it through.
    let server = sandbox();
    let length = u64::try_from(intake::sandbox::portrait_png().len()).expect("small");
    let limits = |max_bytes| PhotoLimits { max_bytes, ..PhotoLimits::default() };
    let at_limit = PhotoFetcher::new(limits(length)).expect("fetcher");
    assert!(at_limit.thumbnail(&server.photo_url("portrait.png")).await.is_ok());
    let under = PhotoFetcher::new(limits(length - 1)).expect("fetcher");
    assert!(matches!(under.thumbnail(&server.photo_url("portrait.png")).await, Err(PhotoError::TooLarge { .. })));
}

#[tokio::test]
async fn a_page_that_is_not_an_image_is_refused() {
    let server = sandbox();
    let refused = thumbnail_of(&server, "not-an-image.html").await;
    assert_eq!(refused, Err(PhotoError::NotAnImage));
    assert_eq!(refused.expect_err("refused").to_string(), "Preview: not an image");
    // Bytes that are no image, whatever they are labelled as, are refused by the decoder.
    assert_eq!(decode_thumbnail(b"<html>hello</html>", &PhotoLimits::default()), Err(PhotoError::NotAnImage));
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_before_its_pixels_are_allocated() {
    let server = sandbox();
    let bytes = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(server.photo_url("bomb.png"))
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("body");
    assert!(bytes.len() < 200, "the bomb is tiny: {} bytes", bytes.len());
    let declared = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .expect("read")
        .into_dimensions()
        .expect("a valid PNG header");
    assert_eq!(declared, (BOMB_SIDE, BOMB_SIDE), "it declares 100000 × 100000 pixels");
    assert_eq!(thumbnail_of(&server, "bomb.png").await, Err(PhotoError::TooManyPixels));
}

#[tokio::test]
async fn a_host_slower_than_the_time_allowed_times_out() {
    let server = sandbox();
    let limits = PhotoLimits { timeout: Duration::from_millis(300), ..PhotoLimits::default() };
    let fetcher = PhotoFetcher::new(limits).expect("fetcher");
    let refused = fetcher.thumbnail(&format!("{}?ms=5000", server.photo_url("slow.png"))).await;
    assert_eq!(refused, Err(PhotoError::TimedOut { seconds: 1 }));
}

#[tokio::test]
async fn the_request_is_a_plain_get_with_no_credentials_or_cookies() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let portrait = intake::sandbox::portrait_png();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("the request arrives");
        let mut head = Vec::new();
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a line");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let answer =
            format!("HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\n\r\n", portrait.len());
        stream.write_all(answer.as_bytes()).expect("write");
        stream.write_all(&portrait).expect("write");
        head
    });
    let loaded = fetcher().thumbnail(&format!("http://127.0.0.1:{port}/me.png")).await;
    assert!(loaded.is_ok(), "{loaded:?}");
    let head = server.join().expect("the server thread");
    assert_eq!(head[0], "GET /me.png HTTP/1.1");
    for line in &head[1..] {
        let name = line.split(':').next().unwrap_or_default().to_ascii_lowercase();
        assert!(["host", "user-agent", "accept", "accept-encoding"].contains(&name.as_str()), "{line}");
    }
}

#[test]
fn a_jpeg_decodes_too() {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(200, 400, image::Rgb([10, 200, 30])));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Jpeg).expect("encode");
    let thumbnail = decode_thumbnail(bytes.get_ref(), &PhotoLimits::default()).expect("decodes");
    assert_eq!((thumbnail.width, thumbnail.height), (48, 96));
    assert_eq!(thumbnail.source_size, (200, 400));
}

#[test]
fn a_small_image_is_kept_at_its_size() {
    let image = image::DynamicImage::ImageRgba8(image::RgbaImage::new(40, 30));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).expect("encode");
    let thumbnail = decode_thumbnail(bytes.get_ref(), &PhotoLimits::default()).expect("decodes");
    assert_eq!((thumbnail.width, thumbnail.height), (40, 30));
}

#[test]
fn an_image_over_the_side_limit_is_refused_however_it_is_made() {
    let image = image::DynamicImage::ImageLuma8(image::GrayImage::new(300, 10));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).expect("encode");
    let limits = PhotoLimits { max_side: 256, ..PhotoLimits::default() };
    assert_eq!(decode_thumbnail(bytes.get_ref(), &limits), Err(PhotoError::TooManyPixels));
    assert!(decode_thumbnail(bytes.get_ref(), &PhotoLimits::default()).is_ok());
}

#[tokio::test]
async fn the_photos_need_no_credentials_but_are_still_only_served_to_the_sandboxs_own_name() {
    let server = sandbox();
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let photo = client.get(server.photo_url("portrait.png")).send().await.expect("answer");
    assert_eq!(photo.status(), 200, "a public photo needs no key or token");
    assert_eq!(photo.headers()[reqwest::header::CONTENT_TYPE], "image/png");
    let api = client.get(format!("{}/v2/users/me", server.helpscout_base_url())).send().await.expect("answer");
    assert_eq!(api.status(), 401, "the API routes still need a token");
    let rebound =
        client.get(server.photo_url("portrait.png")).header("Host", "photos.example").send().await.expect("answer");
    assert_eq!(rebound.status(), 421, "the Host check applies to the photos too");
    let unknown = client.get(server.photo_url("nothing.png")).send().await.expect("answer");
    assert_eq!(unknown.status(), 404);
    let text = unknown.text().await.expect("text");
    for name in intake::sandbox::photo_names() {
        assert!(text.contains(name), "the 404 names {name}: {text}");
    }
}
