//! QA scoring: scorecards, the score of a review, an agent's or team's quality score (IQS)
//! with its uncertainty, fair random samples, and suggestions drawn from the dialogue's data.
//!
//! # The formulas (also on the QA page under "How scores are computed")
//!
//! - **Criterion score** = `(chosen − scale min) / (scale max − scale min) × 100`. A yes/no
//!   criterion has min 0 (no) and max 1 (yes); 1–4 and 1–5 scales have min 1.
//! - **Review score** = the weighted mean of the criterion scores of the *applicable*
//!   criteria (those not marked N/A), weighted by each criterion's weight (0–100).
//!   If any applicable **critical** criterion scores below 50, the review score is 0.
//!   A review where nothing applicable carries weight has no score (`None`), never 0.
//! - **IQS** (internal quality score) of an agent or team over a period = the mean of their
//!   review scores. Its 95 % confidence interval is `mean ± t(0.975, n−1) · s / √n` (Student's
//!   t, `s` the sample standard deviation), clipped to 0–100; one review has no interval.
//!
//! These are the definitions Zendesk QA (Klaus) documents for its IQS; MaestroQA's are the
//! same up to naming.

use serde::{Deserialize, Serialize};

named_enum!(
    /// An agent's dispute of a review, and the manager's decision on it.
    DisputeStatus {
        Open => "open", "Open";
        Accepted => "accepted", "Accepted";
        Rejected => "rejected", "Rejected";
    }
);

/// How a criterion is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 0 = no, 1 = yes.
    YesNo,
    /// 1 (poor) … 4 (excellent).
    OneToFour,
    /// 1 (poor) … 5 (excellent).
    OneToFive,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::YesNo, Scale::OneToFour, Scale::OneToFive];

    pub fn min(self) -> u8 {
        match self {
            Scale::YesNo => 0,
            Scale::OneToFour | Scale::OneToFive => 1,
        }
    }

    pub fn max(self) -> u8 {
        match self {
            Scale::YesNo => 1,
            Scale::OneToFour => 4,
            Scale::OneToFive => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::YesNo => "yes_no",
            Scale::OneToFour => "1_4",
            Scale::OneToFive => "1_5",
        }
    }

    pub fn parse(s: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scale::YesNo => "Yes / no",
            Scale::OneToFour => "1–4",
            Scale::OneToFive => "1–5",
        }
    }

    /// The points a reviewer can choose, lowest first.
    pub fn points(self) -> std::ops::RangeInclusive<u8> {
        self.min()..=self.max()
    }

    /// What a point reads as on a button.
    pub fn point_label(self, point: u8) -> String {
        match (self, point) {
            (Scale::YesNo, 0) => "No".into(),
            (Scale::YesNo, _) => "Yes".into(),
            (_, p) => p.to_string(),
        }
    }

    /// The key a reviewer presses for a point: `y`/`n` on yes/no, the digit otherwise.
    pub fn key_for(self, point: u8) -> char {
        match (self, point) {
            (Scale::YesNo, 0) => 'n',
            (Scale::YesNo, _) => 'y',
            (_, p) => char::from(b'0' + p),
        }
    }

    /// The point a key stands for on this scale, if any.
    pub fn point_for_key(self, key: char) -> Option<u8> {
        self.points().find(|&p| self.key_for(p) == key.to_ascii_lowercase())
    }

    /// The scale point nearest to `fraction` (0 = worst, 1 = best).
    pub fn nearest(self, fraction: f64) -> u8 {
        let span = f64::from(self.max() - self.min());
        self.min() + (fraction.clamp(0.0, 1.0) * span).round() as u8
    }
}

/// What the dialogue's own data can say about a criterion, so the review screen can
/// pre-fill it as a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Not reopened within 7 days of being resolved.
    TaskCompleted,
    /// The customer's CSAT rating.
    CustomerHappy,
    /// Resolution time against the channel's resolution target.
    ClosedQuickly,
    /// A knowledge-base article was sent in the dialogue.
    UsedKnowledgeBase,
}

impl Signal {
    pub const ALL: [Signal; 4] = [Signal::TaskCompleted, Signal::CustomerHappy, Signal::ClosedQuickly, Signal::UsedKnowledgeBase];

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::TaskCompleted => "task_completed",
            Signal::CustomerHappy => "customer_happy",
            Signal::ClosedQuickly => "closed_quickly",
            Signal::UsedKnowledgeBase => "used_knowledge_base",
        }
    }

    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One line of a scorecard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Criterion {
    pub name: String,
    pub description: String,
    pub scale: Scale,
    /// 0–100; 0 means "recorded, but does not count".
    pub weight: u8,
    /// Failing it (below 50) makes the review score 0.
    pub critical: bool,
    /// Whether the reviewer may mark it "not applicable".
    pub allow_na: bool,
    /// Where a suggestion can come from, if anywhere.
    pub signal: Option<Signal>,
}

/// The eight checklist criteria of PRODUCT.md, as the default scorecard.
pub fn default_criteria() -> Vec<Criterion> {
    let c = |name: &str, description: &str, scale, weight, critical, allow_na, signal| Criterion {
        name: name.into(),
        description: description.into(),
        scale,
        weight,
        critical,
        allow_na,
        signal,
    };
    vec![
        c("Task completed", "The customer was able to complete their task.", Scale::YesNo, 20, true, false, Some(Signal::TaskCompleted)),
        c("Customer happy", "The customer is happy with the solution.", Scale::OneToFour, 15, false, true, Some(Signal::CustomerHappy)),
        c("Closed quickly", "The task was closed quickly.", Scale::OneToFour, 10, false, false, Some(Signal::ClosedQuickly)),
        c("Used the knowledge base", "The agent used the knowledge base (or blog) where it helps.", Scale::YesNo, 10, false, true, Some(Signal::UsedKnowledgeBase)),
        c("All options presented", "All possible options for solving the problem were presented.", Scale::OneToFour, 10, false, true, None),
        c("Next steps recommended", "Recommendations for what to do next were given.", Scale::YesNo, 10, false, true, None),
        c("Cheerful and friendly", "The agent was cheerful and friendly.", Scale::OneToFour, 10, false, false, None),
        c("The dialogue as a whole", "The dialogue as a whole.", Scale::OneToFive, 15, false, false, None),
    ]
}

/// Checks a scorecard an admin wrote; the message says what to fix.
pub fn validate_criteria(criteria: &[Criterion]) -> Result<(), String> {
    if criteria.is_empty() || criteria.len() > 30 {
        return Err("A scorecard needs between 1 and 30 criteria.".into());
    }
    for (i, c) in criteria.iter().enumerate() {
        let name = c.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(format!("Criterion {} needs a name of at most 120 characters.", i + 1));
        }
        if c.description.chars().count() > 1000 {
            return Err(format!("The description of “{name}” is longer than 1000 characters."));
        }
        if c.weight > 100 {
            return Err(format!("The weight of “{name}” must be between 0 and 100."));
        }
        if criteria[..i].iter().any(|o| o.name.trim().eq_ignore_ascii_case(name)) {
            return Err(format!("Two criteria are called “{name}”."));
        }
    }
    if criteria.iter().all(|c| c.weight == 0) {
        return Err("At least one criterion needs a weight above 0.".into());
    }
    Ok(())
}

/// A criterion's score in 0–100: `(chosen − min) / (max − min) × 100`.
pub fn criterion_score(scale: Scale, chosen: u8) -> f64 {
    let chosen = chosen.clamp(scale.min(), scale.max());
    f64::from(chosen - scale.min()) / f64::from(scale.max() - scale.min()) * 100.0
}

/// Why answers cannot be scored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("Answer every criterion: {0} answers for {1} criteria.")]
    Count(usize, usize),
    #[error("“{0}” cannot be marked not applicable.")]
    NotApplicable(String),
    #[error("{1} is not a point on the scale of “{0}”.")]
    OffScale(String, u8),
}

/// Checks the answers (`None` = not applicable) against the criteria, in order.
pub fn check_answers(criteria: &[Criterion], answers: &[Option<u8>]) -> Result<(), AnswerError> {
    if criteria.len() != answers.len() {
        return Err(AnswerError::Count(answers.len(), criteria.len()));
    }
    for (c, a) in criteria.iter().zip(answers) {
        match a {
            None if !c.allow_na => return Err(AnswerError::NotApplicable(c.name.clone())),
            Some(p) if !c.scale.points().contains(p) => return Err(AnswerError::OffScale(c.name.clone(), *p)),
            _ => {}
        }
    }
    Ok(())
}

/// A review's score (see the module docs): the weighted mean over applicable criteria,
/// 0 if an applicable critical criterion scores below 50, `None` if no applicable
/// criterion carries weight. Answers must have passed [`check_answers`].
pub fn review_score(criteria: &[Criterion], answers: &[Option<u8>]) -> Option<f64> {
    let applicable = criteria.iter().zip(answers).filter_map(|(c, a)| a.map(|p| (c, criterion_score(c.scale, p))));
    let mut weighted = 0.0;
    let mut weights = 0.0;
    let mut failed_critical = false;
    for (c, score) in applicable {
        failed_critical |= c.critical && score < 50.0;
        weighted += f64::from(c.weight) * score;
        weights += f64::from(c.weight);
    }
    if weights == 0.0 {
        return None;
    }
    Some(if failed_critical { 0.0 } else { weighted / weights })
}

/// A quality score over many reviews, with how much it can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Iqs {
    pub mean: f64,
    /// How many reviews it rests on.
    pub reviews: u32,
    /// The 95 % confidence interval, clipped to 0–100; `None` below two reviews.
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// IQS: the mean of the review scores, with its 95 % confidence interval. `None` for no reviews.
pub fn iqs(scores: &[f64]) -> Option<Iqs> {
    let n = scores.len();
    if n == 0 {
        return None;
    }
    let mean = scores.iter().sum::<f64>() / n as f64;
    let (low, high) = if n < 2 {
        (None, None)
    } else {
        let variance = scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_975(n - 1) * (variance / n as f64).sqrt();
        (Some((mean - half).max(0.0)), Some((mean + half).min(100.0)))
    };
    Some(Iqs { mean, reviews: n as u32, low, high })
}

/// Student's t quantile at 0.975 for `df` degrees of freedom (two-sided 95 %).
fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
        2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        // Past 30 the usual expansion around the normal quantile is good to three decimals.
        _ => {
            let z: f64 = 1.959964;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// What the data says about a dialogue, for suggestions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Facts {
    /// 1 bad, 2 good, 3 excellent.
    pub csat: Option<i16>,
    /// Seconds from creation to resolution.
    pub resolution_seconds: Option<i64>,
    /// The channel's resolution target in seconds.
    pub resolution_target_seconds: Option<i64>,
    /// Reopened within 7 days of resolution; `None` if it was never resolved.
    pub reopened_within_7_days: Option<bool>,
    /// Knowledge-base articles sent in the dialogue; `None` when none was sent (whether one
    /// would have helped is for the reviewer to judge).
    pub articles_sent: Option<u32>,
}

/// The point the data suggests for a criterion with this signal, if it can say.
pub fn suggest(signal: Signal, scale: Scale, facts: &Facts) -> Option<u8> {
    let fraction = match signal {
        Signal::TaskCompleted => facts.reopened_within_7_days.map(|reopened| if reopened { 0.0 } else { 1.0 })?,
        Signal::CustomerHappy => match facts.csat? {
            1 => 0.0,
            2 => 2.0 / 3.0,
            _ => 1.0,
        },
        Signal::ClosedQuickly => {
            let (took, target) = (facts.resolution_seconds?, facts.resolution_target_seconds?);
            if target <= 0 {
                return None;
            }
            // Within the target is best; at twice the target or beyond, worst.
            1.0 - ((took as f64 / target as f64) - 1.0).clamp(0.0, 1.0)
        }
        Signal::UsedKnowledgeBase => facts.articles_sent.map(|n| if n > 0 { 1.0 } else { 0.0 })?,
    };
    Some(scale.nearest(fraction))
}

/// A reviewer's or agent's free text (a comment, a dispute's reason): trimmed, control
/// characters other than line breaks and tabs removed, at most `max` characters.
pub fn clean_text(input: &str, max: usize, what: &str) -> Result<String, String> {
    let text: String = input.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    let text = text.trim().to_string();
    if text.chars().count() > max {
        return Err(format!("{what} is longer than {max} characters."));
    }
    Ok(text)
}

/// A dialogue that may be drawn into a sample, and the agent it counts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Candidate {
    pub agent_id: i64,
    pub conversation_id: i64,
}

/// A stratified random sample: for every agent among the candidates, up to `per_agent`
/// of their dialogues, chosen at random but reproducibly from `seed`.
///
/// Each dialogue gets a pseudo-random rank from (seed, dialogue id) alone, and each agent's
/// lowest-ranked dialogues are taken. So the same seed over the same candidates gives the
/// same sample whatever their order, every agent gets their share (or all they have), and
/// one agent's dialogues never change another's draw. The result is ordered by agent, then rank.
pub fn stratified_sample(candidates: &[Candidate], per_agent: usize, seed: u64) -> Vec<Candidate> {
    let mut ranked: Vec<(i64, u64, Candidate)> =
        candidates.iter().map(|c| (c.agent_id, mix(seed ^ mix(c.conversation_id as u64)), *c)).collect();
    ranked.sort_unstable_by_key(|&(agent, rank, c)| (agent, rank, c.conversation_id));
    ranked.dedup_by_key(|(_, _, c)| *c);
    let mut out = Vec::new();
    let mut taken = 0;
    let mut current = None;
    for (agent, _, c) in ranked {
        if current != Some(agent) {
            current = Some(agent);
            taken = 0;
        }
        if taken < per_agent {
            out.push(c);
            taken += 1;
        }
    }
    out
}

/// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash, the same on every platform
/// and in every version (a library RNG could change its stream and break old seeds).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Krippendorff's alpha for interval data: how far several reviewers agree on the same
/// dialogues (1 = perfectly, 0 = no better than chance, below 0 = systematic disagreement).
/// `units` holds, per dialogue, the scores the reviewers gave it; dialogues with fewer than
/// two scores are left out. `None` when nothing is pairable or every score is the same.
///
/// α = 1 − D_o / D_e, with the observed disagreement D_o over pairs within a dialogue and
/// the expected disagreement D_e over all pairs of pairable values (Krippendorff 2011,
/// "Computing Krippendorff's Alpha-Reliability", interval metric δ² = (a − b)²).
pub fn krippendorff_alpha(units: &[Vec<f64>]) -> Option<f64> {
    let pairable: Vec<&Vec<f64>> = units.iter().filter(|u| u.len() >= 2).collect();
    let n: f64 = pairable.iter().map(|u| u.len() as f64).sum();
    if n < 2.0 {
        return None;
    }
    let mut observed = 0.0;
    for u in &pairable {
        let m = u.len() as f64;
        let sum: f64 = u.iter().flat_map(|a| u.iter().map(move |b| (a - b).powi(2))).sum();
        observed += sum / (m - 1.0);
    }
    observed /= n;
    let all: Vec<f64> = pairable.iter().flat_map(|u| u.iter().copied()).collect();
    let expected: f64 = all.iter().flat_map(|a| all.iter().map(move |b| (a - b).powi(2))).sum::<f64>() / (n * (n - 1.0));
    (expected > 0.0).then(|| 1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn criterion(scale: Scale, weight: u8, critical: bool) -> Criterion {
        Criterion { name: "c".into(), description: String::new(), scale, weight, critical, allow_na: true, signal: None }
    }

    #[test]
    fn criterion_scores_span_the_scale() {
        assert_eq!(criterion_score(Scale::YesNo, 0), 0.0);
        assert_eq!(criterion_score(Scale::YesNo, 1), 100.0);
        assert_eq!(criterion_score(Scale::OneToFour, 1), 0.0);
        assert!((criterion_score(Scale::OneToFour, 3) - 66.666).abs() < 0.01);
        assert_eq!(criterion_score(Scale::OneToFive, 4), 75.0);
    }

    #[test]
    fn a_hand_worked_review() {
        // Weights 20, 10, 10: yes (100), 3 of 1–4 (66.7), 2 of 1–5 (25).
        // (20·100 + 10·66.67 + 10·25) / 40 = 72.92.
        let cs = [criterion(Scale::YesNo, 20, false), criterion(Scale::OneToFour, 10, false), criterion(Scale::OneToFive, 10, false)];
        let score = review_score(&cs, &[Some(1), Some(3), Some(2)]).unwrap();
        assert!((score - 72.916).abs() < 0.01, "{score}");
    }

    #[test]
    fn a_failed_critical_criterion_makes_the_review_zero() {
        let cs = [criterion(Scale::YesNo, 20, true), criterion(Scale::OneToFive, 80, false)];
        assert_eq!(review_score(&cs, &[Some(0), Some(5)]), Some(0.0));
        assert_eq!(review_score(&cs, &[Some(1), Some(5)]), Some(100.0));
        // Marked N/A, a critical criterion cannot fail the review.
        assert_eq!(review_score(&cs, &[None, Some(5)]), Some(100.0));
        // 2 of 1–4 is 33 %, below half: a fail.
        let cs = [criterion(Scale::OneToFour, 10, true), criterion(Scale::YesNo, 10, false)];
        assert_eq!(review_score(&cs, &[Some(2), Some(1)]), Some(0.0));
        assert_eq!(review_score(&cs, &[Some(3), Some(1)]), Some((66.666_666_666_666_66 + 100.0) / 2.0));
    }

    #[test]
    fn nothing_applicable_is_no_score_not_zero() {
        let cs = [criterion(Scale::YesNo, 20, false), criterion(Scale::YesNo, 0, false)];
        assert_eq!(review_score(&cs, &[None, Some(0)]), None);
    }

    #[test]
    fn answers_are_checked_against_the_scorecard() {
        let mut cs = vec![criterion(Scale::YesNo, 20, false), criterion(Scale::OneToFour, 10, false)];
        assert_eq!(check_answers(&cs, &[Some(1)]), Err(AnswerError::Count(1, 2)));
        assert_eq!(check_answers(&cs, &[Some(1), Some(5)]), Err(AnswerError::OffScale("c".into(), 5)));
        assert_eq!(check_answers(&cs, &[Some(1), Some(0)]), Err(AnswerError::OffScale("c".into(), 0)));
        cs[1].allow_na = false;
        assert_eq!(check_answers(&cs, &[Some(1), None]), Err(AnswerError::NotApplicable("c".into())));
        assert_eq!(check_answers(&cs, &[None, Some(4)]), Ok(()));
    }

    #[test]
    fn the_default_scorecard_is_the_checklist_and_valid() {
        let cs = default_criteria();
        assert_eq!(cs.len(), 8);
        assert_eq!(validate_criteria(&cs), Ok(()));
        assert!(cs[0].critical);
    }

    #[test]
    fn bad_scorecards_are_refused_with_a_reason() {
        assert!(validate_criteria(&[]).is_err());
        let mut cs = default_criteria();
        cs[1].name = " task COMPLETED ".into();
        assert!(validate_criteria(&cs).unwrap_err().contains("Two criteria"));
        let mut cs = default_criteria();
        cs.iter_mut().for_each(|c| c.weight = 0);
        assert!(validate_criteria(&cs).is_err());
        let mut cs = default_criteria();
        cs[2].weight = 101;
        assert!(validate_criteria(&cs).is_err());
    }

    #[test]
    fn iqs_of_one_review_has_no_interval() {
        assert_eq!(iqs(&[]), None);
        let one = iqs(&[80.0]).unwrap();
        assert_eq!((one.mean, one.reviews, one.low, one.high), (80.0, 1, None, None));
    }

    #[test]
    fn iqs_interval_hand_worked() {
        // 70, 80, 90: mean 80, s = 10, t(2) = 4.303, half-width 4.303 · 10 / √3 = 24.84.
        let q = iqs(&[70.0, 80.0, 90.0]).unwrap();
        assert_eq!(q.mean, 80.0);
        assert!((q.low.unwrap() - 55.156).abs() < 0.01 && (q.high.unwrap() - 100.0).abs() < 1e-9);
        // More reviews, narrower interval.
        let many: Vec<f64> = (0..40).map(|i| if i % 2 == 0 { 70.0 } else { 90.0 }).collect();
        let q = iqs(&many).unwrap();
        assert!(q.high.unwrap() - q.low.unwrap() < 7.0);
    }

    #[test]
    fn suggestions_follow_the_data() {
        let f = Facts { csat: Some(3), resolution_seconds: Some(3_000), resolution_target_seconds: Some(3_600), reopened_within_7_days: Some(false), articles_sent: None };
        assert_eq!(suggest(Signal::CustomerHappy, Scale::OneToFour, &f), Some(4));
        assert_eq!(suggest(Signal::CustomerHappy, Scale::OneToFour, &Facts { csat: Some(1), ..f }), Some(1));
        assert_eq!(suggest(Signal::CustomerHappy, Scale::YesNo, &Facts { csat: Some(2), ..f }), Some(1));
        assert_eq!(suggest(Signal::CustomerHappy, Scale::OneToFour, &Facts { csat: None, ..f }), None);
        assert_eq!(suggest(Signal::ClosedQuickly, Scale::OneToFour, &f), Some(4));
        assert_eq!(suggest(Signal::ClosedQuickly, Scale::OneToFour, &Facts { resolution_seconds: Some(5_400), ..f }), Some(3));
        assert_eq!(suggest(Signal::ClosedQuickly, Scale::OneToFour, &Facts { resolution_seconds: Some(99_999), ..f }), Some(1));
        assert_eq!(suggest(Signal::TaskCompleted, Scale::YesNo, &f), Some(1));
        assert_eq!(suggest(Signal::TaskCompleted, Scale::YesNo, &Facts { reopened_within_7_days: Some(true), ..f }), Some(0));
        assert_eq!(suggest(Signal::UsedKnowledgeBase, Scale::YesNo, &f), None);
        assert_eq!(suggest(Signal::UsedKnowledgeBase, Scale::YesNo, &Facts { articles_sent: Some(2), ..f }), Some(1));
    }

    #[test]
    fn text_is_cleaned_and_bounded() {
        assert_eq!(clean_text("  fine\u{0}\nthanks \u{7}", 100, "A comment"), Ok("fine\nthanks".into()));
        assert!(clean_text(&"x".repeat(11), 10, "A comment").unwrap_err().contains("longer than 10"));
    }

    #[test]
    fn keys_match_points() {
        assert_eq!(Scale::YesNo.point_for_key('Y'), Some(1));
        assert_eq!(Scale::YesNo.point_for_key('n'), Some(0));
        assert_eq!(Scale::OneToFour.point_for_key('4'), Some(4));
        assert_eq!(Scale::OneToFour.point_for_key('5'), None);
        assert_eq!(Scale::OneToFive.point_for_key('5'), Some(5));
    }

    #[test]
    fn alpha_is_one_for_perfect_agreement_and_low_for_noise() {
        let perfect = vec![vec![100.0, 100.0], vec![50.0, 50.0], vec![0.0, 0.0, 0.0]];
        assert_eq!(krippendorff_alpha(&perfect), Some(1.0));
        let opposite = vec![vec![100.0, 0.0], vec![0.0, 100.0]];
        assert!(krippendorff_alpha(&opposite).unwrap() < 0.0);
        assert_eq!(krippendorff_alpha(&[vec![50.0]]), None);
        assert_eq!(krippendorff_alpha(&[vec![50.0, 50.0]]), None);
    }

    #[test]
    fn alpha_hand_worked() {
        // Two reviewers, three dialogues: (1,1), (2,3), (3,3). n = 6.
        // D_o = [0 + 2·1/1 + 0] / 6 = 1/3. All values 1,1,2,3,3,3: mean 13/6;
        // Σ over ordered pairs of (a−b)² = 2·6·Σ(x−x̄)² = 12 · (29/6) = 58; D_e = 58/30.
        // α = 1 − (1/3)/(58/30) = 1 − 10/58 = 0.8276.
        let alpha = krippendorff_alpha(&[vec![1.0, 1.0], vec![2.0, 3.0], vec![3.0, 3.0]]).unwrap();
        assert!((alpha - 0.8276).abs() < 1e-3, "{alpha}");
    }

    fn scale() -> impl Strategy<Value = Scale> {
        prop_oneof![Just(Scale::YesNo), Just(Scale::OneToFour), Just(Scale::OneToFive)]
    }

    fn scored() -> impl Strategy<Value = Vec<(Criterion, Option<u8>)>> {
        prop::collection::vec(
            (scale(), 0u8..=100, any::<bool>(), any::<bool>(), 0u8..=5).prop_map(|(s, w, critical, na, p)| {
                let answer = (!na).then(|| p.clamp(s.min(), s.max()));
                (criterion(s, w, critical), answer)
            }),
            1..12,
        )
    }

    proptest! {
        #[test]
        fn review_scores_stay_within_0_and_100(items in scored()) {
            let (cs, answers): (Vec<_>, Vec<_>) = items.into_iter().unzip();
            if let Some(s) = review_score(&cs, &answers) {
                prop_assert!((0.0..=100.0).contains(&s), "{}", s);
            }
        }

        #[test]
        fn na_criteria_drop_out(items in scored(), extra in scale(), w in 1u8..=100) {
            let (mut cs, mut answers): (Vec<_>, Vec<_>) = items.into_iter().unzip();
            let before = review_score(&cs, &answers);
            cs.push(criterion(extra, w, true));
            answers.push(None);
            prop_assert_eq!(review_score(&cs, &answers), before);
        }

        #[test]
        fn scaling_every_weight_changes_nothing(items in scored(), k in 1u8..=3) {
            let (cs, answers): (Vec<_>, Vec<_>) = items.into_iter().unzip();
            let small: Vec<Criterion> = cs.iter().map(|c| Criterion { weight: c.weight / 3, ..c.clone() }).collect();
            let scaled: Vec<Criterion> = small.iter().map(|c| Criterion { weight: c.weight * k, ..c.clone() }).collect();
            match (review_score(&small, &answers), review_score(&scaled, &answers)) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn a_heavier_weight_pulls_the_score_towards_that_criterion(p in 0u8..=1, w in 1u8..=50) {
            let cs = vec![criterion(Scale::YesNo, w, false), criterion(Scale::YesNo, 50, false)];
            let heavier = vec![criterion(Scale::YesNo, w * 2, false), criterion(Scale::YesNo, 50, false)];
            let answers = [Some(p), Some(1 - p)];
            let (a, b) = (review_score(&cs, &answers).unwrap(), review_score(&heavier, &answers).unwrap());
            let target = criterion_score(Scale::YesNo, p);
            prop_assert!((b - target).abs() <= (a - target).abs());
        }

        #[test]
        fn the_interval_contains_the_mean(scores in prop::collection::vec(0.0f64..=100.0, 1..60)) {
            let q = iqs(&scores).unwrap();
            prop_assert!((0.0..=100.0).contains(&q.mean));
            if let (Some(l), Some(h)) = (q.low, q.high) {
                prop_assert!(l <= q.mean + 1e-9 && q.mean <= h + 1e-9 && l >= 0.0 && h <= 100.0);
            }
        }

        #[test]
        fn samples_are_fair_and_reproducible(
            raw in prop::collection::vec((1i64..8, 1i64..400), 0..200),
            per_agent in 1usize..6,
            seed in any::<u64>(),
        ) {
            let candidates: Vec<Candidate> = raw.iter().map(|&(a, c)| Candidate { agent_id: a, conversation_id: a * 1000 + c }).collect();
            let sample = stratified_sample(&candidates, per_agent, seed);
            // The same seed, the candidates in another order: the same sample.
            let mut reversed = candidates.clone();
            reversed.reverse();
            prop_assert_eq!(&stratified_sample(&reversed, per_agent, seed), &sample);
            // Every agent gets min(per_agent, what they have), nothing twice, nothing invented.
            let mut distinct = candidates.clone();
            distinct.sort_by_key(|c| (c.agent_id, c.conversation_id));
            distinct.dedup();
            for agent in 1..8 {
                let have = distinct.iter().filter(|c| c.agent_id == agent).count();
                let got = sample.iter().filter(|c| c.agent_id == agent).count();
                prop_assert_eq!(got, have.min(per_agent));
            }
            let mut seen = sample.clone();
            seen.sort_by_key(|c| c.conversation_id);
            seen.dedup();
            prop_assert_eq!(seen.len(), sample.len());
            prop_assert!(sample.iter().all(|c| candidates.contains(c)));
        }
    }

    #[test]
    fn different_seeds_draw_different_samples() {
        let candidates: Vec<Candidate> = (0..100).map(|i| Candidate { agent_id: i % 4, conversation_id: i }).collect();
        assert_ne!(stratified_sample(&candidates, 5, 1), stratified_sample(&candidates, 5, 2));
    }
}
