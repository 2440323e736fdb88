//! What follows from an event on a shop's mail: where the shop moves, whether its reply is read
//! into the fact sheet, what happens to the target's address. Decided here, by the callers that
//! hand the rule to the store; the store applies a [`Reaction`] inside the event's transaction
//! and decides nothing itself.

use super::message::MessageKind;
use super::shop::ShopStatus;

/// The consequences of one event for its shop (none: nothing changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reaction {
    /// Move the shop there, with this reason, when the shop state machine allows it (a shop
    /// already past that point stays where it is).
    pub shop: Option<(ShopStatus, &'static str)>,
    /// Read the message into the shop's fact sheet (an `extract_facts` job).
    pub extract_facts: bool,
    /// The property's address no longer takes mail: mark the target's address as bouncing.
    pub address_bounced: bool,
}

/// What the mail sync knows of a newly stored inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// It belongs to a shop (matched by its headers or address).
    pub for_shop: bool,
    pub is_bounce: bool,
    pub is_auto_reply: bool,
}

/// A new message for a shop: a bounce blocks the shop and marks the address; an agent's reply
/// moves it to Replied and is read; an auto-reply is read (it may carry facts) but moves
/// nothing, since the agent has not answered yet. A copy seen before is not new and gets no
/// reaction at all (the store calls this for new messages only).
pub fn on_arrival(a: Arrival) -> Reaction {
    if !a.for_shop {
        return Reaction::default();
    }
    if a.is_bounce {
        return Reaction {
            shop: Some((ShopStatus::Blocked, "the property's address bounced")),
            extract_facts: false,
            address_bounced: true,
        };
    }
    Reaction {
        shop: (!a.is_auto_reply).then_some((ShopStatus::Replied, "the agent replied")),
        extract_facts: true,
        address_bounced: false,
    }
}

/// An operator rejected a draft: the shop goes back to where it was before it, waiting for a
/// new inquiry or for the next step after the agent's reply.
pub fn on_rejection(kind: MessageKind) -> Reaction {
    let back = if kind == MessageKind::Inquiry {
        ShopStatus::New
    } else {
        ShopStatus::Replied
    };
    Reaction {
        shop: Some((back, "draft rejected")),
        ..Reaction::default()
    }
}

/// An operator assigned an unmatched message to a shop: it is the agent's reply.
pub fn on_assignment() -> Reaction {
    Reaction {
        shop: Some((
            ShopStatus::Replied,
            "an operator assigned the agent's reply",
        )),
        extract_facts: true,
        address_bounced: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(for_shop: bool, is_bounce: bool, is_auto_reply: bool) -> Reaction {
        on_arrival(Arrival {
            for_shop,
            is_bounce,
            is_auto_reply,
        })
    }

    #[test]
    fn a_reply_moves_the_shop_and_is_read_an_auto_reply_is_only_read() {
        let reply = arrival(true, false, false);
        assert_eq!(reply.shop.map(|s| s.0), Some(ShopStatus::Replied));
        assert!(reply.extract_facts && !reply.address_bounced);
        let auto = arrival(true, false, true);
        assert_eq!(auto.shop, None);
        assert!(auto.extract_facts);
    }

    #[test]
    fn a_bounce_blocks_the_shop_and_marks_the_address_without_reading_it() {
        let bounce = arrival(true, true, false);
        assert_eq!(bounce.shop.map(|s| s.0), Some(ShopStatus::Blocked));
        assert!(bounce.address_bounced && !bounce.extract_facts);
    }

    #[test]
    fn mail_for_no_shop_changes_nothing() {
        assert_eq!(arrival(false, true, false), Reaction::default());
        assert_eq!(arrival(false, false, false), Reaction::default());
    }

    #[test]
    fn a_rejection_goes_back_to_before_the_draft() {
        assert_eq!(
            on_rejection(MessageKind::Inquiry).shop.map(|s| s.0),
            Some(ShopStatus::New)
        );
        for kind in [MessageKind::FollowUp, MessageKind::Nudge] {
            assert_eq!(
                on_rejection(kind).shop.map(|s| s.0),
                Some(ShopStatus::Replied)
            );
        }
        assert!(!on_rejection(MessageKind::Inquiry).extract_facts);
    }

    #[test]
    fn every_move_is_one_the_shop_state_machine_allows_from_somewhere() {
        let moves = [
            arrival(true, false, false),
            arrival(true, true, false),
            on_rejection(MessageKind::Inquiry),
            on_rejection(MessageKind::FollowUp),
            on_assignment(),
        ];
        for r in moves {
            let (to, _) = r.shop.unwrap();
            assert!(
                ShopStatus::ALL.iter().any(|from| from.can_become(to)),
                "{to} is reachable"
            );
        }
    }
}
