//! What a login may do, as the database's group roles grant it. The database refuses the rest
//! anyway; the app uses this to offer only what the role may do and to say why in words.

use std::fmt;

/// The role a login acts in, from its Postgres group (see the roles migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The schema owner or a superuser: single-login set-ups, the demo and the tests.
    Owner,
    Lead,
    Operator,
    /// The engine: sync, send approved mail, run jobs, draft into the queue. It never approves.
    Worker,
    /// Reads its own client's portfolio and nothing else.
    Client,
    /// A login in none of the groups: it may do nothing until a lead adds it.
    None,
}

impl Role {
    /// The role of a login from what the database says of it; the strongest group wins.
    pub fn of_login(superuser: bool, schema_owner: bool, groups: &[String]) -> Role {
        let member = |g: &str| groups.iter().any(|x| x == g);
        if superuser || schema_owner {
            Role::Owner
        } else if member("secret_shop_lead") {
            Role::Lead
        } else if member("secret_shop_operator") {
            Role::Operator
        } else if member("secret_shop_worker") {
            Role::Worker
        } else if member("secret_shop_client") {
            Role::Client
        } else {
            Role::None
        }
    }

    /// Approves, rejects, edits and recalls drafts.
    pub fn decides_drafts(self) -> bool {
        matches!(self, Role::Owner | Role::Lead | Role::Operator)
    }

    /// Changes nothing: it only reads.
    pub fn reads_only(self) -> bool {
        matches!(self, Role::Client | Role::None)
    }

    /// Sees the team's work: the review queue, the inbox, targets and personas of every client.
    pub fn is_staff(self) -> bool {
        !self.reads_only()
    }

    /// "a client", "an operator": for refusals in words.
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Owner => "the schema owner",
            Role::Lead => "a lead",
            Role::Operator => "an operator",
            Role::Worker => "the worker",
            Role::Client => "a client",
            Role::None => "in no secret-shop role",
        }
    }

    /// Why `login` may not do `what` ("drafts cannot be approved"), in one line.
    pub fn refusal(self, login: &str, what: &str) -> String {
        let who = match self {
            Role::Client => "only reads its own portfolio",
            Role::Worker => "runs the engine; operators decide on drafts",
            Role::None => "ask a lead to add it (secret-shop operator add)",
            _ => "",
        };
        let mut line = format!("{login} is {}: {what}", self.with_article());
        if !who.is_empty() {
            line.push_str(&format!(" ({who})"));
        }
        line
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Owner => "owner",
            Role::Lead => "lead",
            Role::Operator => "operator",
            Role::Worker => "worker",
            Role::Client => "client",
            Role::None => "none",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_strongest_group_is_the_role() {
        assert_eq!(Role::of_login(false, true, &[]), Role::Owner);
        // A lead's login is also a member of the operator group (through the lead group).
        let lead = groups(&["secret_shop_lead", "secret_shop_operator"]);
        assert_eq!(Role::of_login(false, false, &lead), Role::Lead);
        let worker = groups(&["secret_shop_worker"]);
        assert_eq!(Role::of_login(false, false, &worker), Role::Worker);
        let client = groups(&["secret_shop_client"]);
        assert_eq!(Role::of_login(false, false, &client), Role::Client);
        assert_eq!(
            Role::of_login(false, false, &groups(&["other"])),
            Role::None
        );
    }

    #[test]
    fn only_operators_decide_and_clients_only_read() {
        assert!(Role::Operator.decides_drafts() && Role::Lead.decides_drafts());
        assert!(!Role::Worker.decides_drafts() && !Role::Client.decides_drafts());
        assert!(Role::Client.reads_only() && !Role::Worker.reads_only());
        assert_eq!(
            Role::Client.refusal("carol", "drafts cannot be approved"),
            "carol is a client: drafts cannot be approved (only reads its own portfolio)"
        );
    }
}
