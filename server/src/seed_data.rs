//! The demo's cast and script: its sign-ins, its teams and their holidays, the staff in three regions,
//! the channels and routing rules, where customers live, their names and plans, and what
//! they write about with the replies they get. `seed.rs` turns it into months of dialogues.

pub const DEMO_PASSWORD: &str = "meridian-demo";

/// The four sign-ins printed by `make run`, one per role.
pub const DEMO_SIGN_INS: [(&str, &str); 4] = [
    ("owner@meridian.test", "super_admin"),
    ("manager@meridian.test", "admin"),
    ("qa@meridian.test", "reviewer"),
    ("agent@meridian.test", "operator"),
];

/// What can stop a seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    App(#[from] app::error::AppError),
}

pub const TEAMS: [(&str, &str, &str); 3] = [
    ("Asia-Pacific", "APAC", "Asia/Singapore"),
    ("Europe", "EMEA", "Europe/Berlin"),
    ("Americas", "AMER", "America/New_York"),
];

/// (day, name, team or none for every region, volume factor)
pub const HOLIDAYS: [(&str, &str, Option<&str>, f64); 8] = [
    ("2026-11-26", "Thanksgiving", Some("Americas"), 0.5),
    ("2026-11-27", "Black Friday", None, 1.6),
    ("2026-12-24", "Christmas Eve", Some("Europe"), 0.6),
    ("2026-12-25", "Christmas Day", None, 0.4),
    ("2026-12-26", "Boxing Day", Some("Europe"), 0.6),
    ("2027-01-01", "New Year's Day", None, 0.4),
    ("2027-02-06", "Lunar New Year", Some("Asia-Pacific"), 0.5),
    ("2027-05-01", "Labour Day", Some("Europe"), 0.5),
];

/// (e-mail, name, role, team index)
pub const STAFF: [(&str, &str, &str, usize); 12] = [
    ("owner@meridian.test", "Sofia Lindqvist", "super_admin", 1),
    ("manager@meridian.test", "Marcus Webb", "admin", 1),
    ("qa@meridian.test", "Priya Raman", "reviewer", 1),
    ("agent@meridian.test", "Alex Novak", "operator", 1),
    ("lena.fischer@meridian.test", "Lena Fischer", "operator", 1),
    ("tomas.garcia@meridian.test", "Tomás García", "operator", 1),
    ("jordan.ellis@meridian.test", "Jordan Ellis", "operator", 2),
    ("camila.souza@meridian.test", "Camila Souza", "operator", 2),
    ("ethan.brooks@meridian.test", "Ethan Brooks", "operator", 2),
    ("hana.sato@meridian.test", "Hana Sato", "operator", 0),
    ("arjun.mehta@meridian.test", "Arjun Mehta", "operator", 0),
    ("mei.lin.tan@meridian.test", "Mei Lin Tan", "operator", 0),
];

/// (name, kind, address, first-response target in seconds, share of dialogues)
pub const CHANNELS: [(&str, &str, &str, i64, f64); 5] = [
    ("Website chat", "chat", "website", 120, 0.50),
    ("Support e-mail", "email", "support@meridian.test", 4 * 3600, 0.25),
    ("Billing e-mail", "email", "billing@meridian.test", 8 * 3600, 0.10),
    ("Twitter", "social", "@meridianhelp", 3600, 0.09),
    ("Facebook", "social", "meridianhelp", 3600, 0.06),
];

/// (name, keywords, address part, purpose), in order: the first match wins.
pub const ROUTING_RULES: [(&str, &[&str], &str, &str); 5] = [
    ("Legal requests", &["gdpr", "lawyer", "subpoena", "legal notice", "data deletion"], "", "legal"),
    ("Billing inbox", &[], "billing@", "billing"),
    ("Money questions", &["refund", "invoice", "charge", "charged", "payment", "credit card"], "", "billing"),
    ("Partners", &["partner", "partnership", "reseller", "affiliate"], "", "partnerships"),
    ("Technical problems", &["api", "error", "crash", "crashes", "bug", "webhook"], "", "technical"),
];

/// IANA zone, its standard UTC offset in hours (daylight saving is ignored for demo
/// arrivals), and its share of customers.
pub const ZONES: [(&str, i64, f64); 12] = [
    ("America/New_York", -5, 0.16),
    ("America/Chicago", -6, 0.07),
    ("America/Los_Angeles", -8, 0.09),
    ("America/Sao_Paulo", -3, 0.06),
    ("Europe/London", 0, 0.10),
    ("Europe/Berlin", 1, 0.14),
    ("Europe/Warsaw", 1, 0.05),
    ("Africa/Lagos", 1, 0.03),
    ("Asia/Kolkata", 5, 0.09),
    ("Asia/Singapore", 8, 0.08),
    ("Asia/Tokyo", 9, 0.06),
    ("Australia/Sydney", 10, 0.07),
];

pub const FIRST_NAMES: [&str; 32] = [
    "Anna", "Ben", "Chloé", "Daniel", "Elif", "Farah", "Gustavo", "Hiroshi", "Ines", "Jakub", "Kavya", "Liam",
    "Maya", "Noah", "Olu", "Paula", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Valentina", "Wei", "Ximena",
    "Yusuf", "Zoe", "Aiko", "Bruno", "Chen", "Dara", "Emeka", "Freya",
];
pub const LAST_NAMES: [&str; 32] = [
    "Kowalska", "Okafor", "Dubois", "Schmidt", "Yilmaz", "Haddad", "Pereira", "Tanaka", "Moreau", "Novák",
    "Iyer", "Murphy", "Cohen", "Johansson", "Adeyemi", "Rossi", "Lefebvre", "Silva", "Berg", "Nair", "Khan",
    "García", "Zhang", "López", "Demir", "Wilson", "Suzuki", "Costa", "Wang", "Byrne", "Eze", "Larsen",
];
pub const PLANS: [(&str, f64); 4] = [("free", 0.45), ("starter", 0.30), ("pro", 0.19), ("enterprise", 0.06)];

/// (topic, share, [(subject, customer's message, agent's reply)])
pub type Exchange = (&'static str, &'static str, &'static str);
pub const TOPICS: [(&str, f64, &[Exchange]); 5] = [
    ("support", 0.45, &[
        ("Can't log in after password reset", "I reset my password an hour ago and now the login page just reloads. I've tried two browsers.", "Sorry about that! The reset link also signs out other sessions; please clear cookies for our site once and sign in again. If it still loops, tell me and I'll reset the session on our side."),
        ("How do I export my data?", "Is there a way to export all my projects to CSV? I need it for our quarterly report.", "Yes: open Settings → Data → Export, pick CSV and the projects you need. The file arrives by e-mail within a few minutes. Here is the guide with screenshots."),
        ("Invite teammates", "How do I add three colleagues to our workspace without them getting admin rights?", "Go to Team → Invite, enter their e-mails and choose the Member role. Members can edit projects but not billing or settings."),
        ("Notifications not arriving", "I stopped getting e-mail notifications last week. Nothing changed on my side.", "Thanks for flagging this. Your address was on our bounce list after a temporary error at your mail provider; I've removed it, so notifications resume now."),
        ("Change account e-mail", "I've changed jobs. Can I move my account to my new e-mail address?", "Of course. Under Profile → E-mail, enter the new address and confirm the link we send there. Your projects stay exactly as they are."),
        ("Two-factor authentication lost phone", "I lost my phone and can't get my 2FA codes. How can I get back in?", "I can help with that. Please reply with one of your backup codes, or confirm the last invoice amount so I can verify you and reset 2FA."),
    ]),
    ("technical", 0.25, &[
        ("API returns 429", "Our integration gets HTTP 429 from /v2/orders since this morning. We send maybe 5 requests a second.", "The limit for your plan is 300 requests a minute per token, and bursts above 10 a second get 429. Spreading requests or batching orders with /v2/orders/bulk will fix it."),
        ("Webhook signature mismatch", "The webhook signatures we compute don't match the header. We use HMAC-SHA256 over the body.", "The signature covers the raw body bytes before any JSON parsing; frameworks that re-serialise change whitespace. Compute it on the raw request body and it will match."),
        ("App crashes on startup (Android)", "Since the last update the Android app closes right after the splash screen. Pixel 7, Android 14.", "Thanks for the details. This is a known issue in 4.12.0 on Android 14; 4.12.1 with the fix is rolling out today. Meanwhile, clearing the app cache avoids the crash."),
        ("Slow dashboard", "The dashboard takes 20+ seconds to load for our team since Monday.", "We found a slow query affecting large workspaces after Monday's release and deployed a fix an hour ago. Could you check if it loads normally for you now?"),
        ("SSO setup with Okta", "We're setting up SAML SSO with Okta and get 'audience mismatch'.", "The Audience URI in Okta must be exactly https://app.example.com/saml/metadata with no trailing slash. Once that matches, the error goes away."),
    ]),
    ("billing", 0.18, &[
        ("Charged twice this month", "I see two charges for the Pro plan on my card this month. Please refund one.", "You're right, the renewal ran twice because of a payment retry. I've refunded the duplicate charge; it shows on your statement within 5–10 business days."),
        ("Upgrade to annual plan", "If we switch to annual billing now, do we get credit for the rest of this month?", "Yes, the unused part of this month is credited automatically when you switch, and annual billing saves 20 %."),
        ("Invoice with VAT number", "Can you reissue invoice INV-2291 with our company VAT number?", "Done: I've added your VAT number to the account and reissued INV-2291. You can download it under Billing → Invoices."),
        ("Cancel subscription", "Please cancel our subscription at the end of the current period.", "I've scheduled the cancellation for the end of your billing period. Your data stays available for export for 30 days after that."),
    ]),
    ("partnerships", 0.05, &[
        ("Reseller programme", "We're an agency and would like to resell your product to our clients. Is there a partner programme?", "Yes, we have a partner programme with a 20 % margin and a shared dashboard for client accounts. I've connected you with our partnerships lead, who will send the agreement."),
        ("Integration partnership", "We build a CRM and would like to list an integration in your marketplace.", "Great to hear! Our marketplace review takes about two weeks; here is the listing guide and the form to submit your integration."),
    ]),
    ("legal", 0.07, &[
        ("GDPR data deletion request", "Under GDPR I request the deletion of all personal data you hold about me.", "We've received your request and started the deletion; it completes within 30 days and we'll confirm by e-mail. Backups expire within 35 days."),
        ("Data processing agreement", "Our legal team needs a signed DPA before we can roll out to more departments.", "Our standard DPA is available for signature online; I've sent you the link. If your legal team needs changes, they can reply to this thread."),
    ]),
];

pub const FOLLOW_UPS: [&str; 5] = [
    "Thanks, but it still doesn't work on my side. Anything else I can try?",
    "Could you explain the second step in a bit more detail?",
    "Okay, and will this also apply to my colleagues' accounts?",
    "I tried that and now I get a different error message.",
    "Thanks! One more question: does this change anything for our existing invoices?",
];
pub const SECOND_REPLIES: [&str; 4] = [
    "Thanks for trying that. I've checked your account and applied the fix on our side; please try once more now.",
    "Sure: after opening the page, click the gear icon at the top right, then follow the same steps. Let me know if it helps.",
    "Yes, it applies to everyone in your workspace automatically, nothing else to do.",
    "That second error tells me the first step worked. I've cleared the remaining flag; you're all set.",
];
pub const NOTES: [&str; 3] = [
    "Checked the logs: the customer's token was revoked by their admin. Waiting for their reply.",
    "Looks like the known issue from this week's release; linking here for the QA review.",
    "Customer is on an enterprise trial; sales asked to be kept in the loop.",
];
