//! Rule-based sentence splitting of a title and abstract.
//!
//! The title is sentence 0. The abstract breaks after `.`, `?` or `!` and any closing
//! quotes or brackets, when whitespace and then an upper-case letter, a digit or an opening
//! bracket follow. A period does not break after a common abbreviation (`e.g.`, `et al.`,
//! `Fig.`, `vs.` …) or a single letter (an initial).
//!
//! # Limitations
//! A sentence that starts with a lower-case word (a gene name such as `p53`, or `mRNA`)
//! stays joined to the one before it.

use std::ops::Range;

const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "ca", "cf", "dr", "e.g", "eg", "et", "etc", "fig", "figs", "i.e", "ie", "inc",
    "mr", "mrs", "ms", "no", "nos", "ref", "refs", "resp", "sp", "spp", "st", "viz", "vol", "vs",
];

/// Splits `title + " " + abstract` into sentences, as ranges of character offsets
/// (Unicode scalar values, the unit of corpus offsets). Leading and trailing spaces are
/// left out of each range; empty sentences are dropped.
#[must_use]
pub fn split_sentences(title: &str, abstract_text: &str) -> Vec<Range<usize>> {
    let title_chars = title.chars().count();
    let mut sentences = Vec::new();
    push_trimmed(
        &title.chars().collect::<Vec<_>>(),
        0,
        0..title_chars,
        &mut sentences,
    );

    let chars: Vec<char> = abstract_text.chars().collect();
    let base = title_chars + 1;
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '.' | '?' | '!') {
            let mut end = i + 1;
            while end < chars.len() && matches!(chars[end], '"' | '\'' | ')' | ']' | '”' | '’')
            {
                end += 1;
            }
            if is_boundary(&chars, i, end) {
                push_trimmed(&chars, base, start..end, &mut sentences);
                start = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    push_trimmed(&chars, base, start..chars.len(), &mut sentences);
    sentences
}

/// Returns the index of the sentence that contains character `offset`, or the last sentence
/// that starts before it (for offsets in the space between sentences).
#[must_use]
pub fn sentence_of(sentences: &[Range<usize>], offset: usize) -> usize {
    sentences
        .partition_point(|s| s.start <= offset)
        .saturating_sub(1)
}

fn push_trimmed(chars: &[char], base: usize, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut start = range.start;
    let mut end = range.end;
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    if start < end {
        out.push(base + start..base + end);
    }
}

/// Decides whether the punctuation at `mark` (closing characters up to `end`) ends a
/// sentence.
fn is_boundary(chars: &[char], mark: usize, end: usize) -> bool {
    let mut next = end;
    if next >= chars.len() || !chars[next].is_whitespace() {
        return false;
    }
    while next < chars.len() && chars[next].is_whitespace() {
        next += 1;
    }
    let Some(&following) = chars.get(next) else {
        return false;
    };
    if !(following.is_uppercase()
        || following.is_ascii_digit()
        || matches!(following, '(' | '[' | '"' | '“'))
    {
        return false;
    }
    if chars[mark] != '.' {
        return true;
    }

    // The word before the period, back to whitespace or an opening bracket.
    let mut word_start = mark;
    while word_start > 0
        && !chars[word_start - 1].is_whitespace()
        && !matches!(chars[word_start - 1], '(' | '[')
    {
        word_start -= 1;
    }
    let word: String = chars[word_start..mark]
        .iter()
        .collect::<String>()
        .to_lowercase();
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    !(single_letter || ABBREVIATIONS.contains(&word.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(title: &str, abstract_text: &str) -> Vec<String> {
        let full: Vec<char> = format!("{title} {abstract_text}").chars().collect();
        split_sentences(title, abstract_text)
            .into_iter()
            .map(|r| full[r].iter().collect())
            .collect()
    }

    #[test]
    fn title_then_abstract_sentences() {
        let sentences = texts(
            "Naloxone reverses clonidine.",
            "Blood pressure fell. It rose again (p < 0.05). 10 rats died!",
        );
        assert_eq!(
            sentences,
            [
                "Naloxone reverses clonidine.",
                "Blood pressure fell.",
                "It rose again (p < 0.05).",
                "10 rats died!"
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_split() {
        let sentences = texts("T.", "Drugs, e.g. Aspirin, and others (Smith et al. Nature) vs. Placebo. J. Smith wrote Fig. 2 here.");
        assert_eq!(
            sentences,
            [
                "T.",
                "Drugs, e.g. Aspirin, and others (Smith et al. Nature) vs. Placebo.",
                "J. Smith wrote Fig. 2 here."
            ]
        );
    }

    #[test]
    fn decimals_and_lower_case_do_not_split() {
        let sentences = texts("T", "Dose was 2.5 mg. p53 rose. Then it fell.");
        assert_eq!(
            sentences,
            ["T", "Dose was 2.5 mg. p53 rose.", "Then it fell."]
        );
    }

    #[test]
    fn offsets_count_characters() {
        let ranges = split_sentences("Ä.", "Ü ok. Next.");
        assert_eq!(ranges, [0..2, 3..8, 9..14]);
        assert_eq!(sentence_of(&ranges, 0), 0);
        assert_eq!(sentence_of(&ranges, 4), 1);
        assert_eq!(sentence_of(&ranges, 8), 1);
        assert_eq!(sentence_of(&ranges, 10), 2);
    }

    #[test]
    fn empty_abstract() {
        let ranges = split_sentences("Title only.", "");
        assert_eq!(ranges.len(), 1);
        assert_eq!(ranges[0], 0..11);
    }
}
