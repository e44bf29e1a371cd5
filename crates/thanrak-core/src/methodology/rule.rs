//! Rules read from a table of the file: `when` and `among` parsed and compiled in the table's
//! `scope`, with errors placed at the offending character of the rule text.

use super::compile::{self, CompileErrorKind, Quantifier, Scope};
use super::file::{Kind, Res, Tbl};
use super::{expr, Rule, RuleScope};

impl Tbl<'_, '_> {
    /// Compiles the rule text at `key`; `None` when absent.
    pub(super) fn condition(
        &self,
        key: &str,
        scope: &Scope,
    ) -> Res<Option<(String, compile::Compiled)>> {
        let Some((text, span)) = self.string(key)? else {
            return Ok(None);
        };
        let base = self.doc.string_base(&span, text);
        let at = |offset: usize| base.map_or(span.start, |b| b + offset);
        let node = expr::parse(text).map_err(|e| {
            self.doc.error(
                at(e.at),
                Kind::Syntax,
                format!("syntax error in `{key}` of {}: {}", self.what, e.message),
            )
        })?;
        let compiled = compile::compile_condition(&node, scope).map_err(|e| {
            let kind = match e.kind {
                CompileErrorKind::UnknownField => Kind::UnknownField,
                CompileErrorKind::UnknownValue => Kind::UnknownValue,
                CompileErrorKind::Type => Kind::Type,
                CompileErrorKind::Reference => Kind::Reference,
            };
            self.doc.error(
                at(e.span.start),
                kind,
                format!("in `{key}` of {}: {}", self.what, e.message),
            )
        })?;
        Ok(Some((text.to_string(), compiled)))
    }

    /// A rule given by `scope`, `among` and `when`.
    pub(super) fn rule(&self, scope: &Scope) -> Res<Rule> {
        let rule_scope = match self.string("scope")? {
            None => RuleScope::Household,
            Some((s, span)) => match s {
                "household" => RuleScope::Household,
                "any_member" => RuleScope::AnyMember,
                "every_member" => RuleScope::EveryMember,
                "no_member" | "none_member" => RuleScope::NoMember,
                _ => {
                    return Err(self.err(
                        &span,
                        Kind::Invalid,
                        format!(
                            "unknown scope `{s}`: one of household, any_member, every_member, no_member"
                        ),
                    ))
                }
            },
        };
        let member_scope = Scope {
            member: rule_scope != RuleScope::Household,
            ..*scope
        };
        let (when, compiled) = self
            .condition("when", &member_scope)?
            .ok_or_else(|| self.missing("when"))?;
        let among = self.condition("among", &member_scope)?;
        let (among_text, among) = match among {
            Some((t, c)) => (Some(t), Some(c.cond)),
            None => (None, None),
        };
        let pred = match rule_scope {
            // Files cannot ask for it: the capable-worker rule is built elsewhere.
            RuleScope::Member | RuleScope::Household => {
                if let Some(v) = self.get("among") {
                    return Err(self.err(
                        &v.span(),
                        Kind::Invalid,
                        "`among` narrows a member scope: set scope = \"any_member\", \"every_member\" or \"no_member\"",
                    ));
                }
                compiled.cond.into_pred()
            }
            RuleScope::AnyMember => compile::member_rule(Quantifier::Any, among, compiled.cond),
            RuleScope::NoMember => compile::member_rule(Quantifier::No, among, compiled.cond),
            RuleScope::EveryMember => compile::member_rule(Quantifier::Every, among, compiled.cond),
        };
        Ok(Rule {
            scope: rule_scope,
            among: among_text,
            when,
            pred,
        })
    }
}
