//! The one colour egui's visuals lack: green for "it worked".

use egui::{Color32, Visuals};

/// egui's visuals have error and warning colours but no success colour: this is the one green,
/// picked per theme so that it reads on both backgrounds (a created customer, working
/// credentials).
pub fn success_color(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode { Color32::from_rgb(0x6f, 0xcf, 0x7f) } else { Color32::from_rgb(0x1d, 0x7a, 0x36) }
}
