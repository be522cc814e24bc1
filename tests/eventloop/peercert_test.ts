// The peer certificate as asyncio reports it ("peercert"): certificates of
// many shapes, made by openssl at test time, decode into the dict Python's
// ssl module makes of the same files (its own decoder, the real peer here).

import assert from "node:assert/strict";
import { decodeCertificate } from "../../eventloop/_peercert.ts";
import { peerTest } from "../_peers.ts";
import { pemToDer, pythonDecode } from "./_tls_fixtures.ts";

const dec = new TextDecoder();

/** Makes a certificate of the given config with openssl; returns its path. */
async function certificateFrom(
  dir: string,
  name: string,
  config: string,
  args: string[] = [],
): Promise<string> {
  await Deno.writeTextFile(`${dir}/${name}.cnf`, config);
  const { code, stderr } = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-config",
      `${name}.cnf`,
      ...args,
    ],
    cwd: dir,
    stderr: "piped",
  }).output();
  assert.equal(code, 0, dec.decode(stderr));
  return `${dir}/${name}.pem`;
}

peerTest(
  "peercert: certificates of many shapes decode as Python's ssl decodes them (names, string types, serials, times, alternative names, AIA, CRL points)",
  ["python3", "openssl"],
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const paths = [
        await certificateFrom(
          dir,
          "rich",
          `[req]
distinguished_name = dn
prompt = no
string_mask = utf8only
utf8 = yes
[dn]
C = DE
ST = Bayern
L = München
O = Ëxample Org
OU = Unit A
1.OU = Unit B
CN = rich client
emailAddress = a@example.com
DC = example
serialNumber = 1234
title = Dr
givenName = Ann
surname = Lee
postalCode = 80331
street = Main St 1
1.2.3.4.5 = custom oid
[ext]
basicConstraints = CA:FALSE
subjectAltName = DNS:a.example, DNS:*.b.example, IP:127.0.0.1, IP:2001:db8::1, email:x@y.z, URI:https://u.example/p, RID:1.2.3.4, dirName:dir_sect, otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example, otherName:1.3.6.1.5.5.7.8.7;IA5:_sip.example, otherName:1.2.3.9;UTF8:x
authorityInfoAccess = OCSP;URI:http://ocsp.example, caIssuers;URI:http://ca.example/ca.crt, OCSP;URI:http://ocsp2.example
crlDistributionPoints = URI:http://crl.example/a.crl, URI:http://crl.example/b.crl
[dir_sect]
C = US
O = Dir Org
CN = dir name
`,
          ["-extensions", "ext", "-set_serial", "-5", "-days", "2"],
        ),
        // A multi-valued RDN; a serial with its high bit set.
        await certificateFrom(
          dir,
          "multi",
          "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = x\n",
          [
            "-subj",
            "/C=DE/O=Multi+OU=Valued/CN=multi",
            "-multivalue-rdn",
            "-set_serial",
            "0x80ff",
            "-days",
            "2",
          ],
        ),
        // BMPString values; GeneralizedTime (after 2049); CRL points with
        // no URI and AIA without a URI (both left out, as Python does).
        await certificateFrom(
          dir,
          "odd",
          `[req]
distinguished_name = dn
prompt = no
string_mask = MASK:0x800
[dn]
CN = bmp name
O = Ünïcode
[ext]
crlDistributionPoints = crldp_sect
authorityInfoAccess = caIssuers;email:x@y.z
[crldp_sect]
fullname = dirName:dn2
[dn2]
CN = crl dir
`,
          ["-extensions", "ext", "-set_serial", "0", "-days", "15000"],
        ),
        // Version 1 (no extensions).
        await certificateFrom(
          dir,
          "v1",
          "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = v1\n",
          ["-set_serial", "7", "-days", "2"],
        ),
      ];
      for (const path of paths) {
        const ours = decodeCertificate(pemToDer(await Deno.readTextFile(path)));
        assert.deepEqual(
          JSON.parse(JSON.stringify(ours)),
          await pythonDecode(path),
          path,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("decodeCertificate() throws a clear error on bytes that are not a certificate", () => {
  for (
    const bytes of [
      new Uint8Array([]),
      new Uint8Array([0x30, 0x05, 0x02]),
      new Uint8Array([0x04, 0x00]),
      new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
    ]
  ) {
    assert.throws(
      () => decodeCertificate(bytes),
      /^Error: Cannot decode the peer's certificate: /,
    );
  }
});
