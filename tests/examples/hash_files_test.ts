// examples/hash_files.ts run as a user runs it: paths written to its real
// standard input, its standard output read back and checked against python3's
// hashlib.
import assert from "node:assert/strict";
import { test } from "./_child.ts";

const ROOT = new URL("../../", import.meta.url);

/** Starts the example with a piped stdin. */
function start(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "examples/hash_files.ts", ...args],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** What python3's hashlib says, in sha256sum's format, in `paths` order. */
async function pythonSums(paths: string[]): Promise<string> {
  const { stdout, code } = await new Deno.Command("python3", {
    args: [
      "-c",
      "import sys, hashlib\nfor p in sys.argv[1:]:\n  print(hashlib.sha256(open(p, 'rb').read()).hexdigest() + '  ' + p)",
      ...paths,
    ],
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  return new TextDecoder().decode(stdout);
}

/** Makes `count` files; the first is large, so that it finishes last. */
function makeFiles(dir: string, count: number): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = `${dir}/file ${i}.bin`;
    const size = i === 0 ? 8 << 20 : 1000 + i * 37;
    const data = new Uint8Array(size);
    for (let j = 0; j < size; j += 4096) data[j] = (i + j) & 0xff;
    Deno.writeFileSync(path, data);
    paths.push(path);
  }
  return paths;
}

test("examples: hash_files.ts reads paths from stdin as they come and prints their SHA-256 in input order", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const paths = makeFiles(dir, 24);
    const child = start(["--jobs", "3", "--stats"]);
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    const writer = child.stdin.getWriter();
    const encoder = new TextEncoder();
    // In three bursts with pauses, one split in the middle of a line: the
    // program must read lines as they arrive, not wait for the end.
    const text = paths.map((p) => p + "\n").join("");
    const cut1 = text.indexOf("\n", text.length / 3) + 5;
    const cut2 = Math.floor((text.length * 2) / 3);
    for (
      const part of [
        text.slice(0, cut1),
        text.slice(cut1, cut2),
        text.slice(cut2),
      ]
    ) {
      await writer.write(encoder.encode(part));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await writer.close();
    const status = await child.status;
    const err = await stderr;
    assert.equal(status.code, 0, err);
    assert.equal(await stdout, await pythonSums(paths));
    const match = err.match(/^24 hashed, 0 failed, at most (\d+) at once$/m);
    assert.ok(match, err);
    assert.ok(Number(match[1]) <= 3, `more than --jobs at once: ${err}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

test("examples: hash_files.ts reports unreadable paths on stderr, goes on, and exits 1", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const [good] = makeFiles(dir, 2).slice(1);
    const child = start([]);
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(`${dir}/missing\n${dir}\n\n${good}\n`),
    );
    await writer.close();
    const status = await child.status;
    const err = await stderr;
    assert.equal(status.code, 1, err);
    assert.equal(await stdout, await pythonSums([good]));
    assert.match(
      err,
      new RegExp(`^hash_files: ${dir}/missing: No such file`, "m"),
    );
    assert.match(err, new RegExp(`^hash_files: ${dir}: Is a directory`, "m"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

test("examples: hash_files.ts refuses a bad --jobs with status 2", async () => {
  const child = start(["--jobs", "0"]);
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  await child.stdin.close();
  const status = await child.status;
  assert.equal(status.code, 2);
  assert.equal(await stdout, "");
  assert.match(await stderr, /--jobs must be a positive integer: 0/);
});

test("examples: hash_files.ts stopped by Ctrl-C ends by SIGINT (status 130) with nothing left open", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const paths = makeFiles(dir, 3).slice(1);
    const child = start([]);
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(paths.join("\n") + "\n"));
    // Both lines out: the program now waits for more input.
    let out = "";
    while (out.split("\n").length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    child.kill("SIGINT");
    const status = await child.status;
    await reader.cancel();
    await writer.close().catch(() => {});
    const err = await stderr;
    assert.equal(status.signal, "SIGINT", err);
    assert.equal(status.code, 130);
    assert.match(err, /KeyboardInterrupt/);
    assert.doesNotMatch(err, /Unclosed/);
    assert.equal(out, await pythonSums(paths));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
