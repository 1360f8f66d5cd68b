//! Search terms from mixed Korean and English text.
//!
//! Korean writes a noun and its particle together (`인스턴스를`, `인스턴스는`),
//! so whole words rarely match. Hangul runs become overlapping syllable
//! bigrams instead (`인스`, `스턴`, `턴스`, `스를`): the noun's bigrams match
//! whatever particle follows. Latin letters and digits become lowercase words
//! (`ec2`, `cloudtrail`). A term is a 64-bit key, so indexing allocates no
//! strings.

/// A search term: a Hangul bigram, a lone Hangul syllable, or a word.
pub type Term = u64;

const WORD_TAG: u64 = 1 << 63;
const SYLLABLE_TAG: u64 = 1 << 62;

/// Calls `emit` for each term of `text`, in order.
pub fn for_each_term(text: &str, mut emit: impl FnMut(Term)) {
    let mut word_hash: Option<u64> = None;
    let mut previous_syllable: Option<char> = None;
    let mut run_length = 0usize;

    let end_word = |word_hash: &mut Option<u64>, emit: &mut dyn FnMut(Term)| {
        if let Some(hash) = word_hash.take() {
            emit(hash | WORD_TAG);
        }
    };
    let end_run =
        |previous: &mut Option<char>, run_length: &mut usize, emit: &mut dyn FnMut(Term)| {
            if *run_length == 1 {
                if let Some(syllable) = *previous {
                    emit(syllable as u64 | SYLLABLE_TAG);
                }
            }
            *previous = None;
            *run_length = 0;
        };

    for c in text.chars() {
        if is_hangul(c) {
            end_word(&mut word_hash, &mut emit);
            if let Some(previous) = previous_syllable {
                emit(((previous as u64) << 21) | c as u64);
            }
            previous_syllable = Some(c);
            run_length += 1;
        } else if c.is_alphanumeric() {
            end_run(&mut previous_syllable, &mut run_length, &mut emit);
            for lower in c.to_lowercase() {
                let hash = word_hash.unwrap_or(FNV_OFFSET);
                word_hash = Some(fnv_step(hash, lower));
            }
        } else {
            end_word(&mut word_hash, &mut emit);
            end_run(&mut previous_syllable, &mut run_length, &mut emit);
        }
    }
    end_word(&mut word_hash, &mut emit);
    end_run(&mut previous_syllable, &mut run_length, &mut emit);
}

/// Whether a term is a whole Latin-script word or number (`ec2`, `fleet`):
/// one such word says as much as a Korean word's several bigrams.
pub fn is_word(term: Term) -> bool {
    term & WORD_TAG != 0
}

/// All terms of `text`, in order, repeats kept.
pub fn terms(text: &str) -> Vec<Term> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t));
    out
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}')
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_step(hash: u64, c: char) -> u64 {
    let mut hash = hash;
    let mut buffer = [0u8; 4];
    for byte in c.encode_utf8(&mut buffer).bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // Keep the tag bits free.
    hash & !(WORD_TAG | SYLLABLE_TAG)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains_all(haystack: &[Term], needles: &[Term]) -> bool {
        needles.iter().all(|n| haystack.contains(n))
    }

    #[test]
    fn a_noun_matches_with_any_particle() {
        let noun = terms("인스턴스");
        assert_eq!(noun.len(), 3, "three bigrams for a four-syllable noun");
        assert!(contains_all(&terms("인스턴스를 시작"), &noun));
        assert!(contains_all(&terms("스팟 인스턴스는 싸다"), &noun));
    }

    #[test]
    fn words_are_case_insensitive_and_split_from_hangul() {
        assert_eq!(terms("EC2"), terms("ec2"));
        assert!(contains_all(&terms("Amazon EC2를"), &terms("ec2")));
        assert_ne!(terms("ec2"), terms("ec3"));
    }

    #[test]
    fn one_syllable_words_still_count() {
        assert_eq!(terms("키").len(), 1);
        assert_eq!(terms("키"), terms("(키)"));
        assert!(terms("!? — ").is_empty());
    }
}
