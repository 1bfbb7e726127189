//! A bare eframe window built with Intake's eframe features and the same window size: the floor
//! that `scripts/bench.sh` measures Intake's start-up CPU against, in the same run.
//!   `cargo run --release --example bare_window`

fn main() -> eframe::Result {
    let viewport = egui::ViewportBuilder::default().with_title("Bare eframe").with_inner_size([1180.0, 780.0]);
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    eframe::run_native("Bare eframe", options, Box::new(|_| Ok(Box::new(BareWindow))))
}

/// One label, nothing else.
struct BareWindow;

impl eframe::App for BareWindow {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| ui.label("A bare eframe window"));
    }
}
