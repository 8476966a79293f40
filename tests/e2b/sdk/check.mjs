// The official E2B JavaScript SDK against CodeCourier's fake E2B server.
//
//   E2B_API_URL=http://127.0.0.1:P1 E2B_SANDBOX_URL=http://127.0.0.1:P2 E2B_API_KEY=e2b_… node check.mjs
//
// Optional: FAKE_E2B_SERVER=<path of the fake-e2b-server program> adds the fault checks, each
// against a server of its own started with --fault, so the fake's error shapes are proven to
// mean to the SDK what they mean in E2B.
//
// Prints one line per check; exits 1 on the first mismatch, 0 when everything held.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

import {
  AuthenticationError,
  CommandExitError,
  NotFoundError,
  Sandbox,
  SandboxError,
  SandboxNotFoundError,
  ServiceBusyError,
  TimeoutError,
} from 'e2b'

const pinned = JSON.parse(readFileSync(new URL('./package.json', import.meta.url))).dependencies.e2b
const sdkVersion = JSON.parse(readFileSync(new URL('./node_modules/e2b/package.json', import.meta.url))).version
if (sdkVersion !== pinned) fail(`node_modules has e2b ${sdkVersion} but package.json pins ${pinned}: run 'npm ci --prefix tests/e2b/sdk'`)

for (const name of ['E2B_API_URL', 'E2B_SANDBOX_URL', 'E2B_API_KEY']) {
  if (!process.env[name]) fail(`${name} is not set: point the SDK at the fake (see tests/e2b/README.md)`)
}
for (const name of ['E2B_API_URL', 'E2B_SANDBOX_URL']) {
  const host = new URL(process.env[name]).hostname
  if (host !== '127.0.0.1' && host !== 'localhost') fail(`${name} must be a loopback address, not ${host}`)
}

let checks = 0
function ok(what) {
  checks += 1
  console.log(`ok ${checks} - ${what}`)
}
let faultServer = null // a fake server this script started; never left behind
function fail(what) {
  console.error(`FAIL - ${what}`)
  faultServer?.kill('SIGTERM')
  process.exit(1)
}
function expect(condition, what, detail = '') {
  if (!condition) fail(`${what}${detail ? `: ${detail}` : ''}`)
  ok(what)
}
async function expectThrows(promise, errorClass, what, extra = () => true) {
  try {
    await promise
  } catch (err) {
    if (!(err instanceof errorClass)) fail(`${what}: expected ${errorClass.name}, got ${err?.constructor?.name}: ${err?.message}`)
    if (!extra(err)) fail(`${what}: ${err.constructor.name} had the wrong details: ${err.message}`)
    ok(`${what} (${err.constructor.name}: ${err.message.split('\n')[0]})`)
    return err
  }
  fail(`${what}: expected ${errorClass.name}, but the call succeeded`)
}
function decoder() {
  const chunks = []
  return { chunks, push: (s) => chunks.push(s), text: () => chunks.join('') }
}

console.log(`E2B JS SDK ${sdkVersion} against ${process.env.E2B_API_URL} and ${process.env.E2B_SANDBOX_URL}`)

// --- control plane -------------------------------------------------------------------------
await expectThrows(Sandbox.create({ apiKey: 'e2b_wrong', timeoutMs: 60_000 }), AuthenticationError,
  'a wrong API key is rejected')
await expectThrows(Sandbox.create('no-such-template', { timeoutMs: 60_000 }), SandboxError,
  'an unknown template is rejected with 404', (e) => /404/.test(e.message))

const sbx = await Sandbox.create({
  timeoutMs: 120_000,
  metadata: { purpose: 'conformance' },
  envs: { CONFORMANCE: '1' },
  allowInternetAccess: false,
})
expect(/^[a-z0-9]{20}$/.test(sbx.sandboxId), 'create returns a sandbox id', sbx.sandboxId)
expect(await sbx.isRunning(), 'the new sandbox is running (GET /health on envd)')

const info = await sbx.getInfo()
expect(info.sandboxId === sbx.sandboxId && info.metadata?.purpose === 'conformance' && info.state === 'running',
  'getInfo shows the id, the metadata and the running state', JSON.stringify(info))
await sbx.setTimeout(90_000)
ok('setTimeout is accepted')
const metrics = await sbx.getMetrics()
expect(Array.isArray(metrics) && metrics.length > 0 && typeof metrics[0].memTotal === 'number',
  'getMetrics returns samples', JSON.stringify(metrics))

// --- files ---------------------------------------------------------------------------------
const script = 'echo "hello from snippet"\necho "to stderr" >&2\nprintf "%s\\n" "héllo ✓"\n'
const written = await sbx.files.write('/home/user/snippet.sh', script)
expect(written.path === '/home/user/snippet.sh' && written.name === 'snippet.sh', 'files.write uploads a file', JSON.stringify(written))
expect(await sbx.files.read('/home/user/snippet.sh') === script, 'files.read returns the same text')
const bytes = Uint8Array.from([0, 1, 2, 250, 251, 252, 253, 254, 255])
await sbx.files.write('data/bytes.bin', bytes.buffer)
const back = await sbx.files.read('/home/user/data/bytes.bin', { format: 'bytes' })
expect(back.length === bytes.length && back.every((b, i) => b === bytes[i]),
  'binary content survives a relative-path write and a read')
expect(await sbx.files.exists('/home/user/snippet.sh') && !(await sbx.files.exists('/home/user/absent')),
  'files.exists (Filesystem/Stat) tells present from absent')
const listing = await sbx.files.list('/home/user')
expect(listing.some((e) => e.name === 'snippet.sh' && e.type === 'file') && listing.some((e) => e.name === 'data' && e.type === 'dir'),
  'files.list (Filesystem/ListDir) shows the file and the folder', JSON.stringify(listing.map((e) => [e.name, e.type])))
expect(await sbx.files.makeDir('/home/user/made') === true && await sbx.files.makeDir('/home/user/made') === false,
  'files.makeDir creates once, then reports it exists')
await sbx.files.rename('/home/user/made', '/home/user/moved')
await sbx.files.remove('/home/user/moved')
expect(!(await sbx.files.exists('/home/user/moved')), 'files.rename and files.remove')
await expectThrows(sbx.files.read('/home/user/missing.txt'), NotFoundError, 'reading a missing file is FileNotFoundError')
{
  await sbx.files.write('/home/user/gz.txt', 'compressed on the wire\n'.repeat(50), { gzip: true })
  expect(await sbx.files.read('/home/user/gz.txt', { gzip: true }) === 'compressed on the wire\n'.repeat(50),
    'a gzip upload (octet-stream, Content-Encoding: gzip) and a gzip download')
  await sbx.files.write('/home/user/raw.txt', 'raw body', { useOctetStream: true })
  expect(await sbx.files.read('/home/user/raw.txt') === 'raw body', 'an application/octet-stream upload')
  const tagged = await sbx.files.write('/home/user/tagged.txt', 'x', { metadata: { Origin: 'check' } })
  const stat = await sbx.files.getInfo('/home/user/tagged.txt')
  expect(tagged.metadata?.origin === 'check' && stat.metadata?.origin === 'check',
    'file metadata (X-Metadata-*) comes back lower-cased from write and getInfo', JSON.stringify({ tagged, stat: stat.metadata }))
}

{
  // What CodeCourier collects artifacts with: ListDir with depth (links not followed, FIFOs have no
  // type, which the SDK leaves out), ListDir of a link (envd lists its target, with the target's
  // paths), and a download of a nested file.
  await sbx.commands.run('mkdir -p art/sub && echo deep > art/sub/deep.txt && ln -s /etc/passwd art/link && mkfifo art/fifo && ln -s art artlink')
  const deep = await sbx.files.list('/home/user/art', { depth: 2 })
  const types = Object.fromEntries(deep.map((e) => [e.path, e.type]))
  expect(types['/home/user/art/sub'] === 'dir' && types['/home/user/art/sub/deep.txt'] === 'file' &&
    types['/home/user/art/link'] === 'symlink' && !('/home/user/art/fifo' in types) && deep.length === 3,
  'files.list with depth 2: nested entries, a link as a symlink, no FIFO', JSON.stringify(types))
  expect(await sbx.files.read('/home/user/art/sub/deep.txt') === 'deep\n', 'files.read of a nested listed file')
  const viaLink = await sbx.files.list('/home/user/artlink')
  expect(viaLink.some((e) => e.path === '/home/user/art/sub') && !viaLink.some((e) => e.path.startsWith('/home/user/artlink')),
    "files.list of a link lists its target, under the target's paths", JSON.stringify(viaLink.map((e) => e.path)))
}

// --- commands ------------------------------------------------------------------------------
{
  const out = decoder()
  const err = decoder()
  const result = await sbx.commands.run('bash /home/user/snippet.sh', { onStdout: out.push, onStderr: err.push })
  expect(result.exitCode === 0, 'commands.run ends with exit code 0', JSON.stringify(result))
  expect(out.text() === 'hello from snippet\nhéllo ✓\n' && result.stdout === out.text(),
    'stdout arrives through onStdout, unicode intact', JSON.stringify(out.chunks))
  expect(err.text() === 'to stderr\n' && result.stderr === err.text(), 'stderr arrives through onStderr', JSON.stringify(err.chunks))
}
{
  const out = decoder()
  const result = await sbx.commands.run('for i in 1 2 3; do echo "line $i"; sleep 0.2; done', { onStdout: out.push })
  expect(out.chunks.length >= 3 && result.stdout === 'line 1\nline 2\nline 3\n',
    'output streams while the command runs (one callback per chunk)', JSON.stringify(out.chunks))
}
{
  const result = await sbx.commands.run('echo "$CONFORMANCE $FOO"; pwd', { envs: { FOO: 'bar' }, cwd: '/home/user/data' })
  expect(result.stdout.startsWith('1 bar\n') && result.stdout.trimEnd().endsWith('/home/user/data'),
    'sandbox env vars, request envs and cwd reach the command', JSON.stringify(result.stdout))
}
const exitError = await expectThrows(sbx.commands.run('echo failing >&2; exit 3'), CommandExitError,
  'a non-zero exit throws CommandExitError', (e) => e.exitCode === 3)
expect(exitError.stderr === 'failing\n' && exitError.error === 'exit status 3', 'the error carries stderr and the status',
  JSON.stringify({ stderr: exitError.stderr, error: exitError.error }))
await expectThrows(sbx.commands.run('ls', { cwd: '/home/user/nowhere' }), SandboxError,
  'a missing cwd is an invalid-argument error', (e) => /cwd/.test(e.message))
{
  const started = Date.now()
  await expectThrows(sbx.commands.run('sleep 30', { timeoutMs: 1000 }), TimeoutError, 'a command over its timeout throws TimeoutError')
  const took = Date.now() - started
  expect(took >= 900 && took < 5000, 'the timeout fires after about a second', `${took} ms`)
  let lingering = []
  for (let i = 0; i < 50; i++) {
    lingering = (await sbx.commands.list()).filter((p) => p.args?.includes('sleep 30'))
    if (lingering.length === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  expect(lingering.length === 0, 'the timed-out command is gone from commands.list (deadline killed it)')
}
{
  const handle = await sbx.commands.run('sleep 30', { background: true })
  expect(handle.pid > 0, 'a background command reports its pid')
  expect(await sbx.commands.kill(handle.pid), 'commands.kill (SendSignal SIGKILL) is accepted')
  await expectThrows(handle.wait(), CommandExitError, 'the killed command ends with exit code -1', (e) => e.exitCode === -1)
  expect(!(await sbx.commands.kill(handle.pid)), 'killing it again reports that it is gone')
}
{
  const handle = await sbx.commands.run('read line; echo "got $line"', { background: true, stdin: true })
  await sbx.commands.sendStdin(handle.pid, 'typed\n')
  const result = await handle.wait()
  expect(result.stdout === 'got typed\n', 'stdin reaches a command (SendInput)', JSON.stringify(result.stdout))
}
{
  const again = await Sandbox.connect(sbx.sandboxId)
  expect(await again.files.read('/home/user/snippet.sh') === script, 'Sandbox.connect reaches the same sandbox')
}

// --- end of the sandbox ----------------------------------------------------------------------
await sbx.kill()
ok('kill (DELETE /sandboxes/{id})')
expect(await Sandbox.kill(sbx.sandboxId) === false, 'killing it again reports that it is gone (404 with code 404)')
expect(!(await sbx.isRunning()), 'the killed sandbox is not running (envd answers 502)')
await expectThrows(sbx.commands.run('echo nope'), SandboxNotFoundError, 'a command in the killed sandbox is SandboxNotFoundError')

// --- faults, each against a server of its own ------------------------------------------------
const program = process.env.FAKE_E2B_SERVER
if (program) {
  async function withFakeServer(faults, body, moreArgs = []) {
    const args = [...faults.flatMap((f) => ['--fault', f]), ...moreArgs]
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    faultServer = child
    const env = {}
    const lines = createInterface({ input: child.stdout })
    for await (const line of lines) {
      if (line === 'ready') break
      const at = line.indexOf('=')
      if (at > 0) env[line.slice(0, at)] = line.slice(at + 1)
    }
    if (!env.E2B_API_URL) fail(`the fake server with ${args.join(' ')} did not start`)
    try {
      const opts = { apiKey: env.E2B_API_KEY, apiUrl: env.E2B_API_URL, sandboxUrl: env.E2B_SANDBOX_URL }
      return await body(opts)
    } finally {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
      faultServer = null
    }
  }
  const run = (opts, cmd, more = {}) =>
    Sandbox.create({ ...opts, timeoutMs: 60_000 }).then((s) => s.commands.run(cmd, more))

  await withFakeServer(['path=/v2/sandboxes,status=429,retryAfter=1'], async (opts) => {
    const started = Date.now()
    const s = await Sandbox.create({ ...opts, timeoutMs: 60_000 })
    expect(s.sandboxId && Date.now() - started >= 900, 'a 429 with Retry-After: 1 is retried by the SDK after a second')
  })
  await withFakeServer(['path=/v2/sandboxes,status=503'], async (opts) => {
    await expectThrows(Sandbox.create({ ...opts, timeoutMs: 60_000 }), ServiceBusyError, 'a 503 from the API is ServiceBusyError')
  })
  await withFakeServer(['path=/v2/sandboxes,status=500'], async (opts) => {
    await expectThrows(Sandbox.create({ ...opts, timeoutMs: 60_000 }), SandboxError, 'a 500 from the API is SandboxError with its status',
      (e) => e.statusCode === 500 || /500/.test(e.message))
  })
  await withFakeServer(['path=/v2/sandboxes,malformed'], async (opts) => {
    await expectThrows(Sandbox.create({ ...opts, timeoutMs: 60_000 }), Error, 'a create answer with broken JSON fails')
  })
  await withFakeServer(['path=/process.Process/Start,status=502'], async (opts) => {
    await expectThrows(run(opts, 'echo hi'), SandboxNotFoundError, 'envd 502 (proxy: sandbox not found) is SandboxNotFoundError')
  })
  await withFakeServer(['path=/process.Process/Start,status=401'], async (opts) => {
    await expectThrows(run(opts, 'echo hi'), AuthenticationError, 'envd 401 on a stream is AuthenticationError')
  })
  await withFakeServer(['path=/process.Process/Start,noEndStream'], async (opts) => {
    await expectThrows(run(opts, 'echo hi'), SandboxError, 'a stream without the end-stream envelope fails',
      (e) => /missing EndStreamResponse/.test(e.message))
  })
  await withFakeServer(['path=/process.Process/Start,noEndEvent'], async (opts) => {
    await expectThrows(run(opts, 'echo hi'), SandboxError, 'a stream without an end event fails',
      (e) => /without a result/.test(e.message))
  })
  await withFakeServer(['path=/process.Process/Start,drop=2'], async (opts) => {
    await expectThrows(run(opts, 'echo one; sleep 0.2; echo two'), Error, 'a stream cut after two messages fails')
  })
  await withFakeServer(['path=/process.Process/Start,malformed'], async (opts) => {
    await expectThrows(run(opts, 'echo hi'), Error, 'a stream whose first message is broken JSON fails')
  })
  await withFakeServer(['path=/process.Process/Start,tiny'], async (opts) => {
    const out = decoder()
    const result = await run(opts, 'printf "héllo ✓ wörld\\n"; echo err >&2; exit 4', { onStdout: out.push }).catch((e) => e)
    expect(result instanceof CommandExitError && result.exitCode === 4 && result.stdout === 'héllo ✓ wörld\n' && result.stderr === 'err\n',
      'a stream delivered one byte per write parses the same', JSON.stringify({ exit: result.exitCode, out: result.stdout }))
  })
  await withFakeServer(['path=/files,plane=envd,delay=1500'], async (opts) => {
    const s = await Sandbox.create({ ...opts, timeoutMs: 60_000 })
    await expectThrows(s.files.write('/home/user/a.txt', 'x', { requestTimeoutMs: 500 }), Error,
      'a delayed envd answer trips the request timeout')
  })

  // Debug mode: no API at all, envd on the fixed localhost:49983, sandbox id "debug_sandbox_id".
  const debugPortFree = await new Promise((resolve) => {
    import('node:net').then(({ createServer }) => {
      const probe = createServer().once('error', () => resolve(false))
      probe.listen(49983, '127.0.0.1', () => probe.close(() => resolve(true)))
    })
  })
  if (!debugPortFree) {
    console.log('note: debug mode not checked, 127.0.0.1:49983 is in use')
  } else {
    await withFakeServer([], async () => {
      // The URL variables would win over debug mode's own addresses.
      const saved = { api: process.env.E2B_API_URL, sandbox: process.env.E2B_SANDBOX_URL }
      delete process.env.E2B_API_URL
      delete process.env.E2B_SANDBOX_URL
      const debug = await Sandbox.create({ debug: true }).finally(() => {
        process.env.E2B_API_URL = saved.api
        process.env.E2B_SANDBOX_URL = saved.sandbox
      })
      expect(debug.sandboxId === 'debug_sandbox_id', 'debug mode: create makes no API call')
      await debug.files.write('/home/user/d.txt', 'debug')
      const result = await debug.commands.run('cat /home/user/d.txt')
      expect(result.stdout === 'debug', 'debug mode: files and commands reach the debug sandbox without a token')
    }, ['--debug-sandbox', '--envd-port', '49983'])
  }
}

console.log(`${checks} passed, 0 failed`)
