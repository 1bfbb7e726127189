//! GUI tests of the photo URL's preview on the Help Scout form's Metadata tab: a sandbox photo
//! typed into the field becomes a thumbnail, refusals are one quiet line under the field, a
//! late answer for an old URL never shows, and a URL that came with a draft is fetched only
//! when asked.

mod gui_support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use gui_support::{
    app_harness, click, has_label, replace_text, shown, step_until, step_until_shown, tab_label, type_into,
};
use intake::model::Backend;
use intake::sandbox::{SandboxConfig, SandboxServer};
use intake::ui::IntakeApp;
use intake::ui::photo_preview::PREVIEW_ALT_TEXT;

/// The Help Scout form on its Metadata tab.
fn metadata_tab() -> Harness<'static, IntakeApp> {
    let mut harness = app_harness(Backend::HelpScout);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();
    harness
}

fn photo_sandbox() -> SandboxServer {
    SandboxServer::start(SandboxConfig::default()).expect("the sandbox starts")
}

/// Steps the window in real time for `duration`: long enough for an answer that must not show
/// to have arrived. (Nothing asserts how long anything took.)
fn keep_running_for(harness: &mut Harness<'static, IntakeApp>, duration: Duration) {
    let until = Instant::now() + duration;
    step_until(harness, "the time to pass", |_| Instant::now() >= until);
}

/// The sandbox's portrait typed into the Photo URL field, once its thumbnail shows.
fn portrait_typed() -> (SandboxServer, Harness<'static, IntakeApp>) {
    let sandbox = photo_sandbox();
    let mut harness = metadata_tab();
    type_into(&mut harness, "Photo URL", &sandbox.photo_url("portrait.png"));
    step_until_shown(&mut harness, PREVIEW_ALT_TEXT);
    (sandbox, harness)
}

#[test]
fn typing_a_sandbox_photo_url_shows_its_thumbnail() {
    let (_sandbox, harness) = portrait_typed();
    let thumbnail = harness.get_by_label(PREVIEW_ALT_TEXT);
    assert_eq!(thumbnail.accesskit_node().role(), Role::Image);
    let size = thumbnail.rect().size();
    assert_eq!((size.x.round(), size.y.round()), (96.0, 60.0), "320 × 200 shown at 96 × 60");
    assert!(!shown(&harness, "Preview:"), "no line beside a thumbnail");
    assert_eq!(tab_label(&harness, "Metadata"), "Metadata", "the preview adds nothing to the form's problems");
}

#[test]
fn a_url_that_is_not_https_shows_one_quiet_line_and_no_form_error() {
    let mut harness = metadata_tab();
    type_into(&mut harness, "Photo URL", "http://photos.example/ada.png");
    step_until_shown(&mut harness, "Preview needs an https address");
    assert!(!has_label(&harness, PREVIEW_ALT_TEXT));
    assert_eq!(tab_label(&harness, "Metadata"), "Metadata", "a preview's refusal is not an error of the form");
    assert!(harness.state().form().help_scout().photo_url == "http://photos.example/ada.png", "the text is kept");
}

#[test]
fn refusals_from_the_host_are_shown_under_the_field() {
    let sandbox = photo_sandbox();
    let mut harness = metadata_tab();
    for (name, line) in [
        ("large-streamed.png", "Preview: larger than 2 MB"),
        ("not-an-image.html", "Preview: not an image"),
        ("bomb.png", "Preview: the image is too large to show"),
    ] {
        replace_text(&mut harness, "Photo URL", &sandbox.photo_url(name));
        step_until_shown(&mut harness, line);
        assert!(!has_label(&harness, PREVIEW_ALT_TEXT), "{name}");
    }
}

#[test]
fn a_late_answer_for_an_old_url_never_shows() {
    let sandbox = photo_sandbox();
    let mut harness = metadata_tab();
    // The slow photo would arrive as a thumbnail after 1.5 s.
    type_into(&mut harness, "Photo URL", &format!("{}?ms=1500", sandbox.photo_url("slow.png")));
    step_until_shown(&mut harness, "Preview: loading…");
    replace_text(&mut harness, "Photo URL", &sandbox.photo_url("not-an-image.html"));
    step_until_shown(&mut harness, "Preview: not an image");
    keep_running_for(&mut harness, Duration::from_millis(2500));
    assert!(!has_label(&harness, PREVIEW_ALT_TEXT), "the slow photo's answer belonged to the old URL");
    assert!(shown(&harness, "Preview: not an image"));
}

#[test]
fn a_url_that_came_with_a_draft_is_fetched_only_when_asked() {
    let sandbox = photo_sandbox();
    let mut harness = app_harness(Backend::HelpScout);
    let url = sandbox.photo_url("portrait.png");
    harness.state_mut().form_mut().edit_help_scout(|draft| draft.photo_url.clone_from(&url));
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num3);
    harness.run();
    keep_running_for(&mut harness, Duration::from_millis(800));
    assert!(has_label(&harness, "Load preview"), "the preview is offered");
    assert!(!has_label(&harness, PREVIEW_ALT_TEXT) && !shown(&harness, "Preview: loading"), "and not fetched");
    click(&mut harness, "Load preview");
    step_until_shown(&mut harness, PREVIEW_ALT_TEXT);
}

#[test]
fn snapshot_of_the_photo_url_with_its_thumbnail() {
    let (_sandbox, mut harness) = portrait_typed();
    // Out of the field: no cursor blinking in it, no hover highlight.
    harness.key_press(Key::Escape);
    harness.event(egui::Event::PointerGone);
    harness.run();
    let field = harness.get_by_role_and_label(Role::TextInput, "Photo URL").rect();
    let thumbnail = harness.get_by_label(PREVIEW_ALT_TEXT).rect();
    let mut image = harness.render().expect("the window renders");
    let ppp = harness.ctx.pixels_per_point();
    let pixel = |points: f32| {
        // Window coordinates: small and positive.
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "window pixels")]
        let pixel = (points * ppp).round().max(0.0) as u32;
        pixel
    };
    // The URL names the sandbox's port, which changes from run to run: its text is painted
    // over with the field's own background.
    let text = field.shrink(3.0);
    let background = *image.get_pixel(pixel(text.left()), pixel(text.top()));
    for y in pixel(text.top())..pixel(text.bottom()) {
        for x in pixel(text.left())..pixel(text.right()) {
            image.put_pixel(x, y, background);
        }
    }
    // The row: its label (in the 130-point column left of the field, 16 points away) to the
    // field's right, from the field's top to under the thumbnail.
    let (left, top) = (pixel(field.left() - 150.0), pixel(field.top() - 4.0));
    let (right, bottom) = (pixel(field.right() + 4.0), pixel(thumbnail.bottom() + 4.0));
    let row = image::imageops::crop_imm(&image, left, top, right - left, bottom - top).to_image();
    egui_kittest::image_snapshot(&row, "helpscout_photo_preview");
}
