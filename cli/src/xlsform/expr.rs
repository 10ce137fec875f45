//! The few XLSForm expressions whose meaning Canvass can store, parsed and written back.
//!
//! XLSForm's `relevant`, `constraint` and `choice_filter` take any XPath; Canvass's skip
//! logic, bounds and "one of the earlier answers" are much narrower. Rather than evaluate
//! XPath, only the exact shapes that mean one of those things are recognised, and anything
//! else is refused by the caller, so no condition is ever half understood.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// `${name}`: another question's answer.
    Ref(String),
    /// `.`: this question's answer.
    Dot,
    Num(i64),
    Str(String),
    /// A function name, `and`, `or`, `name`.
    Word(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            _ if c.is_whitespace() => i += 1,
            '$' if next == Some('{') => {
                let end = chars[i..].iter().position(|&c| c == '}')? + i;
                out.push(Token::Ref(
                    chars[i + 2..end]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_owned(),
                ));
                i = end + 1;
            }
            '\'' | '"' => {
                let end = chars[i + 1..].iter().position(|&q| q == c)? + i + 1;
                out.push(Token::Str(chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '.' if !next.is_some_and(|n| n.is_ascii_digit()) => {
                out.push(Token::Dot);
                i += 1;
            }
            '(' | ')' | ',' => {
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
                i += 1;
            }
            '<' | '>' | '!' | '=' => {
                let op = match (c, next) {
                    ('<', Some('=')) => "<=",
                    ('>', Some('=')) => ">=",
                    ('!', Some('=')) => "!=",
                    ('<', _) => "<",
                    ('>', _) => ">",
                    ('=', _) => "=",
                    _ => return None,
                };
                out.push(Token::Op(op));
                i += op.len();
            }
            _ if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                // A decimal point makes it a number Canvass cannot store.
                if chars.get(i) == Some(&'.') {
                    return None;
                }
                out.push(Token::Num(
                    chars[start..i].iter().collect::<String>().parse().ok()?,
                ));
            }
            _ if c.is_alphabetic() => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | ':'))
                {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Splits at a top-level word (`and`, `or`), dropping parentheses that wrap a whole term.
fn split_at(tokens: &[Token], word: &str) -> Vec<Vec<Token>> {
    let mut terms = vec![Vec::new()];
    let mut depth = 0i32;
    for t in tokens {
        match t {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            Token::Word(w) if depth == 0 && w == word => {
                terms.push(Vec::new());
                continue;
            }
            _ => {}
        }
        terms.last_mut().expect("never empty").push(t.clone());
    }
    terms.into_iter().map(unwrap_parens).collect()
}

fn unwrap_parens(mut term: Vec<Token>) -> Vec<Token> {
    while term.first() == Some(&Token::Open) && term.last() == Some(&Token::Close) {
        // Only when the first parenthesis closes at the very end: `(a) or (b)` stays whole.
        let mut depth = 0;
        let closes_at_end = term.iter().enumerate().all(|(i, t)| {
            match t {
                Token::Open => depth += 1,
                Token::Close => depth -= 1,
                _ => {}
            }
            depth > 0 || i == term.len() - 1
        });
        if !closes_at_end {
            break;
        }
        term = term[1..term.len() - 1].to_vec();
    }
    term
}

fn word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x == w)
}

/// `relevant`: `selected(${q}, 'a')` or `${q} = 'a'`, joined by `or`, all about one earlier
/// question: Canvass's `show_if = { question = q, any_of = [a, …] }`.
pub fn relevant(text: &str) -> Option<(String, Vec<String>)> {
    let mut question: Option<String> = None;
    let mut any_of = Vec::new();
    for term in split_at(&tokens(text)?, "or") {
        let (q, value) = match term.as_slice() {
            [
                f,
                Token::Open,
                Token::Ref(q),
                Token::Comma,
                Token::Str(v),
                Token::Close,
            ] if word(f, "selected") => (q, v),
            [Token::Ref(q), Token::Op("="), Token::Str(v)]
            | [Token::Str(v), Token::Op("="), Token::Ref(q)] => (q, v),
            _ => return None,
        };
        if question.as_ref().is_some_and(|known| known != q) {
            return None;
        }
        question = Some(q.clone());
        any_of.push(value.trim().to_owned());
    }
    Some((question?, any_of))
}

/// An integer's `constraint`: a lower and an upper bound on `.`, joined by `and`
/// (`. >= 0 and . <= 60`); strict bounds become the next whole number.
pub fn bounds(text: &str) -> Option<(i64, i64)> {
    let (mut min, mut max) = (None, None);
    for term in split_at(&tokens(text)?, "and") {
        let (op, n) = match term.as_slice() {
            [Token::Dot, Token::Op(op), Token::Num(n)] => (*op, *n),
            // `0 <= .` reads as `. >= 0`.
            [Token::Num(n), Token::Op(op), Token::Dot] => (flip(op)?, *n),
            _ => return None,
        };
        let (slot, value) = match op {
            ">=" => (&mut min, n),
            ">" => (&mut min, n.checked_add(1)?),
            "<=" => (&mut max, n),
            "<" => (&mut max, n.checked_sub(1)?),
            _ => return None,
        };
        if slot.replace(value).is_some() {
            return None;
        }
    }
    Some((min?, max?))
}

fn flip(op: &str) -> Option<&'static str> {
    Some(match op {
        "<=" => ">=",
        "<" => ">",
        ">=" => "<=",
        ">" => "<",
        _ => return None,
    })
}

/// A select_multiple's `constraint`: `count-selected(.) <= n`, Canvass's `max_choices`.
pub fn max_choices(text: &str) -> Option<i64> {
    match tokens(text)?.as_slice() {
        [
            f,
            Token::Open,
            Token::Dot,
            Token::Close,
            Token::Op(op),
            Token::Num(n),
        ] if word(f, "count-selected") => match *op {
            "<=" => Some(*n),
            "<" => n.checked_sub(1),
            _ => None,
        },
        _ => None,
    }
}

/// `choice_filter`: `selected(${q}, name)`, only the choices the seller picked at `q`:
/// Canvass's `options_from = q`.
pub fn options_from(text: &str) -> Option<String> {
    match tokens(text)?.as_slice() {
        [f, Token::Open, Token::Ref(q), Token::Comma, n, Token::Close]
            if word(f, "selected") && word(n, "name") =>
        {
            Some(q.clone())
        }
        _ => None,
    }
}

/// The `relevant` export writes; `multiple` when the earlier question is a select_multiple.
pub fn write_relevant(question: &str, any_of: &[String], multiple: bool) -> String {
    any_of
        .iter()
        .map(|v| {
            if multiple {
                format!("selected(${{{question}}}, '{v}')")
            } else {
                format!("${{{question}}} = '{v}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

pub fn write_bounds(min: i64, max: i64) -> String {
    format!(". >= {min} and . <= {max}")
}

pub fn write_max_choices(n: i64) -> String {
    format!("count-selected(.) <= {n}")
}

pub fn write_options_from(question: &str) -> String {
    format!("selected(${{{question}}}, name)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn relevant_accepts_both_forms_and_or() {
        assert_eq!(
            relevant("selected(${suspended_12m}, 'yes')"),
            Some(("suspended_12m".into(), strings(&["yes"])))
        );
        assert_eq!(
            relevant("${q} = 'a' or selected( ${q} , \"b\" ) or ('c' = ${q})"),
            Some(("q".into(), strings(&["a", "b", "c"])))
        );
    }

    #[test]
    fn relevant_refuses_what_skip_logic_cannot_say() {
        for text in [
            "${a} = 'x' or ${b} = 'y'",
            "${a} = 'x' and ${a} = 'y'",
            "not(selected(${a}, 'x'))",
            "${a} != 'x'",
            "${n} > 3",
            "${a} = 'x' or",
            "",
        ] {
            assert_eq!(relevant(text), None, "{text}");
        }
    }

    #[test]
    fn bounds_read_both_ends() {
        assert_eq!(bounds(". >= 0 and . <= 60"), Some((0, 60)));
        assert_eq!(bounds("(. > -1) and (. < 366)"), Some((0, 365)));
        assert_eq!(bounds(". <= 5 and 1 <= ."), Some((1, 5)));
        assert_eq!(bounds(". >= 0"), None);
        assert_eq!(bounds(". >= 0 and . <= 1.5"), None);
        assert_eq!(bounds(". >= 0 or . <= 5"), None);
        assert_eq!(bounds(". >= 0 and . >= 1"), None);
        assert_eq!(bounds("regex(., '^[0-9]+$')"), None);
    }

    #[test]
    fn max_choices_and_options_from() {
        assert_eq!(max_choices("count-selected(.) <= 3"), Some(3));
        assert_eq!(max_choices("count-selected(.) < 3"), Some(2));
        assert_eq!(max_choices("count-selected(.) >= 3"), None);
        assert_eq!(
            options_from("selected(${platforms}, name)"),
            Some("platforms".into())
        );
        assert_eq!(options_from("name = ${platforms}"), None);
        assert_eq!(options_from("filter = ${country}"), None);
    }

    #[test]
    fn what_export_writes_reads_back() {
        let any = strings(&["a", "b"]);
        for multiple in [false, true] {
            assert_eq!(
                relevant(&write_relevant("q", &any, multiple)),
                Some(("q".into(), any.clone()))
            );
        }
        assert_eq!(bounds(&write_bounds(-5, 365)), Some((-5, 365)));
        assert_eq!(max_choices(&write_max_choices(2)), Some(2));
        assert_eq!(
            options_from(&write_options_from("platforms")),
            Some("platforms".into())
        );
    }
}
