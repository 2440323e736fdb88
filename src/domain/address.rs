//! Persona email addresses: they must look like a real renter's and never clash.

use crate::text_enum;

text_enum! {
    /// How persona addresses map to mailboxes (config `mail.mode`).
    pub enum AddressMode {
        /// `first.last@domain`; every address on the domain lands in one mailbox.
        CatchAll => "catch_all",
        /// `user+first.last@domain` on one ordinary mailbox.
        Plus => "plus",
        /// The persona has an account of its own; the address is `first.last@domain` too.
        Dedicated => "dedicated",
    }
}

/// Picks the address for a new persona: `first.last@domain`, then `first.last2@…` while `taken`
/// says the address is in use.
pub fn allocate_address(
    mode: AddressMode,
    first: &str,
    last: &str,
    domain: &str,
    plus_user: &str,
    taken: &dyn Fn(&str) -> bool,
) -> String {
    let base = format!("{}.{}", local_part(first), local_part(last));
    let domain = domain.trim().to_ascii_lowercase();
    let make = |n: u32| {
        let local = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        match mode {
            AddressMode::Plus => format!("{plus_user}+{local}@{domain}"),
            AddressMode::CatchAll | AddressMode::Dedicated => format!("{local}@{domain}"),
        }
    };
    (1..)
        .map(make)
        .find(|a| !taken(a))
        .expect("an unbounded search always finds a free address")
}

/// Lower-case ASCII letters and digits of a name part (accents folded, the rest dropped).
fn local_part(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let s = folded.to_ascii_lowercase();
    if s.is_empty() { "renter".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catch_all_counts_up_on_a_clash() {
        let taken: HashSet<&str> = ["jane.porter@shop.test", "jane.porter2@shop.test"].into();
        let a = allocate_address(
            AddressMode::CatchAll,
            "Jane",
            "Porter",
            "Shop.test",
            "",
            &|a| taken.contains(a),
        );
        assert_eq!(a, "jane.porter3@shop.test");
    }

    #[test]
    fn plus_mode_uses_the_mailbox_user() {
        let a = allocate_address(
            AddressMode::Plus,
            "José",
            "O'Neil-Núñez",
            "mail.test",
            "shopper",
            &|_| false,
        );
        assert_eq!(a, "shopper+jose.oneilnunez@mail.test");
    }
}
