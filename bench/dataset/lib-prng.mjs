// Shared deterministic helpers for the perf-baseline generators (no deps).
// sfc32 PRNG: fast, 32-bit, seedable; good enough for synthetic data.
// Copied from shared/perf/lib-prng.mjs so that coffer's benchmarks do not depend on ../shared at run
// time. Changes: Prettier formatting only.

export function sfc32(seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 20; i++) next();
  const r = {
    u32: next,
    float: () => next() / 4294967296,
    int: (lo, hi) => lo + Math.floor((next() / 4294967296) * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor((next() / 4294967296) * arr.length)],
    // log-uniform size: many small, few large (realistic file-size shape)
    logSize: (lo, hi) =>
      Math.round(Math.exp(Math.log(lo) + (next() / 4294967296) * (Math.log(hi) - Math.log(lo)))),
    // fill a buffer with incompressible pseudo-random bytes
    bytes: (n) => {
      const buf = Buffer.allocUnsafe((n + 3) & ~3);
      const u = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
      for (let i = 0; i < u.length; i++) u[i] = next();
      return buf.subarray(0, n);
    },
  };
  return r;
}

// Council-flavoured vocabulary so text compresses like real minutes/agendas.
export const WORDS = `the council resolved that clerk chairman councillor parish meeting minutes agenda item
apologies declarations interest planning application approved noted received report finance budget precept
grant playground allotment footpath highways hedge village hall cemetery burial churchyard bench litter bin
streetlight maintenance contractor quotation insurance audit internal external annual governance accountability
return payments schedule bank reconciliation reserves earmarked community infrastructure levy neighbourhood plan
consultation district county unitary authority member public participation correspondence tree preservation
order enforcement drainage flooding speed watch police report parking verge grass cutting emergency plan defibrillator
broadband website transparency code freedom information data protection policy standing orders financial regulations
risk assessment asset register vote proposed seconded unanimously carried deferred next date to be of and a in for
on with by at from this that was were is are it as be has have not which will would should may all any each other
meeting closed pm am item resolved agreed action clerk to write chase obtain circulate review update recommend`
  .split(/\s+/)
  .filter(Boolean);

export const NAMES = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Wright',
  'Walker',
  'Evans',
  'Thomas',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Clarke',
  'Hughes',
  'Edwards',
];

// Text-like paragraphs, ~targetBytes long.
export function textBlob(r, targetBytes) {
  const parts = [];
  let len = 0,
    item = 1;
  while (len < targetBytes) {
    let p;
    if (r.int(0, 9) === 0) {
      p = `\n${item++}. ${r.pick(WORDS).toUpperCase()} ${r.pick(WORDS).toUpperCase()}\n`;
    } else {
      const n = r.int(8, 40);
      const w = new Array(n);
      for (let i = 0; i < n; i++) w[i] = r.int(0, 30) === 0 ? `Cllr ${r.pick(NAMES)}` : r.pick(WORDS);
      w[0] = w[0][0].toUpperCase() + w[0].slice(1);
      p = w.join(' ') + (r.int(0, 5) === 0 ? ` £${r.int(10, 99999)}.${r.int(10, 99)}.\n` : '. ');
    }
    parts.push(p);
    len += p.length;
  }
  return Buffer.from(parts.join(''), 'utf8').subarray(0, targetBytes);
}

// mbox export body: many RFC822 messages, text bodies, some base64 attachments
export function mboxMessages(r, targetBytes, startId) {
  const parts = [];
  let len = 0,
    id = startId;
  while (len < targetBytes) {
    const from = `${r.pick(NAMES).toLowerCase()}@example-parish.gov.uk`;
    const date = new Date(Date.UTC(2019, 0, 1) + r.int(0, 6 * 365 * 86400) * 1000).toUTCString();
    const body = textBlob(r, r.logSize(300, 20 << 10)).toString('utf8');
    let m =
      `From ${from} ${date}\nFrom: ${from}\nTo: clerk@example-parish.gov.uk\nDate: ${date}\n` +
      `Subject: Re: ${body.slice(0, 40).replace(/\s+/g, ' ')}\nMessage-ID: <${id++}@example-parish.gov.uk>\n`;
    if (r.int(0, 4) === 0) {
      // ~20% carry an attachment (incompressible payload, base64)
      const att = r
        .bytes(r.logSize(20 << 10, 2 << 20))
        .toString('base64')
        .replace(/.{76}/g, '$&\n');
      m +=
        `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b${id}"\n\n--b${id}\n` +
        `Content-Type: text/plain\n\n${body}\n--b${id}\nContent-Type: application/pdf\n` +
        `Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="doc${id}.pdf"\n\n${att}\n--b${id}--\n\n`;
    } else {
      m += `Content-Type: text/plain; charset=utf-8\n\n${body}\n\n`;
    }
    parts.push(m);
    len += m.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}
