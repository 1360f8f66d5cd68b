//! Content loading and excerpt search speed.
//!
//! cargo bench --bench notes
//!
//! Prints the time to load and index the shipped banks and notes (median of
//! repeated loads), then search latency per query on a notes corpus of at
//! least 5 MB made by repeating and permuting the shipped notes (and the
//! study group's notes in ../shared/seeds when present).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use quizbot::content::Content;
use quizbot::notes::{question_text, Notes};

const CORPUS_BYTES: usize = 5 * 1024 * 1024;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn markdown_under(dir: &PathBuf) -> Vec<String> {
    let mut texts = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "md") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push(text);
                }
            }
        }
    }
    texts
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let questions = root.join("questions");
    let notes_dir = root.join("notes");

    let mut loads = Vec::new();
    let mut content = None;
    for _ in 0..15 {
        let started = Instant::now();
        let (loaded, _) = Content::load(&questions, &notes_dir).expect("shipped content loads");
        loads.push(started.elapsed());
        content = Some(loaded);
    }
    let content = content.expect("loaded at least once");
    let notes_bytes: usize = markdown_under(&notes_dir).iter().map(String::len).sum();
    println!(
        "shipped content: {} questions, {} notes sections ({} KB of notes)",
        content.bank.questions.len(),
        content.notes.sections.len(),
        notes_bytes / 1024
    );
    println!(
        "load_and_index_ms={:.2} (median of {}, target < 100)",
        median(loads).as_secs_f64() * 1000.0,
        15
    );

    // A corpus of at least 5 MB: the notes again and again, each copy under
    // its own file name and with its sections in a shuffled order.
    let mut sources = markdown_under(&notes_dir);
    sources.extend(markdown_under(&root.join("../shared/seeds")));
    let mut rng = fastrand::Rng::with_seed(42);
    let mut files: Vec<(String, String)> = Vec::new();
    let mut bytes = 0;
    let mut copy = 0;
    while bytes < CORPUS_BYTES {
        for (i, source) in sources.iter().enumerate() {
            let mut parts: Vec<&str> = source.split("\n## ").collect();
            rng.shuffle(&mut parts);
            let text = parts.join("\n## ");
            bytes += text.len();
            files.push((format!("copy{copy}/note{i}.md"), text));
        }
        copy += 1;
    }
    let started = Instant::now();
    let corpus = Notes::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let index_time = started.elapsed();
    println!(
        "corpus: {:.1} MB, {} files, {} sections, indexed in {:.0} ms",
        bytes as f64 / 1024.0 / 1024.0,
        files.len(),
        corpus.sections.len(),
        index_time.as_secs_f64() * 1000.0
    );

    // Every shipped question's text, as the bot searches it, plus short
    // queries as people type them.
    let mut queries: Vec<String> = content.bank.questions.iter().map(question_text).collect();
    queries.extend(
        [
            "스팟 인스턴스",
            "CloudTrail과 X-Ray 차이",
            "Amazon SQS 메시지 대기열",
            "공동 책임 모델 고객 책임",
        ]
        .iter()
        .map(|q| q.to_string()),
    );
    for query in queries.iter().take(20) {
        corpus.search(query, 1);
    }
    let mut times = Vec::new();
    for query in &queries {
        let started = Instant::now();
        let results = corpus.search(query, 3);
        times.push(started.elapsed());
        std::hint::black_box(results);
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "search_ms_per_query: mean={:.3} p50={:.3} p99={:.3} ({} queries, target < 1)",
        mean.as_secs_f64() * 1000.0,
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.len()
    );
}
