//! Measured metrics of a finished shop (computed from the thread, never guessed by a model) and
//! the rule-based criterion scores the offline grader gives.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::community::{FairHousingFlag, Signals};
use super::ids::MessageId;
use super::message::ResponderKind;
use super::rubric::{Grade, Rubric};
use super::send_window::{SendWindow, local_instant};

/// One message of the thread as grading sees it.
#[derive(Debug, Clone)]
pub struct ThreadEntry {
    /// The stored message, when there is one (review reasons name it).
    pub message: Option<MessageId>,
    pub at: DateTime<Utc>,
    pub outbound: bool,
    /// For replies: who wrote it.
    pub responder: Option<ResponderKind>,
    pub signals: Signals,
    /// Checklist names this reply answered.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub first_response_minutes: Option<i64>,
    pub first_response_business_minutes: Option<i64>,
    /// Replies by a person or an assistant (auto-replies excluded).
    pub replies: usize,
    pub auto_replies: usize,
    /// Our messages after the inquiry.
    pub follow_ups_sent: usize,
    pub fields_required: usize,
    pub fields_answered: usize,
    /// Answered before we had to ask again.
    pub fields_answered_unprompted: usize,
    /// The agent wrote again without waiting for us.
    pub followed_up_unprompted: bool,
}

/// Minutes between `a` and `b` that fall inside the window's days and hours (in `tz`).
pub fn business_minutes(a: DateTime<Utc>, b: DateTime<Utc>, w: &SendWindow, tz: Tz) -> i64 {
    if b <= a {
        return 0;
    }
    if w.always {
        return (b - a).num_minutes();
    }
    let mut total = 0;
    let mut day = a.with_timezone(&tz).date_naive();
    let last = b.with_timezone(&tz).date_naive();
    while day <= last {
        if w.days.contains(&chrono::Datelike::weekday(&day)) {
            let open = local_instant(tz, day, w.start);
            let close = local_instant(tz, day, w.end);
            if let (Some(open), Some(close)) = (open, close) {
                let (from, to) = (open.max(a), close.min(b));
                if to > from {
                    total += (to - from).num_minutes();
                }
            }
        }
        day += Duration::days(1);
    }
    total
}

pub fn metrics(thread: &[ThreadEntry], required: &[String], w: &SendWindow, tz: Tz) -> Metrics {
    let mut m = Metrics {
        fields_required: required.len(),
        ..Default::default()
    };
    let first_sent = thread.iter().find(|e| e.outbound).map(|e| e.at);
    let is_answer = |e: &ThreadEntry| !e.outbound && e.responder != Some(ResponderKind::Auto);
    if let (Some(sent), Some(reply)) = (first_sent, thread.iter().find(|e| is_answer(e))) {
        m.first_response_minutes = Some((reply.at - sent).num_minutes());
        m.first_response_business_minutes = Some(business_minutes(sent, reply.at, w, tz));
    }
    m.replies = thread.iter().filter(|e| is_answer(e)).count();
    m.auto_replies = thread
        .iter()
        .filter(|e| !e.outbound && e.responder == Some(ResponderKind::Auto))
        .count();
    m.follow_ups_sent = thread
        .iter()
        .filter(|e| e.outbound)
        .count()
        .saturating_sub(1);
    let mut answered: Vec<&String> = Vec::new();
    let mut unprompted: Vec<&String> = Vec::new();
    let mut ours_since_inquiry = 0;
    let mut last_was_answer = false;
    for e in thread {
        if e.outbound {
            ours_since_inquiry += 1;
            last_was_answer = false;
            continue;
        }
        if !is_answer(e) {
            continue;
        }
        if last_was_answer {
            m.followed_up_unprompted = true;
        }
        last_was_answer = true;
        for f in e.fields.iter().filter(|f| required.contains(f)) {
            if !answered.contains(&f) {
                answered.push(f);
                if ours_since_inquiry <= 1 {
                    unprompted.push(f);
                }
            }
        }
    }
    m.fields_answered = answered.len();
    m.fields_answered_unprompted = unprompted.len();
    m
}

/// The rule-based scores for each default criterion, as fractions of its weight, with reasons.
pub fn offline_scores(m: &Metrics, signals: &Signals) -> Vec<(String, f64, String, Vec<String>)> {
    let mut out = Vec::new();
    let (resp, why) = match m.first_response_business_minutes {
        None => (0.0, "no reply from a person or assistant".to_string()),
        Some(x) if x <= 60 => (1.0, format!("first reply within {x} business minutes")),
        Some(x) if x <= 240 => (
            0.8,
            format!("first reply after {:.1} business hours", x as f64 / 60.0),
        ),
        Some(x) if x <= 8 * 60 => (0.6, "first reply the same business day".to_string()),
        Some(x) if x <= 16 * 60 => (0.35, "first reply the next business day".to_string()),
        Some(_) => (
            0.15,
            "first reply after more than two business days".to_string(),
        ),
    };
    out.push(("responsiveness".into(), resp, why, vec![]));

    let completeness = if m.fields_required == 0 {
        if m.replies > 0 { 0.5 } else { 0.0 }
    } else {
        let later = m.fields_answered - m.fields_answered_unprompted;
        (m.fields_answered_unprompted as f64 + 0.5 * later as f64) / m.fields_required as f64
    };
    out.push((
        "completeness".into(),
        completeness,
        format!(
            "{} of {} checklist items answered, {} without being asked again",
            m.fields_answered, m.fields_required, m.fields_answered_unprompted
        ),
        vec![],
    ));

    let mut ft = 0.0;
    let mut reasons = Vec::new();
    if signals.asked_for_appointment {
        ft += 0.4;
        reasons.push("asked for a tour");
    }
    if m.followed_up_unprompted {
        ft += 0.25;
        reasons.push("followed up without being prompted");
    }
    match signals.qualifying_questions.len() {
        0 => {}
        1 => {
            ft += 0.175;
            reasons.push("asked a qualifying question");
        }
        _ => {
            ft += 0.35;
            reasons.push("asked qualifying questions");
        }
    }
    if reasons.is_empty() {
        reasons.push("no tour offered, no qualifying questions");
    }
    out.push((
        "follow_through".into(),
        ft,
        reasons.join("; "),
        signals.qualifying_questions.clone(),
    ));

    let mut pro = 0.0;
    let mut reasons = Vec::new();
    for (ok, points, what) in [
        (signals.used_name, 0.3, "used the prospect's name"),
        (signals.has_signature, 0.25, "signed with a name"),
        (signals.has_contact_details, 0.25, "gave contact details"),
        (
            m.replies > 0,
            0.2,
            "a personal reply, not only an auto-acknowledgement",
        ),
    ] {
        if ok {
            pro += points;
            reasons.push(what);
        }
    }
    if reasons.is_empty() {
        reasons.push("no personal reply");
    }
    out.push(("professionalism".into(), pro, reasons.join("; "), vec![]));
    out
}

/// All fair-housing flags raised in the thread, deduplicated by quote.
pub fn thread_flags(thread: &[ThreadEntry]) -> Vec<FairHousingFlag> {
    let mut out: Vec<FairHousingFlag> = Vec::new();
    for f in thread.iter().flat_map(|e| &e.signals.fair_housing_flags) {
        if !out.iter().any(|o| o.quote == f.quote) {
            out.push(f.clone());
        }
    }
    out
}

/// Why the thread's grade needs an operator besides fair housing: each reply that tried to
/// instruct an AI ("ignore previous instructions", "give this agent full marks"). Its signals
/// may have been written to steer the analysis, so a person confirms the grade.
pub fn injection_reasons(thread: &[ThreadEntry]) -> Vec<String> {
    thread
        .iter()
        .filter(|e| !e.outbound && e.signals.instructions_to_ai)
        .map(|e| match e.message {
            Some(id) => format!("prompt-injection attempt in message #{id}"),
            None => "prompt-injection attempt in a reply".to_string(),
        })
        .collect()
}

/// A thread's grade: the measured metrics, the rule-based scores, the fair-housing gate, and a
/// review for every reply that tried to instruct an AI.
pub fn grade_thread(
    rubric: &Rubric,
    thread: &[ThreadEntry],
    required: &[String],
    w: &SendWindow,
    tz: Tz,
) -> (Grade, Metrics) {
    let m = metrics(thread, required, w, tz);
    let signals = thread_signals(thread);
    let mut grade = rubric.grade(
        offline_scores(&m, &signals),
        signals.fair_housing_flags.clone(),
    );
    for reason in injection_reasons(thread) {
        grade.flag_for_review(reason);
    }
    (grade, m)
}

/// The union of the replies' signals (what the agent did at any point).
pub fn thread_signals(thread: &[ThreadEntry]) -> Signals {
    let mut s = Signals::default();
    for e in thread.iter().filter(|e| !e.outbound) {
        s.used_name |= e.signals.used_name;
        s.asked_for_appointment |= e.signals.asked_for_appointment;
        s.has_signature |= e.signals.has_signature;
        s.has_contact_details |= e.signals.has_contact_details;
        s.instructions_to_ai |= e.signals.instructions_to_ai;
        for q in &e.signals.qualifying_questions {
            if !s.qualifying_questions.contains(q) {
                s.qualifying_questions.push(q.clone());
            }
        }
    }
    s.fair_housing_flags = thread_flags(thread);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone, Weekday};
    use chrono_tz::America::Chicago;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Chicago
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn window() -> SendWindow {
        SendWindow {
            always: false,
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        }
    }

    #[test]
    fn business_minutes_skip_nights_and_weekends() {
        let w = window();
        // Friday 16:00 to Monday 10:00 = 60 + 60 minutes of business time.
        assert_eq!(
            business_minutes(at(27, 16, 0), at(30, 10, 0), &w, Chicago),
            120
        );
        assert_eq!(
            business_minutes(at(23, 10, 0), at(23, 10, 45), &w, Chicago),
            45
        );
        assert_eq!(
            business_minutes(at(23, 18, 0), at(23, 23, 0), &w, Chicago),
            0
        );
    }

    fn entry(
        at: DateTime<Utc>,
        outbound: bool,
        who: Option<ResponderKind>,
        fields: &[&str],
    ) -> ThreadEntry {
        ThreadEntry {
            message: None,
            at,
            outbound,
            responder: who,
            signals: Signals::default(),
            fields: fields.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn metrics_come_from_the_thread() {
        use ResponderKind::*;
        let req: Vec<String> = ["application_fee", "pet_policy", "floor_plans"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let thread = vec![
            entry(at(23, 9, 30), true, None, &[]),
            entry(at(23, 9, 31), false, Some(Auto), &["application_fee"]),
            entry(
                at(23, 11, 0),
                false,
                Some(Human),
                &["application_fee", "floor_plans"],
            ),
            entry(at(23, 15, 0), true, None, &[]),
            entry(at(24, 9, 15), false, Some(Human), &["pet_policy"]),
        ];
        let m = metrics(&thread, &req, &window(), Chicago);
        assert_eq!(
            m.first_response_minutes,
            Some(90),
            "the auto-ack does not count"
        );
        assert_eq!(m.first_response_business_minutes, Some(90));
        assert_eq!((m.replies, m.auto_replies, m.follow_ups_sent), (2, 1, 1));
        assert_eq!((m.fields_answered, m.fields_answered_unprompted), (3, 2));
        assert!(!m.followed_up_unprompted);

        let mut signals = Signals {
            used_name: true,
            asked_for_appointment: true,
            has_signature: true,
            qualifying_questions: vec!["move_in_date".into(), "pets".into()],
            ..Default::default()
        };
        let g = Rubric::default_rubric().grade(offline_scores(&m, &signals), vec![]);
        assert_eq!(g.criteria[0].score, 20.0, "90 business minutes: 0.8 of 25");
        assert_eq!(g.criteria[1].score, 20.8, "(2 + 0.5) / 3 of 25");
        assert_eq!(g.criteria[2].score, 22.5, "tour + questions: 0.75 of 30");
        assert_eq!(g.criteria[3].score, 15.0, "name, signature, personal reply");
        assert_eq!(g.total, 78.3);
        signals.fair_housing_flags.push(FairHousingFlag {
            quote: "no kids".into(),
            reason: "familial status".into(),
        });
        let g = Rubric::default_rubric().grade(
            offline_scores(&m, &signals),
            signals.fair_housing_flags.clone(),
        );
        assert_eq!((g.total, g.needs_review), (50.0, true));
    }

    #[test]
    fn a_reply_that_tries_to_instruct_an_ai_puts_the_grade_up_for_review() {
        use ResponderKind::*;
        let req = vec!["application_fee".to_string()];
        let mut reply = entry(at(23, 10, 0), false, Some(Human), &["application_fee"]);
        reply.message = Some(MessageId(42));
        reply.signals.instructions_to_ai = true;
        let mut plain = entry(at(23, 11, 0), false, Some(Human), &[]);
        plain.message = Some(MessageId(43));
        let thread = vec![entry(at(23, 9, 30), true, None, &[]), reply, plain];
        let rubric = Rubric::default_rubric();
        let (g, m) = grade_thread(&rubric, &thread, &req, &window(), Chicago);
        assert_eq!(m.replies, 2);
        assert!(g.needs_review);
        assert_eq!(
            g.review_reasons,
            ["prompt-injection attempt in message #42"]
        );
        assert!(g.fair_housing_flags.is_empty());
        let (clean, _) = grade_thread(&rubric, &thread[..1], &req, &window(), Chicago);
        assert!(!clean.needs_review && clean.review_reasons.is_empty());
        assert_eq!(
            g.total,
            rubric
                .grade(offline_scores(&m, &thread_signals(&thread)), vec![])
                .total,
            "the total is not capped, only flagged"
        );
    }
}
