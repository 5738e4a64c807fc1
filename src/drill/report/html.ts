// Building HTML safely: the `html` tag escapes every value put into it unless it is itself built by `html`,
// so a file or key name from the repository ("<script>…") can only ever be text. The output is also
// well-formed XML (XHTML-compatible HTML5): characters XML cannot hold are shown as \xNN instead.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Program text put in as it is: only for constants of coffer's own (the stylesheet), never for anything
 * read from the repository. A <style> element's content is not entity-decoded, so it must not be escaped.
 */
export function trusted(constant: string): Html {
  return new Html(constant);
}

export type HtmlValue = Html | string | number | undefined | null | false | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeText(String(v));
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g;

/** Text for an element or a quoted attribute. */
export function escapeText(s: string): string {
  return (
    s
      // A lone surrogate (half of a character) is not text XML can hold.
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      // XML 1.0 allows tab, newline and carriage return among the control characters, and nothing else.
      .replace(NOT_XML, (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#39;')
  );
}
