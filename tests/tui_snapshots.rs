//! What the operator sees: every pane and dialog drawn from fixed data into a `TestBackend` at
//! 100×30 and 80×24 and compared with the committed snapshots, plus the colours that carry
//! meaning (selection, errors, another operator's claim) and a NO_COLOR screen with none.
//! No database, no terminal: the app is driven by events, as the event loop drives it.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use secret_shop::domain::ids::{MessageId, ShopId};
use secret_shop::domain::message::DraftStatus;
use secret_shop::tui::action::Action;
use secret_shop::tui::app::App;
use secret_shop::tui::event::{Done, Event, Loaded};
use secret_shop::tui::theme::Theme;
use secret_shop::tui::view;

use common::tui_fixtures::{
    draft, facts, graded_thread, loaded_app, outbound, report_text, review, thread, versions,
    website,
};

const SIZES: [(u16, u16); 2] = [(100, 30), (80, 24)];

/// Every screen the snapshots and the NO_COLOR check cover.
const SCREENS: &[&str] = &[
    "dashboard",
    "shops",
    "review",
    "inbox",
    "targets",
    "personas",
    "reports_list",
    "report_view",
    "thread",
    "thread_needs_review",
    "thread_adjusted",
    "draft_read",
    "draft_earlier_version",
    "draft_version_diff",
    "draft_editing",
    "draft_held_by_bob",
    "error_toast",
    "dialog_help",
    "dialog_confirm",
    "dialog_prompt",
    "dialog_palette",
    "dialog_unsaved_quit",
    "dialog_unsaved_edit",
    "dialog_flags",
];

/// Shop #9's grade with two fair-housing flags, the first confirmed by bob.
/// An operator set the application fee (the machine read $50) and the parking, which the agent
/// never gave.
fn adjusted_review() -> secret_shop::tui::state::ThreadReview {
    use secret_shop::domain::overrides::{Decisions, Override, OverrideKind};
    let set = |key: &str, value: serde_json::Value, machine: Option<serde_json::Value>| Override {
        kind: OverrideKind::Fact,
        key: key.into(),
        value,
        machine_value: machine,
        reason: "told us on the phone".into(),
        operator: "ann".into(),
        at: chrono::DateTime::parse_from_rfc3339("2026-11-24T09:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    };
    secret_shop::tui::state::ThreadReview {
        grade: None,
        decisions: Decisions {
            flags: Vec::new(),
            overrides: vec![
                set(
                    "application_fee",
                    serde_json::json!(45),
                    Some(serde_json::json!(50)),
                ),
                set("parking", serde_json::json!("covered, $75 a month"), None),
            ],
        },
    }
}

fn flagged_review() -> secret_shop::tui::state::ThreadReview {
    use secret_shop::domain::community::FairHousingFlag;
    use secret_shop::domain::overrides::{Decisions, FlagDecision, Verdict};
    use secret_shop::domain::rubric::Rubric;
    let rubric = Rubric::default_rubric();
    let flag = |quote: &str, reason: &str| FairHousingFlag {
        quote: quote.into(),
        reason: reason.into(),
    };
    let scores = [
        "responsiveness",
        "completeness",
        "follow_through",
        "professionalism",
    ]
    .iter()
    .map(|k| (k.to_string(), 0.8, "r".to_string(), vec![]))
    .collect();
    let grade = rubric.grade(
        scores,
        vec![
            flag(
                "mostly young professionals here",
                "familial status: steering",
            ),
            flag("great for singles", "familial status: steering"),
        ],
    );
    let decisions = Decisions {
        flags: vec![FlagDecision {
            quote: "mostly young professionals here".into(),
            flag_reason: "familial status: steering".into(),
            verdict: Verdict::Confirmed,
            reason: "steers families away".into(),
            operator: "bob".into(),
            at: chrono::DateTime::UNIX_EPOCH,
        }],
        overrides: Vec::new(),
    };
    let grade = decisions.apply(grade, rubric.fair_housing_cap);
    secret_shop::tui::state::ThreadReview {
        grade: Some(grade),
        decisions,
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn go(app: &mut App, action: Action) {
    app.handle(Event::Action(action));
}

fn open_draft(app: &mut App, draft: secret_shop::store::MessageRow, held_by: Option<&str>) {
    let (thread, missing) = match draft.id.0 {
        // The follow-up answers shop #10's thread and still asks about parking.
        22 => (
            thread()[..2].to_vec(),
            vec!["parking".into(), "utilities".into()],
        ),
        33 => {
            let mut first = outbound(
                25,
                6,
                "rentals@elmtower.test",
                "Studio for April",
                "Hello,\nIs a studio free in April?\nThanks,\nSam",
            );
            first.status = Some(DraftStatus::Sent);
            (vec![first], vec!["availability".into()])
        }
        _ => (
            Vec::new(),
            vec![
                "availability".into(),
                "application fee".into(),
                "pet policy".into(),
            ],
        ),
    };
    let versions = versions(&draft);
    app.handle(Event::Loaded(Loaded::Draft {
        draft: Box::new(draft),
        held_by: held_by.map(str::to_string),
        thread,
        missing,
        versions,
    }));
}

/// The app as the operator would have it on `name`, reached by keys and loaded data.
fn screen(name: &str) -> App {
    let mut app = loaded_app();
    match name {
        "dashboard" => {}
        "shops" => {
            go(&mut app, Action::GoShops);
            key(&mut app, KeyCode::Char('j'));
        }
        "review" => go(&mut app, Action::GoReview),
        "review_undo" => {
            go(&mut app, Action::GoReview);
            // Approved 18 s ago with a 60 s window: 0:42 left, in the title and the status bar.
            let until = app.now + chrono::Duration::seconds(42);
            app.handle(Event::Done(Done::DraftApproved(MessageId(11), Some(until))));
        }
        "inbox" => go(&mut app, Action::GoInbox),
        "targets" => go(&mut app, Action::GoTargets),
        "personas" => go(&mut app, Action::GoPersonas),
        "reports_list" => go(&mut app, Action::GoReports),
        "report_view" => {
            go(&mut app, Action::GoReports);
            typed(&mut app, "jjj");
            key(&mut app, KeyCode::Enter);
            app.handle(Event::Loaded(Loaded::Report {
                shop: ShopId(9),
                text: report_text(),
            }));
        }
        "thread" => {
            go(&mut app, Action::GoShops);
            typed(&mut app, "jj");
            key(&mut app, KeyCode::Enter);
            app.handle(Event::Loaded(Loaded::Thread {
                shop: ShopId(10),
                messages: thread(),
                facts: facts(),
                review: Default::default(),
            }));
            key(&mut app, KeyCode::Char('j'));
        }
        "thread_adjusted" => {
            go(&mut app, Action::GoShops);
            typed(&mut app, "jj");
            key(&mut app, KeyCode::Enter);
            app.handle(Event::Loaded(Loaded::Thread {
                shop: ShopId(10),
                messages: thread(),
                facts: facts(),
                review: adjusted_review(),
            }));
        }
        "thread_needs_review" => {
            go(&mut app, Action::GoShops);
            typed(&mut app, "jjj");
            key(&mut app, KeyCode::Enter);
            app.handle(Event::Loaded(Loaded::Thread {
                shop: ShopId(9),
                messages: graded_thread(),
                facts: Vec::new(),
                review: Default::default(),
            }));
        }
        "dialog_flags" => {
            go(&mut app, Action::GoShops);
            typed(&mut app, "jjj");
            key(&mut app, KeyCode::Enter);
            app.handle(Event::Loaded(Loaded::Thread {
                shop: ShopId(9),
                messages: graded_thread(),
                facts: Vec::new(),
                review: flagged_review(),
            }));
            key(&mut app, KeyCode::Char('F'));
            key(&mut app, KeyCode::Down);
            key(&mut app, KeyCode::Tab);
            typed(&mut app, "describes the unit");
        }
        "draft_read" => {
            go(&mut app, Action::GoReview);
            let mut follow_up = thread().remove(2);
            follow_up.version = 2;
            open_draft(&mut app, follow_up, None);
        }
        "draft_earlier_version" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('['));
        }
        "draft_version_diff" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('d'));
        }
        "draft_editing" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('e'));
            key(&mut app, KeyCode::Tab);
            key(&mut app, KeyCode::End);
            typed(&mut app, " (2 bed)");
        }
        "draft_held_by_bob" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, review().remove(2), Some("bob"));
        }
        "error_toast" => {
            go(&mut app, Action::GoReview);
            app.handle(Event::Failed {
                what: "approving draft #31".into(),
                error: "it changed since you opened it".into(),
            });
        }
        "dialog_help" => {
            go(&mut app, Action::GoReview);
            key(&mut app, KeyCode::Char('?'));
        }
        "dialog_confirm" => {
            go(&mut app, Action::GoReview);
            key(&mut app, KeyCode::Char('a'));
        }
        "dialog_prompt" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('r'));
            typed(&mut app, "too formal; mention the cat");
        }
        "dialog_palette" => {
            go(&mut app, Action::GoReview);
            key(&mut app, KeyCode::Char(':'));
            typed(&mut app, "draft");
        }
        "dialog_unsaved_quit" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('e'));
            typed(&mut app, "Re: ");
            go(&mut app, Action::Quit);
        }
        "dialog_unsaved_edit" => {
            go(&mut app, Action::GoReview);
            open_draft(&mut app, draft(), None);
            key(&mut app, KeyCode::Char('e'));
            typed(&mut app, "Re: ");
            key(&mut app, KeyCode::Esc);
        }
        "target_detail" => {
            go(&mut app, Action::GoTargets);
            key(&mut app, KeyCode::Enter);
            let target = app.targets.selected_row().expect("a target").id;
            let shops = app
                .shops
                .rows
                .iter()
                .filter(|s| s.target_id == target)
                .cloned()
                .collect();
            app.handle(Event::Loaded(Loaded::Target {
                target,
                shops,
                website: Some(Box::new(website(target))),
            }));
        }
        "portfolio" => {
            go(&mut app, Action::GoReports);
            key(&mut app, KeyCode::Char('p'));
            app.handle(Event::Loaded(Loaded::Portfolio(report_text())));
        }
        "templates" => {
            go(&mut app, Action::GoPersonas);
            key(&mut app, KeyCode::Char('t'));
            let mut t: secret_shop::domain::persona::PersonaTemplate =
                serde_json::from_value(serde_json::json!({
                    "id": 1, "name": "young professional",
                    "description": "Single renter relocating for work",
                    "budget_min": 1500, "budget_max": 2300, "bedrooms_min": 0, "bedrooms_max": 1,
                    "bathrooms_min": 1.0, "bathrooms_max": 1.0, "credit_score_min": 690,
                    "credit_score_max": 790, "income_multiple_min": 3.0,
                    "income_multiple_max": 3.8, "move_in_days_min": 20, "move_in_days_max": 45,
                    "preferences": [], "pets": [], "occupants": [], "rental_histories": [],
                    "writing_styles": [], "created_at": "2026-11-01T00:00:00Z",
                    "deleted_at": null
                }))
                .expect("a template");
            let mut family = t.clone();
            family.id = secret_shop::domain::ids::PersonaTemplateId(2);
            family.name = "family of four".into();
            family.description = "Two adults and two children".into();
            t.description.push_str(", wants a 1-bed near transit");
            app.handle(Event::Loaded(Loaded::Templates(vec![t, family])));
        }
        "form_target" => {
            go(&mut app, Action::GoTargets);
            key(&mut app, KeyCode::Char('n'));
            typed(&mut app, "Birch Hill");
            key(&mut app, KeyCode::Tab);
            key(&mut app, KeyCode::Tab);
            typed(&mut app, "Austin");
            for _ in 0..4 {
                key(&mut app, KeyCode::Tab);
            }
            typed(&mut app, "not-an-address");
            app.handle(Event::Key(KeyEvent::new(
                KeyCode::Char('s'),
                KeyModifiers::CONTROL,
            )));
        }
        "form_long_field" => {
            go(&mut app, Action::GoTargets);
            key(&mut app, KeyCode::Char('n'));
            for _ in 0..12 {
                key(&mut app, KeyCode::Down);
            }
            key(&mut app, KeyCode::Enter);
            typed(&mut app, "Quiet street, pool closes at 9.");
            key(&mut app, KeyCode::Enter);
            typed(&mut app, "Ask for Derek.");
        }
        "form_template" => {
            go(&mut app, Action::GoPersonas);
            key(&mut app, KeyCode::Char('N'));
            typed(&mut app, "students");
        }
        "form_persona" => {
            go(&mut app, Action::GoPersonas);
            key(&mut app, KeyCode::Enter);
        }
        "pick_target" => {
            go(&mut app, Action::GoShops);
            key(&mut app, KeyCode::Char('n'));
            typed(&mut app, "a");
        }
        other => panic!("no screen named {other}"),
    }
    app
}

fn render(app: &App, theme: &Theme, (width, height): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|f| view::draw(app, theme, f))
        .expect("drawing never fails on a test backend");
    terminal
}

fn assert_screen(name: &str) {
    let app = screen(name);
    for size in SIZES {
        let terminal = render(&app, &Theme::colour(), size);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), terminal.backend());
    }
}

/// Where `text` starts on screen (the first match, top to bottom).
fn find(buf: &Buffer, text: &str) -> (u16, u16) {
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = line.find(text) {
            return (line[..byte].chars().count() as u16, y);
        }
    }
    panic!("`{text}` is not on screen");
}

#[test]
fn target_detail() {
    assert_screen("target_detail");
}

#[test]
fn portfolio() {
    assert_screen("portfolio");
}

#[test]
fn templates() {
    assert_screen("templates");
}

#[test]
fn target_form_with_an_error_beside_its_field() {
    assert_screen("form_target");
}

#[test]
fn a_long_field_in_its_text_area() {
    assert_screen("form_long_field");
}

#[test]
fn template_form() {
    assert_screen("form_template");
}

#[test]
fn persona_form() {
    assert_screen("form_persona");
}

#[test]
fn start_a_shop_pick_list() {
    assert_screen("pick_target");
}

#[test]
fn dashboard() {
    assert_screen("dashboard");
}

#[test]
fn shops() {
    assert_screen("shops");
}

#[test]
fn review_queue() {
    assert_screen("review");
}

/// The undo countdown after an approval: in the review pane's title and the status bar.
#[test]
fn review_queue_with_an_undo_countdown() {
    assert_screen("review_undo");
}

#[test]
fn inbox() {
    assert_screen("inbox");
}

#[test]
fn targets() {
    assert_screen("targets");
}

#[test]
fn personas() {
    assert_screen("personas");
}

#[test]
fn reports_list() {
    assert_screen("reports_list");
}

#[test]
fn report_view() {
    assert_screen("report_view");
}

#[test]
fn thread_with_facts() {
    assert_screen("thread");
}

/// Operators' values marked ✎: over the machine's, and one the agent never gave.
#[test]
fn a_fact_sheet_with_operators_values() {
    assert_screen("thread_adjusted");
}

#[test]
fn a_grade_to_review_says_why_above_the_thread() {
    assert_screen("thread_needs_review");
}

#[test]
fn draft_read() {
    assert_screen("draft_read");
}

/// `[` steps back to the first version: marked as not the text that would be approved.
#[test]
fn an_earlier_version_of_a_draft() {
    assert_screen("draft_earlier_version");
}

/// `d` on the current text: the words the operator's edit added and removed.
#[test]
fn a_version_against_the_one_before() {
    assert_screen("draft_version_diff");
}

#[test]
fn draft_being_edited() {
    assert_screen("draft_editing");
}

#[test]
fn draft_held_by_another_operator() {
    assert_screen("draft_held_by_bob");
}

#[test]
fn error_toast() {
    assert_screen("error_toast");
}

#[test]
fn help_dialog() {
    assert_screen("dialog_help");
}

#[test]
fn confirm_dialog() {
    assert_screen("dialog_confirm");
}

#[test]
fn flag_dialog_confirms_or_clears_with_a_reason() {
    assert_screen("dialog_flags");
    // Clearing without a reason is refused in the dialog, which stays open.
    let mut app = screen("dialog_flags");
    for _ in 0.."describes the unit".len() {
        key(&mut app, KeyCode::Backspace);
    }
    assert!(
        app.handle(Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE
        )))
        .is_empty()
    );
    assert!(matches!(
        &app.modal,
        Some(secret_shop::tui::state::Modal::Flags(d)) if d.error.is_some()
    ));
    let mut app = screen("dialog_flags");
    let effects = app.handle(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    assert_eq!(
        effects,
        vec![secret_shop::tui::effect::Effect::DecideFlag {
            shop: ShopId(9),
            n: 2,
            verdict: secret_shop::domain::overrides::Verdict::Cleared,
            reason: "describes the unit".into(),
        }]
    );
}

#[test]
fn prompt_dialog() {
    assert_screen("dialog_prompt");
}

#[test]
fn palette_dialog() {
    assert_screen("dialog_palette");
}

#[test]
fn unsaved_quit_dialog() {
    assert_screen("dialog_unsaved_quit");
}

/// Esc (or C-c) on a changed edit asks: save, discard, or keep editing.
#[test]
fn unsaved_edit_dialog() {
    assert_screen("dialog_unsaved_edit");
}

#[test]
fn the_selected_row_has_the_themes_selection_style() {
    let app = screen("shops");
    let colour = render(&app, &Theme::colour(), SIZES[0]);
    let buf = colour.backend().buffer();
    let selected = &buf[find(buf, "Maple Court")];
    assert_eq!(selected.bg, Color::Blue);
    assert_eq!(selected.fg, Color::White);
    assert!(selected.modifier.contains(Modifier::BOLD));
    let other = &buf[find(buf, "Oak Grove Apartments")];
    assert_eq!(
        other.bg,
        Color::Reset,
        "only the selected row is highlighted"
    );

    let mono = render(&app, &Theme::monochrome(), SIZES[0]);
    let buf = mono.backend().buffer();
    assert!(
        buf[find(buf, "Maple Court")]
            .modifier
            .contains(Modifier::REVERSED)
    );
    assert!(
        !buf[find(buf, "Oak Grove Apartments")]
            .modifier
            .contains(Modifier::REVERSED)
    );
}

#[test]
fn an_error_toast_and_the_last_error_are_red() {
    let app = screen("error_toast");
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    let buf = terminal.backend().buffer();
    // The toast's text sits inside a border; the border carries the colour.
    let (x, y) = find(buf, "approving draft #31: it changed");
    let border = &buf[(x - 1, y)];
    assert_eq!(border.symbol(), "│");
    assert_eq!(border.fg, Color::Red);
    let (x, y) = find(buf, "last error: approving");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    assert_eq!(y, buf.area.height - 1, "on the status line");
}

#[test]
fn another_operators_claim_is_yellow() {
    let app = screen("review");
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    let buf = terminal.backend().buffer();
    let (x, y) = find(buf, "bob");
    assert_eq!(buf[(x, y)].fg, Color::Yellow, "bob holds #33");
    let (x, y) = find(buf, "you");
    assert_eq!(
        buf[(x, y)].fg,
        Color::Green,
        "alice's own claim is not a warning"
    );

    let app = screen("draft_held_by_bob");
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    let buf = terminal.backend().buffer();
    let (_, y) = find(buf, "held by bob, read-only");
    assert_eq!(buf[(0, y)].symbol(), "┌");
    assert_eq!(buf[(0, y)].fg, Color::Yellow, "the read-only draft's frame");
}

#[test]
fn no_color_draws_every_screen_without_colour() {
    let theme = Theme::from_env(true, "default");
    assert_eq!(theme, Theme::monochrome());
    for name in SCREENS {
        let app = screen(name);
        for size in SIZES {
            let terminal = render(&app, &theme, size);
            let buf = terminal.backend().buffer();
            for y in 0..buf.area.height {
                for x in 0..buf.area.width {
                    let c = &buf[(x, y)];
                    assert!(
                        c.fg == Color::Reset && c.bg == Color::Reset,
                        "{name} at {size:?}: ({x},{y}) `{}` has fg {:?} bg {:?}",
                        c.symbol(),
                        c.fg,
                        c.bg
                    );
                }
            }
        }
    }
}

#[test]
fn the_palette_highlights_the_action_enter_runs() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char(':'));
    typed(&mut app, "go");
    key(&mut app, KeyCode::Down);
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    let buf = terminal.backend().buffer();
    let (x, y) = find(buf, "go-shops");
    assert_eq!(buf[(x, y)].bg, Color::Blue);
    let (x, y) = find(buf, "go-dashboard");
    assert_eq!(buf[(x, y)].bg, Color::Reset);
}

// ---- known defects: these assert what the operator needs and fail today ------------------

#[test]

fn the_palette_keeps_the_selected_action_in_view() {
    let mut app = loaded_app();
    key(&mut app, KeyCode::Char(':'));
    for _ in 0..12 {
        key(&mut app, KeyCode::Down);
    }
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    let buf = terminal.backend().buffer();
    let highlighted = (0..buf.area.height).any(|y| buf[(30, y)].bg == Color::Blue);
    assert!(highlighted, "the action enter would run is not shown");
}

#[test]

fn the_drafts_thread_indents_message_bodies_under_their_subjects() {
    let app = screen("draft_read");
    let terminal = render(&app, &Theme::colour(), SIZES[0]);
    find(terminal.backend().buffer(), "│  Hi Dana,");
}

#[test]

fn every_tab_is_named_at_80_columns() {
    let app = loaded_app();
    let terminal = render(&app, &Theme::colour(), (80, 24));
    find(terminal.backend().buffer(), "7 Reports");
}

fn on_screen(buf: &Buffer, text: &str) -> bool {
    (0..buf.area.height).any(|y| {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect::<String>()
            .contains(text)
    })
}

/// At 80x24 a long draft scrolls to its end (signature and phone number included), and the
/// approve dialog names From, To and Subject and says whether the whole text was read.
#[test]
fn a_long_draft_scrolls_to_its_end_at_80x24_and_the_approve_dialog_says_what_was_not_read() {
    let mut app = loaded_app();
    go(&mut app, Action::GoReview);
    let mut long = draft();
    long.body_text = format!(
        "Hello,\n\n{}\nCould you also tell me about parking and the pet deposit? I have an \
         indoor cat and would like to know whether there is a monthly pet rent as well.\n\n\
         Best regards,\nJane Porter\n(555) 123-4567\n",
        (1..=24)
            .map(|i| format!("Question {i}: is this detail of the apartment known yet?\n"))
            .collect::<String>()
    );
    open_draft(&mut app, long, None);
    let size = (80, 24);
    let t = render(&app, &Theme::colour(), size);
    assert!(!on_screen(t.backend().buffer(), "(555) 123-4567"));

    key(&mut app, KeyCode::Char('a'));
    let t = render(&app, &Theme::colour(), size);
    assert!(on_screen(t.backend().buffer(), "lines below not read yet"));
    insta::assert_snapshot!("approve_dialog_unread_80x24", t.backend());
    key(&mut app, KeyCode::Char('n'));

    key(&mut app, KeyCode::Char('G'));
    let t = render(&app, &Theme::colour(), size);
    assert!(on_screen(t.backend().buffer(), "(555) 123-4567"));
    insta::assert_snapshot!("draft_scrolled_to_the_end_80x24", t.backend());

    key(&mut app, KeyCode::Char('a'));
    let t = render(&app, &Theme::colour(), size);
    assert!(on_screen(
        t.backend().buffer(),
        "You have read the whole text."
    ));
    insta::assert_snapshot!("approve_dialog_read_80x24", t.backend());
}
