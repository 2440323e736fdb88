//! Unit tests of the offline extraction rules: money phrases, ranges, zeros, quoted history,
//! floor plans in sentences and tables, text fields and amenities. No files, no services.

use serde_json::json;

use super::money::amounts;
use super::*;

fn money(text: &str, field: &str) -> Option<f64> {
    extract(text, None)
        .get(field)
        .and_then(|e| e.value.as_f64())
}

#[test]
fn money_phrases_in_both_orders() {
    let cases = [
        ("We charge a $50 application fee.", "application_fee", 50.0),
        (
            "The application fee is $50 per adult.",
            "application_fee",
            50.0,
        ),
        ("App fee: $45 per adult", "application_fee", 45.0),
        ("It costs $40 to apply.", "application_fee", 40.0),
        ("Admin fee $150 (one time)", "administration_fee", 150.0),
        (
            "There is an administrative fee of $175.",
            "administration_fee",
            175.0,
        ),
        ("Amenity fee $25/month.", "membership_fee", 25.0),
        (
            "Resident Benefits Package: $39.95/month",
            "membership_fee",
            39.95,
        ),
        ("RBP is $19 a month.", "membership_fee", 19.0),
        ("Security deposit: $500", "security_deposit", 500.0),
        (
            "Deposits start at $300 with approved credit.",
            "security_deposit",
            300.0,
        ),
        ("Pet deposit $300", "pet_deposit", 300.0),
        (
            "There is a $400 pet fee (non-refundable).",
            "pet_deposit",
            400.0,
        ),
        ("Pet rent is $35/month.", "pet_rent", 35.0),
        (
            "The application fee is fifty dollars.",
            "application_fee",
            50.0,
        ),
    ];
    for (text, field, want) in cases {
        assert_eq!(money(text, field), Some(want), "{text}");
    }
}

#[test]
fn each_amount_goes_to_its_own_phrase() {
    let t = "Pets: up to two pets, $300 pet deposit and $35/month pet rent per pet.";
    assert_eq!(money(t, "pet_deposit"), Some(300.0));
    assert_eq!(money(t, "pet_rent"), Some(35.0));
    let t = "The 2-bedroom is $1,950/month, application fee is $75 and there is no admin fee.";
    assert_eq!(money(t, "application_fee"), Some(75.0));
    assert_eq!(money(t, "administration_fee"), Some(0.0));
    let t = "We charge a $150 administrative fee and a $50 application fee per adult.";
    assert_eq!(money(t, "administration_fee"), Some(150.0));
    assert_eq!(money(t, "application_fee"), Some(50.0));
}

#[test]
fn other_charges_are_not_fees() {
    let t = "There's a $100 holding deposit to take it off the market. Covered parking is \
             $40/month and garages are $125. Trash is $15/mo. Income must be $4,500.";
    let ex = extract(t, None);
    for f in [
        "security_deposit",
        "application_fee",
        "administration_fee",
        "membership_fee",
    ] {
        assert_eq!(ex.get(f), None, "{f}");
    }
    assert!(ex.floor_plans.is_empty());
}

#[test]
fn no_fee_and_waived_are_zero_not_unknown() {
    for t in [
        "No admin fee!",
        "There is no admin fee right now.",
        "We don't charge an admin fee.",
        "Admin fee is waived for move-ins before December 15.",
        "We are no longer charging an admin fee.",
        "Admin fee: none",
    ] {
        assert_eq!(money(t, "administration_fee"), Some(0.0), "{t}");
    }
    assert_eq!(
        money(
            "We're waiving the application fee this week.",
            "application_fee"
        ),
        Some(0.0)
    );
    assert_eq!(
        money("No pets, deposit is $500.", "security_deposit"),
        Some(500.0)
    );
    assert_eq!(money("Is there an admin fee?", "administration_fee"), None);
}

#[test]
fn amounts_and_ranges() {
    let one = |s: &str| amounts(s).first().map(|a| (a.value, a.max));
    assert_eq!(one("$1,725"), Some((1725.0, None)));
    assert_eq!(one("$1725.00/mo"), Some((1725.0, None)));
    assert_eq!(one("1,725 dollars"), Some((1725.0, None)));
    assert_eq!(one("$1,725 - $1,890"), Some((1725.0, Some(1890.0))));
    assert_eq!(one("$1,725 to $1,890"), Some((1725.0, Some(1890.0))));
    assert_eq!(one("$1,450\u{2013}$1,600"), Some((1450.0, Some(1600.0))));
    assert_eq!(one("$1,725-1,890"), Some((1725.0, Some(1890.0))));
    assert_eq!(one("one hundred fifty dollars"), Some((150.0, None)));
    assert_eq!(one("$50 to apply"), Some((50.0, None)));
    assert_eq!(one("call 555-0142"), None);
    assert_eq!(amounts("$50, $75 and $1,200").len(), 3);
}

#[test]
fn quoted_history_is_cut() {
    let t = "New price is $40.\n\nOn Tue, Nov 4, 2025 at 9:12 AM Jane Doe <jane@x.test>\nwrote:\n\
             > old text\nmore old text $95";
    assert_eq!(strip_quoted_history(t), "New price is $40.");
    let t = "Hi\n> quoted line\nmine\n";
    assert_eq!(strip_quoted_history(t), "Hi\nmine");
    let t = "Answer.\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold";
    assert_eq!(strip_quoted_history(t), "Answer.");
    let t = "Answer.\n________________________________\nFrom: Jane <j@x.test>\nSent: Monday\n\
             To: Leasing\nSubject: Hi\n\nold $95";
    assert_eq!(strip_quoted_history(t), "Answer.");
    let t = "See below.\n---------- Forwarded message ---------\nFrom: corp\nold";
    assert_eq!(strip_quoted_history(t), "See below.");
    let t = "On Monday we have openings at 10am.\nFrom: the leasing office";
    assert_eq!(strip_quoted_history(t), t);
}

#[test]
fn quoted_html_is_cut() {
    for marker in [
        "<div class=\"gmail_quote\">",
        "<blockquote type=\"cite\">",
        "<div id=\"divRplyFwdMsg\">",
        "<p><b>From:</b> Jane<br><b>Sent:</b> Monday<br><b>To:</b> us</p>",
    ] {
        let html = format!("<p>new</p>{marker}<table><tr><td>old</td></tr></table>");
        let kept = strip_quoted_html(&html);
        assert!(
            kept.starts_with("<p>new</p>") && kept.len() <= 13,
            "{marker}: {kept}"
        );
    }
}

#[test]
fn never_a_value_from_quoted_history() {
    let t = "Hi Jane,\nThe application fee is now $40.\n\nOn Mon, Nov 3, 2025 Pat <p@x.test> wrote:\n\
             > Our admin fee is $200 and we have a pool. The 2 bed is $1,900.";
    let ex = extract(t, None);
    assert_eq!(
        ex.get("application_fee").map(|e| e.value.clone()),
        Some(json!(40))
    );
    assert_eq!(ex.get("administration_fee"), None);
    assert!(ex.community_amenities.is_empty() && ex.floor_plans.is_empty());
}

#[test]
fn inline_answers_take_the_value_from_the_answer_only() {
    let t = "Answers below!\n\n> What is the application fee?\nIt's $40 per person.\n\n\
             > Is the 1 bedroom still $1,200?\nIt went up to $1,260.\n";
    let ex = extract(t, None);
    assert_eq!(
        ex.get("application_fee").map(|e| e.evidence.as_str()),
        Some("It's $40 per person.")
    );
    assert_eq!(ex.floor_plans.len(), 1);
    assert_eq!(ex.floor_plans[0].min_rental_price, Some(1260.0));
    assert!(!ex.floor_plans[0].evidence.contains("1,200"));
}

#[test]
fn floor_plans_from_sentences() {
    let ex = extract(
        "- 2 bed / 2 bath, about 1,050 sq ft, $1,725 to $1,890 per month",
        None,
    );
    let p = &ex.floor_plans[0];
    assert_eq!(
        (p.beds, p.baths, p.sqft),
        (Some(2.0), Some(2.0), Some(1050.0))
    );
    assert_eq!(
        (p.min_rental_price, p.max_rental_price),
        (Some(1725.0), Some(1890.0))
    );
    let ex = extract(
        "Studios start at $1,150, 1-bedrooms run $1,295 to $1,410, and two-bedrooms are $1,725-$1,890.",
        None,
    );
    let got: Vec<_> = ex
        .floor_plans
        .iter()
        .map(|p| (p.beds, p.min_rental_price))
        .collect();
    assert_eq!(
        got,
        [
            (Some(0.0), Some(1150.0)),
            (Some(1.0), Some(1295.0)),
            (Some(2.0), Some(1725.0))
        ]
    );
    let ex = extract("The Juniper (1 bed / 1.5 bath, 745 sq ft) is $1,450.", None);
    assert_eq!(ex.floor_plans[0].name.as_deref(), Some("The Juniper"));
    assert_eq!(ex.floor_plans[0].baths, Some(1.5));
    let ex = extract(
        "Yes the 2 bedroom is still open. It's $1,400 a month.",
        None,
    );
    assert_eq!(ex.floor_plans[0].beds, Some(2.0));
    // A restated budget is not a plan.
    assert!(
        extract("You mentioned a 2 bedroom under $2,000 budget.", None)
            .floor_plans
            .is_empty()
    );
}

#[test]
fn bed_and_bath_words() {
    let beds = |s: &str| {
        floor_plans::bed_mentions(&s.to_ascii_lowercase())
            .first()
            .map(|m| m.2)
    };
    assert_eq!(beds("a Studio"), Some(0.0));
    assert_eq!(beds("our 2BR"), Some(2.0));
    assert_eq!(beds("the 2 bedroom"), Some(2.0));
    assert_eq!(beds("a two-bedroom"), Some(2.0));
    assert_eq!(beds("three bed"), Some(3.0));
    assert_eq!(beds("our 2x2s"), Some(2.0));
    assert_eq!(beds("fitness studio"), None);
    assert_eq!(beds("3x the rent"), None);
    let baths = |s: &str| floor_plans::bath_mentions(s).first().map(|m| m.2);
    assert_eq!(baths("1.5 ba"), Some(1.5));
    assert_eq!(baths("2 full baths"), Some(2.0));
    assert_eq!(baths("2x1.5"), Some(1.5));
}

#[test]
fn html_table_floor_plans_in_any_column_order() {
    let html = "<table><tr><th>Rent</th><th>Sq Ft</th><th>Beds</th><th>Baths</th><th>Plan</th></tr>\
                <tr><td>$1,050</td><td>510</td><td>Studio</td><td>1</td><td>Dover</td></tr>\
                <tr><td>$1,520 - $1,600</td><td>980</td><td>2</td><td>2</td><td>Kent</td></tr></table>";
    let ex = extract("", Some(html));
    let got: Vec<_> = ex
        .floor_plans
        .iter()
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.beds,
                p.sqft,
                p.min_rental_price,
                p.max_rental_price,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Dover".into(), Some(0.0), Some(510.0), Some(1050.0), None),
            (
                "Kent".into(),
                Some(2.0),
                Some(980.0),
                Some(1520.0),
                Some(1600.0)
            )
        ]
    );
    let html = "<table><tr><td>Unit</td><td>Layout</td><td>Size</td><td>Price</td><td>Available</td></tr>\
                <tr><td>#1204</td><td>2x2</td><td>1,100 sf</td><td>$2,050</td><td>Now</td></tr></table>";
    let ex = extract("", Some(html));
    assert_eq!(ex.floor_plans[0].beds, Some(2.0));
    assert_eq!(ex.floor_plans[0].sqft, Some(1100.0));
    assert!(ex.get("availability").is_some());
    // A layout table without plan columns is no floor plan.
    assert!(
        extract("", Some("<table><tr><td>Hi</td><td>$5</td></tr></table>"))
            .floor_plans
            .is_empty()
    );
}

#[test]
fn text_tables_with_bars_or_spaces() {
    let t = "| Floor plan | Bed/Bath | Sq ft | Rent |\n|---|---|---|---|\n| Kent | 2 bd / 2 ba | 980 | $1,520 |\n";
    assert_eq!(extract(t, None).floor_plans[0].baths, Some(2.0));
    let t = "Plan\tBeds\tBaths\tRent\nSage\t1\t1\t$1,365\n";
    assert_eq!(
        extract(t, None).floor_plans[0].min_rental_price,
        Some(1365.0)
    );
}

#[test]
fn text_fields() {
    let has = |t: &str, f: &str| extract(t, None).get(f).is_some();
    assert!(has("We allow cats but no dogs over 25 lbs.", "pet_policy"));
    assert!(has("Sorry, no pets allowed.", "pet_policy"));
    assert!(!has("Do you have any pets?", "pet_policy"));
    assert!(!has("We have a dog park.", "pet_policy"));
    assert!(has("Move-in special: one month free!", "specials"));
    assert!(has("Look and lease today and save.", "specials"));
    assert!(has("We offer 12-month leases.", "lease_terms"));
    assert!(has("Month-to-month is available.", "lease_terms"));
    assert!(!has("Security deposit is one month's rent.", "lease_terms"));
    assert!(has("The 2 bedroom is available now.", "availability"));
    assert!(has("Available December 1.", "availability"));
    assert!(has("Our waitlist is closed.", "availability"));
    assert!(!has("When are you available for a tour?", "availability"));
    assert!(!has("I'm available Thursday for a tour.", "availability"));
    assert!(has("Covered parking is $40/month.", "parking"));
    assert!(has("Water, sewer and trash included.", "utilities"));
    assert!(has("Tenant pays electric.", "utilities"));
    assert!(!has("We have water views.", "utilities"));
    let ex = extract(
        "Visit www.oakridge.test or https://oakridge.test/apply/now",
        None,
    );
    assert_eq!(
        ex.get("url").map(|e| e.value.clone()),
        Some(json!("www.oakridge.test"))
    );
}

#[test]
fn amenities_from_the_vocabulary() {
    let ex = extract(
        "We have a pool, a gym and a fitness center. No clubhouse though.",
        None,
    );
    let names: Vec<_> = ex
        .community_amenities
        .iter()
        .map(|a| a.amenity.as_str())
        .collect();
    assert_eq!(names, ["pool", "fitness center"]);
    let ex = extract(
        "Sorry, we don't have a pool, but we do have a dog park.",
        None,
    );
    let names: Vec<_> = ex
        .community_amenities
        .iter()
        .map(|a| a.amenity.as_str())
        .collect();
    assert_eq!(names, ["dog park"]);
    let ex = extract(
        "The 2 bed / 2 bath is $1,700 and has a washer/dryer and a balcony.",
        None,
    );
    assert_eq!(
        ex.floor_plans[0].amenities,
        ["in-unit washer/dryer", "balcony"]
    );
    assert!(ex.community_amenities.is_empty());
    assert!(amenity_names().iter().any(|n| n == "ev charging"));
}

#[test]
fn evidence_is_the_sentence_trimmed_and_bounded() {
    let long = format!(
        "The application fee is $50 {}.",
        "and more words ".repeat(40)
    );
    let ex = extract(&format!("  {long}  \nNext line."), None);
    let e = &ex.get("application_fee").unwrap().evidence;
    assert!(e.starts_with("The application fee is $50") && e.chars().count() <= 300);
}

#[test]
fn never_panics_on_odd_text() {
    use rand::Rng;
    let bits = [
        "$", "1,", "725", ".", " ", "é", "–", "—", "\u{a0}", "fee", "admin", "no ", "2x", "bed",
        "studio", "sq ft", ">", "\n", "On ", "wrote:", "│", "|", "<td>", "<table>", "</tr>", "?",
        "dollars", "fifty", "waived", "💡", "\t", "From:", "Sent:",
    ];
    let mut rng = rand::rng();
    for _ in 0..3000 {
        let n = rng.random_range(0..40);
        let s: String = (0..n)
            .map(|_| bits[rng.random_range(0..bits.len())])
            .collect();
        let _ = extract(&s, Some(&s));
        let _ = signals(&s, Some("é"));
    }
}

#[test]
fn run_on_text_is_cut_into_bounded_sentences() {
    let big =
        "Application fee $50, admin fee $150, 2 bed 2 bath $1,725 - $1,890, pool ".repeat(400);
    assert!(
        text::sentences(&big)
            .iter()
            .all(|s| s.text.len() <= text::MAX_SENTENCE)
    );
    let ex = extract(&big, None);
    assert_eq!(money(&big, "application_fee"), Some(50.0));
    assert!(
        ex.floor_plans
            .iter()
            .any(|p| p.min_rental_price == Some(1725.0))
    );
}

#[test]
fn each_value_carries_how_surely_it_was_read() {
    let text = "Application fee: $50\n\n\
                The admin fee is $150 and parking is free.\n\n\
                The Aspen is a 1 bed / 1 bath at $1,400 and the Birch is a 2 bed / 2 bath at $1,800.\n\n\
                The security deposit is $500 for either plan.";
    let e = extract(text, None);
    let conf = |f: &str| e.get(f).and_then(|v| v.confidence);
    assert_eq!(conf("application_fee"), Some(0.9), "a labelled line");
    assert_eq!(conf("administration_fee"), Some(0.75), "a sentence");
    assert_eq!(e.floor_plans.len(), 2);
    for p in &e.floor_plans {
        // Its rent from a sentence, its deposit inferred from the statement about every plan.
        assert_eq!(p.security_deposit, Some(500.0), "{p:?}");
        assert_eq!(p.confidence, Some(0.6), "{p:?}");
        assert!(p.evidence.contains("deposit inferred from"), "{p:?}");
    }
    let html = "<table><tr><th>Plan</th><th>Bed/Bath</th><th>Rent</th></tr>\
                <tr><td>A1</td><td>1 / 1</td><td>$1,395</td></tr></table>";
    let t = extract("Our pricing is below.", Some(html));
    assert_eq!(t.floor_plans.len(), 1);
    assert_eq!(t.floor_plans[0].name.as_deref(), Some("A1"));
    assert_eq!(
        (t.floor_plans[0].beds, t.floor_plans[0].baths),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(t.floor_plans[0].confidence, Some(0.9), "a table cell");
}

#[test]
fn deposits_that_differ_plan_by_plan_are_the_plans_own() {
    let text = "Studio (The Sprig, 520 sq ft): $1,050/month, deposit $200.\n\n\
                One bedroom (The Bough, 740 sq ft): $1,275/month, deposit $350.";
    let e = extract(text, None);
    let deposits: Vec<_> = e.floor_plans.iter().map(|p| p.security_deposit).collect();
    assert_eq!(deposits, [Some(200.0), Some(350.0)]);
    let names: Vec<_> = e.floor_plans.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, [Some("The Sprig".into()), Some("The Bough".into())]);
    assert!(
        e.get("security_deposit").is_none(),
        "no one deposit for the community"
    );
}

#[test]
fn html_rowspans_and_colspans_keep_each_column_its_meaning() {
    let html = "<table><tr><th rowspan=\"2\">Type</th><th rowspan=\"2\">Plan</th>\
                <th colspan=\"2\">Rent</th></tr><tr><th>From</th><th>To</th></tr>\
                <tr><td rowspan=\"2\">1 Bedroom</td><td>A1</td><td>$1,210</td><td>$1,265</td></tr>\
                <tr><td>A2</td><td>$1,330</td><td>$1,395</td></tr></table>";
    let e = extract("Pricing below.", Some(html));
    let plans: Vec<_> = e
        .floor_plans
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.beds,
                p.min_rental_price,
                p.max_rental_price,
            )
        })
        .collect();
    assert_eq!(
        plans,
        [
            (Some("A1".into()), Some(1.0), Some(1210.0), Some(1265.0)),
            (Some("A2".into()), Some(1.0), Some(1330.0), Some(1395.0)),
        ]
    );
}
