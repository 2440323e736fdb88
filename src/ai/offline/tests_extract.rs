//! Unit tests of the offline extraction rules.

use super::*;

#[test]
fn scratch_debug() {
    for t in [
        "Covered parking is included with the 2 bedroom, which is $1,640 a month.",
        "\u{2022} Security Deposit \u{2013} as low as $250 with approved credit",
    ] {
        let ex = extract(t, None);
        println!("{t}\n{:#?}\n{:?}", ex.known_fields(), ex.floor_plans);
        let s = text::Sentence::new(t);
        println!("{:?}", money::read_money(&s));
        println!("{:?}", text::sentences(t));
    }
}
