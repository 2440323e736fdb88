//! Background jobs: what kinds of work the job runner does.

use crate::text_enum;

text_enum! {
    /// What a job does; stored in `jobs.kind` as text. The table may hold kinds this version
    /// does not know (older or newer versions, or kinds its CHECK reserves): those fail as jobs
    /// with an error rather than stopping the runner.
    pub enum JobKind {
        /// Read an inbound reply into its shop's fact sheet. Payload `{"message_id": N}`.
        ExtractFacts => "extract_facts",
        /// Gather a target's website. Payload `{"target_id": N}`, optionally with who asked and
        /// their `[crawl]` settings.
        GatherWebsite => "gather_website",
    }
}

impl JobKind {
    /// The dedupe key of this kind of job about `subject` (one per subject).
    pub fn dedupe_key(self, subject: impl std::fmt::Display) -> String {
        format!("{}:{subject}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_ones_are_errors() {
        for k in JobKind::ALL {
            assert_eq!(k.as_str().parse::<JobKind>(), Ok(*k));
        }
        let e = "grade_shop".parse::<JobKind>().unwrap_err();
        assert!(e.contains("unknown JobKind \"grade_shop\""), "{e}");
        assert_eq!(JobKind::ExtractFacts.dedupe_key(42), "extract_facts:42");
    }
}
