//! Id newtypes, so a shop id can never be passed where a draft id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim()
                    .trim_start_matches('#')
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map($name)
                    .ok_or_else(|| format!("{s:?} is not an id (a positive number)"))
            }
        }
    )+};
}

id_type!(
    OperatorId,
    TargetId,
    PersonaTemplateId,
    PersonaId,
    MailboxId,
    ShopId,
    MessageId,
    FactId,
    GradeId,
    JobId,
    SnapshotId,
    ClientId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_plain_and_hash_prefixed_numbers() {
        assert_eq!("12".parse::<TargetId>(), Ok(TargetId(12)));
        assert_eq!("#7".parse::<ShopId>(), Ok(ShopId(7)));
        assert!("0".parse::<ShopId>().is_err());
        assert!("abc".parse::<ShopId>().is_err());
    }
}
