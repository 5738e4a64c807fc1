// The printable recovery sheet: everything the council needs to open the repository if the clerk is gone.

export interface SheetFacts {
  readonly location: string;
  readonly repositoryId: string;
  readonly created: string;
  readonly recoveryKey: string;
  readonly issued: string;
}

export function recoverySheet(f: SheetFacts): string {
  return `COFFER RECOVERY SHEET — keep this in the council safe; anyone holding it can read the backups

Repository location : ${f.location}
Repository id       : ${f.repositoryId}
Repository created  : ${f.created}
Sheet issued        : ${f.issued}

Recovery key:

    ${f.recoveryKey}

How to use it: install coffer (or use the emergency restorer described in docs/dr-runbook.md),
then give the recovery key wherever coffer asks for the repository password, for example

    COFFER_REPOSITORY='${f.location}' coffer snapshots

and type the key at the password prompt. Upper or lower case and the dashes do not matter;
the last group is a check that catches typing mistakes. Storage credentials (for cloud
storage) are kept separately and are not on this sheet.

If this sheet is lost or seen by someone who should not have it, make a new one with
"coffer key recovery-sheet --replace": the old key then stops working.
`;
}
