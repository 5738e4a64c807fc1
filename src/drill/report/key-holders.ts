// Who holds a key, since when and added by whom, and which keys were removed by whom: the key files as
// they are now, joined with the audit log's key-add and key-remove records.

import type { KeyInfo, StoredAuditRecord } from '../../repository/index.js';
import type { KeyHolder, KeyHolders, RemovedKey } from './report-data.js';

export function keyHolders(
  keys: readonly KeyInfo[],
  audit: readonly StoredAuditRecord[],
  until: Date,
): KeyHolders {
  const upTo = audit.filter((r) => Date.parse(r.record.time) <= until.getTime());
  const addedBy = new Map<string, string>();
  for (const { record } of upTo) {
    const id = stringField(record.details, 'addedKeyId') ?? stringField(record.details, 'newKeyId');
    if (id && (record.operation === 'key-add' || record.operation === 'key-passwd'))
      addedBy.set(id, record.keyName);
    const recovery = stringField(record.details, 'recoveryKeyId');
    if (recovery && record.operation === 'recovery-key') addedBy.set(recovery, record.keyName);
  }
  const current: KeyHolder[] = keys
    .filter((k) => !k.problem)
    .map((k) => ({
      id: k.id,
      name: k.name ?? `key ${k.id.slice(0, 8)}`,
      ...(k.role ? { role: k.role } : {}),
      ...(k.created ? { added: k.created } : {}),
      ...(addedBy.has(k.id) ? { addedBy: addedBy.get(k.id)! } : {}),
    }))
    .sort((a, b) => (a.added ?? '').localeCompare(b.added ?? '') || a.name.localeCompare(b.name));
  const removed: RemovedKey[] = upTo
    .filter((r) => r.record.operation === 'key-remove' && r.record.outcome === 'success')
    .map(({ record }) => {
      const id = stringField(record.details, 'removedKeyId') ?? '';
      return {
        id,
        name: stringField(record.details, 'removedKeyName') ?? `key ${id.slice(0, 8)}`,
        removed: record.time,
        removedBy: record.keyName,
      };
    });
  return { current, removed, unreadable: keys.filter((k) => k.problem).length };
}

function stringField(
  details: Readonly<Record<string, unknown>> | undefined,
  key: string,
): string | undefined {
  const v = details?.[key];
  return typeof v === 'string' ? v : undefined;
}
