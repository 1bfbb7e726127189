//! GUI tests of ZIP → city, state and time zone: typing a ZIP fills an empty city and state,
//! never a typed one, and offers the ZIP's time zone until it is taken.

mod gui_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use gui_support::{app_harness, click, has_label, replace_text, shown, step_until, type_into};
use intake::model::Backend;
use intake::reference::zip_codes;
use intake::ui::IntakeApp;

/// A first-run app on `backend`'s Address tab, once the window has loaded the ZIP table.
fn address_tab(backend: Backend) -> Harness<'static, IntakeApp> {
    let mut harness = app_harness(backend);
    // The window loads the table on a background thread after its first frame.
    step_until(&mut harness, "the ZIP table", |_| zip_codes::is_loaded());
    click(&mut harness, "Address");
    harness
}

fn text_of(harness: &Harness<'_, IntakeApp>, label: &str) -> String {
    harness.get_by_role_and_label(Role::TextInput, label).value().unwrap_or_default()
}

#[test]
fn finosu_zip_fills_empty_city_and_state_and_offers_its_time_zone() {
    let mut harness = address_tab(Backend::Finosu);
    assert!(!shown(&harness, "Suggested from ZIP"), "no ZIP, no suggestion");
    type_into(&mut harness, "ZIP code", "94102");
    harness.run();

    let draft = harness.state().form().finosu().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("San Francisco", "CA"));
    assert_eq!(text_of(&harness, "City"), "San Francisco", "the window shows the filled city");
    assert_eq!(draft.timezone, "", "the time zone is only suggested");
    assert!(shown(&harness, "Suggested from ZIP 94102: America/Los_Angeles"));

    // The Basic tab's time-zone field offers it too.
    click(&mut harness, "Basic");
    assert!(shown(&harness, "Suggested from ZIP 94102: America/Los_Angeles"));
    click(&mut harness, "Use time zone America/Los_Angeles from ZIP 94102");
    assert_eq!(harness.state().form().finosu().timezone, "America/Los_Angeles");
    assert!(!shown(&harness, "Suggested from ZIP"), "accepted: no longer a suggestion");
}

#[test]
fn accepting_on_the_address_tab_fills_the_time_zone() {
    let mut harness = address_tab(Backend::Finosu);
    type_into(&mut harness, "ZIP code", "02139-4307");
    assert_eq!(harness.state().form().finosu().city, "Cambridge", "ZIP+4 works");
    click(&mut harness, "Use time zone America/New_York from ZIP 02139");
    assert_eq!(harness.state().form().finosu().timezone, "America/New_York");
    assert!(!shown(&harness, "Suggested from ZIP"));
}

#[test]
fn a_typed_city_is_never_overwritten() {
    let mut harness = address_tab(Backend::Finosu);
    type_into(&mut harness, "City", "Brisbane");
    type_into(&mut harness, "ZIP code", "94102");
    let draft = harness.state().form().finosu().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("Brisbane", "CA"), "only the empty state is filled");
    assert_eq!(text_of(&harness, "City"), "Brisbane");
}

#[test]
fn a_changed_zip_updates_the_suggestion_and_its_own_fill() {
    let mut harness = address_tab(Backend::Finosu);
    type_into(&mut harness, "ZIP code", "94102");
    assert!(has_label(&harness, "Use time zone America/Los_Angeles from ZIP 94102"));
    replace_text(&mut harness, "ZIP code", "10001");
    harness.run();
    assert!(has_label(&harness, "Use time zone America/New_York from ZIP 10001"));
    assert!(!shown(&harness, "America/Los_Angeles"), "the old suggestion is gone");
    let draft = harness.state().form().finosu().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("New York", "NY"), "the ZIP's own fill follows it");

    // An accepted zone that the next ZIP contradicts is offered again, never replaced.
    click(&mut harness, "Use time zone America/New_York from ZIP 10001");
    replace_text(&mut harness, "ZIP code", "85004");
    harness.run();
    assert_eq!(harness.state().form().finosu().timezone, "America/New_York");
    assert!(has_label(&harness, "Use time zone America/Phoenix from ZIP 85004"));
}

#[test]
fn an_unknown_zip_fills_nothing_and_a_mismatched_state_names_the_zips_city() {
    let mut harness = address_tab(Backend::Finosu);
    type_into(&mut harness, "ZIP code", "00000");
    let draft = harness.state().form().finosu().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("", ""));
    assert!(!shown(&harness, "Suggested from ZIP"));

    type_into(&mut harness, "State", "NY");
    replace_text(&mut harness, "ZIP code", "94102");
    assert_eq!(harness.state().form().finosu().state, "NY", "a typed state stays");
    assert!(shown(&harness, "ZIP code 94102 is San Francisco, CA, not NY."));
}

#[test]
fn help_scout_postal_code_fills_the_address() {
    let mut harness = address_tab(Backend::HelpScout);
    type_into(&mut harness, "Postal code", "60601");
    harness.run();
    let draft = harness.state().form().help_scout().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("Chicago", "IL"));
    assert_eq!(text_of(&harness, "City"), "Chicago");
    assert!(!shown(&harness, "Suggested from ZIP"), "Help Scout has no time zone field");
}

#[test]
fn help_scout_fills_nothing_for_another_country() {
    let mut harness = address_tab(Backend::HelpScout);
    type_into(&mut harness, "Country", "FR");
    type_into(&mut harness, "Postal code", "75008");
    let draft = harness.state().form().help_scout().clone();
    assert_eq!((draft.city.as_str(), draft.state.as_str()), ("", ""), "75008 is Paris here, not Carrollton, TX");
}
