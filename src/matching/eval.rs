//! Accuracy evaluation over a folder in the FVC layout (`<finger>_<impression>.png`, optionally
//! `iso19794-2/<finger>_<impression>.iso`), with the protocol of the FVC competitions as the
//! project's test data describe it: every pair of impressions of one finger is a genuine
//! comparison, every pair of impressions of different fingers an impostor one. The figures are
//! computed exactly as `shared/tools/eer.py` does from the same scores, so anyone can check them.

use crate::matching::compare::{Prepared, score};
use crate::matching::extract::{ExtractError, extract};
use crate::matching::iso19794_2::{self, IsoError};
use crate::matching::template::Template;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a folder could not be evaluated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The folder cannot be listed.
    #[error("evaluation folder {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// No `<finger>_<impression>.png` files.
    #[error("evaluation folder {}: no <finger>_<impression>.png images", .0.display())]
    Empty(PathBuf),
    /// Genuine or impostor pairs are missing.
    #[error("evaluation folder {}: needs two impressions of a finger and two fingers", .0.display())]
    NoPairs(PathBuf),
    /// An image does not decode.
    #[error("finger image {}: {message}", path.display())]
    Image {
        /// The image.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// An image gives no template.
    #[error("finger image {}: {source}", path.display())]
    Extract {
        /// The image.
        path: PathBuf,
        /// Why.
        #[source]
        source: ExtractError,
    },
    /// A minutiae record cannot be read.
    #[error("minutiae record {}: {source}", path.display())]
    Record {
        /// The record.
        path: PathBuf,
        /// Why.
        #[source]
        source: IsoError,
    },
    /// A minutiae record cannot be opened.
    #[error("minutiae record {}: {source}", path.display())]
    RecordIo {
        /// The record.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// One impression of the set.
#[derive(Debug, Clone)]
pub struct Sample {
    /// File stem, `101_1`.
    pub stem: String,
    /// Finger number (`101`).
    pub finger: u32,
    /// Impression number (`1`).
    pub impression: u32,
    /// Its template.
    pub template: Template,
}

/// Where the templates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Extract from the PNG images with kattoo's extractor.
    Extract,
    /// Read the ISO 19794-2 records in `iso19794-2/` (image size still taken from the PNG).
    Iso,
}

/// The `<finger>_<impression>.png` images of a folder, in finger then impression order.
pub fn list(dir: &Path) -> Result<Vec<(u32, u32, PathBuf)>, EvalError> {
    let entries = std::fs::read_dir(dir).map_err(|source| EvalError::Folder {
        path: dir.to_owned(),
        source,
    })?;
    let mut out = Vec::new();
    for e in entries {
        let e = e.map_err(|source| EvalError::Folder {
            path: dir.to_owned(),
            source,
        })?;
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("png") {
            continue;
        }
        let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some((f, i)) = stem.split_once('_') else {
            continue;
        };
        if let (Ok(f), Ok(i)) = (f.parse(), i.parse()) {
            out.push((f, i, p));
        }
    }
    if out.is_empty() {
        return Err(EvalError::Empty(dir.to_owned()));
    }
    out.sort();
    Ok(out)
}

/// Loads the templates of a folder, in parallel; also returns the mean extraction time in ms
/// per image (0 for ISO records).
pub fn load(dir: &Path, source: Source) -> Result<(Vec<Sample>, f64), EvalError> {
    let files = list(dir)?;
    let timed: Vec<Result<(Sample, f64), EvalError>> = files
        .par_iter()
        .map(|(finger, impression, path)| {
            let img = image::open(path)
                .map_err(|e| EvalError::Image {
                    path: path.clone(),
                    message: e.to_string(),
                })?
                .to_luma8();
            let stem = format!("{finger}_{impression}");
            let (template, ms) = match source {
                Source::Extract => {
                    let t0 = Instant::now();
                    let t = extract(&img, 500).map_err(|source| EvalError::Extract {
                        path: path.clone(),
                        source,
                    })?;
                    (t, t0.elapsed().as_secs_f64() * 1e3)
                }
                Source::Iso => {
                    let rp = dir.join("iso19794-2").join(format!("{stem}.iso"));
                    let bytes = std::fs::read(&rp).map_err(|source| EvalError::RecordIo {
                        path: rp.clone(),
                        source,
                    })?;
                    let t = iso19794_2::read(&bytes)
                        .map_err(|source| EvalError::Record {
                            path: rp.clone(),
                            source,
                        })?
                        .into_template();
                    // The image is the truth about its size. Where the record's header says
                    // otherwise, its minutiae are in the header's frame (the commercial FVC
                    // records are all in a 300×400 frame): stretch them onto the image.
                    (t.rescaled_to(img.width() as u16, img.height() as u16), 0.0)
                }
            };
            Ok((
                Sample {
                    stem,
                    finger: *finger,
                    impression: *impression,
                    template,
                },
                ms,
            ))
        })
        .collect();
    let mut samples = Vec::with_capacity(timed.len());
    let mut total_ms = 0.0;
    for r in timed {
        let (s, ms) = r?;
        samples.push(s);
        total_ms += ms;
    }
    let mean = total_ms / samples.len() as f64;
    Ok((samples, mean))
}

/// One comparison of the protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct PairScore {
    /// First sample's index.
    pub a: usize,
    /// Second sample's index.
    pub b: usize,
    /// Score, rounded to the 6 decimals it is printed with.
    pub score: f64,
}

/// Scores every unordered pair (a before b in folder order), in parallel; also returns
/// comparisons per second per core.
pub fn all_pairs(samples: &[Sample]) -> (Vec<PairScore>, f64) {
    let prepared: Vec<Prepared> = samples
        .par_iter()
        .map(|s| Prepared::new(&s.template))
        .collect();
    let pairs: Vec<(usize, usize)> = (0..samples.len())
        .flat_map(|a| (a + 1..samples.len()).map(move |b| (a, b)))
        .collect();
    let t0 = Instant::now();
    let scores: Vec<PairScore> = pairs
        .par_iter()
        .map(|&(a, b)| PairScore {
            a,
            b,
            score: (f64::from(score(&prepared[a], &prepared[b])) * 1e6).round() / 1e6,
        })
        .collect();
    let secs = t0.elapsed().as_secs_f64().max(1e-9);
    let per_core = pairs.len() as f64 / secs / rayon::current_num_threads() as f64;
    (scores, per_core)
}

/// Accuracy figures, in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// Equal error rate.
    pub eer: f64,
    /// False non-match rate at a false match rate of 1 %.
    pub fmr100: f64,
    /// False non-match rate at 0.1 %.
    pub fmr1000: f64,
    /// False non-match rate with no false match.
    pub zero_fmr: f64,
    /// Genuine comparisons.
    pub genuine: usize,
    /// Impostor comparisons.
    pub impostor: usize,
}

/// The figures of a set of genuine and impostor scores (higher = more similar), computed as
/// `eer.py` computes them.
pub fn accuracy(genuine: &[f64], impostor: &[f64]) -> Option<Accuracy> {
    if genuine.is_empty() || impostor.is_empty() {
        return None;
    }
    let mut g = genuine.to_vec();
    let mut im = impostor.to_vec();
    g.sort_by(f64::total_cmp);
    im.sort_by(f64::total_cmp);
    let mut thresholds: Vec<f64> = g.iter().chain(&im).copied().collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let last = thresholds[thresholds.len() - 1] + 1.0;
    thresholds.push(last);
    let below = |v: &[f64], t: f64| v.partition_point(|&x| x < t);
    let fnmr = |t: f64| below(&g, t) as f64 / g.len() as f64;
    let fmr = |t: f64| (im.len() - below(&im, t)) as f64 / im.len() as f64;
    let mut best: Option<(f64, f64)> = None;
    for &t in &thresholds {
        let (a, b) = (fmr(t), fnmr(t));
        let d = (a - b).abs();
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, (a + b) / 2.0));
        }
    }
    let fnmr_at = |max_fmr: f64| {
        thresholds
            .iter()
            .filter(|&&t| fmr(t) <= max_fmr)
            .map(|&t| fnmr(t))
            .fold(1.0f64, f64::min)
            * 100.0
    };
    Some(Accuracy {
        eer: best.map_or(0.0, |b| b.1) * 100.0,
        fmr100: fnmr_at(0.01),
        fmr1000: fnmr_at(0.001),
        zero_fmr: fnmr_at(0.0),
        genuine: g.len(),
        impostor: im.len(),
    })
}

/// Splits the scores into genuine and impostor ones.
pub fn split(samples: &[Sample], scores: &[PairScore]) -> (Vec<f64>, Vec<f64>) {
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    for s in scores {
        if samples[s.a].finger == samples[s.b].finger {
            genuine.push(s.score);
        } else {
            impostor.push(s.score);
        }
    }
    (genuine, impostor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::fixtures;

    #[test]
    fn figures_are_computed_as_eer_py_does() {
        // Genuine 0.9, 0.8, 0.3; impostor 0.1, 0.2, 0.35, 0.05.
        let a = accuracy(&[0.9, 0.8, 0.3], &[0.1, 0.2, 0.35, 0.05]).unwrap();
        // At t = 0.35: FMR 1/4, FNMR 1/3 (|d| 1/12, the smallest): EER (1/4 + 1/3) / 2.
        assert!(
            (a.eer - (0.25 + 1.0 / 3.0) / 2.0 * 100.0).abs() < 1e-9,
            "{a:?}"
        );
        assert!((a.fmr100 - 100.0 / 3.0).abs() < 1e-9);
        assert!((a.zero_fmr - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!((a.genuine, a.impostor), (3, 4));
        let perfect = accuracy(&[0.5], &[0.1]).unwrap();
        assert_eq!((perfect.eer, perfect.fmr1000), (0.0, 0.0));
        assert!(accuracy(&[], &[0.1]).is_none());
    }

    #[test]
    fn evaluates_a_folder_both_ways() {
        for source in [Source::Extract, Source::Iso] {
            let (samples, _) = load(&fixtures::dir(), source).unwrap();
            let stems: Vec<&str> = samples.iter().map(|s| s.stem.as_str()).collect();
            assert_eq!(stems, fixtures::STEMS);
            // The records' headers say 300×400; the images are 388×374.
            assert!(
                samples
                    .iter()
                    .all(|s| (s.template.width, s.template.height) == (388, 374))
            );
            let (scores, _) = all_pairs(&samples);
            assert_eq!(scores.len(), 15);
            let (g, i) = split(&samples, &scores);
            assert_eq!((g.len(), i.len()), (3, 12));
            assert_eq!(accuracy(&g, &i).unwrap().eer, 0.0);
        }
    }

    #[test]
    fn bad_folders_are_reported() {
        let dir = std::env::temp_dir().join(format!("kattoo-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(
            load(&dir, Source::Extract),
            Err(EvalError::Empty(_))
        ));
        std::fs::write(dir.join("101_1.png"), b"not a png").unwrap();
        let err = load(&dir, Source::Extract).unwrap_err();
        assert!(err.to_string().starts_with("finger image "), "{err}");
        assert!(matches!(
            load(&dir.join("nope"), Source::Iso),
            Err(EvalError::Folder { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
