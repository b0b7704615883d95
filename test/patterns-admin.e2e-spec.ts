import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { bootApp, post, TestApp } from './support/app';

/*
 * Pattern edits without vandalism, over HTTP: writes keep the responses file's comments and
 * layout, PATCH keeps the fields it does not name (PUT replaces), and with an overlay file the
 * tracked file is never written.
 */

const BUNDLED = resolve(__dirname, '../config/responses.yaml');

async function send(url: string, method: string, body?: unknown) {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('pattern edits through /admin/patterns keep the file', () => {
  let app: TestApp;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patterns-admin-'));
    file = join(dir, 'responses.yaml');
    copyFileSync(BUNDLED, file);
    app = await bootApp({ responses_file: file });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PATCH changes the named fields, keeps the rest and every comment of the file; PUT replaces', async () => {
    const before = readFileSync(file, 'utf8');
    const joke = (await send(`${app.url}/admin/patterns`, 'GET')).json.patterns.find((p: { name: string }) => p.name === 'joke');
    const res = await send(`${app.url}/admin/patterns/joke`, 'PATCH', { responses: ['Why did the simulator cross the road? To time the other side.'] });
    expect(res.status).toBe(200);
    const patched = res.json.patterns.find((p: { name: string }) => p.name === 'joke');
    expect(patched).toEqual({ ...joke, responses: ['Why did the simulator cross the road? To time the other side.'] });

    const after = readFileSync(file, 'utf8');
    const comments = (text: string) => text.split('\n').filter((l) => l.trim().startsWith('#'));
    expect(comments(after)).toEqual(comments(before));
    // Only the joke's replies changed: every other line is where it was.
    const changed = after.split('\n').filter((l) => !before.split('\n').includes(l));
    expect(changed).toEqual(['      - Why did the simulator cross the road? To time the other side.']);

    const chat = await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'tell me a joke' }] });
    expect(chat.json.choices[0].message.content).toContain('cross the road');

    const put = await send(`${app.url}/admin/patterns/joke`, 'PUT', { match: { keywords: ['joke'] }, responses: ['Knock knock.'] });
    expect(put.status).toBe(200);
    expect(put.json.patterns.find((p: { name: string }) => p.name === 'joke')).toEqual({ name: 'joke', match: { keywords: ['joke'] }, responses: ['Knock knock.'] });
  });

  it('PATCH of an unknown pattern is a 404, a bad one a 400, both in the error shape', async () => {
    const missing = await send(`${app.url}/admin/patterns/nope`, 'PATCH', { responses: ['x'] });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 404 });
    const bad = await send(`${app.url}/admin/patterns/joke`, 'PATCH', { responses: [] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('responses');
  });
});

describe('with --responses-overlay-file, admin edits never touch the tracked file', () => {
  let app: TestApp;
  let dir: string;
  let file: string;
  let overlay: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patterns-overlay-'));
    file = join(dir, 'responses.yaml');
    overlay = join(dir, 'local', 'overlay.yaml');
    copyFileSync(BUNDLED, file);
    app = await bootApp({ responses_file: file, responses_overlay_file: overlay });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, patches and deletes through the overlay; the effective patterns combine both', async () => {
    const tracked = readFileSync(file, 'utf8');
    expect((await send(`${app.url}/admin/patterns`, 'POST', { name: 'pirate', priority: 100, match: { keywords: ['ahoy'] }, responses: ['Arr, matey!'] })).status).toBe(201);
    expect((await send(`${app.url}/admin/patterns/greeting`, 'PATCH', { responses: ['Hello from the overlay!'] })).status).toBe(200);
    expect((await send(`${app.url}/admin/patterns/joke`, 'DELETE')).status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(tracked);

    const written = parseYaml(readFileSync(overlay, 'utf8'));
    expect(written.removed).toEqual(['joke']);
    expect(written.patterns.map((p: { name: string }) => p.name)).toEqual(['greeting', 'pirate']);

    const reply = async (content: string) => (await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content }] })).json.choices[0].message.content;
    expect(await reply('ahoy')).toBe('Arr, matey!');
    expect(await reply('hello')).toBe('Hello from the overlay!');
    expect(await reply('What is 2+2?')).toContain('4');
    const names = (await send(`${app.url}/admin/patterns`, 'GET')).json.patterns.map((p: { name: string }) => p.name);
    expect(names).not.toContain('joke');
    expect(names).toContain('code');
  });
});
