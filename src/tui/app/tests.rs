//! Transition tests of `App::handle`: events in, state and effects out. No terminal, no IO.

use chrono::TimeZone as _;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::domain::ids::{FactId, MessageId, PersonaId, ShopId, TargetId};
use crate::domain::message::{DraftStatus, MessageKind};
use crate::domain::shop::ShopStatus;
use crate::store::FactRow;
use crate::tui::event::{Changed, Done, Loaded};

// ---- fixed data -------------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 11, 24, 9, 0, 0).unwrap()
}

fn app() -> App {
    App::new("alice", Keymap::default_map(), true, t0())
}

fn draft_row(id: i64, subject: &str, body: &str) -> MessageRow {
    MessageRow {
        id: MessageId(id),
        shop_id: Some(ShopId(1)),
        mailbox_id: None,
        direction: "outbound".into(),
        kind: MessageKind::Inquiry,
        status: Some(DraftStatus::PendingReview),
        message_id: None,
        in_reply_to: None,
        reference_ids: Vec::new(),
        from_addr: "dana.reyes@mail.test".into(),
        from_name: "Dana Reyes".into(),
        to_addrs: vec![format!("leasing{id}@oakgrove.test")],
        subject: subject.into(),
        body_text: body.into(),
        parse_error: None,
        is_auto_reply: false,
        is_bounce: false,
        responder_kind: None,
        received_at: None,
        sent_at: None,
        attempts: 0,
        next_attempt_at: None,
        wait_reason: None,
        last_error: None,
        imap_uid: None,
        created_at: t0() - Duration::hours(2),
        version: 1,
        generation: None,
        claimed_until: None,
        claimed_by_name: None,
    }
}

/// Three drafts: #11, #12 and #13, the last held by bob.
fn review_rows() -> Vec<MessageRow> {
    let mut held = draft_row(13, "Pets and parking", "Do you allow cats?");
    held.claimed_by_name = Some("bob".into());
    held.claimed_until = Some(t0() + Duration::minutes(10));
    held.version = 4;
    vec![
        draft_row(
            11,
            "Two bedrooms in March",
            "Hi,\nIs a two bedroom free?\nDana",
        ),
        draft_row(12, "Application fee", "What is the application fee?"),
        held,
    ]
}

fn shop_row(id: i64, target: &str, status: ShopStatus) -> ShopRow {
    ShopRow {
        id: ShopId(id),
        target_id: TargetId(id),
        target_name: target.into(),
        persona_id: PersonaId(1),
        persona_name: "Dana Reyes".into(),
        status,
        status_reason: None,
        last_activity: t0() - Duration::hours(id),
        last_sent_at: None,
        pending_draft: None,
        wait_reason: None,
        next_attempt_at: None,
        score: None,
        review_reasons: Vec::new(),
        failed_message: None,
        send_error: None,
        rejection: None,
        outbox_message: None,
        outbox_status: None,
        client: None,
    }
}

fn shop_rows() -> Vec<ShopRow> {
    vec![
        shop_row(1, "Oak Grove Apartments", ShopStatus::AwaitingReply),
        shop_row(2, "Maple Court", ShopStatus::Completed),
        shop_row(3, "Oak Ridge Lofts", ShopStatus::AwaitingReview),
    ]
}

fn inbox_row(id: i64, from: &str, target: Option<&str>) -> InboxRow {
    InboxRow {
        id: MessageId(id),
        shop_id: target.map(|_| ShopId(1)),
        target_name: target.map(str::to_string),
        from_addr: format!("{}@agents.test", from.to_lowercase().replace(' ', ".")),
        from_name: from.into(),
        subject: format!("Re: question {id}"),
        received_at: Some(t0() - Duration::minutes(id)),
        kind: "response".into(),
        responder_kind: Some("human".into()),
        is_auto_reply: false,
        is_bounce: false,
        parse_error: None,
        read: false,
    }
}

fn target(id: i64, name: &str) -> Target {
    Target {
        id: TargetId(id),
        name: name.into(),
        street: "1 Main St".into(),
        city: "Austin".into(),
        state: "TX".into(),
        zip: "78701".into(),
        phone: String::new(),
        email: format!("leasing@{id}.test"),
        website: String::new(),
        owners: String::new(),
        property_manager: "Greystar".into(),
        time_zone: None,
        notes: String::new(),
        tags: Vec::new(),
        email_status: "ok".into(),
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
        version: 1,
        client_id: None,
        client: None,
    }
}

fn fact(id: i64, field: &str, value: serde_json::Value, superseded_by: Option<i64>) -> FactRow {
    FactRow {
        id: FactId(id),
        field_path: field.into(),
        value,
        source_message_id: Some(MessageId(20)),
        evidence: format!("evidence for {field} #{id}"),
        extracted_by: "model".into(),
        conflict: false,
        superseded_by: superseded_by.map(FactId),
        created_at: t0(),
        confidence: None,
    }
}

// ---- driving the app --------------------------------------------------------------------

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Presses each character as a key; returns every effect asked for.
fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| app.handle(key(c))).collect()
}

fn toasts(app: &App) -> Vec<String> {
    app.toasts.iter().map(|t| t.text.clone()).collect()
}

fn last_toast(app: &App) -> String {
    app.toasts
        .last()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// The app on the review pane with the three drafts loaded.
fn on_review() -> App {
    let mut app = app();
    app.handle(key('3'));
    app.handle(Event::Loaded(Loaded::Review(review_rows())));
    app
}

/// The app with draft #11 open, claimed by us (or held by `held_by`).
fn with_draft(held_by: Option<&str>) -> App {
    let mut app = on_review();
    let mut draft = review_rows().remove(0);
    draft.version = 3;
    app.handle(Event::Loaded(Loaded::Draft {
        draft: Box::new(draft),
        held_by: held_by.map(str::to_string),
        thread: Vec::new(),
        missing: vec!["application fee".into()],
        versions: Vec::new(),
    }));
    app
}

fn editor_text(app: &App) -> String {
    let editor = app.draft.as_ref().and_then(|d| d.editor.as_ref());
    editor
        .map(|e| {
            let (subject, body) = e.text();
            format!("{subject}\n{body}")
        })
        .unwrap_or_default()
}

// ---- panes and lists --------------------------------------------------------------------

#[test]
fn number_keys_and_tab_switch_panes_loading_an_unloaded_pane_once() {
    let mut app = app();
    assert_eq!(app.handle(key('5')), vec![Effect::Load(Query::Targets)]);
    assert_eq!(app.pane, Pane::Targets);
    app.handle(Event::Loaded(Loaded::Targets(vec![target(1, "Oak Grove")])));

    assert_eq!(app.handle(key('1')), vec![Effect::Load(Query::Dashboard)]);
    assert_eq!(app.pane, Pane::Dashboard);
    assert_eq!(app.handle(key('5')), vec![], "targets are loaded already");

    assert_eq!(
        app.handle(code(KeyCode::Tab)),
        vec![Effect::Load(Query::Personas)]
    );
    assert_eq!(app.pane, Pane::Personas);
    assert_eq!(app.handle(code(KeyCode::BackTab)), vec![]);
    assert_eq!(app.pane, Pane::Targets);

    // Reports lists the shops: once they are loaded, neither pane asks again.
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    assert_eq!(app.handle(key('7')), vec![]);
    assert_eq!(app.pane, Pane::Reports);
    assert_eq!(app.handle(key('2')), vec![]);
    // Tab wraps around from the last pane to the first.
    app.handle(key('7'));
    app.handle(code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Dashboard);
}

#[test]
fn j_k_g_and_shift_g_move_the_selection_and_stop_at_the_ends() {
    let mut app = on_review();
    assert_eq!(app.review.selected, 0);
    app.handle(key('k'));
    assert_eq!(app.review.selected, 0, "k on the first row stays");
    typed(&mut app, "jjjjj");
    assert_eq!(app.review.selected, 2, "j stops on the last row");
    app.handle(key('g'));
    assert_eq!(app.review.selected, 0);
    app.handle(key('G'));
    assert_eq!(app.review.selected, 2);
    app.handle(ctrl('u'));
    assert_eq!(
        app.review.selected, 0,
        "a page up past the top stops at the top"
    );
    app.handle(code(KeyCode::Down));
    assert_eq!(app.review.selected, 1);
    assert_eq!(app.review.selected_row().map(|m| m.id), Some(MessageId(12)));
}

#[test]
fn slash_filters_as_you_type_enter_keeps_it_and_esc_clears_it() {
    let mut app = app();
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    app.handle(key('G'));

    app.handle(key('/'));
    assert!(matches!(
        app.modal,
        Some(Modal::Prompt {
            purpose: PromptFor::Filter,
            ..
        })
    ));
    typed(&mut app, "oak");
    assert_eq!(app.shops.len(), 2);
    let names: Vec<_> = app
        .shops
        .visible_rows()
        .map(|s| s.target_name.as_str())
        .collect();
    assert_eq!(names, ["Oak Grove Apartments", "Oak Ridge Lofts"]);
    assert!(
        app.shops.selected < app.shops.len(),
        "the selection stays on a visible row"
    );

    app.handle(code(KeyCode::Backspace));
    app.handle(code(KeyCode::Backspace));
    assert_eq!(app.shops.filter, "o");
    app.handle(code(KeyCode::Esc));
    assert!(app.modal.is_none());
    assert_eq!(app.shops.filter, "");
    assert_eq!(app.shops.len(), 3, "esc shows every row again");

    app.handle(key('/'));
    typed(&mut app, "MAPLE");
    app.handle(code(KeyCode::Enter));
    assert!(app.modal.is_none());
    assert_eq!(app.shops.len(), 1, "enter keeps the filter");
    assert_eq!(app.shops.selected_row().map(|s| s.id), Some(ShopId(2)));
    // Opening the filter again starts from what is there.
    app.handle(key('/'));
    assert!(matches!(&app.modal, Some(Modal::Prompt { input, .. }) if input == "MAPLE"));
}

#[test]
fn enter_on_a_review_row_opens_that_draft() {
    let mut app = on_review();
    app.handle(key('j'));
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::OpenDraft(MessageId(12))]
    );
    // Enter on an empty queue does nothing.
    app.handle(Event::Loaded(Loaded::Review(Vec::new())));
    assert_eq!(app.handle(code(KeyCode::Enter)), vec![]);
}

// ---- drafts -----------------------------------------------------------------------------

#[test]
fn a_draft_held_by_another_operator_is_read_only() {
    let mut app = with_draft(Some("bob"));
    assert!(last_toast(&app).contains("bob"), "{:?}", toasts(&app));
    assert_eq!(app.scope(), Scope::Draft);

    let before = app.toasts.len();
    assert_eq!(app.handle(key('a')), vec![]);
    assert!(app.modal.is_none(), "no approve dialog");
    assert_eq!(app.toasts.len(), before + 1);
    assert!(last_toast(&app).contains("bob is reviewing this draft"));

    assert_eq!(app.handle(key('e')), vec![]);
    assert!(
        app.draft.as_ref().is_some_and(|d| d.editor.is_none()),
        "no editor"
    );
    assert_eq!(app.toasts.len(), before + 2);

    assert_eq!(app.handle(key('E')), vec![], "no $EDITOR either");
    assert_eq!(app.handle(key('r')), vec![]);
    assert!(app.modal.is_none(), "no reject prompt");

    // Closing it releases nothing: the claim is bob's.
    assert_eq!(app.handle(code(KeyCode::Esc)), vec![]);
    assert!(app.draft.is_none());
}

#[test]
fn approving_asks_first_and_y_approves_the_version_that_was_read() {
    let mut app = with_draft(None);
    assert_eq!(app.handle(key('a')), vec![]);
    match &app.modal {
        Some(Modal::Confirm { action, question }) => {
            assert_eq!(*action, Action::ApproveDraft);
            assert!(question.contains("#11"), "{question}");
            assert!(question.contains("leasing11@oakgrove.test"), "{question}");
        }
        _ => panic!("approve should ask first"),
    }
    // n (or esc) changes nothing.
    assert_eq!(app.handle(key('n')), vec![]);
    assert!(app.modal.is_none());
    assert!(app.draft.as_ref().is_some_and(|d| d.busy.is_none()));

    app.handle(key('a'));
    assert_eq!(
        app.handle(key('y')),
        vec![Effect::ApproveDraft {
            id: MessageId(11),
            version: 3
        }]
    );
    assert!(app.modal.is_none());
    assert_eq!(app.draft.as_ref().and_then(|d| d.busy), Some("approving"));

    assert_eq!(
        app.handle(Event::Done(Done::DraftApproved(MessageId(11), None))),
        vec![
            Effect::Load(Query::Review),
            Effect::Load(Query::Shops),
            Effect::Load(Query::Outgoing(vec![MessageId(11)]))
        ]
    );
    assert!(app.draft.is_none(), "the approved draft closes");
}

#[test]
fn approving_from_the_queue_uses_the_selected_row_and_skips_rows_others_hold() {
    let mut app = on_review();
    app.handle(key('j'));
    app.handle(key('a'));
    assert_eq!(
        app.handle(key('y')),
        vec![Effect::ApproveDraft {
            id: MessageId(12),
            version: 1
        }]
    );
    app.handle(key('G'));
    assert_eq!(app.handle(key('a')), vec![]);
    assert!(app.modal.is_none(), "bob holds #13: nothing to confirm");
}

#[test]
fn rejecting_needs_a_reason() {
    let mut app = with_draft(None);
    app.handle(key('r'));
    assert!(matches!(
        app.modal,
        Some(Modal::Prompt {
            purpose: PromptFor::RejectReason(MessageId(11)),
            ..
        })
    ));
    assert_eq!(app.handle(code(KeyCode::Enter)), vec![]);
    assert!(last_toast(&app).contains("reason"));
    assert!(app.modal.is_some(), "the prompt stays open");
    typed(&mut app, "   ");
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![],
        "blanks are no reason"
    );

    typed(&mut app, "too pushy");
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::RejectDraft {
            id: MessageId(11),
            reason: "too pushy".into()
        }]
    );
    assert!(app.modal.is_none());
}

#[test]
fn editing_in_place_saves_the_labelled_subject_and_the_body() {
    let mut app = with_draft(None);
    assert_eq!(app.handle(key('e')), vec![]);
    assert_eq!(
        editor_text(&app),
        "Two bedrooms in March\nHi,\nIs a two bedroom free?\nDana"
    );
    let on_subject = |app: &App| {
        app.draft
            .as_ref()
            .unwrap()
            .editor
            .as_ref()
            .unwrap()
            .on_subject
    };
    assert!(!on_subject(&app), "the body has the focus first");
    // Tab goes to the subject field, Enter comes back to the body: neither is text.
    app.handle(code(KeyCode::Tab));
    assert!(on_subject(&app));
    // Every key is text now, even the ones bound to actions elsewhere.
    assert_eq!(typed(&mut app, "Re: a q "), vec![]);
    app.handle(code(KeyCode::Enter));
    assert!(!on_subject(&app));
    assert_eq!(
        editor_text(&app),
        "Re: a q Two bedrooms in March\nHi,\nIs a two bedroom free?\nDana",
        "Enter in the subject adds no line"
    );
    assert!(app.modal.is_none(), "`a` typed, not approve");
    assert!(!app.quit, "`q` typed, not quit");
    assert!(app.draft.as_ref().is_some_and(|d| d.is_dirty()));

    assert_eq!(
        app.handle(ctrl('s')),
        vec![Effect::SaveDraft {
            id: MessageId(11),
            version: 3,
            subject: "Re: a q Two bedrooms in March".into(),
            body: "Hi,\nIs a two bedroom free?\nDana".into(),
        }]
    );
    assert_eq!(app.draft.as_ref().and_then(|d| d.busy), Some("saving"));

    let mut saved = review_rows().remove(0);
    saved.subject = "Re: a q Two bedrooms in March".into();
    saved.version = 4;
    assert_eq!(
        app.handle(Event::Done(Done::DraftSaved(Box::new(saved), Vec::new()))),
        vec![Effect::Load(Query::Review)]
    );
    let d = app.draft.as_ref().expect("the draft stays open");
    assert!(d.editor.is_none() && d.busy.is_none());
    assert_eq!(
        d.draft.version, 4,
        "the next save or approve uses the new version"
    );
}

#[test]
fn saving_an_unchanged_edit_just_closes_the_editor() {
    let mut app = with_draft(None);
    app.handle(key('e'));
    assert_eq!(app.handle(ctrl('s')), vec![]);
    assert!(app.draft.as_ref().is_some_and(|d| d.editor.is_none()));
}

#[test]
fn quit_releases_the_held_draft_and_asks_first_when_an_edit_is_unsaved() {
    let mut app = app();
    assert_eq!(app.handle(key('q')), vec![Effect::Quit]);
    assert!(app.quit);

    let mut app = with_draft(None);
    assert_eq!(
        app.handle(key('q')),
        vec![Effect::ReleaseDraft(MessageId(11)), Effect::Quit]
    );

    let mut app = with_draft(Some("bob"));
    assert_eq!(
        app.handle(ctrl('c')),
        vec![Effect::Quit],
        "bob's claim is not ours to release"
    );

    let mut app = with_draft(None);
    app.handle(key('e'));
    typed(&mut app, "X");
    // While editing, keys are text; the quit action comes from the palette or elsewhere.
    assert_eq!(app.handle(Event::Action(Action::Quit)), vec![]);
    assert!(matches!(app.modal, Some(Modal::ConfirmQuit)));
    assert!(!app.quit);
    assert_eq!(app.handle(key('n')), vec![]);
    assert!(app.modal.is_none() && !app.quit);
    assert!(
        app.draft.as_ref().is_some_and(|d| d.is_dirty()),
        "the edit is still there"
    );
    app.handle(Event::Action(Action::Quit));
    assert_eq!(
        app.handle(key('y')),
        vec![Effect::ReleaseDraft(MessageId(11)), Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn a_draft_decided_by_someone_else_closes_with_a_toast() {
    let mut app = with_draft(None);
    // A reload that still has it changes nothing.
    app.handle(Event::Loaded(Loaded::Review(review_rows())));
    assert!(app.draft.is_some());

    let rest: Vec<_> = review_rows().into_iter().skip(1).collect();
    app.handle(Event::Loaded(Loaded::Review(rest.clone())));
    assert!(app.draft.is_none());
    assert!(
        last_toast(&app).contains("draft #11 was decided by another operator"),
        "{:?}",
        toasts(&app)
    );
    assert_eq!(app.review.len(), 2);

    // Our own approval in flight is not someone else's decision.
    let mut app = with_draft(None);
    app.handle(key('a'));
    app.handle(key('y'));
    let before = app.toasts.len();
    app.handle(Event::Loaded(Loaded::Review(rest)));
    assert!(app.draft.is_some());
    assert_eq!(app.toasts.len(), before);
}

// ---- live updates -----------------------------------------------------------------------

#[test]
fn new_inbound_mail_after_the_first_load_toasts_and_alerts() {
    let mut app = app();
    let first = vec![
        inbox_row(2, "Kim Lee", Some("Oak Grove")),
        inbox_row(1, "Sam", None),
    ];
    assert_eq!(
        app.handle(Event::Loaded(Loaded::Inbox(first.clone()))),
        vec![]
    );
    assert!(app.toasts.is_empty(), "what was there at start is not news");

    let mut rows = vec![inbox_row(3, "Kim Lee", Some("Oak Grove"))];
    rows.extend(first.clone());
    assert_eq!(
        app.handle(Event::Loaded(Loaded::Inbox(rows.clone()))),
        vec![Effect::Alert("new reply from Oak Grove".into())]
    );
    assert_eq!(last_toast(&app), "new reply from Oak Grove");

    // The same rows again are not new.
    assert_eq!(
        app.handle(Event::Loaded(Loaded::Inbox(rows.clone()))),
        vec![]
    );

    // Two at once are counted; the unmatched one is named by its address.
    let mut more = vec![
        inbox_row(5, "Pat Diaz", None),
        inbox_row(4, "Kim Lee", None),
    ];
    more.extend(rows.clone());
    assert_eq!(
        app.handle(Event::Loaded(Loaded::Inbox(more.clone()))),
        vec![Effect::Alert(
            "2 new replies, latest from pat.diaz@agents.test".into()
        )]
    );

    // Auto-acknowledgements and bounces do not ring.
    let mut auto = inbox_row(6, "Leasing Office", Some("Oak Grove"));
    auto.is_auto_reply = true;
    let mut bounce = inbox_row(7, "Mailer Daemon", None);
    bounce.is_bounce = true;
    let mut quiet = vec![bounce, auto];
    quiet.extend(more);
    assert_eq!(app.handle(Event::Loaded(Loaded::Inbox(quiet))), vec![]);
}

#[test]
fn changed_messages_reload_review_inbox_and_dashboard_but_changed_shops_do_not_reload_review() {
    let mut app = app();
    let messages = Changed {
        messages: [5].into(),
        ..Changed::default()
    };
    let out = app.handle(Event::Changed(messages.clone()));
    assert!(out.contains(&Effect::Load(Query::Review)), "{out:?}");
    assert!(out.contains(&Effect::Load(Query::Dashboard)), "{out:?}");
    assert!(
        !out.iter()
            .any(|e| matches!(e, Effect::Load(Query::Inbox(_)))),
        "the inbox is not loaded yet: {out:?}"
    );

    app.handle(Event::Loaded(Loaded::Inbox(vec![inbox_row(
        1, "Sam", None,
    )])));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    let out = app.handle(Event::Changed(messages));
    assert!(
        out.contains(&Effect::Load(Query::Inbox(app.inbox_filter.clone()))),
        "{out:?}"
    );
    assert!(out.contains(&Effect::Load(Query::Review)), "{out:?}");
    assert!(out.contains(&Effect::Load(Query::Shops)), "{out:?}");

    let shops = Changed {
        shops: [2].into(),
        ..Changed::default()
    };
    let out = app.handle(Event::Changed(shops));
    assert!(!out.contains(&Effect::Load(Query::Review)), "{out:?}");
    assert!(
        !out.iter()
            .any(|e| matches!(e, Effect::Load(Query::Inbox(_)))),
        "{out:?}"
    );
    assert!(out.contains(&Effect::Load(Query::Shops)), "{out:?}");
    assert!(out.contains(&Effect::Load(Query::Dashboard)), "{out:?}");
}

#[test]
fn a_change_to_the_open_threads_shop_reloads_the_thread() {
    let mut app = app();
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::Load(Query::Thread(ShopId(1)))]
    );
    let ours = Changed {
        shops: [1].into(),
        ..Changed::default()
    };
    assert!(
        app.handle(Event::Changed(ours))
            .contains(&Effect::Load(Query::Thread(ShopId(1))))
    );
    let other = Changed {
        shops: [2].into(),
        ..Changed::default()
    };
    assert!(
        !app.handle(Event::Changed(other))
            .contains(&Effect::Load(Query::Thread(ShopId(1))))
    );
}

#[test]
fn losing_the_database_then_getting_it_back_reloads_everything_shown() {
    let mut app = app();
    app.handle(Event::Loaded(Loaded::Targets(vec![target(1, "Oak Grove")])));
    assert_eq!(
        app.handle(Event::Database(DbStatus::Lost("connection refused".into()))),
        vec![]
    );
    assert!(matches!(app.db, DbStatus::Lost(_)));
    assert!(
        app.last_error
            .as_deref()
            .is_some_and(|e| e.contains("connection refused"))
    );
    assert_eq!(
        app.handle(Event::Database(DbStatus::Lost("again".into()))),
        vec![]
    );

    let out = app.handle(Event::Database(DbStatus::Connected));
    for q in [
        Query::Dashboard,
        Query::Review,
        Query::Shops,
        Query::Inbox(app.inbox_filter.clone()),
        Query::Targets,
    ] {
        assert!(
            out.contains(&Effect::Load(q.clone())),
            "{q:?} not in {out:?}"
        );
    }
    assert!(
        !out.contains(&Effect::Load(Query::Personas)),
        "personas were never loaded"
    );
    assert_eq!(app.db, DbStatus::Connected);
    assert_eq!(last_toast(&app), "database back");
    // Connected while connected is no news.
    assert_eq!(app.handle(Event::Database(DbStatus::Connected)), vec![]);
}

// ---- palette, help, toasts --------------------------------------------------------------

#[test]
fn the_palette_fuzzy_matches_and_enter_runs_the_action() {
    assert_eq!(
        palette_matches("apdr", Role::Operator).first(),
        Some(&Action::ApproveDraft)
    );
    assert!(palette_matches("zzzz", Role::Operator).is_empty());
    // A client is not offered what it may not do.
    assert!(!palette_matches("apdr", Role::Client).contains(&Action::ApproveDraft));
    assert_eq!(
        palette_matches("export", Role::Client),
        vec![Action::ExportReport]
    );

    let mut app = on_review();
    app.handle(key(':'));
    assert!(matches!(app.modal, Some(Modal::Palette { .. })));
    typed(&mut app, "apdr");
    assert_eq!(app.handle(code(KeyCode::Enter)), vec![]);
    assert!(
        matches!(
            app.modal,
            Some(Modal::Confirm {
                action: Action::ApproveDraft,
                ..
            })
        ),
        "approve ran and asks first"
    );
    app.handle(key('n'));

    app.handle(key(':'));
    typed(&mut app, "go-tar");
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::Load(Query::Targets)]
    );
    assert_eq!(app.pane, Pane::Targets);
    assert!(app.modal.is_none());

    // Esc closes it without running anything.
    app.handle(key(':'));
    typed(&mut app, "quit");
    assert_eq!(app.handle(code(KeyCode::Esc)), vec![]);
    assert!(app.modal.is_none() && !app.quit);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = app();
    app.handle(key('?'));
    app.handle(key('j'));
    app.handle(key('j'));
    app.handle(key('k'));
    assert!(matches!(app.modal, Some(Modal::Help { scroll: 1 })));
    assert_eq!(app.handle(code(KeyCode::Esc)), vec![]);
    assert!(app.modal.is_none());
}

#[test]
fn ticks_remove_expired_toasts_and_errors_stay_longer() {
    let mut app = app();
    app.toast("draft saved");
    app.handle(Event::Failed {
        what: "approving".into(),
        error: "version changed".into(),
    });
    assert_eq!(app.toasts.len(), 2);
    assert!(app.toasts[1].error);
    assert_eq!(
        app.last_error.as_deref(),
        Some("approving: version changed")
    );

    app.handle(Event::Tick(t0() + Duration::seconds(4)));
    assert_eq!(app.toasts.len(), 2);
    app.handle(Event::Tick(t0() + Duration::seconds(6)));
    assert_eq!(toasts(&app), ["approving: version changed"]);
    app.handle(Event::Tick(t0() + Duration::seconds(11)));
    assert!(app.toasts.is_empty());
    assert!(
        app.last_error.is_some(),
        "the status bar keeps the last error"
    );
}

// ---- known defects: these assert what the operator needs and fail today ------------------

#[test]

fn esc_leaves_an_unchanged_edit() {
    let mut app = with_draft(None);
    app.handle(key('e'));
    app.handle(code(KeyCode::Esc));
    assert!(app.draft.as_ref().is_some_and(|d| d.editor.is_none()));
}

#[test]

fn the_first_reply_into_an_empty_inbox_alerts() {
    let mut app = app();
    app.handle(Event::Loaded(Loaded::Inbox(Vec::new())));
    let out = app.handle(Event::Loaded(Loaded::Inbox(vec![inbox_row(
        1,
        "Kim Lee",
        Some("Oak Grove"),
    )])));
    assert_eq!(out, vec![Effect::Alert("new reply from Oak Grove".into())]);
}

#[test]

fn our_own_rejection_is_not_reported_as_someone_elses() {
    let mut app = with_draft(None);
    app.handle(key('r'));
    typed(&mut app, "too pushy");
    app.handle(code(KeyCode::Enter));
    let rest: Vec<_> = review_rows().into_iter().skip(1).collect();
    app.handle(Event::Loaded(Loaded::Review(rest)));
    assert!(
        !toasts(&app).iter().any(|t| t.contains("another operator")),
        "{:?}",
        toasts(&app)
    );
}

#[test]

fn j_in_a_thread_moves_to_the_next_shown_fact() {
    let mut app = app();
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    app.handle(code(KeyCode::Enter));
    app.handle(Event::Loaded(Loaded::Thread {
        shop: ShopId(1),
        messages: Vec::new(),
        facts: vec![
            fact(1, "application_fee", serde_json::json!(50), None),
            fact(2, "pet_policy", serde_json::json!("no cats"), Some(3)),
            fact(3, "pet_policy", serde_json::json!("cats ok"), None),
        ],
        review: Default::default(),
    }));
    app.handle(key('j'));
    let t = app.thread.as_ref().unwrap();
    assert!(
        t.facts[t.fact].superseded_by.is_none(),
        "selected fact #{}",
        t.fact + 1
    );
}

#[test]

fn ctrl_c_while_editing_is_esc_it_asks_save_discard_or_keep_editing() {
    let mut app = with_draft(None);
    app.handle(key('e'));
    typed(&mut app, "X");
    app.handle(ctrl('c'));
    assert!(matches!(app.modal, Some(Modal::UnsavedEdit)));
    assert!(!app.quit);
    // Any other key leaves the question up: nothing is typed, nothing swallowed by surprise.
    app.handle(key('x'));
    assert!(matches!(app.modal, Some(Modal::UnsavedEdit)));
    // esc: keep editing, the change still there.
    app.handle(code(KeyCode::Esc));
    assert!(app.modal.is_none());
    assert!(app.draft.as_ref().is_some_and(|d| d.is_dirty()));
}

#[test]
fn esc_on_a_changed_edit_asks_and_d_discards_s_saves() {
    let mut app = with_draft(None);
    app.handle(key('e'));
    // `q` is text inside the editor: it never quits.
    typed(&mut app, "q");
    assert!(!app.quit && app.modal.is_none());
    assert!(app.draft.as_ref().is_some_and(|d| d.is_dirty()));
    app.handle(code(KeyCode::Esc));
    assert!(matches!(app.modal, Some(Modal::UnsavedEdit)));
    app.handle(key('d'));
    assert!(app.modal.is_none());
    assert!(app.draft.as_ref().is_some_and(|d| d.editor.is_none()));
    assert_eq!(last_toast(&app), "edit discarded");

    app.handle(key('e'));
    typed(&mut app, "Y");
    app.handle(code(KeyCode::Esc));
    let out = app.handle(key('s'));
    assert!(
        matches!(out.as_slice(), [Effect::SaveDraft { .. }]),
        "s saves: {out:?}"
    );
}

#[test]
fn targets_load_sorted_by_name_and_s_cycles_the_order_keeping_the_selection() {
    let mut app = app();
    app.handle(key('5'));
    let mut grove = target(1, "The Grove");
    grove.city = "Austin".into();
    let mut maple = target(2, "Maple Court");
    maple.city = "Columbus".into();
    let mut alder = target(3, "Alder Park");
    alder.city = "Denver".into();
    app.handle(Event::Loaded(Loaded::Targets(vec![grove, maple, alder])));
    let names =
        |app: &App| -> Vec<String> { app.targets.visible_rows().map(|t| t.name.clone()).collect() };
    assert_eq!(names(&app), ["Alder Park", "Maple Court", "The Grove"]);
    app.handle(key('G'));
    assert_eq!(app.targets.selected_row().unwrap().name, "The Grove");
    app.handle(key('s'));
    assert_eq!(names(&app), ["The Grove", "Maple Court", "Alder Park"]);
    assert_eq!(app.targets.selected_row().unwrap().name, "The Grove");
    assert!(last_toast(&app).contains("city"));
}

#[test]
fn scrolling_past_a_full_inbox_page_loads_the_next_page_from_the_database() {
    let mut app = app();
    app.handle(key('4'));
    let page: Vec<InboxRow> = (1..=500)
        .rev()
        .map(|i| inbox_row(i, "agent@p.test", Some("Oak")))
        .collect();
    app.handle(Event::Loaded(Loaded::Inbox(page)));
    for _ in 0..498 {
        assert!(app.handle(key('j')).is_empty());
    }
    // On the last row of a full page: the next page is asked for.
    let out = app.handle(key('j'));
    let Some(Effect::Load(Query::Inbox(f))) = out.first() else {
        panic!("expected the next inbox page, got {out:?}");
    };
    assert_eq!(f.limit, 1000);
    // A short page is the end: nothing more to ask for.
    let mut short = app_with_inbox(10);
    short.handle(key('G'));
    assert!(short.handle(key('j')).is_empty());
}

fn app_with_inbox(n: i64) -> App {
    let mut app = app();
    app.handle(key('4'));
    let rows = (1..=n)
        .rev()
        .map(|i| inbox_row(i, "agent@p.test", None))
        .collect();
    app.handle(Event::Loaded(Loaded::Inbox(rows)));
    app
}

#[test]
fn a_new_template_is_checked_field_by_field_before_it_is_saved() {
    let mut app = app();
    app.handle(key('6'));
    app.handle(key('N'));
    assert!(matches!(app.modal, Some(Modal::Form(_))));
    // Saving at once: the name is missing; the error sits on that field.
    assert!(app.handle(ctrl('s')).is_empty());
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("the form stays open");
    };
    assert_eq!(f.errors[0].field, "name");
    typed(&mut app, "students");
    // Tab to the budget and break it.
    app.handle(code(KeyCode::Tab));
    app.handle(code(KeyCode::Tab));
    for _ in 0..12 {
        app.handle(code(KeyCode::Backspace));
    }
    typed(&mut app, "cheap");
    assert!(app.handle(ctrl('s')).is_empty());
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("the form stays open");
    };
    assert_eq!(f.errors[0].field, "budget");
    for _ in 0..5 {
        app.handle(code(KeyCode::Backspace));
    }
    typed(&mut app, "900-1300");
    let out = app.handle(ctrl('s'));
    let [
        Effect::SaveTemplate {
            editing: None,
            input: t,
        },
    ] = out.as_slice()
    else {
        panic!("expected a save, got {out:?}");
    };
    assert_eq!(t.name, "students");
    assert_eq!(t.budget, (900, 1300));
}

#[test]
fn a_persona_edit_names_the_wrong_fields_and_saves_at_the_version_read() {
    let mut app = app();
    app.handle(key('6'));
    let p: Persona = serde_json::from_value(serde_json::json!({
        "id": 4, "template_id": null, "first_name": "Jane", "last_name": "Porter",
        "email": "jane@shop.test", "mailbox_id": null, "phone": "", "rental_budget": 1800,
        "bedrooms": 2, "bathrooms": 1.0, "preferences": "", "pets": "one cat",
        "credit_score": 720, "monthly_income": 6000, "additional_occupants": "",
        "rental_history": "", "writing_style": "", "move_in_date": null,
        "first_used_at": null, "created_at": "2026-11-01T00:00:00Z", "deleted_at": null,
        "version": 3
    }))
    .unwrap();
    app.handle(Event::Loaded(Loaded::Personas(vec![p])));
    app.handle(code(KeyCode::Enter));
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("Enter opens the persona's form");
    };
    assert_eq!(f.fields[1], ("rental_budget", "1800".to_string()));
    // Down to the move-in date and type a bad one.
    for _ in 0..4 {
        app.handle(code(KeyCode::Down));
    }
    typed(&mut app, "soon");
    assert!(app.handle(ctrl('s')).is_empty());
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("the form stays open");
    };
    assert_eq!(f.errors[0].field, "move_in_date");
    for _ in 0..4 {
        app.handle(code(KeyCode::Backspace));
    }
    typed(&mut app, "2027-01-15");
    let out = app.handle(ctrl('s'));
    let [Effect::SavePersona { id, version, edit }] = out.as_slice() else {
        panic!("expected a save, got {out:?}");
    };
    assert_eq!((id.0, *version), (4, 3));
    assert_eq!(edit.move_in_date.unwrap().to_string(), "2027-01-15");
    assert_eq!(edit.pets, "one cat");
}

#[test]
fn the_status_bar_shows_each_mailboxs_sync_and_a_long_pass_in_progress() {
    use crate::store::SyncState;
    let mut app = app();
    let state =
        |address: &str, done: Option<i32>, total: Option<i32>, error: Option<&str>| SyncState {
            address: address.into(),
            folder: "INBOX".into(),
            last_synced_at: Some(t0() - chrono::Duration::minutes(3)),
            last_error: error.map(str::to_string),
            sync_done: done,
            sync_total: total,
        };
    app.handle(Event::Loaded(Loaded::Sync(vec![
        state("ops@shop.test", Some(1500), Some(10000), None),
        state("jane@shop.test", None, None, None),
        state("bob@shop.test", None, None, Some("login failed")),
    ])));
    let backend = ratatui::backend::TestBackend::new(160, 10);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|f| crate::tui::view::draw(&app, &crate::tui::theme::Theme::colour(), f))
        .unwrap();
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("ops: syncing 1500/10000"), "{screen}");
    assert!(screen.contains("jane: synced 3m ago"), "{screen}");
    assert!(screen.contains("bob: sync error, retrying"), "{screen}");
}

#[test]
fn a_long_list_pages_so_the_selected_row_is_always_on_screen() {
    let mut app = app_with_inbox(100);
    for _ in 0..40 {
        app.handle(key('j'));
    }
    let selected = app.inbox.selected_row().unwrap().id;
    let backend = ratatui::backend::TestBackend::new(100, 30);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let theme = crate::tui::theme::Theme::colour();
    terminal
        .draw(|f| crate::tui::view::draw(&app, &theme, f))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    // The row with the selection style carries the selected message's id.
    let row = (0..30)
        .find(|y| buffer[(10, *y)].style().bg == theme.selection.bg)
        .expect("a highlighted row");
    let line: String = (0..100).map(|x| buffer[(x, row)].symbol()).collect();
    assert!(line.contains(&format!(" {selected} ")), "{line}");
    // Rows of the first page are gone: the view moved on by a page.
    let screen = format!("{}", terminal.backend());
    assert!(
        !screen.contains("│● 100 ") && !screen.contains("│  100 "),
        "the first page is still drawn: {screen}"
    );
    assert!(screen.contains(&format!(" {selected} ")), "{screen}");
}

#[test]
fn on_the_templates_list_e_edits_and_x_retires_the_template() {
    use crate::domain::persona::PersonaTemplate;
    let mut app = app();
    app.handle(key('6'));
    app.handle(key('t'));
    let t: PersonaTemplate = serde_json::from_value(serde_json::json!({
        "id": 7, "name": "students", "description": "",
        "budget_min": 900, "budget_max": 1300, "bedrooms_min": 0, "bedrooms_max": 1,
        "bathrooms_min": 1.0, "bathrooms_max": 1.0, "credit_score_min": 600,
        "credit_score_max": 700, "income_multiple_min": 2.5, "income_multiple_max": 3.0,
        "move_in_days_min": 20, "move_in_days_max": 45, "preferences": ["a desk"],
        "pets": [], "occupants": [], "rental_histories": [], "writing_styles": [],
        "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-02T00:00:00Z"
    }))
    .unwrap();
    app.handle(Event::Loaded(Loaded::Templates(vec![t])));
    app.handle(key('e'));
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("e opens the template's form");
    };
    assert_eq!(f.fields[2], ("budget", "900-1300".to_string()));
    let out = app.handle(ctrl('s'));
    let [
        Effect::SaveTemplate {
            editing: Some((id, seen)),
            input,
        },
    ] = out.as_slice()
    else {
        panic!("expected an update, got {out:?}");
    };
    assert_eq!(id.0, 7);
    assert_eq!(seen.to_rfc3339(), "2026-11-02T00:00:00+00:00");
    assert_eq!(input.preferences, ["a desk"]);
    app.modal = None;
    app.handle(key('x'));
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    let out = app.handle(key('y'));
    assert!(
        matches!(out.as_slice(), [Effect::RetireTemplate(id)] if id.0 == 7),
        "{out:?}"
    );
}

#[test]
fn long_fields_open_in_a_text_area_and_bring_their_lines_back() {
    let mut app = app();
    app.handle(key('5'));
    app.handle(key('n'));
    typed(&mut app, "Birch Hill");
    // Down to the notes (the client picker comes after them).
    for _ in 0..12 {
        app.handle(code(KeyCode::Down));
    }
    app.handle(code(KeyCode::Enter));
    assert!(matches!(app.modal, Some(Modal::LongField { .. })));
    typed(&mut app, "Quiet street.");
    app.handle(code(KeyCode::Enter));
    typed(&mut app, "Ask about the pool.");
    app.handle(ctrl('s'));
    let Some(Modal::Form(f)) = &app.modal else {
        panic!("back in the form");
    };
    assert_eq!(f.fields[12].1, "Quiet street.\nAsk about the pool.");
    let out = app.handle(ctrl('s'));
    let [Effect::SaveTarget { input, .. }] = out.as_slice() else {
        panic!("expected a save, got {out:?}");
    };
    assert_eq!(input.notes, "Quiet street.\nAsk about the pool.");
}

#[test]
fn the_target_forms_client_is_picked_with_the_arrows_and_saved_by_name() {
    let mut app = app();
    app.handle(key('5'));
    assert_eq!(
        app.handle(key('n')),
        vec![Effect::Load(Query::Clients)],
        "the picker asks for fresh client names"
    );
    app.handle(Event::Loaded(Loaded::Clients(vec![
        "Acme Living".into(),
        "Birch Homes".into(),
    ])));
    typed(&mut app, "Birch Hill");
    for _ in 0..13 {
        app.handle(code(KeyCode::Down));
    }
    let client = |app: &App| match &app.modal {
        Some(Modal::Form(f)) => f.fields[13].1.clone(),
        _ => panic!("the form is open"),
    };
    app.handle(code(KeyCode::Right));
    assert_eq!(client(&app), "Acme Living");
    typed(&mut app, "xyz");
    assert_eq!(
        client(&app),
        "Acme Living",
        "typing does not change a picked field"
    );
    app.handle(code(KeyCode::Right));
    app.handle(code(KeyCode::Right));
    assert_eq!(client(&app), "", "past the last client: no client");
    app.handle(code(KeyCode::Left));
    assert_eq!(client(&app), "Birch Homes", "and back round");
    let out = app.handle(ctrl('s'));
    let [Effect::SaveTarget { input, .. }] = out.as_slice() else {
        panic!("expected a save, got {out:?}");
    };
    assert_eq!(input.client.as_deref(), Some("Birch Homes"));
}

#[test]
fn the_slash_filter_matches_a_targets_client() {
    let mut app = app();
    app.handle(key('5'));
    let mut acme = target(2, "Maple Court");
    acme.client = Some("Acme Living".into());
    app.handle(Event::Loaded(Loaded::Targets(vec![
        target(1, "The Grove"),
        acme,
    ])));
    app.targets.filter = "acme".into();
    app.targets.refilter(super::target_text);
    assert_eq!(app.targets.visible.len(), 1);
    assert_eq!(app.targets.selected_row().unwrap().name, "Maple Court");
}

#[test]
fn shift_r_retries_the_selected_shops_failed_message_and_says_so_otherwise() {
    let mut app = app();
    app.handle(key('2'));
    let mut rows = shop_rows();
    rows[1].failed_message = Some(MessageId(40));
    rows[1].send_error = Some("550 no such user".into());
    app.handle(Event::Loaded(Loaded::Shops(rows)));
    assert_eq!(
        app.handle(key('R')),
        vec![],
        "the first shop has nothing failed"
    );
    assert_eq!(last_toast(&app), "nothing of this shop failed to send");
    app.handle(key('j'));
    assert_eq!(app.handle(key('R')), vec![Effect::RetrySend(MessageId(40))]);
    app.handle(Event::Done(Done::SendRetried(MessageId(40))));
    assert_eq!(last_toast(&app), "message #40 is back in the outbox");
}

#[test]
fn shift_d_asks_for_a_new_draft_on_a_shop_whose_follow_up_was_rejected() {
    let mut app = app();
    app.handle(key('2'));
    let mut rows = shop_rows();
    rows[0].rejection = Some("follow-up rejected by dana: too pushy".into());
    app.handle(Event::Loaded(Loaded::Shops(rows.clone())));
    assert!(
        crate::tui::panes::shops::next_step(&rows[0])
            .starts_with("follow-up rejected by dana: too pushy"),
        "the shop says who rejected it and why"
    );
    assert_eq!(app.handle(key('D')), vec![Effect::DraftNext(ShopId(1))]);
    app.handle(Event::Done(Done::DraftedNext(ShopId(1), MessageId(77))));
    assert_eq!(
        last_toast(&app),
        "drafted #77 for shop #1: it is in the review queue"
    );
}

#[test]
fn an_approval_can_be_recalled_with_u_until_its_window_closes() {
    let mut app = on_review();
    let until = t0() + Duration::seconds(60);
    app.handle(Event::Done(Done::DraftApproved(MessageId(11), Some(until))));
    assert_eq!(app.undoable, vec![(MessageId(11), until)]);
    assert_eq!(
        app.handle(key('u')),
        vec![Effect::RecallMessage(MessageId(11))]
    );
    app.handle(Event::Done(Done::Recalled(MessageId(11))));
    assert!(app.undoable.is_empty());
    assert_eq!(
        last_toast(&app),
        "recalled #11: it is back in the review queue, held by you"
    );

    // Left alone, the window closes and `u` has nothing to recall.
    app.handle(Event::Done(Done::DraftApproved(MessageId(12), Some(until))));
    app.handle(Event::Tick(until + Duration::seconds(1)));
    assert!(app.undoable.is_empty());
    assert_eq!(app.handle(key('u')), vec![]);
}

/// Draft #11 open with two versions: the first draft and the operator's edit (its text now).
fn with_history() -> App {
    let mut app = on_review();
    let mut draft = review_rows().remove(0);
    draft.version = 5;
    let v = |number: i32, how: crate::domain::message::VersionHow, body: &str| {
        crate::store::DraftVersion {
            message_id: draft.id,
            number,
            subject: draft.subject.clone(),
            body_text: body.into(),
            how,
            author: "alice".into(),
            instructions: None,
            restored_from: None,
            created_at: chrono::Utc::now(),
        }
    };
    let versions = vec![
        v(
            1,
            crate::domain::message::VersionHow::Offline,
            "Hi,\nFirst.\nDana",
        ),
        v(
            2,
            crate::domain::message::VersionHow::Edit,
            &draft.body_text,
        ),
    ];
    app.handle(Event::Loaded(Loaded::Draft {
        draft: Box::new(draft),
        held_by: None,
        thread: Vec::new(),
        missing: Vec::new(),
        versions,
    }));
    app
}

#[test]
fn an_earlier_version_can_be_read_and_restored_but_not_approved() {
    let mut app = with_history();
    app.handle(Event::Action(Action::OlderVersion));
    assert_eq!(app.draft.as_ref().unwrap().browsing, Some(0));
    // Stepping past the first says so and stays.
    app.handle(Event::Action(Action::OlderVersion));
    assert_eq!(app.draft.as_ref().unwrap().browsing, Some(0));
    // What is on screen is not what would be sent: approve, edit and regenerate refuse.
    for a in [
        Action::ApproveDraft,
        Action::EditDraft,
        Action::RegenerateDraft,
    ] {
        assert_eq!(app.handle(Event::Action(a)), Vec::new(), "{a:?}");
        assert!(app.modal.is_none(), "{a:?}");
    }
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("earlier version"))
    );
    assert_eq!(
        app.handle(Event::Action(Action::RestoreVersion)),
        vec![Effect::RestoreVersion {
            id: MessageId(11),
            number: 1,
            version: 5
        }]
    );
    // Forward again to the current text: nothing to restore there.
    let mut app = with_history();
    app.handle(Event::Action(Action::OlderVersion));
    app.handle(Event::Action(Action::NewerVersion));
    assert_eq!(app.draft.as_ref().unwrap().browsing, None);
    assert_eq!(
        app.handle(Event::Action(Action::RestoreVersion)),
        Vec::new()
    );
}

#[test]
fn u_on_a_shop_recalls_its_message_in_the_outbox_but_not_one_being_sent() {
    let mut app = app();
    let mut rows = shop_rows();
    rows[0].status = ShopStatus::AwaitingSend;
    rows[0].outbox_message = Some(MessageId(40));
    rows[0].outbox_status = Some("queued".into());
    rows[1].outbox_message = Some(MessageId(41));
    rows[1].outbox_status = Some("sending".into());
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(rows)));
    assert_eq!(
        app.handle(key('u')),
        vec![Effect::RecallMessage(MessageId(40))]
    );
    app.handle(key('j'));
    assert_eq!(app.handle(key('u')), Vec::new(), "the outbox has it");
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("nothing to recall"))
    );
}

#[test]
fn the_status_bar_follows_an_approved_message_until_it_is_sent() {
    let mut app = on_review();
    let effects = app.handle(Event::Done(Done::DraftApproved(MessageId(11), None)));
    assert!(effects.contains(&Effect::Load(Query::Outgoing(vec![MessageId(11)]))));
    let mut m = review_rows().remove(0);
    m.status = Some(DraftStatus::Queued);
    m.wait_reason = Some(crate::domain::outbox::WaitReason::Window);
    m.next_attempt_at = Some(t0() + Duration::hours(3));
    app.handle(Event::Loaded(Loaded::Outgoing(vec![m.clone()])));
    let (text, bad) = crate::tui::view::outgoing_text(app.outgoing.as_ref().unwrap()).unwrap();
    assert!(
        text.starts_with("#11 queued: outside the send window, next try"),
        "{text}"
    );
    assert!(!bad);

    // A change to the message reloads it; once sent it is no longer watched.
    let changed = Changed {
        messages: [11].into_iter().collect(),
        ..Default::default()
    };
    assert!(
        app.handle(Event::Changed(changed))
            .contains(&Effect::Load(Query::Outgoing(vec![MessageId(11)])))
    );
    m.status = Some(DraftStatus::Sent);
    m.sent_at = Some(t0() + Duration::hours(3));
    app.handle(Event::Loaded(Loaded::Outgoing(vec![m.clone()])));
    assert!(app.watching.is_empty());
    let (text, _) = crate::tui::view::outgoing_text(app.outgoing.as_ref().unwrap()).unwrap();
    assert!(text.starts_with("#11 sent "), "{text}");

    m.status = Some(DraftStatus::Failed);
    m.last_error = Some("550 mailbox unavailable".into());
    assert_eq!(
        crate::tui::view::outgoing_text(&m),
        Some(("#11 failed: 550 mailbox unavailable".into(), true))
    );
}

#[test]
fn the_workers_login_is_told_operators_decide_and_sees_no_decision_keys() {
    let mut app = on_review();
    app.role = Role::Worker;
    for k in ['a', 'r', 'e', 'R'] {
        assert_eq!(app.handle(key(k)), Vec::new(), "{k}");
        assert!(app.modal.is_none(), "{k}");
    }
    assert!(last_toast(&app).contains("is the worker: it may not draft it again"));
    assert!(last_toast(&app).contains("operators decide on drafts"));
    // Reading is still allowed: the draft opens.
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::OpenDraft(MessageId(11))]
    );
}

#[test]
fn a_clients_login_reads_its_portfolio_and_is_offered_nothing_else() {
    let mut app = app();
    app.operator = "clara".into();
    app.role = Role::Client;
    // It loads its portfolio's figures and shops, not the team's queue, inbox or mailboxes.
    assert_eq!(
        app.start(),
        vec![Effect::Load(Query::Dashboard), Effect::Load(Query::Shops)]
    );
    assert_eq!(app.panes(), &[Pane::Dashboard, Pane::Shops, Pane::Reports]);

    // The review pane (3) is not offered: a toast says why, nothing loads.
    assert_eq!(app.handle(key('3')), vec![]);
    assert_eq!(app.pane, Pane::Dashboard);
    assert_eq!(
        last_toast(&app),
        "clara is a client: the review pane is not theirs (only reads its own portfolio)"
    );
    // Tab moves through its three panes only.
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    app.handle(code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Shops);
    app.handle(code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Reports);
    app.handle(code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Dashboard);

    // On its shops: reading a thread is offered; cancelling a shop is not.
    app.handle(key('2'));
    assert_eq!(
        app.handle(code(KeyCode::Enter)),
        vec![Effect::Load(Query::Thread(ShopId(1)))]
    );
    app.handle(code(KeyCode::Esc));
    assert_eq!(app.handle(key('x')), vec![]);
    assert!(last_toast(&app).starts_with("clara is a client: it may not cancel the shop"));

    // What other operators change reloads its portfolio only.
    let changed = Changed {
        messages: [7].into(),
        shops: [1].into(),
        other: true,
    };
    for e in app.handle(Event::Changed(changed)) {
        let Effect::Load(q) = &e else {
            panic!("a client's view asked for {e:?}")
        };
        assert!(
            matches!(q, Query::Dashboard | Query::Shops | Query::Thread(_)),
            "{q:?}"
        );
    }
}

#[test]
fn esc_on_a_filtered_list_shows_the_whole_list_again() {
    let mut app = app();
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    app.handle(key('/'));
    typed(&mut app, "oak");
    app.handle(code(KeyCode::Enter));
    assert_eq!(app.shops.visible.len(), 2, "the filter is kept after Enter");
    app.handle(code(KeyCode::Esc));
    assert_eq!(app.filter(), "");
    assert_eq!(app.shops.visible.len(), 3);
}

#[test]
fn a_finished_shop_is_not_offered_to_cancel() {
    let mut app = app();
    app.handle(key('2'));
    app.handle(Event::Loaded(Loaded::Shops(shop_rows())));
    // Select the completed one (Maple Court).
    while app.shops.selected_row().map(|s| s.status) != Some(ShopStatus::Completed) {
        app.handle(key('j'));
    }
    assert!(app.selected_shop_finished());
    assert_eq!(app.handle(key('x')), vec![]);
    assert!(app.modal.is_none(), "no confirmation asked");
    assert_eq!(
        last_toast(&app),
        "this shop has ended: there is nothing to cancel"
    );
    // A running one still is.
    app.handle(key('g'));
    assert!(!app.selected_shop_finished());
    app.handle(key('x'));
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
}
