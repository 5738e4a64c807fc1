// How a password becomes bytes (docs/format.md 3.4): UTF-8 of its NFC form, so the same password typed on
// macOS (which decomposes accents) and on Windows opens the same key.

export function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize('NFC'));
}

/** Password files end with a line ending most editors add; it is not part of the password. */
export function passwordFromFileText(text: string): string {
  return text.replace(/\r?\n$/, '');
}
