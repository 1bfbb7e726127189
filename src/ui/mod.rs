//! The egui front end. It draws state and turns clicks and keys into commands; validation,
//! drafts and files are the core's business.

mod app;
pub mod client_pool;
pub mod drafts;
pub mod duplicate_warning;
mod error;
pub mod file_worker;
pub mod form_state;
mod frame_stats;
pub mod import;
pub mod jobs;
pub mod network_worker;
pub mod notice;
pub mod outbox_worker;
pub mod photo_preview;
pub mod preview;
pub mod profiles;
pub mod state;
pub mod store_worker;
pub mod tabs;
pub mod viewer;
pub mod widgets;

pub use app::{
    AppCommand, AppOptions, DRAFTS_SHORTCUT, IMPORT_SHORTCUT, IntakeApp, NEW_SHORTCUT, OPEN_SHORTCUT,
    PROFILES_SHORTCUT, SAVE_SHORTCUT, SUBMIT_SHORTCUT, SidePanel, configure_style,
};
pub use error::UiError;
pub use notice::{Notice, NoticeKind};

/// The window's title, also the name tests and scripts look the window up by.
pub const WINDOW_TITLE: &str = "Intake";

/// The app icon, a PNG shipped in `assets/`.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Opens the window and runs until it is closed.
pub fn run_native(options: AppOptions) -> eframe::Result {
    if let Some(paths) = &options.paths
        && let Err(error) = prepare_window_state(paths)
    {
        tracing::warn!("the window's state file may be readable by others: {error}");
    }
    let native = native_options(options.paths.as_ref());
    eframe::run_native(
        WINDOW_TITLE,
        native,
        Box::new(move |cc| Ok(Box::new(IntakeApp::from_creation_context(cc, options)))),
    )
}

/// The window's options: title, app id, size, icon, and where eframe keeps its state.
fn native_options(paths: Option<&crate::paths::IntakePaths>) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(WINDOW_TITLE)
        .with_app_id("intake")
        .with_inner_size([1180.0, 780.0])
        .with_min_inner_size([760.0, 480.0]);
    match decode_icon() {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(err) => tracing::warn!("app icon not used: {err}"),
    }
    // Window and UI preferences only (the drafts are in the store), in a file of the data folder.
    let persistence_path = paths.map(crate::paths::IntakePaths::window_state_file);
    // No dithering: the UI is flat colours, where it changes nothing visible, and on a software
    // renderer (llvmpipe) its per-pixel noise costs every frame (start-up CPU ~10 % lower here).
    eframe::NativeOptions { viewport, persist_window: true, persistence_path, dithering: false, ..Default::default() }
}

/// Makes the data folder 0700 and `window.ron` 0600 before eframe writes it: eframe creates the
/// file with the default mode but keeps the mode of one that exists.
fn prepare_window_state(paths: &crate::paths::IntakePaths) -> std::io::Result<()> {
    crate::private_files::create_private_dir(&paths.data_dir)?;
    let file = paths.window_state_file();
    match std::fs::symlink_metadata(&file) {
        Ok(_) => crate::private_files::touch_private_file(&file),
        // An empty map in RON, so that eframe reads the new file without a warning.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => crate::private_files::write_private_file(&file, b"{}\n"),
        Err(e) => Err(e),
    }
}

fn decode_icon() -> Result<egui::IconData, image::ImageError> {
    let image = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)?.into_rgba8();
    let (width, height) = image.dimensions();
    Ok(egui::IconData { rgba: image.into_raw(), width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_window_state_and_its_folder_are_private_before_eframe_writes_them() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |path: &std::path::Path| std::fs::metadata(path).expect("exists").permissions().mode() & 0o777;
        let home = tempfile::tempdir().expect("tempdir");
        let paths = crate::paths::IntakePaths::under(home.path());
        prepare_window_state(&paths).expect("prepare");
        assert_eq!((mode(&paths.data_dir), mode(&paths.window_state_file())), (0o700, 0o600));
        // eframe truncates and rewrites the file in place: the mode stays.
        std::fs::File::create(paths.window_state_file()).expect("rewrite");
        assert_eq!(mode(&paths.window_state_file()), 0o600);
        // A wide file and folder from an older version are narrowed, the file's content kept.
        std::fs::write(paths.window_state_file(), "{\"k\":\"v\"}").expect("write");
        std::fs::set_permissions(paths.window_state_file(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::set_permissions(&paths.data_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        prepare_window_state(&paths).expect("prepare again");
        assert_eq!((mode(&paths.data_dir), mode(&paths.window_state_file())), (0o700, 0o600));
        assert_eq!(std::fs::read_to_string(paths.window_state_file()).expect("read"), "{\"k\":\"v\"}");
    }

    #[test]
    fn eframe_keeps_its_state_in_a_file_inside_the_data_folder() {
        let paths = crate::paths::IntakePaths::under(std::path::Path::new("/tmp/intake-home"));
        let native = native_options(Some(&paths));
        assert_eq!(native.persistence_path.as_deref(), Some(std::path::Path::new("/tmp/intake-home/data/window.ron")));
        assert_ne!(native.persistence_path.as_deref(), Some(paths.data_dir.as_path()));
        assert!(native.persist_window);
    }

    #[test]
    fn the_window_has_the_app_icon_the_app_id_and_the_title() {
        let native = native_options(None);
        let icon = native.viewport.icon.expect("the icon is set");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // The app id is the desktop entry's name (packaging/intake.desktop), so desktop
        // environments group the windows under it and show its icon.
        assert_eq!(native.viewport.app_id.as_deref(), Some("intake"));
        assert_eq!(native.viewport.title.as_deref(), Some(WINDOW_TITLE));
        assert_eq!(WINDOW_TITLE, "Intake");
    }
}
