use super::*;

const DRAFT: &str = "Hi Derek,\n\nThank you for getting back to me! That's really helpful.\n\n\
Could you also tell me the application fee, your pet policy and the security deposit?\n\n\
Is there parking for a second car?\n\nThanks again,\nAva\n555-0100";

fn material() -> Material {
    Material {
        persona: vec![
            Topic {
                words: vec!["cat".into()],
                sentence: "I have a cat.".into(),
            },
            Topic {
                words: vec!["move".into(), "March".into()],
                sentence: "I'm hoping to move in around March 1.".into(),
            },
        ],
        checklist: vec![Topic {
            words: vec!["lease".into(), "term".into()],
            sentence: "Could you also tell me which lease lengths you offer?".into(),
        }],
    }
}

fn run(instructions: &str) -> Result<String, Refusal> {
    revise(DRAFT, &parse(instructions)?, &material())
}

#[test]
fn instructions_are_read_clause_by_clause() {
    assert_eq!(
        parse("shorter, mention the cat is indoor-only").unwrap(),
        [
            Instruction::Shorter,
            Instruction::Mention("the cat is indoor-only".into())
        ]
    );
    assert_eq!(
        parse("Please make it more formal and drop the question about parking").unwrap(),
        [
            Instruction::Formal,
            Instruction::Drop("the question about parking".into())
        ]
    );
    assert_eq!(
        parse("mention the fee and the deposit").unwrap(),
        [Instruction::Mention("the fee and the deposit".into())]
    );
    assert_eq!(parse("less formal").unwrap(), [Instruction::Casual]);
}

#[test]
fn what_it_cannot_do_is_named_and_nothing_changes() {
    let e = parse("shorter, write it in French").unwrap_err();
    assert_eq!(e.reasons.len(), 1);
    assert!(e.reasons[0].contains("write it in French"), "{e}");
    assert!(e.to_string().contains("the draft is unchanged"), "{e}");
}

#[test]
fn shorter_and_a_mention_keep_the_operators_question() {
    let out = run("shorter, mention the cat is indoor-only").unwrap();
    assert!(out.len() < DRAFT.len() + 30, "{out}");
    assert!(!out.contains("That's really helpful"), "{out}");
    assert!(out.contains("Is there parking for a second car?"), "{out}");
    assert!(out.contains("The cat is indoor-only."), "{out}");
    assert!(out.starts_with("Hi Derek,") && out.ends_with("Thanks again,\nAva\n555-0100"));
}

#[test]
fn a_mention_of_a_persona_or_checklist_topic_uses_its_sentence() {
    assert!(run("mention my cat").unwrap().contains("I have a cat."));
    assert!(
        run("ask about lease terms")
            .unwrap()
            .contains("which lease lengths you offer?")
    );
    assert!(
        run("mention the gym")
            .unwrap()
            .contains("Could you also tell me about the gym?")
    );
}

#[test]
fn dropping_one_item_of_a_list_keeps_the_rest() {
    let out = run("drop the pet policy").unwrap();
    assert!(
        out.contains("Could you also tell me the application fee and the security deposit?"),
        "{out}"
    );
    let out = run("don't ask about the application fee").unwrap();
    assert!(
        out.contains("Could you also tell me your pet policy and the security deposit?"),
        "{out}"
    );
    let out = run("drop the question about parking").unwrap();
    assert!(!out.contains("parking"), "{out}");
    let e = run("drop the question about the pool").unwrap_err();
    assert!(e.to_string().contains("nothing about"), "{e}");
}

#[test]
fn formal_and_casual_change_greeting_closing_and_contractions() {
    let out = run("more formal").unwrap();
    assert!(out.starts_with("Dear Derek,"), "{out}");
    assert!(out.contains("That is really helpful"), "{out}");
    assert!(out.contains("Kind regards,\nAva"), "{out}");
    let back = revise(&out, &[Instruction::Casual], &material()).unwrap();
    assert!(
        back.starts_with("Hi Derek,") && back.contains("Thanks,\nAva"),
        "{back}"
    );
    assert!(revise(&back, &[Instruction::Casual], &material()).is_err());
}

#[test]
fn longer_adds_what_the_persona_has_not_said_yet() {
    let out = run("longer").unwrap();
    assert!(
        out.contains("I have a cat.") && out.contains("March 1"),
        "{out}"
    );
    let done = revise(&out, &[Instruction::Longer], &material()).unwrap_err();
    assert!(done.to_string().contains("longer"), "{done}");
}

#[test]
fn unchanged_paragraphs_keep_their_line_breaks() {
    let body = "Hi,\n\nA line\nwrapped by hand.\n\nThanks for this, it's great.\n\nAva";
    let out = revise(body, &[Instruction::Shorter], &Material::default()).unwrap();
    assert_eq!(out, "Hi,\n\nA line\nwrapped by hand.\n\nAva");
}
