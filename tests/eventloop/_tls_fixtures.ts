// Certificates for the TLS client-certificate tests, made by openssl when
// the tests run: a CA, a server certificate for localhost/127.0.0.1 and a
// client certificate it signed (X.509 v3, as rustls requires), and a client
// certificate from another CA. P-256 keys: quick to make.

/** PEMs, and the directory holding them as files (`<name>.pem`/`.key`). */
export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  strangerCert: string;
  strangerKey: string;
}

/** Runs openssl in `dir`; throws with its stderr if it fails. */
export async function openssl(dir: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `openssl ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/** A self-signed CA certificate `<name>.pem` with its key `<name>.key`. */
export async function makeCa(dir: string, name: string, cn: string) {
  await openssl(dir, [
    "req",
    "-x509",
    ...KEY,
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-subj",
    `/CN=${cn}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

/** A certificate `<name>.pem` for `subject`, signed by CA `signer`. */
export async function makeLeaf(
  dir: string,
  name: string,
  subject: string,
  signer: string,
  ext: string,
) {
  await openssl(dir, [
    "req",
    ...KEY,
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  await Deno.writeTextFile(`${dir}/${name}.ext`, ext);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${signer}.pem`,
    "-CAkey",
    `${signer}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
}

/** Makes the certificates in a new temp dir (remove it with `dir`). */
export async function makeCerts(): Promise<Certs> {
  const dir = await Deno.makeTempDir();
  await makeCa(dir, "ca", "client-cert test CA");
  await makeCa(dir, "stranger_ca", "a CA nobody trusts");
  await makeLeaf(
    dir,
    "server",
    "/CN=localhost",
    "ca",
    "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
  );
  const clientExt = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
  await makeLeaf(
    dir,
    "client",
    "/O=Deno Test/OU=Clients/CN=deno client",
    "ca",
    clientExt +
      "subjectAltName=DNS:client.example,email:client@example.com,URI:spiffe://example/client,IP:::1\n",
  );
  await makeLeaf(dir, "stranger", "/CN=stranger", "stranger_ca", clientExt);
  const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
  return {
    dir,
    ca: await read("ca.pem"),
    serverCert: await read("server.pem"),
    serverKey: await read("server.key"),
    clientCert: await read("client.pem"),
    clientKey: await read("client.key"),
    strangerCert: await read("stranger.pem"),
    strangerKey: await read("stranger.key"),
  };
}

/** What Python's ssl module decodes a certificate file into, as JSON. */
export async function pythonDecode(path: string): Promise<unknown> {
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: [
      "-c",
      "import json, ssl, sys; print(json.dumps(ssl._ssl._test_decode_cert(sys.argv[1])))",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** PEM to DER. */
export function pemToDer(pem: string): Uint8Array {
  const base64 = pem.replace(/-----[^-]+-----|\s/g, "");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
