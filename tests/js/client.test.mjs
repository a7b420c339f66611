// nats.js (npm "nats") scenarios against the server binary named by
// NATS_SERVER_BIN (cnatsd or the Go reference). Run: node --test tests/js
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { connect, StringCodec, headers, Events, ErrorCode } from "nats";

const BIN = process.env.NATS_SERVER_BIN || "build/nats-server";
const TARGET = process.env.NATS_TARGET || "cnatsd";
const sc = StringCodec();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitListening(port, ms = 5000) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const c = net.connect(port, "127.0.0.1");
      c.once("connect", () => { c.destroy(); resolve(); });
      c.once("error", () => {
        c.destroy();
        if (Date.now() > end) reject(new Error(`server not listening on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

async function startServer(port, extra = []) {
  const p = spawn(BIN, ["-a", "127.0.0.1", "-p", String(port), ...extra], { stdio: "ignore" });
  await waitListening(port);
  return p;
}

function stopServer(p) {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once("exit", () => resolve());
    p.kill("SIGTERM");
  });
}

let port, srv;
before(async () => {
  port = await freePort();
  srv = await startServer(port);
});
after(async () => { await stopServer(srv); });

const url = () => `nats://127.0.0.1:${port}`;

test("connect reports the server's version and headers support", async () => {
  const nc = await connect({ servers: url() });
  assert.ok(nc.info.server_id.startsWith("N"));
  assert.equal(nc.info.headers, true);
  assert.equal(nc.info.proto, 1);
  if (TARGET === "cnatsd") assert.equal(nc.info.version, "2.14.5");
  await nc.close();
});

test("publish and subscribe with payloads of several sizes", async () => {
  const nc = await connect({ servers: url() });
  const sub = nc.subscribe("js.sizes", { max: 4 });
  const sizes = [0, 1, 1024, 512 * 1024];
  for (const n of sizes) nc.publish("js.sizes", new Uint8Array(n).fill(7));
  const got = [];
  for await (const m of sub) got.push(m.data.length);
  assert.deepEqual(got, sizes);
  await nc.close();
});

test("headers travel with the message (HMSG)", async () => {
  const nc = await connect({ servers: url() });
  const sub = nc.subscribe("js.hdr", { max: 1 });
  const h = headers();
  h.set("X-Test", "one");
  h.append("X-Test", "two");
  nc.publish("js.hdr", sc.encode("body"), { headers: h });
  for await (const m of sub) {
    assert.deepEqual(m.headers.values("X-Test"), ["one", "two"]);
    assert.equal(sc.decode(m.data), "body");
  }
  await nc.close();
});

test("request/reply and no responders", async () => {
  const nc = await connect({ servers: url() });
  const svc = nc.subscribe("js.svc");
  (async () => {
    for await (const m of svc) m.respond(sc.encode(`echo:${sc.decode(m.data)}`));
  })();
  await nc.flush();
  const r = await nc.request("js.svc", sc.encode("hi"), { timeout: 2000 });
  assert.equal(sc.decode(r.data), "echo:hi");
  await assert.rejects(nc.request("js.nobody", sc.encode("x"), { timeout: 2000 }),
    (err) => err.code === ErrorCode.NoResponders);
  await nc.close();
});

test("queue group members share the messages", async () => {
  const nc = await connect({ servers: url() });
  const counts = [0, 0, 0];
  const subs = counts.map((_, i) => nc.subscribe("js.q", { queue: "workers", callback: () => { counts[i]++; } }));
  await nc.flush();
  const pub = await connect({ servers: url() });
  for (let i = 0; i < 300; i++) pub.publish("js.q", sc.encode(String(i)));
  await pub.flush();
  const end = Date.now() + 5000;
  while (counts.reduce((a, b) => a + b, 0) < 300 && Date.now() < end) await nc.flush();
  assert.equal(counts.reduce((a, b) => a + b, 0), 300);
  assert.ok(counts.every((c) => c > 0), `every member got messages: ${counts}`);
  subs.forEach((s) => s.unsubscribe());
  await pub.close();
  await nc.close();
});

test("wildcards, auto-unsubscribe and drain", async () => {
  const nc = await connect({ servers: url() });
  const got = [];
  const sub = nc.subscribe("js.w.*.>", { callback: (_, m) => got.push(m.subject) });
  nc.publish("js.w.a.b");
  nc.publish("js.w.a");
  nc.publish("js.w.x.y.z");
  await nc.flush();
  const end = Date.now() + 2000;
  while (got.length < 2 && Date.now() < end) await nc.flush();
  assert.deepEqual(got.sort(), ["js.w.a.b", "js.w.x.y.z"]);
  assert.equal(sub.getProcessed(), 2);
  await nc.drain();
  assert.ok(nc.isClosed());
});

test("a permissions error is reported to the client", async () => {
  const p2 = await freePort();
  const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp("/tmp/cnatsd-js-"));
  const fs = await import("node:fs/promises");
  const conf = `${dir}/perm.conf`;
  await fs.writeFile(conf, `authorization { users = [ { user: u, password: p, permissions: { publish: "ok.>" } } ] }\n`);
  const s2 = spawn(BIN, ["-a", "127.0.0.1", "-p", String(p2), "-c", conf], { stdio: "ignore" });
  try {
    await waitListening(p2);
    await assert.rejects(connect({ servers: `nats://127.0.0.1:${p2}`, user: "u", pass: "bad", reconnect: false }),
      (err) => err.code === ErrorCode.AuthorizationViolation);
    const nc = await connect({ servers: `nats://127.0.0.1:${p2}`, user: "u", pass: "p" });
    const errs = [];
    (async () => { for await (const s of nc.status()) if (s.type === Events.Error) errs.push(String(s.data)); })();
    nc.publish("denied.x");
    const end = Date.now() + 3000;
    while (errs.length === 0 && Date.now() < end) await nc.flush().catch(() => {});
    assert.ok(errs.includes(ErrorCode.PermissionsViolation), errs.join("; "));
    await nc.close();
  } finally {
    await stopServer(s2);
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("the client reconnects after the server restarts", async () => {
  const p3 = await freePort();
  let s3 = await startServer(p3);
  const nc = await connect({ servers: `nats://127.0.0.1:${p3}`, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const seen = [];
  nc.subscribe("js.rc", { callback: (_, m) => seen.push(sc.decode(m.data)) });
  await nc.flush();
  let reconnected = false;
  (async () => { for await (const s of nc.status()) if (s.type === Events.Reconnect) reconnected = true; })();
  await stopServer(s3);
  s3 = await startServer(p3);
  const end = Date.now() + 8000;
  while (!reconnected && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(reconnected, "reconnected");
  nc.publish("js.rc", sc.encode("after"));
  await nc.flush();
  const end2 = Date.now() + 3000;
  while (seen.length === 0 && Date.now() < end2) await nc.flush();
  assert.deepEqual(seen, ["after"]);
  await nc.close();
  await stopServer(s3);
});
