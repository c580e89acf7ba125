//! Words as the full-text index stores them: lower-cased, stemmed with the Snowball
//! stemmer of their language, then stripped of diacritics. Both backends index these
//! words as they are, so a query matches the same contributions on SQLite and Postgres.

use std::collections::BTreeSet;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words too common to search for, in the service's languages.
const STOP_WORDS: &[&str] = &[
    // English
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on", "or",
    "that", "the", "their", "this", "to", "was", "were", "with", // French
    "au", "aux", "ce", "ces", "d", "dans", "de", "des", "du", "en", "est", "et", "il", "ils", "l", "la", "le", "les",
    "leur", "leurs", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "un", "une",
];

/// The Snowball algorithm for a language code, if there is one.
fn algorithm(language: &str) -> Option<Algorithm> {
    Some(match language.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "en" => Algorithm::English,
        "fr" => Algorithm::French,
        "es" => Algorithm::Spanish,
        "pt" => Algorithm::Portuguese,
        "ar" => Algorithm::Arabic,
        "ru" => Algorithm::Russian,
        "de" => Algorithm::German,
        "it" => Algorithm::Italian,
        "nl" => Algorithm::Dutch,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

fn fold(word: &str) -> String {
    word.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// The lower-cased words of a text, without stop words.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()) && w.chars().count() <= 64)
}

/// The index words of texts written in `language`, each once, space-separated.
pub fn index_terms(language: &str, texts: &[&str]) -> String {
    let stemmer = algorithm(language).map(Stemmer::create);
    // Each distinct word is stemmed once: stemming is most of the cost of a write.
    let distinct: std::collections::HashSet<String> = texts.iter().flat_map(|text| words(text)).collect();
    let terms: BTreeSet<String> = distinct
        .iter()
        .map(|word| fold(&stemmer.as_ref().map_or(std::borrow::Cow::Borrowed(word.as_str()), |s| s.stem(word))))
        .collect();
    terms.into_iter().collect::<Vec<_>>().join(" ")
}

/// A query: for each word, the forms it may take in the index (its English and French
/// stems, and the word itself). A contribution matches when every word matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<BTreeSet<String>>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let en = Stemmer::create(Algorithm::English);
        let fr = Stemmer::create(Algorithm::French);
        let mut seen = BTreeSet::new();
        let words = words(text)
            .filter(|w| seen.insert(w.clone()))
            .take(16)
            .map(|w| BTreeSet::from([fold(&en.stem(&w)), fold(&fr.stem(&w)), fold(&w)]))
            .collect();
        Query { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How many of the query's words the given index terms contain (for ranking).
    pub fn hits(&self, terms: &BTreeSet<String>) -> usize {
        self.words.iter().filter(|forms| forms.iter().any(|f| terms.contains(f))).count()
    }

    /// The query in SQLite FTS5 syntax: `("a" OR "b") AND (…)`.
    pub fn fts5(&self) -> String {
        self.words
            .iter()
            .map(|forms| format!("({})", forms.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(" OR ")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The query in Postgres tsquery syntax: `('a' | 'b') & (…)`.
    pub fn tsquery(&self) -> String {
        self.words
            .iter()
            .map(|forms| format!("({})", forms.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(" | ")))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// The ranking words of a contribution: ` title words | summary words `. Every word has a
/// space on each side, so the database finds a word `w` of the title with one
/// `LIKE '% w %|%'` and of the summary with one `LIKE '%| % w %'` (see `db::relevance`).
pub fn rank_terms(language: &str, title: &str, summary: Option<&str>) -> String {
    format!(" {} | {} ", index_terms(language, &[title]), index_terms(language, &[summary.unwrap_or("")]))
}

/// The index terms of a text as a set, for ranking.
pub fn term_set(language: &str, text: &str) -> BTreeSet<String> {
    index_terms(language, &[text]).split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(query: &str, language: &str, text: &str) -> bool {
        let q = Query::parse(query);
        let terms = term_set(language, text);
        !q.is_empty() && q.hits(&terms) == q.words.len()
    }

    #[test]
    fn rank_terms_pad_every_word() {
        assert_eq!(rank_terms("en", "Labour policies", Some("Workers")), " labour polici | worker ");
        assert_eq!(rank_terms("en", "", None), "  |  ");
    }

    #[test]
    fn french_and_english_stemming() {
        assert!(matches("migration", "fr", "Les migrations de travail"));
        assert!(matches("migrations", "fr", "la migration régulière"));
        assert!(!matches("migration", "fr", "des flux migratoires"));
        assert!(matches("migratoires", "fr", "des flux migratoires"));
        assert!(!matches("migratoires", "fr", "un chat mignon"));
        assert!(matches("policy", "en", "National policies on labour"));
        assert!(matches("workers", "en", "protection of the migrant worker"));
        assert!(matches("états", "fr", "les Etats membres"), "diacritics fold");
        assert!(!matches("the", "en", "the end"), "stop words alone match nothing");
    }

    #[test]
    fn queries_are_safe_for_both_dialects() {
        let q = Query::parse("pacte' OR \"mondial\" --");
        assert!(!q.fts5().contains('\''));
        assert!(q.tsquery().matches('\'').count().is_multiple_of(2));
        for forms in &q.words {
            for f in forms {
                assert!(f.chars().all(char::is_alphanumeric), "{f}");
            }
        }
    }
}
