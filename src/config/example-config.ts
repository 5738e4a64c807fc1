// The commented example `coffer config example` prints: every option, with its default, in the file's own
// spelling. A test checks that it covers every key of the schema and that `config check` accepts it.

export const EXAMPLE_CONFIG = `# coffer.yaml: what coffer backs up, where to, when, and whom to tell.
# Default location: /etc/coffer/coffer.yaml (root, the system service) or ~/.config/coffer/coffer.yaml;
# choose another with --config FILE or COFFER_CONFIG. Check it with: coffer config check
#
# Secrets (passwords, keys, tokens) are never written here. Each is a reference, one of:
#   { file: /etc/coffer/name.secret }   the file's contents (one trailing newline is ignored; chmod 600 it)
#   { env: VARIABLE_NAME }              an environment variable of the coffer process
#   { command: "pass show coffer" }     the output of a command (for password managers)
# This file may then be readable by others (mode 644); if it holds a secret after all (a webhook header
# written out, or a webhook URL with a token in it) it must be mode 600, or coffer refuses it.
#
# Durations: 90min, 24h, 30d, 12w, 1y, or combinations such as 1d12h. Cron: "minute hour day month weekday".

# Where the daemon keeps its state (last runs, next runs).
# Default: /var/lib/coffer for root, ~/.local/state/coffer for other users.
state-dir: /var/lib/coffer

jobs:
  # One entry per backup job; the name (lower-case letters, digits, - and _) is what --job takes.
  documents:
    # Where the repository is: a folder (/srv/backup/council) or S3 (s3:https://host/bucket/prefix, s3:bucket).
    repository: s3:https://s3.example.net/council-backups/documents
    # The repository password (one of the keys "coffer key list" shows).
    password: { file: /etc/coffer/documents.pass }
    # S3 keys for everyday work: backup, check, restore, drills. Without this section coffer uses the
    # standard AWS places (AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws/credentials).
    credentials:
      access-key-id: { env: COFFER_S3_KEY_ID }
      secret-access-key: { file: /etc/coffer/s3.secret }
      region: eu-west-2                 # default: AWS_REGION, else us-east-1
    # S3 keys for forget, prune and rewrite, which delete. Give the everyday key no delete permission,
    # and a ransomware attack on this computer cannot destroy the backups. Default: the everyday keys.
    admin-credentials:
      access-key-id: { env: COFFER_S3_ADMIN_KEY_ID }
      secret-access-key: { command: "cat /etc/coffer/s3-admin.secret" }
      session-token: { env: COFFER_S3_ADMIN_SESSION_TOKEN }   # only for temporary credentials
      region: eu-west-2
    # What to back up: full paths of folders or files.
    sources: [/srv/council/documents, /srv/council/mail]
    # Left out: .gitignore-style patterns, relative to each source folder. Default: nothing.
    exclude: ["*.tmp", "~$*", "Thumbs.db"]
    # Folders holding a file of this name are left out. Default: none.
    exclude-if-present: [.nobackup]
    # Do not cross into other mounted file systems. Default: false.
    one-file-system: false
    # Labels for every snapshot of this job. Default: none.
    tags: [weekly]
    # Host name recorded in the snapshots. Default: this computer's name.
    host: town-hall-pc
    # When to back up (these are the defaults; a bare string is taken as the cron expression).
    # grace: how late a backup may be, beyond one schedule period, before "coffer status" says OVERDUE.
    schedule: { cron: "0 2 * * 0", timezone: Europe/London, grace: 1d }
    # Which snapshots to keep after each backup (as "coffer forget"; keep-within reads 6m as six months).
    # Default: no retention section, every snapshot is kept.
    retention:
      keep-last: 4
      keep-hourly: 0
      keep-daily: 7
      keep-weekly: 52
      keep-monthly: 24
      keep-yearly: 7
      keep-within: 30d
      keep-tag: [keep]
    # When forgotten snapshots' data is deleted (as "coffer prune"). Default: monthly, 03:00 on the 1st,
    # max-unused 5%. "prune: false" never prunes.
    prune: { cron: "0 3 1 * *", max-unused: 5% }
    # Check the repository after each backup; read-data-subset also reads back a share of the data
    # (5%, or 1/12 for a different twelfth each time). Default: no check section, no automatic check.
    check: { after-backup: true, read-data-subset: 5% }
    # Recovery time objectives, for drills: how quickly each set must be restorable. A target alone
    # covers everything the job backs up; paths name a critical set. Default: none.
    rto:
      all documents: 24h
      finance: { target: 4h, paths: [/srv/council/documents/finance] }
    # Disaster-recovery drills: scheduled sample drills (sample: 5% or full), and a reminder when no
    # drill has passed for remind-after. Default: no schedule (drills run by hand), remind after 365d.
    drill: { cron: "0 4 1 1,7 *", sample: 5%, remind-after: 365d }

  # A second job: a local drive, the password from a password manager, default schedule, never pruned.
  mail-archive:
    repository: /mnt/backup-drive/mail
    password: { command: "pass show coffer/mail-archive" }
    sources: [/srv/council/mail-archive]
    schedule: "30 1 * * 6"
    prune: false

# Whom to tell, and about what. Events: failure, overdue, check-failed, drill-failed, drill-due (the
# default set), and success and digest (a weekly summary) if asked for.
notifications:
  - email:
      to: [clerk@council.gov.uk, it@contractor.example.net]
      from: coffer@council.gov.uk
      smtp:
        host: smtp.example.net
        port: 587                       # default 587, or 465 when secure
        secure: false                   # true for implicit TLS (port 465); otherwise STARTTLS when offered
        user: coffer
        password: { file: /etc/coffer/smtp.pass }
    on: [failure, overdue, check-failed, drill-failed, drill-due, digest]
  - webhook:
      url: https://hooks.example.net/coffer
      headers: { Authorization: { env: COFFER_HOOK_TOKEN } }
    on: [failure, overdue, success]
    jobs: [documents]                   # only these jobs; default: all
`;
