//! [`Notice`]: one sentence for the person about what just happened, and whether it went
//! wrong. The status bar and the Profiles window show them.

/// Whether a notice reports something that went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Something happened as asked (or was refused for a reason the person can act on).
    Info,
    /// Something failed.
    Error,
}

/// A sentence about the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What happened, in a sentence.
    pub text: String,
    /// Whether it went wrong.
    pub kind: NoticeKind,
}

impl Notice {
    /// A notice that something happened as asked.
    pub fn info(text: impl Into<String>) -> Self {
        Self { text: text.into(), kind: NoticeKind::Info }
    }

    /// A notice that something failed or was refused.
    pub fn error(text: impl Into<String>) -> Self {
        Self { text: text.into(), kind: NoticeKind::Error }
    }

    /// Whether it went wrong.
    pub fn is_error(&self) -> bool {
        self.kind == NoticeKind::Error
    }
}

impl From<&crate::ui::UiError> for Notice {
    fn from(error: &crate::ui::UiError) -> Self {
        Self::error(error.to_string())
    }
}

/// One line showing `notice`, red when it reports a failure, cut with "…" when too long.
pub fn notice_label_ui(ui: &mut egui::Ui, notice: &Notice) -> egui::Response {
    let color = if notice.is_error() { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
    ui.add(egui::Label::new(egui::RichText::new(&notice.text).color(color)).truncate())
}
