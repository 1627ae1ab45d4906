//! The demo knowledge base: ten categories of articles on the same topics as the demo
//! dialogues (sign-in, billing, the API, exports, GDPR …), some internal playbooks for
//! agents, some drafts, some overdue for review. `--articles N` makes N of them (the
//! benchmark uses 50,000), inserted in batches with a progress bar.

use crate::progress::Progress;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;

/// (name, description, review interval in days, internal, [(title, what the article says)])
type Topic = (&'static str, &'static str);
const CATEGORIES: [(&str, &str, i32, bool, &[Topic]); 10] = [
    ("Getting started", "First steps in a new workspace.", 180, false, &[
        ("Create your workspace", "A workspace holds your projects, your team and your billing."),
        ("Invite your first teammates", "Invite colleagues by e-mail and choose their role before they join."),
        ("Create a project from a template", "Templates set up boards, fields and automations in one click."),
        ("Tour of the dashboard", "The dashboard shows your projects, recent activity and what needs you today."),
        ("Set your time zone and language", "Dates, reminders and reports follow the time zone in your profile."),
        ("Keyboard shortcuts", "Press ? anywhere to see every shortcut; g then a letter jumps between sections."),
        ("Import your first data", "Bring projects in from a CSV file or another tool in a few minutes."),
        ("Choose a plan", "Free, Starter, Pro and Enterprise differ in seats, storage and support."),
        ("Set up your profile", "Your name, photo and signature appear on everything you share."),
        ("Organise projects with folders", "Folders group projects by client, team or quarter."),
        ("Use search", "Search finds projects, tasks and comments as you type."),
        ("Archive a project", "Archived projects leave your lists but keep all their data."),
        ("Share a read-only link", "A read-only link lets people outside your workspace see a project."),
        ("Browser and system requirements", "Use a current version of Chrome, Firefox, Safari or Edge."),
        ("Where to get help", "Search the help centre, chat with us, or write to support by e-mail."),
    ]),
    ("Account and sign-in", "Passwords, two-factor authentication and your account's e-mail.", 90, false, &[
        ("Reset your password", "Use Forgot password on the sign-in page; the link is valid for one hour."),
        ("Sign-in page keeps reloading", "After a password reset, clear the site's cookies once and sign in again."),
        ("Set up two-factor authentication", "Two-factor authentication asks for a code from your phone at sign-in."),
        ("Lost your two-factor device", "Sign in with a backup code, or ask support to verify you and reset two-factor."),
        ("Change your account e-mail", "Enter the new address under Profile, E-mail and confirm the link we send."),
        ("Sign in with Google or Microsoft", "Connect your Google or Microsoft account to sign in without a password."),
        ("Single sign-on with SAML", "Enterprise workspaces can require sign-in through Okta, Azure AD or OneLogin."),
        ("Fix an SSO audience mismatch", "The Audience URI must match our metadata address exactly, without a trailing slash."),
        ("Sessions and signing out everywhere", "Sign out every other device from Profile, Security."),
        ("Account locked after failed sign-ins", "After repeated wrong passwords, wait fifteen minutes or reset your password."),
        ("Delete your account", "Deleting your account removes your personal data after thirty days."),
        ("Merge two accounts", "Support can move projects from a second account into your main one."),
        ("Verify your e-mail address", "Confirm your address with the link we send so that notifications reach you."),
        ("Password requirements", "Passwords need at least twelve characters; a passphrase is best."),
        ("Recognise phishing e-mails", "We never ask for your password by e-mail or chat."),
    ]),
    ("Billing and invoices", "Plans, payments, refunds and invoices.", 60, false, &[
        ("Upgrade or downgrade your plan", "Plan changes take effect at once; the price difference is prorated."),
        ("Switch to annual billing", "Annual billing saves 20 % and credits the unused part of the month."),
        ("Charged twice this month", "A payment retry can charge twice; support refunds the duplicate at once."),
        ("Refund policy", "Refunds within 14 days of a charge; duplicates are always refunded."),
        ("Add a VAT number to invoices", "Add your VAT number under Billing, Company details and reissue invoices."),
        ("Download invoices", "Every invoice is under Billing, Invoices as PDF."),
        ("Update your card", "Replace the card under Billing, Payment method before the next renewal."),
        ("Pay by bank transfer", "Annual Enterprise plans can pay by bank transfer against an invoice."),
        ("Cancel your subscription", "Cancelling stops renewal; data stays exportable for thirty days."),
        ("Failed payment and grace period", "After a failed payment you have seven days to update the card."),
        ("Seats and how they are counted", "Every active member is a seat; guests are free."),
        ("Discounts for non-profits and education", "Non-profits and schools get 50 % off any paid plan."),
        ("Change the billing contact", "Invoices go to the billing contact set under Billing, Contacts."),
        ("Currency and taxes", "Prices are in euros or US dollars; VAT is added where it applies."),
        ("Receipts for expense reports", "Receipts list the plan, the period and the amount paid."),
    ]),
    ("Team and permissions", "Roles, invitations and guests.", 120, false, &[
        ("Roles explained", "Owners manage billing, admins manage members, members edit projects."),
        ("Invite teammates without admin rights", "Choose the Member role when inviting so they cannot change billing or settings."),
        ("Remove a member", "Removing a member frees their seat; their work stays in the projects."),
        ("Transfer ownership", "The owner can hand the workspace to another admin."),
        ("Guests and external collaborators", "Guests see only the projects they are invited to."),
        ("Groups for larger teams", "Groups give a whole team access to a project at once."),
        ("Project-level permissions", "Restrict a project to some members or groups."),
        ("Pending invitations", "Resend or cancel invitations under Team, Pending."),
        ("Domain capture", "Everyone signing up with your company domain joins your workspace."),
        ("Audit who changed what", "The activity log shows every change with who and when."),
        ("Deactivate a departing employee", "Deactivating signs them out everywhere at once."),
        ("Approve new members", "Require an admin's approval before people join."),
        ("Limit who can invite", "Only admins can invite when this setting is on."),
        ("Teams across time zones", "Each member's local time shows on their profile card."),
        ("Member directory", "The directory lists everyone with role, team and last activity."),
    ]),
    ("Integrations and API", "The REST API, webhooks and integrations.", 90, false, &[
        ("Getting started with the API", "Create a token under Settings, API and send it as a Bearer token."),
        ("API rate limits and HTTP 429", "Each token may send 300 requests a minute; bursts above 10 a second get 429."),
        ("Batch requests with the bulk endpoints", "Bulk endpoints take up to 500 items and count as one request."),
        ("Verify webhook signatures", "Compute HMAC-SHA256 over the raw request body, before any JSON parsing."),
        ("Webhook retries", "Failed webhook deliveries are retried with backoff for 24 hours."),
        ("Pagination in the API", "Lists return a cursor; pass it back to get the next page."),
        ("API errors and what they mean", "Errors carry a code and a sentence; 4xx are yours to fix, 5xx ours."),
        ("Connect Slack", "Post project updates to a Slack channel and reply from Slack."),
        ("Connect Zapier", "Zapier triggers on new tasks and can create them from other tools."),
        ("Sync with Google Calendar", "Due dates appear in Google Calendar and update both ways."),
        ("Salesforce integration", "Link accounts and opportunities to projects in Salesforce."),
        ("Build a marketplace integration", "Submit your integration for a two-week marketplace review."),
        ("OAuth apps", "Register an OAuth app to act on behalf of other workspaces."),
        ("API changelog and versioning", "Breaking changes come with a new version and six months' notice."),
        ("Test in the sandbox", "The sandbox workspace resets nightly and never bills."),
    ]),
    ("Data import and export", "Bringing data in and taking it out.", 120, false, &[
        ("Export your data to CSV", "Open Settings, Data, Export, choose CSV and the projects you need."),
        ("Export everything for a backup", "A full export contains every project, file and comment as JSON."),
        ("Import from a CSV file", "Map the CSV columns to fields; preview before importing."),
        ("Import from Trello", "Boards, lists and cards become projects, sections and tasks."),
        ("Import from Asana", "Projects, tasks, assignees and due dates come across."),
        ("Import from Jira", "Issues become tasks; epics become sections."),
        ("Import errors and how to fix them", "The import report lists every row that failed and why."),
        ("Scheduled exports", "Send an export to cloud storage every night."),
        ("Export a single report", "Every report has Export as CSV or PDF."),
        ("Large exports arrive by e-mail", "Exports bigger than 50 MB arrive as a download link by e-mail."),
        ("Character encoding in CSV files", "Save CSV files as UTF-8 so accents and non-Latin letters survive."),
        ("Move data between workspaces", "Export from one and import into the other, or ask support."),
        ("Attachments in exports", "Attachments are included as files next to the CSV."),
        ("Data retention after cancelling", "After cancelling, data stays exportable for thirty days."),
        ("Quarterly report from exported data", "Use the CSV export with a spreadsheet's pivot table."),
    ]),
    ("Notifications", "E-mail, push and in-app notifications.", 120, false, &[
        ("E-mail notifications stopped arriving", "A bounce at your mail provider can block notifications; support can clear it."),
        ("Choose which notifications you get", "Profile, Notifications lets you pick per project and per event."),
        ("Daily digest", "The digest sums up the day in one e-mail."),
        ("Push notifications on mobile", "Allow notifications for the app in your phone's settings."),
        ("Quiet hours", "No push notifications during the quiet hours you set."),
        ("Mentions", "Type @ and a name to notify a colleague in a comment."),
        ("Notifications go to spam", "Add our sending address to your contacts or safe senders."),
        ("Unsubscribe from product news", "Product e-mails have an unsubscribe link; account e-mails do not."),
        ("Slack notifications", "Route notifications to Slack instead of e-mail."),
        ("Notification sounds", "Turn sounds on or off per device."),
        ("Watch a project", "Watching sends you every change in a project."),
        ("Reminders before due dates", "Reminders arrive one day and one hour before a due date."),
        ("Browser notifications", "Allow notifications in your browser for desktop alerts."),
        ("Notification settings for admins", "Admins set defaults for new members."),
        ("Why did I get this notification", "Each notification says which rule sent it."),
    ]),
    ("Mobile apps", "The iOS and Android apps.", 60, false, &[
        ("Install the mobile app", "Get the app from the App Store or Google Play and sign in."),
        ("Android app closes after the splash screen", "Update to 4.12.1; clearing the app cache avoids the crash meanwhile."),
        ("Offline mode", "Changes made offline sync when the phone is back online."),
        ("Sign in on mobile with SSO", "SSO sign-in opens your company's page in the browser."),
        ("Upload photos from your phone", "Attach photos to tasks straight from the camera."),
        ("Widgets on the home screen", "The widget shows today's tasks."),
        ("Dark mode", "The app follows the phone's dark mode setting."),
        ("App uses too much battery", "Turn off background refresh if the app drains the battery."),
        ("Supported phone versions", "iOS 16 or newer, Android 11 or newer."),
        ("Report a bug in the app", "Shake the phone in the app to send a report with logs."),
        ("Tablet layout", "On tablets the app shows lists and details side by side."),
        ("Face ID and fingerprint unlock", "Lock the app with Face ID or a fingerprint."),
        ("Scan documents", "Scan paper documents into a task as PDF."),
        ("Voice notes", "Record a voice note and attach it to a task."),
        ("Beta versions of the app", "Join the beta through TestFlight or Google Play."),
    ]),
    ("Security, privacy and legal", "GDPR, data processing and how we keep data safe.", 180, false, &[
        ("GDPR data deletion request", "We complete deletion requests within 30 days; backups expire within 35."),
        ("Data processing agreement", "Sign our standard DPA online; legal teams may propose changes."),
        ("Where your data is stored", "Data is stored in the EU or the US, as chosen at sign-up."),
        ("Encryption", "Data is encrypted in transit with TLS and at rest with AES-256."),
        ("Subprocessors", "The list of subprocessors and what each one does."),
        ("Request a copy of your personal data", "We send a copy of your personal data within 30 days."),
        ("Security certifications", "We are audited for SOC 2 Type II and ISO 27001."),
        ("Report a vulnerability", "Write to our security team; we answer within two working days."),
        ("Cookie policy", "Which cookies we set and why."),
        ("Terms of service", "The terms that apply to every workspace."),
        ("Data retention", "How long we keep what, and when it is deleted."),
        ("HIPAA and health data", "Health data needs the Enterprise plan and a BAA."),
        ("Law enforcement requests", "We answer only lawful requests and tell customers where allowed."),
        ("Privacy for end users", "How we treat the data of your own customers."),
        ("Penetration test reports", "Enterprise customers can request the latest report under NDA."),
    ]),
    ("Agent playbooks", "Internal: how we handle the hard cases.", 30, true, &[
        ("Refunds above 500 euros", "Refunds above 500 euros need a manager's approval in the billing tool."),
        ("Escalate a bug to engineering", "File a bug report with steps, expected, actual and customer impact."),
        ("Incident communication", "Link affected dialogues to the incident and send updates from it."),
        ("Verify identity before account changes", "Ask for a backup code or the last invoice amount before changing access."),
        ("Handle a GDPR request", "Log the request, confirm receipt and start the deletion job."),
        ("Angry customer", "Acknowledge, apologise once, state what you will do and by when."),
        ("Sales-owned dialogues", "Do not take over a sales-owned dialogue; acknowledge and forward it."),
        ("Reset two-factor for a customer", "Only after identity verification; note it in the dialogue."),
        ("Duplicate charges", "Refund the duplicate at once and tag the dialogue billing-duplicate."),
        ("Rate limit questions", "Explain the per-minute and per-second limits and suggest bulk endpoints."),
        ("Hand-over between regions", "Write the hand-over note before your shift ends."),
        ("Macros and when not to use them", "Personalise every macro; never send one to an angry customer unedited."),
        ("Partnership enquiries", "Forward to the partnerships lead with the agency's size and clients."),
        ("Legal threats", "Do not argue; forward to legal and tell the customer who will answer."),
        ("Outage checklist", "Confirm on the status page, declare an incident, link dialogues, post updates."),
    ]),
];

/// The Markdown of a demo article: what it says, the steps, and what to do if it fails.
fn body(category: &str, title: &str, says: &str, internal: bool, variant: u64) -> String {
    let lower = title.to_lowercase();
    let audience = if internal { "Agents on every team" } else { "Everyone with a Member role or higher" };
    let extra = if variant > 0 { format!("\n\n_Edition {variant} of this article, for the benchmark._") } else { String::new() };
    format!(
        "{says}\n\n## Who this is for\n\n{audience}. It belongs to **{category}**.\n\n\
         ## Steps\n\n1. Open the page the steps start from (to {lower}).\n2. Follow what the screen asks, \
         checking each value before you confirm.\n3. Confirm, and look for the green notice that says it worked.\n\n\
         ## If it does not work\n\n- Refresh the page and try once more.\n- Check the [status page](https://status.example.com).\n\
         - Still stuck? Start a chat with us from the help centre and mention \"{title}\".{extra}\n"
    )
}

/// Tags for an article: its category's first word and a few words of its title.
fn tags(category: &str, title: &str) -> Vec<String> {
    let mut tags: Vec<String> = vec![category.split_whitespace().next().unwrap_or("general").to_lowercase()];
    for w in title.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 4).take(2) {
        let w = w.to_lowercase();
        if !tags.contains(&w) {
            tags.push(w);
        }
    }
    tags
}

/// Seeds `count` articles (the demo's 150 come from the lists above; more repeat them as
/// numbered editions). Owners are the managers and some agents; about one in twelve is a
/// draft, a fifth of the public categories' articles are internal, and review dates go back
/// up to 200 days, so some are stale. Skips the work if articles exist already.
pub async fn seed_kb(pool: &PgPool, count: u64, rng_seed: u64) -> Result<u64, sqlx::Error> {
    let existing: i64 = sqlx::query_scalar("select count(*) from kb_articles").fetch_one(pool).await?;
    if existing > 0 || count == 0 {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(rng_seed ^ 0x6b62);
    let mut category_ids = Vec::new();
    for (i, (name, description, interval, ..)) in CATEGORIES.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "insert into kb_categories (name, description, review_interval_days, position) values ($1, $2, $3, $4)
             on conflict (name) do update set description = excluded.description returning id",
        )
        .bind(name)
        .bind(description)
        .bind(interval)
        .bind(i as i32)
        .fetch_one(pool)
        .await?;
        category_ids.push(id);
    }
    let owners: Vec<i64> = sqlx::query_scalar(
        "select id from users where active and role in ('admin', 'super_admin')
         union all (select id from users where active and role = 'operator' order by id limit 4)",
    )
    .fetch_all(pool)
    .await?;
    if owners.is_empty() {
        return Ok(0);
    }
    let all: Vec<(usize, &Topic)> =
        CATEGORIES.iter().enumerate().flat_map(|(c, cat)| cat.4.iter().map(move |t| (c, t))).collect();
    let mut progress = Progress::new("articles", count);
    let batch = 1000u64;
    let mut done = 0u64;
    while done < count {
        let n = batch.min(count - done);
        let (mut cats, mut titles, mut bodies, mut tag_lists, mut vis, mut status, mut owner, mut age, mut views, mut yes, mut no) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for k in done..done + n {
            let (c, (title, says)) = all[(k % all.len() as u64) as usize];
            let variant = k / all.len() as u64;
            let (name, _, interval, internal, _) = CATEGORIES[c];
            let internal = internal || rng.gen_bool(0.2);
            let title = if variant == 0 { title.to_string() } else { format!("{title} ({})", variant + 1) };
            cats.push(category_ids[c]);
            bodies.push(body(name, &title, says, internal, variant));
            tag_lists.push(tags(name, &title).join(","));
            titles.push(title);
            vis.push(if internal { "internal" } else { "public" });
            status.push(if rng.gen_ratio(1, 12) { "draft" } else { "published" });
            owner.push(owners[rng.gen_range(0..owners.len())]);
            // Mostly within the interval, about a fifth past it.
            let limit = if rng.gen_bool(0.2) { interval * 2 } else { interval - 1 };
            age.push(rng.gen_range(0..=limit.max(1)) as f64 * 86_400.0 + rng.gen_range(0.0..86_400.0));
            let v: i64 = if internal { 0 } else { rng.gen_range(0..2000) };
            views.push(v);
            let voted = v / 10;
            let y = (voted as f64 * rng.gen_range(0.5..0.95)) as i64;
            yes.push(y);
            no.push(voted - y);
        }
        let mut tx = pool.begin().await?;
        sqlx::query(
            "insert into kb_articles (category_id, title, body, tags, visibility, status, owner_id, reviewed_at, reviewed_by,
                                      created_at, updated_at, updated_by, views, helpful_yes, helpful_no)
             select c, t, b, string_to_array(g, ','), v, s, o, now() - make_interval(secs => a), o,
                    now() - make_interval(secs => a + 86400), now() - make_interval(secs => a), o, w, y, n
               from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::float8[],
                           $9::bigint[], $10::bigint[], $11::bigint[]) as x(c, t, b, g, v, s, o, a, w, y, n)",
        )
        .bind(&cats)
        .bind(&titles)
        .bind(&bodies)
        .bind(&tag_lists)
        .bind(&vis)
        .bind(&status)
        .bind(&owner)
        .bind(&age)
        .bind(&views)
        .bind(&yes)
        .bind(&no)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done += n;
        progress.advance(n);
    }
    progress.finish();
    // Every article starts its history with its first revision.
    sqlx::query(
        "insert into kb_revisions (article_id, version, title, body, tags, visibility, status, category_id, author_id, note, created_at)
         select id, version, title, body, tags, visibility, status, category_id, owner_id, 'First version', created_at
           from kb_articles a where not exists (select 1 from kb_revisions r where r.article_id = a.id)",
    )
    .execute(pool)
    .await?;
    Ok(done)
}
