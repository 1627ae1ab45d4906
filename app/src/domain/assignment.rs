//! Automatic assignment: which agent a waiting dialogue goes to, or why it waits.
//!
//! Per team and channel, a mode: manual (agents claim, as always), round-robin (the agent
//! assigned longest ago first) or balanced (the fewest open dialogues first). Only agents
//! on shift now, present (signed in and seen lately) and under their capacity for the
//! channel are candidates. Skills (languages, purposes, tags, each with a level 1–5) are
//! optional: once any agent of the team has a skill of a kind, a dialogue that needs that
//! language or purpose goes only to agents who have it, the best level first; tags only
//! prefer. The choice is pure; the server takes the team's lock and decides in PostgreSQL.

use serde::{Deserialize, Serialize};

named_enum!(
    /// How a team's dialogues of one channel reach agents.
    AssignmentMode {
        Manual => "manual", "Manual: agents claim";
        RoundRobin => "round_robin", "Round-robin";
        Balanced => "balanced", "Balanced: fewest open first";
    }
);

named_enum!(
    /// What a skill is about.
    SkillKind {
        Language => "language", "Language";
        Topic => "topic", "Purpose";
        Tag => "tag", "Tag";
    }
);

named_enum!(
    /// How a dialogue came to its agent, as the queue and the dialogue say it.
    AssignedHow {
        Claimed => "claimed", "Claimed";
        RoundRobin => "round_robin", "Assigned by round-robin";
        Balanced => "balanced", "Assigned by balance";
        Skill => "skill", "Assigned by skill";
        ShiftHandover => "shift_handover", "Reassigned at shift end";
        Reassigned => "reassigned", "Reassigned by a colleague";
        Rule => "rule", "Assigned by a rule";
    }
);

/// The most open dialogues of one channel an agent may be given: a day's work at most.
pub const MAX_CAPACITY: i32 = 100;
pub const MAX_LEVEL: i16 = 5;

/// An agent as the choice reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub on_shift: bool,
    pub present: bool,
    /// Open dialogues of this channel they hold.
    pub open_here: i64,
    /// Open dialogues they hold on every channel (the balanced order).
    pub open_total: i64,
    /// When they were last given a dialogue automatically (Unix seconds).
    pub last_assigned: Option<i64>,
    pub skills: Vec<Skill>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Skill {
    pub kind: SkillKind,
    /// A language code ("de"), a purpose ("billing") or a tag, lower case.
    pub value: String,
    /// 1 (can) to 5 (expert).
    pub level: i16,
}

/// What a dialogue asks of its agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub language: Option<String>,
    pub topic: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Agent { id: i64, how: AssignedHow },
    /// Nobody fits; the sentence the queue shows.
    Waiting(String),
}

fn level(c: &Candidate, kind: SkillKind, value: &str) -> Option<i16> {
    c.skills.iter().filter(|s| s.kind == kind && s.value.eq_ignore_ascii_case(value)).map(|s| s.level).max()
}

/// The agent for one dialogue among `candidates` (the team's agents), with `capacity`
/// open dialogues of its channel each at most; `channel` names the channel in the reason.
pub fn choose(mode: AssignmentMode, capacity: i64, channel: &str, needs: &Needs, candidates: &[Candidate]) -> Choice {
    let waiting = |s: String| Choice::Waiting(s);
    if mode == AssignmentMode::Manual {
        return waiting("Assignment is manual here: an agent claims it.".into());
    }
    let on_shift: Vec<&Candidate> = candidates.iter().filter(|c| c.on_shift).collect();
    if on_shift.is_empty() {
        return waiting("Waiting: nobody in the team is on shift now.".into());
    }
    let present: Vec<&Candidate> = on_shift.into_iter().filter(|c| c.present).collect();
    if present.is_empty() {
        return waiting("Waiting: nobody on shift is signed in.".into());
    }
    let free: Vec<&Candidate> = present.into_iter().filter(|c| c.open_here < capacity).collect();
    if free.is_empty() {
        let noun = if capacity == 1 { "dialogue" } else { "dialogues" };
        return waiting(format!("Waiting: everyone on shift holds {capacity} open {channel} {noun} already."));
    }
    // A kind of skill is required once anyone in the team has one of that kind.
    let in_use = |kind: SkillKind| candidates.iter().any(|c| c.skills.iter().any(|s| s.kind == kind));
    let mut fit = free;
    let before = fit.len();
    for (kind, need, what) in [
        (SkillKind::Language, needs.language.as_deref(), "speaks"),
        (SkillKind::Topic, needs.topic.as_deref(), "handles"),
    ] {
        if let (true, Some(value)) = (in_use(kind), need) {
            fit.retain(|c| level(c, kind, value).is_some());
            if fit.is_empty() {
                return waiting(format!("Waiting: nobody available {what} {value}."));
            }
        }
    }
    let score = |c: &Candidate| -> i64 {
        let lang = needs.language.as_deref().and_then(|l| level(c, SkillKind::Language, l)).unwrap_or(0);
        let topic = needs.topic.as_deref().and_then(|t| level(c, SkillKind::Topic, t)).unwrap_or(0);
        let tags: i16 = needs.tags.iter().filter_map(|t| level(c, SkillKind::Tag, t)).sum();
        (lang + topic + tags) as i64
    };
    let best = fit.iter().map(|c| score(c)).max().unwrap_or(0);
    // Skill decided when it left someone out: a requirement, or a better level.
    let by_skill = fit.len() < before || (best > 0 && fit.iter().any(|c| score(c) < best));
    fit.retain(|c| score(c) == best);
    let order = |c: &&Candidate| match mode {
        AssignmentMode::Balanced => (c.open_total, c.last_assigned.unwrap_or(i64::MIN), c.id),
        _ => (0, c.last_assigned.unwrap_or(i64::MIN), c.id),
    };
    let chosen = fit.into_iter().min_by_key(order).map(|c| c.id);
    match chosen {
        Some(id) => Choice::Agent {
            id,
            how: if by_skill {
                AssignedHow::Skill
            } else if mode == AssignmentMode::Balanced {
                AssignedHow::Balanced
            } else {
                AssignedHow::RoundRobin
            },
        },
        None => waiting("Waiting: nobody fits.".into()),
    }
}

/// A capacity as typed: 1 to [`MAX_CAPACITY`].
pub fn validate_capacity(n: i32) -> Result<i32, String> {
    if (1..=MAX_CAPACITY).contains(&n) {
        Ok(n)
    } else {
        Err(format!("A capacity is 1 to {MAX_CAPACITY} open dialogues per agent."))
    }
}

/// A skill as typed: its value trimmed and lower-cased, a level of 1 to 5.
pub fn validate_skill(kind: SkillKind, value: &str, level: i16) -> Result<Skill, String> {
    let value = value.trim().to_lowercase();
    if value.is_empty() || value.chars().count() > 40 {
        return Err(format!("A {} skill needs a name of 1 to 40 characters.", kind.label().to_lowercase()));
    }
    if kind == SkillKind::Topic && super::dialogue::Topic::parse(&value).is_none() {
        return Err(format!("“{value}” is not a purpose: support, billing, legal, partnerships or technical."));
    }
    if !(1..=MAX_LEVEL).contains(&level) {
        return Err(format!("A skill's level is 1 to {MAX_LEVEL}."));
    }
    Ok(Skill { kind, value, level })
}

/// Skills of one kind as a person types them: "de 5, en 3" (a missing level is 3).
pub fn parse_skills(kind: SkillKind, text: &str) -> Result<Vec<Skill>, String> {
    let mut out: Vec<Skill> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words: Vec<&str> = part.split_whitespace().collect();
        let level = match words.last().map(|w| w.parse::<i16>()) {
            Some(Ok(n)) if words.len() > 1 => {
                words.pop();
                n
            }
            _ => 3,
        };
        let skill = validate_skill(kind, &words.join(" "), level)?;
        if !out.iter().any(|s| s.value == skill.value) {
            out.push(skill);
        }
    }
    Ok(out)
}

/// The skills of one kind as [`parse_skills`] reads them.
pub fn format_skills(skills: &[Skill], kind: SkillKind) -> String {
    skills.iter().filter(|s| s.kind == kind).map(|s| format!("{} {}", s.value, s.level)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agent(id: i64) -> Candidate {
        Candidate { id, on_shift: true, present: true, ..Default::default() }
    }

    fn skill(kind: SkillKind, value: &str, level: i16) -> Skill {
        Skill { kind, value: value.into(), level }
    }

    #[test]
    fn only_agents_on_shift_present_and_under_capacity_are_given_dialogues() {
        let needs = Needs::default();
        let off = Candidate { on_shift: false, ..agent(1) };
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "chat", &needs, &[off.clone()]), Choice::Waiting("Waiting: nobody in the team is on shift now.".into()));
        let away = Candidate { present: false, ..agent(2) };
        assert!(matches!(choose(AssignmentMode::RoundRobin, 3, "chat", &needs, &[off.clone(), away.clone()]), Choice::Waiting(s) if s.contains("signed in")));
        let full = Candidate { open_here: 3, ..agent(3) };
        assert_eq!(
            choose(AssignmentMode::RoundRobin, 3, "chat", &needs, &[full.clone()]),
            Choice::Waiting("Waiting: everyone on shift holds 3 open chat dialogues already.".into())
        );
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "chat", &needs, &[off, away, full, agent(4)]), Choice::Agent { id: 4, how: AssignedHow::RoundRobin });
        assert!(matches!(choose(AssignmentMode::Manual, 3, "chat", &needs, &[agent(4)]), Choice::Waiting(_)));
    }

    #[test]
    fn round_robin_takes_the_agent_given_one_longest_ago_and_balanced_the_least_loaded() {
        let needs = Needs::default();
        let a = Candidate { last_assigned: Some(100), open_total: 0, ..agent(1) };
        let b = Candidate { last_assigned: Some(50), open_total: 5, ..agent(2) };
        let never = Candidate { last_assigned: None, open_total: 9, ..agent(3) };
        assert_eq!(choose(AssignmentMode::RoundRobin, 10, "chat", &needs, &[a.clone(), b.clone(), never.clone()]), Choice::Agent { id: 3, how: AssignedHow::RoundRobin });
        assert_eq!(choose(AssignmentMode::Balanced, 10, "chat", &needs, &[a, b, never]), Choice::Agent { id: 1, how: AssignedHow::Balanced });
    }

    #[test]
    fn skills_decide_and_a_missing_language_waits_with_the_reason() {
        let german = Candidate { skills: vec![skill(SkillKind::Language, "de", 3)], ..agent(1) };
        let expert = Candidate { skills: vec![skill(SkillKind::Language, "de", 5)], last_assigned: Some(999), ..agent(2) };
        let english = Candidate { skills: vec![skill(SkillKind::Language, "en", 5)], ..agent(3) };
        let needs = Needs { language: Some("de".into()), ..Default::default() };
        let all = [german.clone(), expert, english.clone()];
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "e-mail", &needs, &all), Choice::Agent { id: 2, how: AssignedHow::Skill });
        let french = Needs { language: Some("fr".into()), ..Default::default() };
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "e-mail", &french, &all), Choice::Waiting("Waiting: nobody available speaks fr.".into()));
        // No language asked: every agent fits, the mode decides.
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "e-mail", &Needs::default(), &[german, english]), Choice::Agent { id: 1, how: AssignedHow::RoundRobin });
        // Tags only prefer.
        let vip = Candidate { skills: vec![skill(SkillKind::Tag, "vip", 2)], last_assigned: Some(10), ..agent(5) };
        let tagged = Needs { tags: vec!["vip".into()], ..Default::default() };
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "chat", &tagged, &[agent(4), vip.clone()]), Choice::Agent { id: 5, how: AssignedHow::Skill });
        assert_eq!(choose(AssignmentMode::RoundRobin, 3, "chat", &Needs { tags: vec!["press".into()], ..Default::default() }, &[agent(4), vip]), Choice::Agent { id: 4, how: AssignedHow::RoundRobin });
    }

    #[test]
    fn bad_settings_get_a_sentence() {
        assert!(validate_capacity(0).is_err());
        assert!(validate_capacity(101).is_err());
        assert_eq!(validate_capacity(12), Ok(12));
        assert_eq!(validate_skill(SkillKind::Language, " DE ", 4), Ok(skill(SkillKind::Language, "de", 4)));
        assert!(validate_skill(SkillKind::Topic, "cooking", 3).unwrap_err().contains("not a purpose"));
        assert!(validate_skill(SkillKind::Tag, "vip", 0).unwrap_err().contains("level"));
        assert!(validate_skill(SkillKind::Tag, "  ", 1).is_err());
    }

    #[test]
    fn skills_are_typed_as_words_and_levels() {
        let langs = parse_skills(SkillKind::Language, "de 5, EN, de 2 ,").unwrap();
        assert_eq!(langs, vec![skill(SkillKind::Language, "de", 5), skill(SkillKind::Language, "en", 3)]);
        assert_eq!(format_skills(&langs, SkillKind::Language), "de 5, en 3");
        assert!(parse_skills(SkillKind::Language, "de 9").unwrap_err().contains("level"));
        assert_eq!(parse_skills(SkillKind::Tag, "").unwrap(), vec![]);
        assert_eq!(parse_skills(SkillKind::Tag, "key account 4").unwrap(), vec![skill(SkillKind::Tag, "key account", 4)]);
    }

    proptest! {
        /// Round-robin over equal agents: after n arrivals each has n / agents, give or take one.
        #[test]
        fn round_robin_is_fair(agents in 1usize..12, arrivals in 0usize..400) {
            let mut pool: Vec<Candidate> = (0..agents as i64).map(agent).collect();
            let mut given = vec![0usize; agents];
            for t in 0..arrivals {
                match choose(AssignmentMode::RoundRobin, i64::MAX, "chat", &Needs::default(), &pool) {
                    Choice::Agent { id, .. } => {
                        given[id as usize] += 1;
                        pool[id as usize].last_assigned = Some(t as i64);
                    }
                    Choice::Waiting(w) => prop_assert!(false, "{}", w),
                }
            }
            let (lo, hi) = (given.iter().min().unwrap(), given.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
        }
    }
}
