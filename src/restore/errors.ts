// Errors of restoring: a written file that does not match its recorded checksum, a target that is unsafe.

import { CofferError } from '../errors.js';

export class RestoreVerificationError extends CofferError {
  readonly code = 'COFFER_E_VERIFY';
  readonly exitCode = 1;
  constructor(file: string, expected: string, actual: string) {
    super(
      `${file} did not verify: its SHA-256 is ${actual.slice(0, 16)}…, the snapshot recorded ${expected.slice(0, 16)}…; it was not put in place`,
    );
  }
}

/** A written file whose size on disk is not what was written: a fault of this program or of the disk. */
export class RestoreSizeError extends CofferError {
  readonly code = 'COFFER_E_VERIFY';
  readonly exitCode = 1;
  constructor(file: string, onDisk: number, expected: number) {
    super(
      `${file} did not verify: ${onDisk} bytes reached the disk, the snapshot recorded ${expected}; it was not put in place`,
    );
  }
}

export class UnsafeTargetError extends CofferError {
  readonly code = 'COFFER_E_UNSAFE_TARGET';
  readonly exitCode = 1;
}
