//! Prompt and draft templates from `assets/` (minijinja), with their versions recorded on every
//! output that used them.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

/// (name, source) of every template; each starts with `{# version: N #}` if it is a prompt.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "system_draft",
        include_str!("../../assets/prompts/system_draft.j2"),
    ),
    ("inquiry", include_str!("../../assets/prompts/inquiry.j2")),
    (
        "follow_up",
        include_str!("../../assets/prompts/follow_up.j2"),
    ),
    ("nudge", include_str!("../../assets/prompts/nudge.j2")),
    ("revise", include_str!("../../assets/prompts/revise.j2")),
    (
        "system_analyze",
        include_str!("../../assets/prompts/system_analyze.j2"),
    ),
    ("analyze", include_str!("../../assets/prompts/analyze.j2")),
    (
        "draft/inquiry_a",
        include_str!("../../assets/drafts/inquiry_a.j2"),
    ),
    (
        "draft/inquiry_b",
        include_str!("../../assets/drafts/inquiry_b.j2"),
    ),
    (
        "draft/inquiry_c",
        include_str!("../../assets/drafts/inquiry_c.j2"),
    ),
    (
        "draft/inquiry_d",
        include_str!("../../assets/drafts/inquiry_d.j2"),
    ),
    (
        "draft/follow_up_a",
        include_str!("../../assets/drafts/follow_up_a.j2"),
    ),
    (
        "draft/follow_up_b",
        include_str!("../../assets/drafts/follow_up_b.j2"),
    ),
    (
        "draft/nudge_a",
        include_str!("../../assets/drafts/nudge_a.j2"),
    ),
    (
        "draft/nudge_b",
        include_str!("../../assets/drafts/nudge_b.j2"),
    ),
    (
        "draft/nudge_c",
        include_str!("../../assets/drafts/nudge_c.j2"),
    ),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_keep_trailing_newline(false);
        for (name, src) in TEMPLATES {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"));
        }
        env
    })
}

/// Renders a built-in template; the templates are ours and tested, so errors are bugs.
pub fn render<S: Serialize>(name: &str, ctx: S) -> String {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
        .trim()
        .to_string()
}

/// `name@version`, as recorded with each output.
pub fn version(name: &str) -> String {
    let src = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .unwrap_or("");
    let v = src
        .strip_prefix("{# version:")
        .and_then(|rest| rest.split("#}").next())
        .map(str::trim)
        .unwrap_or("0");
    format!("{name}@{v}")
}

/// How many variants of an offline draft kind exist (`draft/inquiry_a`, `_b`, ...).
pub fn variants(kind: &str) -> Vec<&'static str> {
    let prefix = format!("draft/{kind}_");
    TEMPLATES
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix))
        .map(|(n, _)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_prompts_are_versioned() {
        let _ = env();
        for (name, _) in TEMPLATES.iter().filter(|(n, _)| !n.starts_with("draft/")) {
            assert!(!version(name).ends_with("@0"), "{name} has no version");
        }
        assert_eq!(variants("inquiry").len(), 4);
        assert_eq!(variants("nudge").len(), 3);
    }
}
