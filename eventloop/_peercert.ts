// A certificate (DER) decoded into the dict Python's ssl module returns from
// `SSLSocket.getpeercert()` (CPython's `_decode_certificate` over OpenSSL),
// with arrays for its tuples: the shape asyncio's
// `transport.get_extra_info("peercert")` has. Only what that dict holds is
// decoded; the chain was verified by Deno's TLS before this runs.

import type {
  DistinguishedName,
  PeerCertificate,
  SubjectAltName,
} from "./ssl_object.ts";

/** OpenSSL's long names for the attribute types Python shows by name. */
const OID_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "commonName",
  "2.5.4.4": "surname",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "countryName",
  "2.5.4.7": "localityName",
  "2.5.4.8": "stateOrProvinceName",
  "2.5.4.9": "streetAddress",
  "2.5.4.10": "organizationName",
  "2.5.4.11": "organizationalUnitName",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.15": "businessCategory",
  "2.5.4.17": "postalCode",
  "2.5.4.41": "name",
  "2.5.4.42": "givenName",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.45": "x500UniqueIdentifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.72": "role",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.1": "userId",
  "0.9.2342.19200300.100.1.25": "domainComponent",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionLocalityName",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionStateOrProvinceName",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName",
};

const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_CRL_DISTRIBUTION_POINTS = "2.5.29.31";
const OID_AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";
const OID_AD_OCSP = "1.3.6.1.5.5.7.48.1";
const OID_AD_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

/** The otherName forms OpenSSL 3 prints, and the label it gives each. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  "1.3.6.1.4.1.311.20.2.3": "UPN",
  "1.3.6.1.5.5.7.8.5": "XmppAddr",
  "1.3.6.1.5.5.7.8.7": "SRVName",
  "1.3.6.1.5.5.7.8.8": "NAIRealm",
  "1.3.6.1.5.5.7.8.9": "SmtpUTF8Mailbox",
};

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/** One DER element: its tag and where its contents are. */
interface Element {
  tag: number;
  start: number;
  end: number;
}

function malformed(what: string): Error {
  return new Error(`Cannot decode the peer's certificate: ${what}`);
}

/** The element at `offset` (tags of one byte: all X.509 uses). */
function element(der: Uint8Array, offset: number, limit: number): Element {
  if (offset + 2 > limit) throw malformed("truncated element");
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw malformed("multi-byte tag");
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) {
      throw malformed("bad length");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw malformed("element runs past its parent");
  return { tag, start, end };
}

/** The elements inside a constructed element. */
function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let offset = parent.start; offset < parent.end;) {
    const child = element(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

function expect(e: Element | undefined, tag: number, what: string): Element {
  if (e === undefined || e.tag !== tag) throw malformed(`expected ${what}`);
  return e;
}

function oid(der: Uint8Array, e: Element): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = e.start; i < e.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if (der[i] & 0x80) continue;
    if (parts.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      parts.push(first, value - first * 40);
    } else {
      parts.push(value);
    }
    value = 0;
  }
  return parts.join(".");
}

/** An OID as OpenSSL's OBJ_obj2txt shows it: a long name or dotted. */
function oidName(der: Uint8Array, e: Element): string {
  const dotted = oid(der, e);
  return OID_NAMES[dotted] ?? dotted;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** A string value as UTF-8 text (OpenSSL's ASN1_STRING_to_UTF8). */
function text(der: Uint8Array, e: Element): string {
  const bytes = der.subarray(e.start, e.end);
  switch (e.tag) {
    case 0x1e: { // BMPString: UCS-2, big-endian
      let s = "";
      for (let i = 0; i + 1 < bytes.length; i += 2) {
        s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      }
      return s;
    }
    case 0x1c: { // UniversalString: UCS-4, big-endian
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        s += String.fromCodePoint(
          ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) |
            bytes[i + 3]) >>> 0,
        );
      }
      return s;
    }
    case 0x14: // T61String: OpenSSL reads it as Latin-1
      return latin1.decode(bytes);
    default: // UTF8String, PrintableString, IA5String, ...
      return utf8.decode(bytes);
  }
}

/** A Name: its RDNs in order, each a list of (attribute, value) pairs. */
function distinguishedName(der: Uint8Array, e: Element): DistinguishedName {
  return children(der, expect(e, 0x30, "a Name")).map((rdn) =>
    children(der, expect(rdn, 0x31, "an RDN")).map((pair) => {
      const [type, value] = children(der, expect(pair, 0x30, "an attribute"));
      return [oidName(der, expect(type, 0x06, "an OID")), text(der, value)];
    })
  );
}

/** An INTEGER's value (two's complement). */
function integer(der: Uint8Array, e: Element): bigint {
  const bytes = der.subarray(e.start, e.end);
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  if (bytes.length > 0 && (bytes[0] & 0x80) !== 0) {
    value -= 1n << BigInt(bytes.length * 8);
  }
  return value;
}

/** An INTEGER as OpenSSL's i2a_ASN1_INTEGER writes it: hex byte pairs. */
function serial(der: Uint8Array, e: Element): string {
  const value = integer(der, e);
  const magnitude = value < 0n ? -value : value;
  let hex = magnitude.toString(16).toUpperCase();
  if (hex.length % 2 === 1) hex = "0" + hex;
  return (value < 0n ? "-" : "") + hex;
}

/** A Time as OpenSSL's ASN1_TIME_print writes it: `Jan  2 03:04:05 2030 GMT`. */
function time(der: Uint8Array, e: Element): string {
  const s = latin1.decode(der.subarray(e.start, e.end));
  let rest: string;
  let year: number;
  if (e.tag === 0x17) { // UTCTime: YYMMDDHHMMSSZ
    const yy = Number(s.slice(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = s.slice(2);
  } else if (e.tag === 0x18) { // GeneralizedTime: YYYYMMDDHHMMSS[.f]Z
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw malformed("expected a Time");
  }
  const month = MONTHS[Number(rest.slice(0, 2)) - 1];
  const day = String(Number(rest.slice(2, 4))).padStart(2, " ");
  const clock = `${rest.slice(4, 6)}:${rest.slice(6, 8)}:${rest.slice(8, 10)}`;
  const fraction = e.tag === 0x18
    ? /^\.\d*/.exec(rest.slice(10))?.[0] ?? ""
    : "";
  const gmt = s.endsWith("Z") ? " GMT" : "";
  if (month === undefined) throw malformed("bad month");
  return `${month} ${day} ${clock}${fraction} ${year}${gmt}`;
}

/** An IP address as CPython writes one: dotted, or eight %X groups. */
function ipAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) {
      groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16).toUpperCase());
    }
    return groups.join(":");
  }
  return "<invalid>";
}

/** One GeneralName as a (type, value) pair, as CPython names them. */
function generalName(der: Uint8Array, e: Element): SubjectAltName {
  const raw = der.subarray(e.start, e.end);
  switch (e.tag) {
    case 0x81:
      return ["email", latin1.decode(raw)];
    case 0x82:
      return ["DNS", latin1.decode(raw)];
    case 0x86:
      return ["URI", latin1.decode(raw)];
    case 0x87:
      return ["IP Address", ipAddress(raw)];
    case 0x88:
      return ["Registered ID", oidName(der, e)];
    case 0xa4:
      return ["DirName", distinguishedName(der, children(der, e)[0])];
    case 0xa3:
      return ["X400Name", "<unsupported>"];
    case 0xa5:
      return ["EdiPartyName", "<unsupported>"];
    default: // [0] otherName: a type id and an [0]-wrapped string
      return ["othername", otherName(der, e)];
  }
}

/** An otherName as OpenSSL 3 prints it: `UPN:name` for the forms it knows. */
function otherName(der: Uint8Array, e: Element): string {
  const [type, wrapped] = children(der, e);
  const label = type?.tag === 0x06 ? OTHER_NAMES[oid(der, type)] : undefined;
  const value = wrapped?.tag === 0xa0 ? children(der, wrapped)[0] : undefined;
  if (label === undefined || value === undefined) return "<unsupported>";
  return `${label}:${text(der, value)}`;
}

/** The URIs among GeneralNames. */
function uris(der: Uint8Array, names: Element[]): string[] {
  return names.filter((n) => n.tag === 0x86).map((n) =>
    latin1.decode(der.subarray(n.start, n.end))
  );
}

function freeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Decodes a DER certificate into Python's `getpeercert()` dict, frozen.
 * Throws on a malformed certificate (Deno's TLS accepted it, so this means
 * a form this decoder does not know).
 */
export function decodeCertificate(der: Uint8Array): PeerCertificate {
  const top = element(der, 0, der.length);
  const [tbsElement] = children(der, expect(top, 0x30, "a Certificate"));
  const tbs = children(der, expect(tbsElement, 0x30, "a TBSCertificate"));
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    const [v] = children(der, tbs[0]);
    version = Number(integer(der, expect(v, 0x02, "a version"))) + 1;
    i = 1;
  }
  const serialNumber = serial(der, expect(tbs[i], 0x02, "a serial number"));
  const issuer = distinguishedName(der, tbs[i + 2]);
  const [notBefore, notAfter] = children(
    der,
    expect(tbs[i + 3], 0x30, "a Validity"),
  );
  const subject = distinguishedName(der, tbs[i + 4]);
  const cert: {
    -readonly [K in keyof PeerCertificate]: PeerCertificate[K];
  } = {
    subject,
    issuer,
    version,
    serialNumber,
    notBefore: time(der, notBefore),
    notAfter: time(der, notAfter),
  };
  const extensions = tbs.slice(i + 6).find((e) => e.tag === 0xa3);
  if (extensions !== undefined) {
    const [list] = children(der, extensions);
    for (const extension of children(der, expect(list, 0x30, "Extensions"))) {
      const parts = children(der, extension);
      const id = oid(der, expect(parts[0], 0x06, "an extension id"));
      const octets = expect(parts[parts.length - 1], 0x04, "an OCTET STRING");
      const value = element(der, octets.start, octets.end);
      if (id === OID_SUBJECT_ALT_NAME && cert.subjectAltName === undefined) {
        cert.subjectAltName = children(der, value).map((n) =>
          generalName(der, n)
        );
      } else if (id === OID_AUTHORITY_INFO_ACCESS) {
        const ocsp: string[] = [];
        const caIssuers: string[] = [];
        for (const access of children(der, value)) {
          const [method, location] = children(der, access);
          if (location?.tag !== 0x86) continue;
          const uri = latin1.decode(der.subarray(location.start, location.end));
          const m = oid(der, method);
          if (m === OID_AD_OCSP) ocsp.push(uri);
          else if (m === OID_AD_CA_ISSUERS) caIssuers.push(uri);
        }
        if (ocsp.length > 0) cert.OCSP = ocsp;
        if (caIssuers.length > 0) cert.caIssuers = caIssuers;
      } else if (id === OID_CRL_DISTRIBUTION_POINTS) {
        const points: string[] = [];
        for (const point of children(der, value)) {
          // distributionPoint [0] { fullName [0] GeneralNames }
          const name = children(der, point).find((e) => e.tag === 0xa0);
          if (name === undefined) continue;
          const fullName = children(der, name).find((e) => e.tag === 0xa0);
          if (fullName !== undefined) {
            points.push(...uris(der, children(der, fullName)));
          }
        }
        if (points.length > 0) cert.crlDistributionPoints = points;
      }
    }
  }
  return freeze(cert);
}
