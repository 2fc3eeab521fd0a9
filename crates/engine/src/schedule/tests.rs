use super::*;

fn t(s: &str) -> DateTime<Utc> {
    parse_time(Some(s)).unwrap()
}

fn periods() -> Periods {
    Periods {
        backup: Some(Duration::from_secs(3600)),
        verify: Some(Duration::from_secs(7 * 86_400)),
        deep: Some(Duration::from_secs(30 * 86_400)),
    }
}

#[test]
fn nothing_runs_for_a_target_never_backed_up_by_hand() {
    let n = next_runs(&Facts::default(), &periods(), t("2026-11-30T12:00:00Z"));
    assert_eq!(n, Next::default());
}

#[test]
fn backups_follow_the_period_failures_retry_sooner_and_imports_pull_them_forward() {
    let now = t("2026-11-30T12:00:00Z");
    let mut f = Facts {
        active: true,
        last_backup: Some(t("2026-11-30T11:30:00Z")),
        last_verify: Some(t("2026-11-29T12:00:00Z")),
        since: Some(t("2026-11-01T00:00:00Z")),
        ..Default::default()
    };
    let n = next_runs(&f, &periods(), now);
    assert_eq!(n.backup, Some(t("2026-11-30T12:30:00Z")));
    assert_eq!(n.verify, Some(t("2026-12-06T12:00:00Z")));
    assert_eq!(n.deep, Some(t("2026-12-01T00:00:00Z")));
    // A failed backup is tried again after RETRY, not after the whole period.
    f.last_backup_failed = true;
    assert_eq!(
        next_runs(&f, &periods(), now).backup,
        Some(t("2026-11-30T11:40:00Z"))
    );
    f.last_backup_failed = false;
    // An import after the backup with photos to send: AFTER_IMPORT after it.
    f.last_import = Some(t("2026-11-30T11:50:00Z"));
    f.pending = 3;
    assert_eq!(
        next_runs(&f, &periods(), now).backup,
        Some(t("2026-11-30T11:52:00Z"))
    );
    // Nothing to send (all duplicates), or the import was before the backup: the period.
    f.pending = 0;
    assert_eq!(
        next_runs(&f, &periods(), now).backup,
        Some(t("2026-11-30T12:30:00Z"))
    );
    f.pending = 3;
    f.last_import = Some(t("2026-11-30T11:00:00Z"));
    assert_eq!(
        next_runs(&f, &periods(), now).backup,
        Some(t("2026-11-30T12:30:00Z"))
    );
    // A deep verify done counts from then; never verified: a period after the schedule
    // started; off: never.
    f.last_deep = Some(t("2026-11-20T00:00:00Z"));
    f.last_verify = None;
    let n = next_runs(&f, &periods(), now);
    assert_eq!(n.deep, Some(t("2026-12-20T00:00:00Z")));
    assert_eq!(n.verify, Some(t("2026-11-08T00:00:00Z")));
    let off = Periods {
        backup: None,
        ..periods()
    };
    assert_eq!(next_runs(&f, &off, now).backup, None);
}
